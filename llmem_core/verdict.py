"""The band around the device figure and the three-valued verdict.

Every estimate ends in two numbers per GPU:
- device: what nvidia-smi / NVML would show with memory to spare: the allocator's reserved
  bytes (tensors, workspaces, buffers in flight, allocator slack) plus memory outside PyTorch;
- need: the least the step runs in. Under pressure the caching allocator waits for in-flight
  collectives, releases its cached segments and retries before it gives up
  (c10/cuda/CUDACachingAllocator.cpp, `malloc` → `release_cached_blocks`), so a step that
  reserves `device` when memory is plentiful may still run in `need` ≤ device.

The band stretches from need, less the largest over-estimate measured against published
real-GPU figures, to device (at the largest allocator slack its group replayed), plus the
largest under-estimate measured there
(presets/real-gpu-accuracy.json, written by bench/published.py; the paper profile uses the
paper's own published errors). Against the usable capacity (capacity × (1 − margin)):

    fits     band top ≤ capacity: it runs, whatever the allocator does;
    at-risk  capacity inside the band: it may run out of memory;
    oom      band bottom > capacity: it will not run.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from llmem_core.presets import load_real_gpu_accuracy


class Verdict(StrEnum):
    FITS = "fits"
    AT_RISK = "at-risk"
    OOM = "oom"


class Errors(NamedTuple):
    """Relative errors of the estimate measured on real GPUs (fractions, both ≥ 0)."""

    under: float  # the largest under-estimate: how far above the estimate the GPU went
    over: float  # the largest over-estimate: how far below
    source: str


class Band(NamedTuple):
    low: int
    high: int
    errors: Errors


@lru_cache(maxsize=64)
def errors_for(profile: str, multi_gpu: bool) -> Errors:
    """The measured errors of a profile, on one GPU or several."""
    table = load_real_gpu_accuracy()["bands"][profile]
    row = table["multi" if multi_gpu else "single"]
    return Errors(row["under"], row["over"], row["source"])


def band(device_high: int, need: int, errors: Errors) -> Band:
    """From the least the step needs, less the largest over-estimate, to the device figure at
    the largest replayed allocator slack, plus the largest under-estimate."""
    low = round(need * (1 - errors.over))
    high = round(device_high * (1 + errors.under))
    return Band(min(low, high), high, errors)


def usable(capacity: int, margin: float) -> int:
    return int(capacity * (1 - margin))


def judge(low: int, high: int, usable_capacity: int) -> Verdict:
    if high <= usable_capacity:
        return Verdict.FITS
    if low > usable_capacity:
        return Verdict.OOM
    return Verdict.AT_RISK


def plain_words(verdict: Verdict) -> str:
    """The verdict as a sentence (English; the dashboard has its own translations)."""
    return {
        Verdict.FITS: "fits: the whole range of the estimate is below the GPU's memory",
        Verdict.AT_RISK: "at risk: the GPU may run out of memory; the estimate's range "
        "crosses its capacity",
        Verdict.OOM: "out of memory: even the low end of the estimate exceeds the GPU's memory",
    }[verdict]
