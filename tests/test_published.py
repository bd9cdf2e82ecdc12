"""The published real-GPU reference set (tests/fixtures/published/cases.json) and the gates of
issue #10 on it: each case pinned and sourced; like-for-like error within the targets per
level; no published out-of-memory crash `fits`; every run with ≥ 25 % free `fits`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from llmem_core import PlanSpec

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("published", ROOT / "bench" / "published.py")
published = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(published)

DOC = published.load()
LEVELS = {"allocated", "active", "reserved", "device", "outside"}


@pytest.mark.parametrize("case", DOC["cases"], ids=lambda c: c["id"])
def test_each_case_is_pinned_and_sourced(case: dict) -> None:
    assert case["url"].startswith("https://") and len(case["quote"]) > 20
    assert case["outcome"] in {"ran", "oom"} and case["framework"] and case["configuration"]
    assert all(m["level"] in LEVELS and m["bytes"] > 0 and m["what"] for m in case["measured"])
    if case["plan"] is not None:
        PlanSpec(**case["plan"]).request()  # a plan the estimator accepts as it stands
    else:
        assert all(m["level"] == "outside" for m in case["measured"])


def test_rejected_cases_say_why() -> None:
    assert len(DOC["rejected"]) >= 10
    assert all(r["url"].startswith("https://") and r["reason"] for r in DOC["rejected"])


def test_at_least_fifteen_published_figures_and_crashes() -> None:
    figures = sum(len(c["measured"]) for c in DOC["cases"])
    crashes = sum(c["outcome"] == "oom" for c in DOC["cases"] if c["plan"])
    assert figures + crashes >= 15


@pytest.mark.parametrize("level", sorted(published.TARGETS))
def test_like_for_like_error_within_the_targets(level: str) -> None:
    summary = published.summary(published.rows(DOC), like=True)
    if level not in summary:
        pytest.skip(f"no like-for-like {level} figure in the set")
    _, median, largest = summary[level]
    target_median, target_max = published.TARGETS[level]
    assert median <= target_median and largest <= target_max


def test_no_published_crash_fits_and_every_roomy_run_does() -> None:
    verdicts = published.verdicts(DOC)
    assert any(v["outcome"] == "oom" for v in verdicts)
    assert all(v["ok"] for v in verdicts), [v for v in verdicts if not v["ok"]]
