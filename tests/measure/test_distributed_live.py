"""Live: one rank of a 2-GPU FSDP2 job on the fake CUDA device reproduces its committed line."""

from __future__ import annotations

import json

import pytest

from .reference import REFERENCE_DIR

pytest.importorskip("torch")
pytest.importorskip("transformers")

from llmem_core.measure.request import MeasureRequest
from llmem_core.measure.runner import measure

LIVE = REFERENCE_DIR / "distributed" / "live" / "openai-community__gpt2-adp-n2-b1-s128.json"


@pytest.mark.slow
def test_adp_two_gpus_reproduces_its_fixture() -> None:
    expected = json.loads(LIVE.read_text())
    request = MeasureRequest("openai-community/gpt2", batch_size=1, seq_len=128,
                             precision="amp-bf16", method="adp", num_gpus=2)  # fmt: skip
    result = measure(request, command="pytest", timeout_s=120)
    assert result["peak_bytes_step1"] == expected["peak_bytes_step1"]
    assert result["peak_bytes_steady"] == expected["peak_bytes_steady"]
    assert result["breakdown"] == expected["breakdown"]
    # Persistent per-rank parameters: fp32 shards of P/N parameters (rank 0 holds the ceil rows).
    sharded = result["breakdown"]["sharded_parameter"]
    assert sharded == pytest.approx(4 * result["params"] / 2, rel=1e-3)
