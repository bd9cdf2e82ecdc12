"""Interruptions of the floor's listing (llmem_core/cost/interruption.py): Daly's model against
a simulation of the process it describes, and its limits (Young's first-order waste, no
checkpoint cost, no interruptions)."""

from __future__ import annotations

import math
import random

import pytest

from llmem_core import InputError
from llmem_core.cost import CostAssumptions, CostSpec
from llmem_core.cost.interruption import MAX_SLOWDOWN, interval, slowdown
from llmem_core.models import MAX_GPUS


def simulated_slowdown(hours, m, delta, restart, tau, segments=40_000, seed=1):
    """The process itself: the run is segments of τ work + a δ checkpoint; interruptions come
    at random (exponential, mean m); after one, a restart R and the segment again, both of
    which an interruption can cut short. Returns mean wall time ÷ the run's own time."""
    rng = random.Random(seed)
    total = 0.0
    for _ in range(segments):
        need = tau + delta
        while (t := rng.expovariate(1 / m)) < need:
            total += t
            need = restart + tau + delta
        total += need
    return total / segments / tau


@pytest.mark.parametrize(
    ("m", "delta_min", "restart_min"),
    [(24.0, 2.0, 10.0), (3.0, 10.0, 30.0), (1.0, 30.0, 60.0)],
)
def test_daly_matches_a_simulation_of_the_process(m, delta_min, restart_min):
    delta, restart = delta_min / 60, restart_min / 60
    tau = interval(delta, m)
    expected = simulated_slowdown(1e4, m, delta, restart, tau)
    assert slowdown(1e4, 1, m, delta_min, restart_min) == pytest.approx(expected, rel=0.01)


def test_young_first_order_limit():
    """Small δ/M and R/M: waste ≈ √(2δ/M) + R/M (Young 1974)."""
    m, delta, restart = 2000.0, 0.5 / 60, 1 / 60
    waste = slowdown(1e5, 1, m, 0.5, 1) - 1
    assert waste == pytest.approx(math.sqrt(2 * delta / m) + restart / m, rel=0.02)


def test_limits():
    assert slowdown(10, 1, 24, 0, 10) == pytest.approx(math.exp(10 / 60 / 24))  # δ = 0
    # rare interruptions: only the one checkpoint at the end, 2 min of 10 h
    assert slowdown(10, 1, 1e5, 2, 10) == pytest.approx(1 + 2 / 600, abs=2e-4)
    assert slowdown(10, 2, 24, 2, 10) == pytest.approx(slowdown(10, 1, 12, 2, 10))  # servers
    assert interval(1.0, 0.4) == 0.4  # δ ≥ 2M: checkpoint every M


def test_interruptions_faster_than_restarts_give_the_cap_not_an_overflow():
    """The most servers a job may have (MAX_GPUS ÷ 8), an interruption an hour each, 10-hour
    checkpoints and restarts: e^{R/M} = e^{5120} is past any float (was: OverflowError)."""
    servers = math.ceil(MAX_GPUS / 8)
    assert slowdown(10, servers, 1, 600, 600) == MAX_SLOWDOWN
    assert slowdown(10, servers, 1, 0, 600) == MAX_SLOWDOWN  # no checkpoint cost either
    a = CostAssumptions(hours_between_interruptions=1, checkpoint_minutes=600, restart_minutes=600)
    assert a.interruptions(10, servers) == MAX_SLOWDOWN


def test_a_run_shorter_than_the_interval_writes_one_checkpoint():
    """τ = T_s: one write of δ at the end, plus the interruptions' expected loss."""
    hours, m, delta = 0.5, 24.0, 2 / 60
    assert interval(delta, m) > hours
    expected = m * math.exp(10 / 60 / m) * math.expm1((hours + delta) / m) / hours
    assert slowdown(hours, 1, m, 2, 10) == pytest.approx(expected)


def test_turned_off_and_defaults():
    a = CostAssumptions()
    assert a.count_interruptions and a.hours_between_interruptions == 24.0
    assert CostAssumptions(count_interruptions=False).interruptions(10, 2) == 1.0
    assert a.interruptions(10, 1) > 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("hours_between_interruptions", 0.5), ("checkpoint_minutes", -1), ("restart_minutes", 601)],
)
def test_out_of_range_names_the_field(field, value):
    with pytest.raises(InputError) as err:
        CostSpec(dataset_tokens=10**8, **{field: value}).assumptions()
    assert field in err.value.field
