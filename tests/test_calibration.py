"""The least-squares fit of calibration.py on hand-made points (oracle: the planted factors)."""

from __future__ import annotations

import pytest

from llmem_core.calibration import (
    CONTRADICTION,
    MIN_BAND_ERROR,
    Calibration,
    Calibrations,
    Family,
    Level,
    Point,
    Refusal,
    fit,
)

GiB = 2**30
A, B = 1.12, 900 * 2**20  # planted
NOISE = (0.004, -0.003, 0.002, -0.001)  # relative, deterministic


def _points(a: float = A, b: int = B, noise=NOISE, device=True) -> list[Point]:
    out = []
    for i, (m, e) in enumerate(zip((10 * GiB, 23 * GiB, 41 * GiB, 60 * GiB), noise, strict=True)):
        reserved = round(a * m * (1 + e))
        out.append(
            Point(i + 1, m - GiB, m, 500 * 2**20, None, reserved, reserved + b if device else None)
        )
    return out


def test_planted_a_and_b_recovered_within_1_percent() -> None:
    cal = fit("h100-80gb", Family.SINGLE, _points())
    assert isinstance(cal, Calibration)
    assert cal.a == pytest.approx(A, rel=0.01)
    assert cal.b == pytest.approx(B, rel=0.01)
    assert cal.level == Level.RESERVED and cal.runs == 4
    assert 0 < cal.residual_pct < 1  # the noise is kept as residuals, not fitted away


def test_least_squares_through_the_origin_by_hand() -> None:
    # y = (11, 19) at m = (10, 20): a = (110 + 380) / (100 + 400) = 0.98
    points = [
        Point(1, 9, 10 * GiB, 0, None, 11 * GiB, None),
        Point(2, 9, 20 * GiB, 0, None, 19 * GiB, None),
    ]
    cal = fit("a100-80gb", Family.ANY, points)
    assert cal.a == pytest.approx(0.98, rel=1e-12)
    assert cal.b is None
    assert cal.residuals == pytest.approx(((11 - 9.8) / 11, (19 - 19.6) / 19), rel=1e-9)


def test_allocated_only_fits_the_tensor_peak() -> None:
    points = [Point(1, 10 * GiB, 12 * GiB, 0, 11 * GiB, None, None)]
    cal = fit("a100-80gb", Family.SINGLE, points)
    assert cal.level == Level.ALLOCATED and cal.a == pytest.approx(1.1)


def test_device_only_keeps_the_models_outside_bytes() -> None:
    points = [Point(1, 0, 10 * GiB, GiB, None, None, 13 * GiB)]
    cal = fit("a100-80gb", Family.SINGLE, points)
    assert cal.level == Level.DEVICE and cal.b is None
    assert cal.a == pytest.approx(1.2)


def test_runs_that_disagree_are_refused_and_named() -> None:
    points = _points()
    high = round(points[2].reserved * 1.5)
    bad = points[2]._replace(reserved=high, device=high + B)
    refused = fit("h100-80gb", Family.SINGLE, [*points[:2], bad, points[3]])
    assert isinstance(refused, Refusal)
    assert 3 in refused.run_ids
    assert "run 3" in refused.message


def test_a_factor_out_of_range_is_refused() -> None:
    # every figure in KiB where bytes belong: a ≈ 1/1024
    points = [p._replace(reserved=p.reserved // 1024, device=None) for p in _points()]
    assert isinstance(fit("h100-80gb", Family.SINGLE, points), Refusal)


@pytest.mark.parametrize(
    ("runs", "residual", "expected"),
    [
        pytest.param(2, 0.03, None, id="two runs: no band of their own"),
        pytest.param(3, 0.0, MIN_BAND_ERROR, id="exact runs: the floor"),
        pytest.param(4, 0.02, 0.02 * (4 / 3) ** 0.5, id="four runs: widened residual"),
    ],
)
def test_band_error(runs: int, residual: float, expected: float | None) -> None:
    cal = Calibration(
        gpu="g",
        family=Family.SINGLE,
        runs=runs,
        run_ids=tuple(range(runs)),
        a=1.0,
        level=Level.RESERVED,
        residuals=(residual,) + (0.0,) * (runs - 1),
    )
    assert cal.band_error() == (None if expected is None else pytest.approx(expected))
    assert expected is None or cal.band_error() >= residual  # never below what the runs show


def test_pick_prefers_the_family_and_drops_b_from_the_pooled_fit() -> None:
    single = fit("h100-80gb", Family.SINGLE, _points())
    pooled = fit("h100-80gb", Family.ANY, _points(a=1.3))
    cals = Calibrations(fits=(single, pooled))
    assert cals.pick("h100-80gb", Family.SINGLE) == single
    fallback = cals.pick("h100-80gb", Family.SHARDED)
    assert fallback.a == pooled.a and fallback.b is None
    assert cals.pick("a100-80gb", Family.SINGLE) is None
    assert cals.pick(None, Family.SINGLE) is None


def test_contradiction_threshold_is_a_fraction() -> None:
    assert 0 < CONTRADICTION < 1
