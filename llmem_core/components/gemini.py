"""Colossal-AI Gemini's chunks as the LLMem authors' code allocated them (paper profile; the
"transformer" bar segment is the per-GPU memory these chunks take).

The authors (github.com/taehokim20/LLMem, commit 3d289b4) wrap the model with
`GeminiPlugin(placement_policy='cuda', precision='fp16')` (dp_real.py L303-308, tp_real.py
L342-347) and *measure* the memory after `booster.boost` as their base (dp_real.py L360-363).
That memory is the CUDA context plus these chunks; this module computes the chunks, exactly as
their patched Colossal-AI builds them:

- `search_chunk_configuration` (colossalai/zero/gemini/chunk/search_utils.py L115-206): the
  parameters in `model.parameters()` order, grouped by data-parallel degree; a group under
  32 Mi elements is one chunk kept gathered; parameters over mean + 3σ of all sizes are left
  out of the search; candidate sizes run from max(32 Mi, largest kept tensor) rounded up to the
  1,024-element interval, over a 32 Mi range, in 1,024 steps; the first size that wastes least
  under next-fit packing wins, rounded up to a multiple of every group's degree.
- `ChunkManager.register_tensor` (chunk/manager.py L36-92): next-fit packing in parameter
  order; a tensor larger than the chunk gets a chunk of its own size (rounded to the degree).
- `ZeroDDP._init_chunks` (gemini_ddp.py L559-608): one fp16 and one fp32 chunk group with the
  same layout; `Chunk.__scatter` (chunk/chunk.py) keeps a 1/dp shard per GPU unless the chunk
  is kept gathered (degree 1, or a small group).

Each shard is one CUDA allocation, rounded up here to the paper's 2 MiB page (PyTorch's caching
allocator rounds allocations of 10 MiB and more to 2 MiB; smaller ones share 20 MiB segments,
which is not modelled).
"""

from __future__ import annotations

import bisect
import math
from functools import lru_cache
from typing import NamedTuple

from llmem_core.models import Architecture, Family
from llmem_core.params import Tensor, layer_tensors, tensors
from llmem_core.units import B16, B32, MiB, pages, round_up

# GeminiPlugin defaults the authors kept (booster/plugin/gemini_plugin.py L218-220):
# search_range_mb=32, min_chunk_size_mb=32, hidden_dim=None. Colossal-AI counts both in
# elements despite the "mb" names (search_utils.py L148-149, L165).
GEMINI_MIN_CHUNK = 32 * MiB
GEMINI_SEARCH_RANGE = 32 * MiB
# init_chunk_manager: search_interval_byte = hidden_dim or 1024 (chunk/utils.py L25-28).
GEMINI_SEARCH_INTERVAL = 1024
# _filter_exlarge_params: sizes above mean + 3 standard deviations (search_utils.py L29-37).
GEMINI_FILTER_SIGMAS = 3

# Registration order of each layer's parameters in transformers 4.29 (the paper's version;
# modeling_<family>.py __init__ of the decoder layer and its attention/MLP), by llmem's tensor
# roles (params.py: layers.<i>.attn.<role> / .mlp.<role> / .norm<k>). Families the paper did
# not run keep llmem's order (attention, MLP, norms): their chunk boundaries are approximate.
LAYER_ORDER: dict[Family, tuple[str, ...]] = {
    Family.OPT: ("k", "v", "q", "o", "norm0", "up", "down", "norm1"),
    Family.BIOGPT: ("k", "v", "q", "o", "norm0", "up", "down", "norm1"),
    Family.BLOOM: ("norm0", "qkv", "o", "norm1", "up", "down"),
    Family.CODEGEN: ("norm0", "qkv", "o", "up", "down"),
    Family.GPT_NEO: ("norm0", "k", "v", "q", "o", "norm1", "up", "down"),
    Family.GPT_BIGCODE: ("norm0", "qkv", "o", "norm1", "up", "down"),
    Family.LLAMA: ("q", "k", "v", "o", "gate", "down", "up", "norm0", "norm1"),
}
# OPTDecoder registers its final LayerNorm before the layers (modeling_opt.py, OPTDecoder).
FINAL_NORM_FIRST = frozenset({Family.OPT})
_HEAD = ("embed_tokens", "embed_positions", "project_out", "project_in", "embed_norm")


def _role(t: Tensor) -> str:
    parts = t.name.split(".")  # layers.<i>.attn.q.weight, layers.<i>.norm0.bias
    return parts[3] if parts[2] in ("attn", "mlp") else parts[2]


def _layer(arch: Architecture, i: int) -> list[Tensor]:
    order = LAYER_ORDER.get(arch.family)
    ts = layer_tensors(arch, i)
    if order is None:
        return ts
    return sorted(ts, key=lambda t: (order.index(_role(t)), t.name.endswith(".bias")))


@lru_cache(maxsize=256)
def parameter_order(arch: Architecture) -> tuple[Tensor, ...]:
    """The parameters as `model.parameters()` yields them in transformers 4.29 (a tied
    lm_head once, at the embedding)."""
    ts = tensors(arch)
    head = sorted(
        (t for t in ts if t.name.split(".")[0] in _HEAD),
        key=lambda t: _HEAD.index(t.name.split(".")[0]),  # stable: weight before bias
    )
    final = [t for t in ts if t.name.startswith("final_norm.")]
    lm = [t for t in ts if t.name.startswith("lm_head.")]
    layers = [t for i in range(arch.num_layers) for t in _layer(arch, i)]
    if arch.family in FINAL_NORM_FIRST:
        return (*head, *final, *layers, *lm)
    return (*head, *layers, *final, *lm)


class _Group(NamedTuple):
    """A list of tensor sizes (elements) with its prefix sums, for next-fit counts."""

    sizes: tuple[int, ...]
    prefix: tuple[int, ...]

    @classmethod
    def of(cls, sizes: tuple[int, ...]) -> _Group:
        prefix = [0]
        for s in sizes:
            prefix.append(prefix[-1] + s)
        return cls(sizes, tuple(prefix))

    def chunks(self, chunk: int) -> int:
        """Chunks next-fit packing uses (every size ≤ chunk): each holds the longest run that
        fits, as _get_unused_byte walks it."""
        prefix, after = self.prefix, bisect.bisect_right  # locals: this loop is the hot path
        start, n, end = 0, 0, len(self.sizes)
        while start < end:
            start = after(prefix, prefix[start] + chunk) - 1
            n += 1
        return n


def _kept_for_search(groups: tuple[tuple[int, ...], ...]) -> list[_Group]:
    """The groups Gemini searches (≥ 32 Mi elements), without sizes over mean + 3σ."""
    searched = [g for g in groups if sum(g) >= GEMINI_MIN_CHUNK]
    every = [s for g in searched for s in g]
    if not every:
        return []
    mean = sum(every) / len(every)
    std = math.sqrt(sum((s - mean) ** 2 for s in every) / len(every))  # np.std: ddof 0
    limit = mean + GEMINI_FILTER_SIGMAS * std
    return [_Group.of(tuple(s for s in g if s <= limit)) for g in searched]


def search_chunk_size(groups: dict[int, tuple[int, ...]]) -> int:
    """Gemini's chunk size for parameter groups {dp degree: sizes in order}, before rounding to
    the degrees (which the search does not see: one GPU and ADP search the same sizes)."""
    return _search(tuple(groups.values()), GEMINI_SEARCH_RANGE, GEMINI_SEARCH_INTERVAL)


@lru_cache(maxsize=512)
def _search(groups: tuple[tuple[int, ...], ...], search_range: int, interval: int) -> int:
    """The smallest candidate with the least next-fit waste.

    Exact without trying all 32,769 candidates: the waste is (chunks · size − total), and the
    chunk count never rises as the size grows, so within a run of equal counts the smallest
    size wastes least. The answer is the start or the smallest candidate at which the count
    drops, found by bisection for each count."""
    kept = _kept_for_search(groups)
    if not kept:
        return 0
    largest = max([GEMINI_MIN_CHUNK] + [max(g.sizes) for g in kept if g.sizes])
    start, steps = round_up(largest, interval), search_range // interval

    def count(step: int) -> int:
        return sum(g.chunks(start + step * interval) for g in kept)

    total, fewest = sum(g.prefix[-1] for g in kept), count(steps)
    best, step, n = 0, 0, count(0)
    best_waste = n * start - total
    while n > fewest:
        # the first step whose count is below n; n − 1 chunks must hold the total
        floor = -(-(-(-total // (n - 1)) - start) // interval)
        low, high = max(step + 1, floor), steps
        while low < high:
            mid = (low + high) // 2
            low, high = (low, mid) if count(mid) < n else (mid + 1, high)
        step, n = low, count(low)
        waste = n * (start + step * interval) - total
        if waste < best_waste:
            best, best_waste = step, waste
    return start + best * interval


def _place(sizes: tuple[int, ...], chunk: int, degree: int) -> list[int]:
    """Chunk sizes (elements) after next-fit registration; an oversized tensor gets its own."""
    out: list[int] = []
    used = 0
    for s in sizes:
        if out and used + s <= out[-1]:
            used += s
            continue
        out.append(chunk if s <= chunk else round_up(s, degree))
        used = s
    return out


class Chunks(NamedTuple):
    """Bytes of Gemini's chunks held by one GPU at rest (after `booster.boost`)."""

    fp16: int  # the fp16 parameters; fp16 gradients are written back into them
    fp32: int  # the fp32 master copy


def _groups(arch: Architecture, gpus: int, tp: int) -> dict[int, tuple[int, ...]]:
    """Parameter sizes per GPU by data-parallel degree. Without tensor parallelism every
    parameter is a plain tensor of degree gpus (search_utils.py L101-104). With it the authors'
    ColoInitContext + init_colo_module (tp_real.py L310-337) split every Linear and Embedding
    weight over tp (degree gpus/tp); biases and norms stay whole ColoParameters of degree gpus."""
    order = parameter_order(arch)
    if tp == 1:
        return {gpus: tuple(t.numel for t in order)}
    split = ("embedding", "linear")
    sharded = tuple(t.numel // tp for t in order if t.kind in split)
    whole = tuple(t.numel for t in order if t.kind not in split)
    return {gpus // tp: sharded, gpus: whole}


@lru_cache(maxsize=512)
def rank_chunks(arch: Architecture, gpus: int, tp: int, chunk_size: int = 0) -> Chunks:
    """Chunks held per GPU for a layout (gpus in all, tensor-parallel degree tp); chunk_size
    0 searches it as Gemini does, else it is used as given (rounded to the degrees)."""
    groups = _groups(arch, gpus, tp)
    degrees = math.lcm(*groups)
    chunk = round_up(chunk_size or search_chunk_size(groups), degrees)
    elements: list[int] = []  # per-GPU elements of each chunk
    for degree, sizes in groups.items():
        if sum(sizes) < GEMINI_MIN_CHUNK:  # one chunk, kept gathered on every GPU
            elements.append(sum(sizes))
            continue
        # a 1/degree shard each; degree 1 is kept gathered whole (search_utils.py L202-204)
        elements.extend(c // degree for c in _place(sizes, chunk, degree))
    return Chunks(
        fp16=sum(pages(n * B16) for n in elements if n),
        fp32=sum(pages(n * B32) for n in elements if n),
    )


def gemini_chunk_size(arch: Architecture, gpus: int = 1, tp: int = 1) -> int:
    """The chunk size (elements) Gemini chooses for this model and layout; 0 when every group
    is under 32 Mi elements (each is then one chunk of its own size)."""
    groups = _groups(arch, gpus, tp)
    return round_up(search_chunk_size(groups), math.lcm(*groups))
