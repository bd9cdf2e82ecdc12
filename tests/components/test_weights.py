"""Transformer body weights (paper): chunk search and chunk rounding."""

from __future__ import annotations

from llmem_core.components import weights
from llmem_core.params import tensors
from llmem_core.presets import find_model
from llmem_core.units import MiB, pages


def test_chunk_waste_by_hand() -> None:
    """Tensors 6, 5, 4 into chunks of 10: [6] [5 4] → 2 chunks, 20 − 15 = 5 wasted;
    chunks of 11: [6 5] [4] → 22 − 15 = 7; chunks of 15: one chunk, no waste."""
    assert weights._chunk_waste((6, 5, 4), 10) == 5
    assert weights._chunk_waste((6, 5, 4), 11) == 7
    assert weights._chunk_waste((6, 5, 4), 15) == 0


def test_gemini_search_range_and_minimum() -> None:
    """Gemini searches from max(32 Mi, largest tensor) over 32 Mi elements; the answer wastes
    no more than any other candidate on the grid."""
    arch = find_model("facebook/opt-1.3b").architecture
    cs = weights.gemini_chunk_size(arch)
    assert 32 * MiB <= cs <= 64 * MiB
    sizes = tuple(t.numel for t in tensors(arch) if t.part != "embedding")
    best = weights._chunk_waste(sizes, cs)
    for other in range(32 * MiB, 64 * MiB + 1, MiB):
        assert best <= weights._chunk_waste(sizes, other)


def test_chunk_starts_at_largest_tensor() -> None:
    """Llama-3.1-70B's untied lm_head (128,256 · 8,192 = 1.05 G elements) exceeds 32 Mi, so
    the search starts there: a chunk must hold the largest tensor."""
    arch = find_model("meta-llama/Llama-3.1-70B").architecture
    assert weights.gemini_chunk_size(arch) >= 128_256 * 8_192


def test_model_states_are_six_bytes_per_chunked_element() -> None:
    """m_p = ⌈n·2⌉_p + ⌈n·4⌉_p: within one page of the paper's single rounding ⌈n·6⌉_p."""
    arch, cs = find_model("facebook/opt-1.3b").architecture, 64 * MiB
    n = weights.paper_chunked_elements(arch, cs)
    assert n == 102_957_056 + 19 * cs
    assert 0 <= weights.paper_model_state_bytes(arch, cs) - pages(n * 6) <= 2 * MiB


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
