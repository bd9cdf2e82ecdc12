"""``llmem measure`` input handling: bad input → one line naming the field, non-zero exit.

Fast: each case fails before any torch work starts (or, for the compiler, right at the build).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmem_core.measure import MeasureInputError, MeasureRequest

ROOT = Path(__file__).resolve().parents[2]
GOOD = ["--model", "facebook/opt-125m", "--batch-size", "1", "--seq-len", "64"]


def _cli(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "llmem_core.measure.cli", *argv],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--model", "no/such-model", "--batch-size", "1", "--seq-len", "64"], "--model"),
        ([*GOOD[:2], "--batch-size", "0", "--seq-len", "64"], "--batch-size"),
        ([*GOOD[:4], "--seq-len", "-5"], "--seq-len"),
        ([*GOOD, "--precision", "fp8"], "--precision"),
        ([*GOOD, "--optimizer", "sgd"], "--optimizer"),
        ([*GOOD, "--device", "tpu"], "--device"),
        ([*GOOD, "--steps", "1"], "--steps"),
        ([*GOOD[:2], "--batch-size", "two", "--seq-len", "64"], "--batch-size"),
        (GOOD[:4], "--seq-len"),
    ],
    ids=[
        "model",
        "batch",
        "seq",
        "precision",
        "optimizer",
        "device",
        "steps",
        "not-int",
        "missing",
    ],
)
def test_bad_input_gives_one_line_and_nonzero_exit(argv: list[str], field: str) -> None:
    done = _cli([*argv, "--device", "fake-cuda"] if "--device" not in argv else argv)
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert field in lines[0]
    assert "Traceback" not in done.stderr


def test_missing_compiler_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "CXX": "no-such-compiler-llmem", "LLMEM_CACHE": str(tmp_path)}
    done = _cli([*GOOD, "--device", "fake-cuda"], env=env)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "--device" in done.stderr
    assert "Traceback" not in done.stderr


def test_request_ranges_name_the_field() -> None:
    with pytest.raises(MeasureInputError, match=r"seq_len: got 0, expected an integer in \[1, "):
        MeasureRequest(model="facebook/opt-125m", batch_size=1, seq_len=0)


def test_importing_the_package_does_not_import_torch() -> None:
    code = "import sys, llmem_core.measure.cli; assert 'torch' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert done.returncode == 0
