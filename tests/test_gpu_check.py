"""scripts/gpu_check.py without a GPU: the cases cover what the issue asks of them, and the
fixture writer turns a measurement into a committed line (replay and estimate beside it)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "scripts" / "gpu_check.py")
gpu_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gpu_check)


def test_cases_cover_vocabularies_precisions_checkpointing_and_allocator_modes() -> None:
    cases = gpu_check.CASES
    assert 10 <= len(cases) <= 14
    models = {c[0] for c in cases}
    assert {"openai-community/gpt2", "google/gemma-2-2b"} <= models  # 50k and 256k vocabularies
    assert {c[3] for c in cases} >= {"fp32", "bf16", "amp-bf16"}
    assert {c[4] for c in cases} == {True, False}
    paired = {(c[:5]) for c in cases if c[5]}
    assert paired and all((*p, False) in cases for p in paired)  # the same step, both modes


def test_every_command_is_a_cuda_measurement_with_a_trace() -> None:
    for case in gpu_check.CASES:
        argv = gpu_check.command(case, "cuda")
        assert argv[argv.index("--device") + 1] == "cuda" and "--trace" in argv
    assert "PYTORCH_CUDA_ALLOC_CONF" not in gpu_check.environment(False)
    assert gpu_check.environment(True)["PYTORCH_CUDA_ALLOC_CONF"] == "expandable_segments:True"


@pytest.mark.parametrize(
    ("name", "key"),
    [("NVIDIA H200", "h200-141gb"), ("NVIDIA H100 80GB HBM3", "h100-80gb"), ("cpu", None)],
)
def test_device_names_map_to_the_catalog(name: str, key: str | None) -> None:
    assert gpu_check.catalog_key(name) == key


def test_the_writer_records_the_replay_and_the_estimate(tmp_path: Path) -> None:
    record = {
        "model": "facebook/opt-125m",
        "batch_size": 1,
        "seq_len": 64,
        "precision": "amp-bf16",
        "optimizer": "adamw-foreach",
        "grad_checkpointing": False,
        "gpu": "NVIDIA H200",
        "gpu_total_bytes": 150_000_000_000,
        "max_memory_allocated": 3 * 2**30,
        "allocation_trace": [["p", "2:forward"], ["a", 1, 30 * 2**20, 0], ["f", 1]],
    }
    (path,) = gpu_check.write([gpu_check.fixture_line(record, expandable=True)], tmp_path)
    line = json.loads(path.read_text().splitlines()[0])
    assert "allocation_trace" not in line
    assert line["replay"] == {"allocated": 30 * 2**20, "active": 30 * 2**20,
                              "reserved": 40 * 2**20, "events": 3}  # fmt: skip
    assert line["expandable_segments"] is True
    assert line["estimate"]["device_bytes"] >= line["estimate"]["reserved_bytes"] > 0
