"""Issue #13's families against PyTorch on the fake CUDA device: shrunken configs of Qwen3,
OLMo 2, SmolLM3, Gemma 3, Qwen3-MoE, gpt-oss and DeepSeek-V2/V3 (scripts/make_2025_fixtures.py,
tests/fixtures/reference/families-2025), held to the single-GPU gates of the other families:
each within 5 %, median ≤ 2 % on the steady-state tensor peak."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from llmem_core.accuracy import Case, load_fixture_cases, relative_error

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "tests" / "fixtures" / "reference" / "families-2025"


def load_2025_cases() -> list[Case]:
    """The references, each naming its config by an absolute path (they are measured by path)."""
    return [c._replace(model=str(ROOT / c.model)) for c in load_fixture_cases(FOLDER)]


CASES = load_2025_cases()
FAMILIES = sorted({Path(c.model).name.removesuffix("-tiny.json") for c in CASES})


def _id(c: Case) -> str:
    ckpt = "ckpt" if c.grad_checkpointing else "nockpt"
    family = Path(c.model).name.removesuffix("-tiny.json")
    return f"{family}-{c.precision}-{ckpt}-b{c.batch_size}-s{c.seq_len}"


def test_every_family_has_references() -> None:
    assert set(FAMILIES) >= {"qwen3", "olmo2", "smollm3", "gemma3", "qwen3_moe", "gpt_oss",
                             "deepseek_v2", "deepseek_v3"}  # fmt: skip
    assert len(CASES) >= 8 * 12


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_each_case_within_five_percent(case: Case) -> None:
    assert abs(relative_error(case)) <= 0.05


def test_median_error_within_two_percent() -> None:
    assert statistics.median(abs(relative_error(c)) for c in CASES) <= 0.02


LIVE = ["qwen3_moe", "gpt_oss", "deepseek_v2"]  # the routed families, fp32 (balanced router)


@pytest.mark.slow
@pytest.mark.parametrize("family", LIVE)
def test_a_committed_reference_is_measured_again(family: str) -> None:
    """`llmem measure` afresh on the fake device gives the committed figure to the byte."""
    import json
    import subprocess
    import sys

    case = next(
        c for c in load_fixture_cases(FOLDER)
        if family in c.model and c.precision == "fp32" and c.batch_size == 1
        and not c.grad_checkpointing
    )  # fmt: skip
    argv = ["--model", case.model, "--batch-size", "1", "--seq-len", str(case.seq_len),
            "--precision", "fp32", "--optimizer", case.optimizer, "--device", "fake-cuda",
            "--json"]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "llmem_core.cli", "measure", *argv],
        capture_output=True, text=True, cwd=ROOT, check=True, timeout=600,
    )  # fmt: skip
    assert json.loads(done.stdout)["peak_bytes_steady"] == case.measured
