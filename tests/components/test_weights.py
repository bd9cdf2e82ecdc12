"""Transformer body weights (paper): Gemini's chunks per GPU for each layout, and buffers."""

from __future__ import annotations

from llmem_core.components import gemini, weights
from llmem_core.models import Method, ProfileName
from llmem_core.parallelism import layout
from llmem_core.presets import find_model
from llmem_core.units import MiB, pages


def paper_layout(arch, kind: str, gpus: int, tp: int | None = None):
    return layout(Method(kind=kind, tp=tp), gpus, arch, ProfileName.PAPER)


def test_cdp_holds_what_one_gpu_holds() -> None:
    """CDP keeps the whole model on every GPU: the one-GPU chunks, not a shard."""
    arch = find_model("facebook/opt-1.3b").architecture
    single = weights.paper_model_state_bytes(arch, paper_layout(arch, "single", 1))
    assert weights.paper_model_state_bytes(arch, paper_layout(arch, "cdp", 4)) == single
    assert weights.paper_model_state_bytes(arch, paper_layout(arch, "adp", 4)) < single / 3


def test_six_bytes_per_chunked_element_plus_buffers() -> None:
    """GPT-Neo-1.3B: fp16 + fp32 chunks, 6 bytes per parameter and the part of each chunk that
    next-fit packing leaves empty (4 % here), plus its 96 MiB of causal-mask buffers
    (24 layers · 2,048² bools), which GeminiDDP also moves to the GPU."""
    arch = find_model("EleutherAI/gpt-neo-1.3B").architecture
    chunks = gemini.rank_chunks(arch, 1, 1)
    got = weights.paper_model_state_bytes(arch, paper_layout(arch, "single", 1))
    assert got == chunks.fp16 + chunks.fp32 + pages(96 * MiB)
    assert 6 * 1_315_575_808 <= chunks.fp16 + chunks.fp32 <= 6.5 * 1_315_575_808


def test_gemini_chunk_size_on_one_gpu() -> None:
    """OPT-1.3b: the embedding (102,957,056) is over mean + 3σ and left out; the search starts at
    32 Mi and the least waste is 33,574,912 elements (the upstream loop agrees:
    tests/components/test_gemini.py)."""
    arch = find_model("facebook/opt-1.3b").architecture
    assert weights.gemini_chunk_size(arch) == 33_574_912


def test_pytorch_shard_per_layout() -> None:
    """TP shards each layer's matmul weights (not embeddings, norms, lm_head); FSDP divides
    everything by the data-parallel degree."""
    from llmem_core.components.weights import pytorch_shard
    from llmem_core.params import split
    from tests.conftest import layout_of

    arch = find_model("meta-llama/Llama-3.1-8B").architecture
    sp = split(arch)
    matmul = 32 * sp.layer_matmul
    assert pytorch_shard(arch, sp, layout_of("single", 1)) == (sp.body, sp.lm_matrix)
    assert pytorch_shard(arch, sp, layout_of("tp", 4)) == (
        sp.body - matmul + matmul // 4,
        sp.lm_matrix,
    )
    body, lm = pytorch_shard(arch, sp, layout_of("adp", 8))
    assert (body, lm) == (-(-sp.body // 8), -(-sp.lm_matrix // 8))
