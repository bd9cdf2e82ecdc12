"""Live: run the harness on the fake CUDA device and reproduce rows of the shared reference.

Each case is a fresh worker process, ~8 s on 2 cores (torch import, model build, two steps).
"""

from __future__ import annotations

import pytest

from .reference import fixture_key, shared_reference

pytest.importorskip("torch")
pytest.importorskip("transformers")

from llmem_core.measure.request import MeasureRequest
from llmem_core.measure.runner import measure

AGREEMENT = 0.005

CASES = [
    MeasureRequest("facebook/opt-125m", batch_size=8, seq_len=512, precision="fp32"),
    MeasureRequest("openai-community/gpt2", batch_size=8, seq_len=512, precision="amp-bf16",
                   grad_checkpointing=True),
    MeasureRequest("openai-community/gpt2", batch_size=1, seq_len=512, precision="bf16"),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(
    "request_", CASES, ids=lambda r: f"{r.model}-{r.precision}-b{r.batch_size}"
)
def test_live_measurement_reproduces_shared_reference(request_: MeasureRequest) -> None:
    result = measure(request_, command="pytest", timeout_s=120)
    expected = shared_reference()[fixture_key(result)]
    assert result["peak_bytes_step1"] == pytest.approx(expected["peak_bytes_step1"], rel=AGREEMENT)
    assert result["peak_bytes_steady"] == pytest.approx(
        expected["peak_bytes_steady"], rel=AGREEMENT
    )
    assert result["versions"]["torch"].startswith("2.13.0")
