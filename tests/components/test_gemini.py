"""Gemini's chunks (paper profile): the search, the packing and the bytes each GPU holds,
against a literal transcription of the authors' Colossal-AI (search_utils.py, manager.py)."""

from __future__ import annotations

import math
import statistics

import pytest

from llmem_core.components import gemini
from llmem_core.presets import find_model
from llmem_core.units import MiB

MODELS = [
    "facebook/opt-1.3b",
    "bigscience/bloom-560m",
    "Salesforce/codegen-2B-nl",
    "EleutherAI/gpt-neo-1.3B",
    "bigcode/gpt_bigcode-santacoder",
    "huggyllama/llama-7b",
]


def upstream_search(groups: dict[int, tuple[int, ...]], search_range: int) -> int:
    """search_chunk_configuration's loop as written (search_utils.py L157-192), before the
    rounding to the degrees: _filter_exlarge_params, then every candidate in turn."""
    size_dict = {k: list(v) for k, v in groups.items() if sum(v) >= gemini.GEMINI_MIN_CHUNK}
    every = [s for v in size_dict.values() for s in v]
    limit = statistics.fmean(every) + 3 * statistics.pstdev(every)
    size_dict = {k: [s for s in v if s <= limit] for k, v in size_dict.items()}
    max_size = max([gemini.GEMINI_MIN_CHUNK] + [max(v) for v in size_dict.values()])
    interval = gemini.GEMINI_SEARCH_INTERVAL
    start = int(math.ceil(max_size / interval) * interval)
    best, best_waste = start, float("inf")
    for chunk in range(start, start + search_range + 1, interval):
        waste = 0
        for sizes in size_dict.values():
            acc, left = 0, 0  # _get_unused_byte
            for s in sizes:
                if s > left:
                    acc += left
                    left = chunk
                left -= s
            waste += left + acc
        if waste < best_waste:
            best, best_waste = chunk, waste
    return best


def layouts(model: str) -> list[dict[int, tuple[int, ...]]]:
    arch = find_model(model).architecture
    return [gemini._groups(arch, g, t) for g, t in ((1, 1), (4, 1), (4, 4), (4, 2))]


@pytest.mark.parametrize("model", MODELS)
def test_search_equals_trying_every_candidate(model: str, monkeypatch) -> None:
    """The bisection over chunk counts finds the candidate the upstream loop finds, over a
    range cut to 512 candidates so the loop stays fast (the full range: the slow test)."""
    monkeypatch.setattr(gemini, "GEMINI_SEARCH_RANGE", 511 * gemini.GEMINI_SEARCH_INTERVAL)
    for groups in layouts(model):
        assert gemini.search_chunk_size(groups) == upstream_search(groups, 511 * 1024)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["facebook/opt-125m", "Salesforce/codegen-350M-nl"])
def test_search_over_the_full_range(model: str) -> None:
    groups = layouts(model)[0]
    assert gemini.search_chunk_size(groups) == upstream_search(groups, gemini.GEMINI_SEARCH_RANGE)


def upstream_place(sizes: tuple[int, ...], chunk: int, degree: int) -> list[int]:
    """ChunkManager.register_tensor (manager.py L62-89): append to the last chunk, else close
    it and open one (of the tensor's size, rounded to the degree, if it is larger)."""
    chunks: list[list[int]] = []  # [size, used]
    for s in sizes:
        if chunks and chunks[-1][1] + s <= chunks[-1][0]:
            chunks[-1][1] += s
            continue
        size = chunk if s <= chunk else s + (-s % degree)
        chunks.append([size, s])
    return [size for size, _ in chunks]


@pytest.mark.parametrize(
    ("sizes", "chunk", "degree", "want"),
    [
        ((6, 5, 4), 10, 1, [10, 10]),  # [6] [5 4]
        ((5, 5, 1), 10, 1, [10, 10]),  # [5 5] full, [1]
        ((12, 3), 10, 4, [12, 10]),  # 12 > 10: a chunk of its own, rounded to 4
        ((3, 13, 2), 10, 4, [10, 16]),  # 13 → 16, whose 3 spare elements take the 2
        ((3, 13, 4), 10, 4, [10, 16, 10]),  # … but not a 4
    ],
)
def test_packing_by_hand(sizes, chunk, degree, want) -> None:
    assert gemini._place(sizes, chunk, degree) == want == upstream_place(sizes, chunk, degree)


@pytest.mark.parametrize("model", MODELS)
def test_packing_equals_register_tensor(model: str) -> None:
    arch = find_model(model).architecture
    sizes = tuple(t.numel for t in gemini.parameter_order(arch))
    chunk = gemini.gemini_chunk_size(arch, 4)
    assert gemini._place(sizes, chunk, 4) == upstream_place(sizes, chunk, 4)


def test_tiny_is_one_chunk_kept_gathered(tiny) -> None:
    """TINY has 172,288 parameters, under 32 Mi: one chunk of exactly that size, on every GPU
    even under ADP: fp16 344,576 B and fp32 689,152 B, a page each."""
    one = gemini.rank_chunks(tiny, 1, 1)
    assert one == gemini.rank_chunks(tiny, 4, 1) == (2 * MiB, 2 * MiB)


def test_adp_holds_a_quarter() -> None:
    """OPT-1.3b on 4 GPUs keeps a quarter of each chunk (chunk sizes are multiples of 4); the
    per-shard page rounding adds at most one page per chunk and precision."""
    arch = find_model("facebook/opt-1.3b").architecture
    one, four = gemini.rank_chunks(arch, 1, 1), gemini.rank_chunks(arch, 4, 1)
    n_chunks = len(
        gemini._place(
            tuple(t.numel for t in gemini.parameter_order(arch)),
            gemini.gemini_chunk_size(arch, 4),
            4,
        )
    )
    assert one.fp16 / 4 - 2 * MiB <= four.fp16 <= one.fp16 / 4 + n_chunks * 2 * MiB
    assert four.fp32 <= one.fp32 / 4 + n_chunks * 2 * MiB


def test_chunk_size_from_the_user_is_used() -> None:
    """A given chunk size replaces the search (rounded to the degrees); all chunks together
    hold at least every parameter."""
    arch = find_model("facebook/opt-1.3b").architecture
    given = gemini.rank_chunks(arch, 1, 1, 64 * MiB)
    assert given != gemini.rank_chunks(arch, 1, 1)
    assert given.fp16 >= 2 * 1_315_758_080 and given.fp32 >= 4 * 1_315_758_080


def test_parameter_order_is_transformers_4_29s() -> None:
    """OPT registers its final LayerNorm before the layers and k, v, q before out_proj;
    BLOOM's embedding LayerNorm follows the embedding; CodeGen ends with lm_head's weight and
    bias (modeling_opt.py, modeling_bloom.py, modeling_codegen.py in 4.29)."""
    opt = [t.name for t in gemini.parameter_order(find_model("facebook/opt-125m").architecture)]
    assert opt[:7] == [
        "embed_tokens.weight",
        "embed_positions.weight",
        "final_norm.weight",
        "final_norm.bias",
        "layers.0.attn.k.weight",
        "layers.0.attn.k.bias",
        "layers.0.attn.v.weight",
    ]
    bloom = [
        t.name for t in gemini.parameter_order(find_model("bigscience/bloom-560m").architecture)
    ]
    assert bloom[:4] == [
        "embed_tokens.weight",
        "embed_norm.weight",
        "embed_norm.bias",
        "layers.0.norm0.weight",
    ]
    codegen = [
        t.name for t in gemini.parameter_order(find_model("Salesforce/codegen-2B-nl").architecture)
    ]
    assert codegen[-2:] == ["lm_head.weight", "lm_head.bias"]
