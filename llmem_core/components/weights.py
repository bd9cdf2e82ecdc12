"""Transformer body: weights, gradients and the fp32 master copy (bar segment "transformer").

Paper profile (LLMem §3): Gemini keeps fp16 parameters in chunks (the fp16 gradient is written
back into the same chunk, so gradients cost nothing extra) plus an fp32 master copy:
    m_p = ⌈(embed_p + ⌈other_p / cs⌉ · cs) · (B16 + B32)⌉_p
The authors' code does not compute m_p: it measures it with m_base after `booster.boost`
(dp_real.py L360-363). The profile computes what that measurement holds — Gemini's fp16 and
fp32 chunks exactly as Colossal-AI searches and fills them (components/gemini.py), per GPU for
the layout, and the registered buffers GeminiDDP moves to the GPU (gemini_ddp.py
_cast_buffers) — and adds m_base itself as the runtime part.
"""

from __future__ import annotations

from llmem_core.components import gemini
from llmem_core.models import Architecture
from llmem_core.parallelism import Parallelism
from llmem_core.params import Split
from llmem_core.units import pages


def gemini_chunk_size(arch: Architecture) -> int:
    """The chunk size (elements) Gemini chooses for this model on one GPU."""
    return gemini.gemini_chunk_size(arch)


def paper_model_state_bytes(arch: Architecture, lay: Parallelism, chunk_size: int = 0) -> int:
    """m_p per GPU: the chunks this layout holds at rest (CDP: the whole model, like one GPU)
    plus the model's buffers; chunk_size 0 searches it as Gemini does."""
    gpus, tp = (lay.gpus, lay.tp) if (lay.sharded or lay.tp > 1) else (1, 1)
    chunks = gemini.rank_chunks(arch, gpus, tp, chunk_size)
    return chunks.fp16 + chunks.fp32 + pages(arch.buffer_bytes)


# ---- profile `pytorch` --------------------------------------------------------------------


def pytorch_shard(arch: Architecture, sp: Split, lay: Parallelism) -> tuple[int, int]:
    """(body, V·E matrix) elements held per GPU.

    DTensor TP shards each layer's matmul weights over tp and replicates the rest (embeddings,
    norms, lm_head); FSDP2 (ADP, and the data-parallel side of DP+TP) shards all of it over the
    data-parallel ranks; DDP and one GPU hold everything."""
    body = sp.body
    if lay.tp > 1:
        matmul = sp.matmul_total
        body = body - matmul + -(-matmul // lay.tp)
    if not lay.sharded:
        return body, sp.lm_matrix
    return -(-body // lay.dp), -(-sp.lm_matrix // lay.dp)
