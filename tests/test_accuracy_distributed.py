"""The accuracy gate of the `pytorch` profile's multi-GPU layouts (issue #6): every committed
rank-0 reference of DDP (cdp), FSDP2 (adp), DTensor TP (tp) and 2-D FSDP2 × TP (dp+tp),
measured on the fake CUDA device with a fake process group (tests/fixtures/reference/
distributed): median |error| ≤ 3 %, max ≤ 8 % on the steady-state tensor peak."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from llmem_core.accuracy import PYTORCH_MULTI_MAX_PCT, load_fixture_cases, relative_error

FOLDER = Path(__file__).parent / "fixtures" / "reference" / "distributed"
CASES = load_fixture_cases(FOLDER)


def _id(c) -> str:
    return f"{c.model.split('/')[-1]}-{c.method}-n{c.num_gpus}-{c.precision}-b{c.batch_size}"


def test_cover_methods_sizes_and_architectures() -> None:
    assert {c.num_gpus for c in CASES} >= {2, 4, 8}
    assert {c.method for c in CASES} >= {"cdp", "adp", "tp", "dp+tp"}
    assert len({c.model for c in CASES}) >= 4


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_each_case_within_eight_percent(case) -> None:
    """Also keeps the dashboard's multi-GPU band (llmem_core.accuracy.BANDS) honest."""
    assert abs(relative_error(case)) <= min(0.08, PYTORCH_MULTI_MAX_PCT / 100)


def test_median_error_within_three_percent() -> None:
    assert statistics.median(abs(relative_error(c)) for c in CASES) <= 0.03
