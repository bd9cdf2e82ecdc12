"""Allocation traces of a training step, and their replay through the allocator model.

A trace is what `llmem measure --trace` records on the fake device (or a GPU): every storage the
step allocates and frees, in order, with its size and stream, and a marker at each phase. Events
are short lists, so a trace is plain JSON:

    ["a", id, nbytes, stream]   a storage of nbytes is allocated on a stream
    ["f", id]                   it is freed
    ["r", id, stream]           it is used on another stream (Tensor.record_stream)
    ["c", stream]               the work queued on that stream has completed
    ["k", stream]               a collective is launched on that stream (its "r" events precede)
    ["p", label]                a phase begins ("2:forward", "2:backward", "2:optimizer")

`replay` drives a `CachingAllocator` with the events and reports each phase's peaks of
allocated, active and reserved bytes: what torch.cuda.max_memory_allocated and
max_memory_reserved would show, had the step run on a GPU in this order.

On a GPU the CPU runs ahead of the collectives it launches, so a buffer the engine has freed
stays active until its collective has actually run (recordStream). `comm_lag` says how many
collectives behind the launches the GPU is: when collective n is launched, those up to
n − comm_lag have completed (0: each completes at once, the fake process group's behaviour).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from llmem_core.allocator.caching import (
    AllocatorConfig,
    AllocatorOutOfMemory,
    CachingAllocator,
    Stats,
)

Event = Sequence[Any]


@dataclass(frozen=True)
class PhasePeaks:
    allocated: int
    active: int
    reserved: int


@dataclass
class Replay:
    """Peaks per phase label, and the allocator's final counters."""

    phases: dict[str, PhasePeaks] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    unknown_frees: int = 0  # frees of storages allocated before the trace began

    def steady(self, first_step: int = 2) -> PhasePeaks:
        """The largest peaks over the phases of steps ≥ first_step (the steady state)."""
        rows = [p for label, p in self.phases.items() if _step(label) >= first_step]
        rows = rows or list(self.phases.values())
        return PhasePeaks(
            allocated=max(p.allocated for p in rows),
            active=max(p.active for p in rows),
            reserved=max(p.reserved for p in rows),
        )


def _step(label: str) -> int:
    head = label.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def replay(
    events: Iterable[Event], config: AllocatorConfig | None = None, comm_lag: int = 0
) -> Replay:
    """Replay a trace through the allocator model."""
    alloc = CachingAllocator(config)
    out = Replay(stats=alloc.stats)
    handles: dict[int, int] = {}
    label: str | None = None
    launched: dict[int, int] = {}  # stream → collectives launched
    uses: dict[int, list[tuple[int, Any]]] = {}  # stream → (collective index, block)
    for event in events:
        kind = event[0]
        if kind == "a":
            handles[event[1]] = alloc.malloc(int(event[2]), int(event[3]))
        elif kind == "f":
            handle = handles.pop(event[1], None)
            if handle is None:
                out.unknown_frees += 1
            else:
                alloc.free(handle)
        elif kind == "r":
            if event[1] in handles:
                stream = int(event[2])
                block = alloc.record_stream(handles[event[1]], stream)
                if block is not None:
                    uses.setdefault(stream, []).append((launched.get(stream, 0) + 1, block))
        elif kind == "k":
            stream = int(event[1])
            launched[stream] = n = launched.get(stream, 0) + 1
            _complete_up_to(alloc, uses.get(stream, []), stream, n - comm_lag)
        elif kind == "c":
            alloc.complete(int(event[1]))
        elif kind == "p":
            _close(out, label, alloc.stats)
            alloc.stats.reset_peaks()
            label = str(event[1])
        else:
            raise ValueError(f"unknown trace event {event!r}")
    _close(out, label, alloc.stats)
    return out


def _complete_up_to(
    alloc: CachingAllocator, pending: list[tuple[int, Any]], stream: int, done: int
) -> None:
    """Collectives up to number `done` have run: their blocks' uses are over."""
    while pending and pending[0][0] <= done:
        alloc.release_use(pending.pop(0)[1], stream)


def _close(out: Replay, label: str | None, stats: Stats) -> None:
    if label is None:
        return
    peaks = PhasePeaks(stats.peak_allocated, stats.peak_active, stats.peak_reserved)
    old = out.phases.get(label)
    if old is not None:  # a label seen twice: keep the larger peaks
        peaks = PhasePeaks(*(max(a, b) for a, b in zip(_tuple(old), _tuple(peaks), strict=True)))
    out.phases[label] = peaks


def _tuple(p: PhasePeaks) -> tuple[int, int, int]:
    return p.allocated, p.active, p.reserved


def required_budget(
    events: Sequence[Event],
    config: AllocatorConfig | None = None,
    comm_lag: int = 0,
    tolerance: int = 2 * 1024 * 1024,
) -> int:
    """The least memory the allocator needs to run the trace: below it, even after releasing
    its cache and retrying (`malloc`'s free-and-retry), an allocation fails. Found by bisection
    between the peak allocated bytes (always needed) and the unconstrained peak reserved."""
    base = config or AllocatorConfig()
    free = replay(events, base, comm_lag).stats
    low, high = free.peak_active, free.peak_reserved
    if _runs(events, base, comm_lag, low):
        return low
    while high - low > tolerance:  # invariant: `low` fails, `high` runs
        mid = (low + high) // 2
        low, high = (low, mid) if _runs(events, base, comm_lag, mid) else (mid, high)
    return high


def _runs(events: Sequence[Event], base: AllocatorConfig, comm_lag: int, capacity: int) -> bool:
    config = AllocatorConfig(base.expandable_segments, base.max_split_size, capacity)
    try:
        replay(events, config, comm_lag)
    except AllocatorOutOfMemory:
        return False
    return True
