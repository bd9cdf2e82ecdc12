"""The committed reference measurements: complete, self-describing, and consistent.

Fast: reads JSON only (no torch).
"""

from __future__ import annotations

import pytest

from .reference import fixture_key, fixtures, model_types, shared_reference

RESULTS = fixtures()
REQUIRED = {
    "model", "batch_size", "seq_len", "precision", "optimizer", "grad_checkpointing", "device",
    "peak_bytes_step1", "peak_bytes_steady", "breakdown", "phase_peaks", "peak_phase",
    "attention_impl", "versions", "command",
}  # fmt: skip
AGREEMENT = 0.005  # the brief's target: within 0.5 % of the shared reference


def _id(result: dict) -> str:
    ckpt = "ckpt" if result["grad_checkpointing"] else "nockpt"
    return (
        f"{result['model']}-{result['precision']}-{result['optimizer']}-{ckpt}"
        f"-b{result['batch_size']}-s{result['seq_len']}"
    )


def test_fixtures_cover_at_least_eight_architectures() -> None:
    types = model_types()
    covered = {types[r["model"]] for r in RESULTS}
    assert len(covered) >= 8, sorted(covered)


@pytest.mark.parametrize("result", RESULTS, ids=_id)
def test_fixture_is_self_describing(result: dict) -> None:
    assert result.keys() >= REQUIRED
    assert set(result["versions"]) == {"torch", "transformers", "python"}
    # Written by the command of its day: `llmem_core.measure.cli` until issue #9 merged it
    # into `llmem measure`.
    assert result["command"].startswith(
        ("python -m llmem_core.measure.cli --model ", "llmem measure --model ")
    )
    assert f"--batch-size {result['batch_size']} " in result["command"]


@pytest.mark.parametrize("result", RESULTS, ids=_id)
def test_peak_is_the_largest_phase_and_its_breakdown_sums_to_it(result: dict) -> None:
    steady = result["phase_peaks"]["steady"]
    assert max(steady.values()) == result["peak_bytes_steady"]
    assert steady[result["peak_phase"]] == result["peak_bytes_steady"]
    assert sum(result["breakdown"].values()) == result["peak_bytes_steady"]
    assert max(result["phase_peaks"]["step1"].values()) == result["peak_bytes_step1"]


def test_no_duplicate_cases() -> None:
    keys = [fixture_key(r) for r in RESULTS]
    assert len(keys) == len(set(keys))


OVERLAP = [r for r in RESULTS if fixture_key(r) in shared_reference()]


def test_fixtures_overlap_the_shared_reference() -> None:
    assert len(OVERLAP) >= 24


@pytest.mark.parametrize("result", OVERLAP, ids=_id)
def test_fixture_agrees_with_shared_reference(result: dict) -> None:
    expected = shared_reference()[fixture_key(result)]
    for field in ("peak_bytes_step1", "peak_bytes_steady"):
        assert result[field] == pytest.approx(expected[field], rel=AGREEMENT)
