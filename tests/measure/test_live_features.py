"""Live: the issue-#12 harness paths reproduce their committed references (a fresh worker each,
tens of seconds on 2 shared cores): LoRA through peft, SGD, the chunked loss."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

from llmem_core.measure.request import MeasureRequest
from llmem_core.measure.runner import measure

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "features"
AGREEMENT = 0.005

CASES = [
    ("lora.jsonl", MeasureRequest("facebook/opt-125m", 4, 512, precision="amp-bf16",
                                  finetune="lora", checkpointing="full")),
    ("optim.jsonl", MeasureRequest("openai-community/gpt2", 1, 512, precision="bf16",
                                   optimizer="sgd", checkpointing="full")),
    ("chunked.jsonl", MeasureRequest("facebook/opt-125m", 4, 512, precision="bf16",
                                     loss="chunked", checkpointing="full")),
]  # fmt: skip
KEYS = ("model", "batch_size", "seq_len", "precision", "optimizer", "finetune", "lora_targets",
        "lora_rank", "lora_dropout", "checkpointing", "loss")  # fmt: skip


def committed(name: str, request: MeasureRequest) -> dict:
    wanted = {k: getattr(request, k) for k in KEYS}
    for line in (FOLDER / name).read_text().splitlines():
        rec = json.loads(line)
        if all(rec.get(k) == v for k, v in wanted.items()):
            return rec
    raise AssertionError(f"no committed reference for {wanted}")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "request_"), CASES, ids=[n.split(".")[0] for n, _ in CASES])
def test_live_feature_measurement_reproduces_its_reference(name: str, request_) -> None:
    expected = committed(name, request_)
    result = measure(request_, command="pytest", timeout_s=300)
    assert result["peak_bytes_steady"] == pytest.approx(
        expected["peak_bytes_steady"], rel=AGREEMENT
    )
