"""Issue #11 through the CLI as a user runs it: `llmem runs add` of measured runs, then
`llmem estimate | plan | gpus | cost` calibrated; every bad file refused with exit 2, the
file and the field named, and nothing stored.

The planted-run test's oracle is the planted factors: three runs whose measured figures are
a · (the uncalibrated estimate) + b with a little noise; the fit must give a and b back within
1 % and predict a fourth plan's figures from them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from llmem_core.cli import main
from llmem_core.store import FILE_NAME

MODEL = "meta-llama/Llama-3.2-1B"
GPU = "h100-80gb"
A, B = 1.08, 1_200 * 2**20  # planted: 8 % more reserved than modelled, 1.2 GiB outside PyTorch
NOISE = (0.003, -0.004, 0.002)
PLANS = [(1, 1024), (4, 2048), (8, 512)]
FOURTH = (2, 4096)


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def plan_args(batch: int, seq: int, *extra: str) -> list[str]:
    return [
        "--model", MODEL, "--gpu", GPU, "--method", "single", "--batch-size", str(batch),
        "--seq-len", str(seq), "--precision", "amp-bf16", "--no-grad-checkpointing", *extra,
    ]  # fmt: skip


def estimate_json(capsys, batch: int, seq: int, *extra: str) -> dict:
    code, out, err = cli(capsys, "estimate", *plan_args(batch, seq, *extra), "--json")
    assert code == 0, err
    return json.loads(out)


def run_file(path: Path, batch: int, seq: int, measured: dict, **plan) -> Path:
    doc = {
        "format": "llmem-run/1",
        "plan": {
            "model": MODEL, "gpu": GPU, "num_gpus": 1, "method": "single", "batch_size": batch,
            "seq_len": seq, "precision": "amp-bf16", "optimizer": "adamw-foreach",
            "grad_checkpointing": False, **plan,
        },
        "measured": measured,
        "source": "synthetic: planted a and b",
    }  # fmt: skip
    path.write_text(json.dumps(doc))
    return path


def planted_runs(capsys, folder: Path) -> list[Path]:
    files = []
    for i, ((batch, seq), noise) in enumerate(zip(PLANS, NOISE, strict=True)):
        modelled = estimate_json(capsys, batch, seq, "--calibration", "off")["reserved_bytes"]
        reserved = round(A * modelled * (1 + noise))
        measured = {"max_memory_reserved": reserved, "device_used": reserved + B}
        files.append(run_file(folder / f"run{i}.json", batch, seq, measured))
    return files


def store_file() -> Path:
    return Path(os.environ["LLMEM_HOME"]) / FILE_NAME


def test_planted_a_and_b_recovered_and_a_fourth_plan_predicted(capsys, tmp_path) -> None:
    files = planted_runs(capsys, tmp_path)
    code, out, err = cli(capsys, "runs", "add", *map(str, files), "--json")
    assert code == 0, err
    assert json.loads(out)["ids"] == [1, 2, 3]

    plain = estimate_json(capsys, *FOURTH, "--calibration", "off")
    calibrated = estimate_json(capsys, *FOURTH)
    cal = calibrated["calibration"]
    assert plain["calibration"] is None
    assert {"runs", "gpu", "a", "b", "residual_pct"} <= set(cal)
    assert cal["runs"] == 3 and cal["gpu"] == GPU
    assert cal["a"] == pytest.approx(A, rel=0.01)
    assert cal["b"] == pytest.approx(B, rel=0.01)
    assert 0 < cal["residual_pct"] < 1
    # the fourth plan, never measured: reserved = a · modelled, device = reserved + b
    assert calibrated["reserved_bytes"] == pytest.approx(A * plain["reserved_bytes"], rel=0.01)
    assert calibrated["device_bytes"] == pytest.approx(A * plain["reserved_bytes"] + B, rel=0.01)
    assert calibrated["peak_bytes"] == sum(calibrated["components"].values())
    # three runs: the band narrows to what they support (residuals, widened, ≥ 1 %)
    band = calibrated["band"]
    assert band["source"].startswith("calibrated: 3 runs")
    assert 0.01 <= band["under"] < plain["band"]["under"]
    assert band["under"] >= cal["residual_pct"] / 100


def test_plan_gpus_and_cost_apply_the_calibration(capsys, tmp_path) -> None:
    cli(capsys, "runs", "add", *map(str, planted_runs(capsys, tmp_path)))
    job = ["--model", MODEL, "--gpu", GPU, "--seq-len", "2048", "--no-grad-checkpointing"]
    code, out, _ = cli(capsys, "plan", *job, "--json")
    assert code == 0
    planned = json.loads(out)
    assert planned["calibration"]["a"] == pytest.approx(A, rel=0.01)
    off = json.loads(cli(capsys, "plan", *job, "--json", "--calibration", "off")[1])
    assert off["calibration"] is None
    # the largest batch is the calibrated estimate's: `fits` there, not one sample more
    batch = planned["methods"][0]["max_batch_size"]
    assert estimate_json(capsys, batch, 2048)["verdict"] == "fits"
    assert estimate_json(capsys, batch + 1, 2048)["verdict"] != "fits"
    assert planned["methods"][0]["calibration"] == planned["calibration"]

    code, out, _ = cli(capsys, "gpus", *job, "--batch-size", "4", "--json")
    assert code == 0 and json.loads(out)["calibration"]["runs"] == 3

    code, out, err = cli(
        capsys, "cost", "--model", MODEL, "--seq-len", "2048", "--batch-size", "4",
        "--dataset-tokens", "1000000", "--gpu", GPU, "--gpu", "a100-80gb", "--json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)["rows"]
    by_gpu = {r["gpu_key"]: r["calibration"] for r in rows}
    assert by_gpu[GPU]["gpu"] == GPU
    assert by_gpu.get("a100-80gb") is None  # no runs of that GPU type


def test_list_show_remove_export_round_trip(capsys, tmp_path) -> None:
    files = planted_runs(capsys, tmp_path)
    cli(capsys, "runs", "add", *map(str, files))
    code, out, _ = cli(capsys, "runs", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and [r["id"] for r in listed] == [1, 2, 3]
    first = listed[0]
    assert first["estimate"]["level"] == "max_memory_reserved"
    # the list's error is the uncalibrated estimate against the planted measurement
    assert first["estimate"]["error_pct"] == pytest.approx(100 * (1 / (A * 1.003) - 1), abs=0.01)
    code, out, _ = cli(capsys, "runs", "show", "2", "--json")
    assert code == 0 and json.loads(out)["run"]["plan"]["batch_size"] == PLANS[1][0]
    text = cli(capsys, "runs", "list")[1]
    assert "fit h100-80gb (single): 3 run(s)" in text

    exported = tmp_path / "all.json"
    assert cli(capsys, "runs", "export", str(exported))[0] == 0
    assert cli(capsys, "runs", "remove", "2")[0] == 0
    assert [r["id"] for r in json.loads(cli(capsys, "runs", "list", "--json")[1])] == [1, 3]
    assert cli(capsys, "runs", "show", "2")[0] == 2
    code, out, _ = cli(capsys, "runs", "add", str(exported), "--json")  # a list of runs
    assert code == 0 and json.loads(out)["ids"] == [4, 5, 6]


def test_export_refuses_to_overwrite_the_store(capsys, tmp_path) -> None:
    cli(capsys, "runs", "add", *map(str, planted_runs(capsys, tmp_path)))
    before = store_file().read_bytes()
    code, _, err = cli(capsys, "runs", "export", str(store_file()))
    assert code == 2 and "store itself" in err
    assert store_file().read_bytes() == before


GOOD = {"max_memory_reserved": 20 * 2**30, "device_used": 21 * 2**30}
HOSTILE = {  # the file's text → the field its message must name
    "nan": ('{"format": "llmem-run/1", "plan": {}, "measured": {"device_used": NaN}}', "file"),
    "huge": (
        '{"format": "llmem-run/1", "plan": {}, "measured": {"device_used": 1' + "0" * 40 + "}}",
        "file",
    ),
    "truncated": ('{"format": "llmem-run/1", "plan": {"model": "meta-ll', "file"),
    "not json": ("max_memory_reserved = 20 GiB", "file"),
    "wrong format": ('{"format": "llmem-run/9", "plan": {}, "measured": {}}', "format"),
    "a list of numbers": ("[1, 2, 3]", "[0].format"),
}
BAD_MEASURED = {
    "negative": ({"max_memory_reserved": -5}, "measured.max_memory_reserved"),
    "GiB for bytes": ({"max_memory_reserved": 20}, "measured.max_memory_reserved"),
    "a float": ({"device_used": 21474836480.5}, "measured.device_used"),
    "a string with units": ({"device_used": "20 GiB"}, "measured.device_used"),
    "a boolean": ({"device_used": True}, "measured.device_used"),
    "above the GPU": ({"device_used": 800 * 2**30}, "measured.device_used"),
    "inconsistent": (
        {"max_memory_allocated": 30 * 2**30, "max_memory_reserved": 20 * 2**30},
        "measured.max_memory_reserved",
    ),
    "nothing measured": ({}, "measured"),
    "unknown level": ({"peak": 20 * 2**30}, "measured.peak"),
}
BAD_PLAN = {
    "unknown model": ({"model": "acme/NoSuchModel-7B"}, "plan.model"),
    "unknown gpu": ({"gpu": "tpu-v9"}, "plan.gpu"),
    "no gpu": ({"gpu": None}, "plan.gpu"),
    "bad method": ({"method": "magic"}, "plan.method"),
    "huge batch": ({"batch_size": 10**12}, "plan.batch_size"),
}


def _assert_refused(capsys, path: Path, field: str) -> None:
    before = store_file().read_bytes() if store_file().exists() else None
    code, out, err = cli(capsys, "runs", "add", str(path), "--json")
    assert code == 2, err
    error = json.loads(out)["error"]
    assert error["field"].startswith(field), error
    assert path.name in error["message"]  # the file is named
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    after = store_file().read_bytes() if store_file().exists() else None
    assert after == before  # nothing stored, nothing lost


@pytest.fixture
def one_stored(capsys, tmp_path) -> None:
    good = run_file(tmp_path / "good.json", 4, 2048, GOOD)
    assert cli(capsys, "runs", "add", str(good))[0] == 0


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_files_are_refused(capsys, tmp_path, one_stored, case) -> None:
    text, field = HOSTILE[case]
    path = tmp_path / "bad.json"
    path.write_text(text)
    _assert_refused(capsys, path, field)


@pytest.mark.parametrize("case", BAD_MEASURED)
def test_bad_measurements_are_refused(capsys, tmp_path, one_stored, case) -> None:
    measured, field = BAD_MEASURED[case]
    _assert_refused(capsys, run_file(tmp_path / "bad.json", 4, 2048, measured), field)


@pytest.mark.parametrize("case", BAD_PLAN)
def test_bad_plans_are_refused(capsys, tmp_path, one_stored, case) -> None:
    plan, field = BAD_PLAN[case]
    _assert_refused(capsys, run_file(tmp_path / "bad.json", 4, 2048, GOOD, **plan), field)


def test_all_or_nothing(capsys, tmp_path) -> None:
    good = run_file(tmp_path / "good.json", 4, 2048, GOOD)
    bad = run_file(tmp_path / "bad.json", 4, 2048, {"device_used": -1})
    code, _, err = cli(capsys, "runs", "add", str(good), str(bad))
    assert code == 2 and "bad.json" in err
    assert json.loads(cli(capsys, "runs", "list", "--json")[1]) == []


def test_measure_json_is_imported_unchanged(capsys, tmp_path) -> None:
    """The keys `llmem measure --device cuda --json` writes (llmem_core/measure/_session.py)."""
    result = {
        "model": MODEL, "batch_size": 4, "seq_len": 2048, "precision": "amp-bf16",
        "optimizer": "adamw-foreach", "grad_checkpointing": False, "device": "cuda",
        "steps": 3, "method": "single", "num_gpus": 1, "tp": None,
        "reshard_after_forward": True, "trace": False, "finetune": "full", "lora_rank": 16,
        "lora_alpha": 32.0, "lora_dropout": 0.0, "lora_targets": "attn",
        "checkpointing": "off", "checkpoint_every": 2, "loss": "standard", "loss_chunks": 8,
        "zero_redundancy": False, "cpu_offload": False,
        "command": "llmem measure --model meta-llama/Llama-3.2-1B …",
        "peak_bytes_step1": 1, "peak_bytes_steady": 1, "peak_phase": "backward",
        "breakdown": {}, "phase_peaks": {}, "phase_breakdowns": {},
        "max_memory_allocated": 18 * 2**30, "max_memory_reserved": 20 * 2**30,
        "max_memory_active": 19 * 2**30, "nvml_used_peak_bytes": 21 * 2**30,
        "memory_stats": {}, "allocator_conf": "", "gpu": "NVIDIA H100 80GB HBM3",
        "gpu_total_bytes": 85_045_870_592, "cuda": "12.8", "nvml_used_bytes": 21 * 2**30,
        "attention_impl": "sdpa", "versions": {"torch": "2.13.0"},
    }  # fmt: skip
    path = tmp_path / "measured.json"
    path.write_text(json.dumps(result))
    assert cli(capsys, "runs", "add", str(path))[0] == 0
    stored = json.loads(cli(capsys, "runs", "show", "1", "--json")[1])
    assert stored["gpu"] == GPU
    assert stored["run"]["measured"] == {
        "max_memory_allocated": 18 * 2**30,
        "max_memory_reserved": 20 * 2**30,
        "device_used": 21 * 2**30,
    }
    fake = {**result, "device": "fake-cuda"}
    for key in ("max_memory_allocated", "max_memory_reserved", "nvml_used_peak_bytes"):
        fake.pop(key)
    path.write_text(json.dumps(fake))
    code, _, err = cli(capsys, "runs", "add", str(path))
    assert code == 2 and "no GPU figures" in err


@pytest.mark.parametrize(
    ("name", "total", "key"),
    [
        ("NVIDIA H100 80GB HBM3", 85_045_870_592, "h100-80gb"),
        ("NVIDIA H100 PCIe", 85_045_870_592, "h100-pcie-80gb"),
        ("NVIDIA A100-SXM4-40GB", 42_505_273_344, "a100-40gb"),
        ("NVIDIA A100-SXM4-80GB", 85_097_971_712, "a100-80gb"),
        ("NVIDIA GeForce RTX 4090", 25_393_692_672, "rtx4090-24gb"),
        ("Tesla V100-SXM2-16GB", 16_945_512_448, "v100-16gb"),
        ("NVIDIA A10G", 23_836_098_560, "a10g-24gb"),
        ("NVIDIA H200", 150_754_820_096, "h200-141gb"),
    ],
)
def test_gpu_names_map_to_catalog_keys(name: str, total: int, key: str) -> None:
    from llmem_core.runs import gpu_key_of

    assert gpu_key_of(name, total) == key


def test_the_paper_profile_is_never_calibrated(capsys, tmp_path) -> None:
    cli(capsys, "runs", "add", *map(str, planted_runs(capsys, tmp_path)))
    paper = ["estimate", "--model", "facebook/opt-1.3b", "--gpu", GPU, "--method", "single",
             "--batch-size", "2", "--seq-len", "512", "--profile", "paper", "--json"]  # fmt: skip
    code, out, err = cli(capsys, *paper)
    assert code == 0, err
    assert json.loads(out)["calibration"] is None
