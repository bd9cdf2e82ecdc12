"""The band and the three-valued verdict (llmem_core/verdict.py), and how plan uses them."""

from __future__ import annotations

import pytest

from llmem_core import PlanSpec
from llmem_core.estimate import estimate, prepare
from llmem_core.plan import fits_at, largest_batch, runs_at
from llmem_core.verdict import Errors, Verdict, band, errors_for, judge, plain_words, usable

E = Errors(under=0.1, over=0.05, source="test")


def test_band_by_hand() -> None:
    b = band(device_high=1000, need=800, errors=E)
    assert (b.low, b.high) == (760, 1100)


@pytest.mark.parametrize(
    ("capacity", "verdict"),
    [(1100, Verdict.FITS), (1000, Verdict.AT_RISK), (760, Verdict.AT_RISK), (759, Verdict.OOM)],
)
def test_judge(capacity: int, verdict: Verdict) -> None:
    assert judge(760, 1100, capacity) is verdict


def test_margin_shrinks_the_usable_capacity() -> None:
    assert usable(1000, 0.1) == 900 and usable(1000, 0.0) == 1000


def test_plain_words_say_at_risk_as_the_issue_asks() -> None:
    assert plain_words(Verdict.AT_RISK).startswith("at risk: the GPU may run out of memory")


def test_errors_come_from_the_measured_accuracy_file() -> None:
    assert errors_for("pytorch", False).under >= 0.05  # at least the one-GPU fake gate
    assert errors_for("paper", True).under == pytest.approx(0.074)


def _spec(**kw: object) -> PlanSpec:
    base = dict(model="meta-llama/Llama-3.2-1B", gpu="a100-80gb", method="single",
                batch_size=8, seq_len=2048)  # fmt: skip
    return PlanSpec(**{**base, **kw})


def test_fits_is_true_only_for_fits() -> None:
    for batch in (1, 8, 32, 64, 128):
        e = estimate(_spec(batch_size=batch).request())
        assert e.fits is (e.verdict is Verdict.FITS)
        assert e.band.low <= e.need_bytes <= e.device_bytes <= e.band.high


def test_a_margin_can_turn_fits_into_at_risk() -> None:
    e = estimate(_spec().request())
    assert e.verdict is Verdict.FITS
    margin = 1 - e.band.high / e.capacity_bytes + 0.01  # just too little room left
    assert estimate(_spec(margin=round(margin, 4)).request()).verdict is not Verdict.FITS


def test_the_largest_batch_follows_the_verdict() -> None:
    req = _spec().request()
    p, cap = prepare(req), req.cluster.memory_bytes
    best, risky = largest_batch(p, cap), largest_batch(p, cap, runs_at)
    assert best <= risky
    assert estimate(req.with_(batch_size=best)).verdict is Verdict.FITS
    assert estimate(req.with_(batch_size=best + 1)).verdict is not Verdict.FITS
    assert estimate(req.with_(batch_size=risky)).verdict is not Verdict.OOM
    assert estimate(req.with_(batch_size=risky + 1)).verdict is Verdict.OOM
    assert fits_at(p, cap, best) and not fits_at(p, cap, best + 1)
