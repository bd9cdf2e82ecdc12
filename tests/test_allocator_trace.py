"""Replaying allocation traces: phase peaks, unknown frees, and collectives that run behind
the CPU (comm_lag)."""

from __future__ import annotations

import pytest

from llmem_core.allocator import AllocatorConfig, replay
from llmem_core.units import MiB

STEP = [
    ["p", "1:forward"],
    ["a", 1, 30 * MiB, 0],
    ["a", 2, 30 * MiB, 0],
    ["f", 1],
    ["p", "2:forward"],
    ["a", 3, 25 * MiB, 0],  # fits the freed 30 MiB block
    ["f", 99],  # allocated before the trace began
]


def test_phase_peaks_and_the_steady_state() -> None:
    r = replay(STEP)
    assert r.phases["1:forward"].allocated == 60 * MiB
    assert r.phases["2:forward"].reserved == 60 * MiB
    assert r.steady().allocated == 55 * MiB  # 30 live + 25 split from the freed 30 MiB block
    assert r.unknown_frees == 1


def _collectives(comm_lag: int) -> int:
    """Two all-gathers, each 40 MiB, freed right after use; returns the peak active bytes."""
    events = [
        ["p", "2:forward"],
        ["a", 1, 40 * MiB, 1],
        ["r", 1, 1000],
        ["k", 1000],
        ["f", 1],
        ["a", 2, 40 * MiB, 1],
        ["r", 2, 1000],
        ["k", 1000],
        ["f", 2],
        ["a", 3, 40 * MiB, 1],
    ]
    return replay(events, AllocatorConfig(), comm_lag=comm_lag).steady().active


@pytest.mark.parametrize(("lag", "active"), [(0, 40 * MiB), (1, 80 * MiB), (2, 120 * MiB)])
def test_buffers_stay_active_while_their_collective_is_behind(lag: int, active: int) -> None:
    assert _collectives(lag) == active


def test_unknown_event_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown trace event"):
        replay([["x"]])
