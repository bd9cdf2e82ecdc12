"""Live accuracy cases: CI regenerates a PyTorch reference (llmem measure on the fake CUDA
device, in a subprocess) and checks the `pytorch` profile against it — not against a file.
Cases chosen off the committed grid (other batch, sequence, optimizer) so that they test
generalisation of the recipes too."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from llmem_core.accuracy import Case, relative_error

pytest.importorskip("torch")
pytest.importorskip("transformers")

LIVE = [
    Case("openai-community/gpt2", "bf16", "adamw-fused", False, 2, 256, 0, "live"),
    Case("Qwen/Qwen2-0.5B", "amp-bf16", "adamw-foreach", True, 3, 384, 0, "live"),
    Case("facebook/opt-350m", "fp32", "adamw-foreach", False, 2, 320, 0, "live"),
]


def measure(case: Case) -> int:
    cmd = [
        sys.executable,
        "-m",
        "llmem_core.cli",
        "measure",
        "--model",
        case.model,
        "--batch-size",
        str(case.batch_size),
        "--seq-len",
        str(case.seq_len),
        "--precision",
        case.precision,
        "--optimizer",
        case.optimizer,
        "--device",
        "fake-cuda",
        "--json",
    ]
    if case.grad_checkpointing:
        cmd.append("--grad-checkpointing")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)["peak_bytes_steady"]


@pytest.mark.slow
@pytest.mark.parametrize("case", LIVE, ids=[c.model.split("/")[-1] for c in LIVE])
def test_estimate_matches_a_fresh_measurement(case: Case) -> None:
    measured = case._replace(measured=measure(case))
    assert abs(relative_error(measured)) <= 0.02
