"""Readers for the committed reference data, shared by the fixture and live tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
SHARED_CSV = REFERENCE_DIR / "shared-reference-peaks.csv"

# reference-peaks.csv short names → preset ids, and its precision spelling → llmem's
CSV_MODELS = {
    "opt-125m": "facebook/opt-125m",
    "gpt2": "openai-community/gpt2",
    "qwen2-0.5b": "Qwen/Qwen2-0.5B",
    "llama-3.2-1b": "meta-llama/Llama-3.2-1B",
}
CSV_PRECISIONS = {"fp32": "fp32", "amp_bf16": "amp-bf16", "bf16": "bf16"}

Key = tuple[str, str, bool, int, int, str]  # model, precision, checkpointing, batch, seq, optimizer


def shared_reference() -> dict[Key, dict[str, int]]:
    """The shared reference peaks (docs/reference-measurement.md method), keyed like a fixture."""
    rows = {}
    with SHARED_CSV.open() as handle:
        for row in csv.DictReader(handle):
            key = (
                CSV_MODELS[row["model"]],
                CSV_PRECISIONS[row["precision"]],
                row["grad_checkpointing"] == "True",
                int(row["batch"]),
                int(row["seq"]),
                f"adamw-{row['adamw']}",
            )
            rows[key] = {
                "peak_bytes_step1": int(row["peak_bytes_step1"]),
                "peak_bytes_steady": int(row["peak_bytes_steady"]),
            }
    return rows


def fixture_key(result: dict[str, Any]) -> Key:
    return (
        result["model"],
        result["precision"],
        result["grad_checkpointing"],
        result["batch_size"],
        result["seq_len"],
        result["optimizer"],
    )


def fixtures() -> list[dict[str, Any]]:
    results = []
    for path in sorted(REFERENCE_DIR.glob("*__*.jsonl")):  # one per model: org__name.jsonl
        results += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return results


def model_types() -> dict[str, str]:
    from llmem_core.presets import model_records

    return {model_id: rec["config"]["model_type"] for model_id, rec in model_records().items()}
