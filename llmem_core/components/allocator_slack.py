"""Allocator slack (bar segment "allocator_slack"): memory the caching allocator has reserved
beyond the active blocks, what torch.cuda.max_memory_reserved shows above the tensors.

It comes from replays (llmem_core.allocator) of allocation traces recorded on the fake device
(`llmem measure --trace`): every allocation and free of three training steps, in order, with
its size and stream, driven through a rule-by-rule model of c10/cuda/CUDACachingAllocator.cpp
(2/20 MiB segments, best fit, split limits, per-stream pools; FSDP2's collectives replayed
comm_lag behind the CPU). scripts/allocator_terms.py turns the replays into two fractions of
the active bytes per group (engine, precision, checkpointing, allocator mode),
presets/allocator-terms.json:

- slack: reserved / active − 1 at the steady peak, with memory to spare (what the GPU shows);
- required: the least allocator budget / allocated − 1: under pressure `malloc` releases its
  cached segments and retries (free-and-retry), so a step still runs in less than it reserves
  when memory is plentiful.

The point estimate uses the group's median slack; the band's top uses its largest, since the
same group replays to very different slack (0 … 45 %) with the shapes of its cases.

A group without replays takes its engine's median, then the one-GPU group of its precision.
"""

from __future__ import annotations

import statistics
from functools import lru_cache
from typing import NamedTuple

from llmem_core.models import AllocatorMode, Precision
from llmem_core.parallelism import Engine
from llmem_core.presets import load_allocator_terms

ENGINE_GROUP = {
    Engine.ONE_GPU: "one-gpu",
    Engine.DDP: "ddp",
    Engine.FSDP2: "fsdp2",
    Engine.FSDP2_TP: "fsdp2",  # FSDP2's buffers dominate; not replayed separately
    Engine.DTENSOR_TP: "one-gpu",  # no TP replays: the one-GPU pattern of the same step
}
PRECISION_GROUP = {
    Precision.FP32: "fp32",
    Precision.AMP_BF16: "amp-bf16",
    Precision.AMP_FP16: "amp-bf16",  # the same step in fp16
    Precision.BF16: "16-bit",
}


class Slack(NamedTuple):
    spare: float  # reserved / active − 1 with memory to spare (the group's median)
    required: float  # least budget / allocated − 1 (median)
    spare_max: float  # the largest spare fraction replayed in the group (the band's top)


@lru_cache(maxsize=256)
def fractions(engine: Engine, precision: Precision, ckpt: bool, mode: AllocatorMode) -> Slack:
    groups = load_allocator_terms()["groups"]
    eng, prec = ENGINE_GROUP.get(engine, "one-gpu"), PRECISION_GROUP[precision]
    name = f"{eng}/{prec}/{'ckpt' if ckpt else 'no-ckpt'}/{mode.value}"
    if name in groups:
        g = groups[name]
        return Slack(g["slack_median"], g["required_median"], g["slack_max"])
    for prefix in (f"{eng}/", f"one-gpu/{prec}/", "one-gpu/"):
        rows = [g for n, g in groups.items() if n.startswith(prefix) and n.endswith(mode.value)]
        if rows:
            return Slack(
                statistics.median(g["slack_median"] for g in rows),
                statistics.median(g["required_median"] for g in rows),
                max(g["slack_max"] for g in rows),
            )
    return Slack(0.0, 0.0, 0.0)


def slack_bytes(active: int, fraction: float) -> int:
    return round(active * fraction)
