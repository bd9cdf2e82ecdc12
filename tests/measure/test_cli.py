"""``llmem measure`` input handling: bad input → one line naming the field, exit status 2.

Fast: each case fails before any torch work starts (or, for the compiler, right at the build).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from llmem_core.cli import main
from llmem_core.errors import InputError
from llmem_core.measure import MeasureRequest

ROOT = Path(__file__).resolve().parents[2]
GOOD = ["--model", "facebook/opt-125m", "--batch-size", "1", "--seq-len", "64"]


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The field of the refusal (exit 2, one line on stderr, the JSON error on stdout)."""
    code = main(["measure", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    return json.loads(out)["error"]["field"]


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--model", "no/such-model", "--batch-size", "1", "--seq-len", "64"], "model"),
        ([*GOOD[:2], "--batch-size", "0", "--seq-len", "64"], "batch_size"),
        ([*GOOD[:4], "--seq-len", "-5"], "seq_len"),
        ([*GOOD[:4], "--seq-len", "4096"], "seq_len"),  # OPT's table holds 2,048 positions
        ([*GOOD, "--precision", "fp8"], "precision"),
        ([*GOOD, "--optimizer", "lion"], "optimizer"),
        ([*GOOD, "--device", "tpu"], "device"),
        ([*GOOD, "--steps", "1"], "steps"),
        ([*GOOD[:2], "--batch-size", "two", "--seq-len", "64"], "batch_size"),
        (GOOD[:4], "seq_len"),
    ],
    ids=[
        "model",
        "batch",
        "seq",
        "positions",
        "precision",
        "optimizer",
        "device",
        "steps",
        "not-int",
        "missing",
    ],
)
def test_bad_input_gives_one_line_naming_the_field(capsys, argv: list[str], field: str) -> None:
    argv = [*argv, "--device", "fake-cuda"] if "--device" not in argv else argv
    assert refused(capsys, argv) == field


def test_missing_compiler_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CXX", "no-such-compiler-llmem")
    monkeypatch.setenv("LLMEM_CACHE", str(tmp_path))
    assert refused(capsys, [*GOOD, "--device", "fake-cuda"]) == "device"


def test_request_ranges_name_the_field() -> None:
    with pytest.raises(InputError, match="from 1 to 1,048,576") as err:
        MeasureRequest(model="facebook/opt-125m", batch_size=1, seq_len=0)
    assert err.value.field == "seq_len"


def test_the_module_entry_point_is_the_same_command() -> None:
    """torchrun starts `-m llmem_core.cli measure …`: the same parser and messages."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "llmem_core.cli",
            "measure",
            *GOOD[:4],
            "--seq-len",
            "0",
            "--device",
            "fake-cuda",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and done.stderr.startswith("llmem measure: error: seq_len")


def test_importing_the_package_does_not_import_torch() -> None:
    code = "import sys, llmem_core.measure, llmem_core.cli; assert 'torch' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert done.returncode == 0
