"""Transformer body: weights, gradients and the fp32 master copy (bar segment "transformer").

Paper profile (LLMem §3): Gemini keeps fp16 parameters in chunks (the fp16 gradient is written
back into the same chunk, so gradients cost nothing extra) plus an fp32 master copy:
    m_p = ⌈(embed_p + ⌈other_p / cs⌉ · cs) · (B16 + B32)⌉_p
"""

from __future__ import annotations

from functools import lru_cache

from llmem_core.models import Architecture
from llmem_core.parallelism import Parallelism
from llmem_core.params import Split, counts, tensors
from llmem_core.units import B16, B32, MiB, pages, round_up

# Gemini's search_chunk_configuration (colossalai/zero/gemini/chunk/search_utils.py):
# chunk sizes from max(32 Mi elements, largest tensor) over a 32 Mi-element range.
GEMINI_MIN_CHUNK = 32 * MiB
GEMINI_SEARCH_RANGE = 32 * MiB
# Heuristic: Gemini steps by 1024 elements; 1 Mi keeps a plan under 5 ms and moves the chosen
# size by at most 1 Mi elements (2 MiB of fp16), within one CUDA page of the exact search.
GEMINI_SEARCH_STEP = 1 * MiB


def _chunk_waste(sizes: tuple[int, ...], chunk: int) -> int:
    """Unused elements when tensors are packed in order into chunks of `chunk` elements."""
    used, n_chunks = 0, 1
    for size in sizes:
        if used + size > chunk:
            n_chunks, used = n_chunks + 1, 0
        used += size
    return n_chunks * chunk - sum(sizes)


@lru_cache(maxsize=256)
def gemini_chunk_size(arch: Architecture) -> int:
    """The chunk size (elements) that wastes least, searched as Gemini searches it."""
    sizes = tuple(t.numel for t in tensors(arch) if t.part != "embedding")
    start = max(GEMINI_MIN_CHUNK, max(sizes))
    candidates = range(start, start + GEMINI_SEARCH_RANGE + 1, GEMINI_SEARCH_STEP)
    return min(candidates, key=lambda cs: (_chunk_waste(sizes, cs), cs))


def paper_chunked_elements(arch: Architecture, chunk_size: int) -> int:
    """embed_p + ⌈other_p / cs⌉ · cs: parameters as Gemini allocates them."""
    c = counts(arch)
    cs = chunk_size or gemini_chunk_size(arch)
    return c.embedding + round_up(c.body + c.lm_head, cs)


def paper_fp16_bytes(arch: Architecture, chunk_size: int) -> int:
    """m_p16: the fp16 parameters (and, written back in place, their gradients)."""
    return pages(paper_chunked_elements(arch, chunk_size) * B16)


def paper_fp32_bytes(arch: Architecture, chunk_size: int) -> int:
    """m_p32: the fp32 master copy the optimizer updates."""
    return pages(paper_chunked_elements(arch, chunk_size) * B32)


def paper_model_state_bytes(arch: Architecture, chunk_size: int) -> int:
    """m_p = m_p16 + m_p32. The paper writes one rounding of ·(B16 + B32); Gemini allocates the
    fp16 and fp32 chunks as separate buffers, so each is page-rounded (≤ 2 MiB more), which
    also makes every method agree exactly on one GPU."""
    return paper_fp16_bytes(arch, chunk_size) + paper_fp32_bytes(arch, chunk_size)


# ---- profile `pytorch` --------------------------------------------------------------------


def pytorch_shard(arch: Architecture, sp: Split, lay: Parallelism) -> tuple[int, int]:
    """(body, V·E matrix) elements held per GPU.

    DTensor TP shards each layer's matmul weights over tp and replicates the rest (embeddings,
    norms, lm_head); FSDP2 (ADP, and the data-parallel side of DP+TP) shards all of it over the
    data-parallel ranks; DDP and one GPU hold everything."""
    body = sp.body
    if lay.tp > 1:
        matmul = arch.num_layers * sp.layer_matmul
        body = body - matmul + -(-matmul // lay.tp)
    if not lay.sharded:
        return body, sp.lm_matrix
    return -(-body // lay.dp), -(-sp.lm_matrix // lay.dp)
