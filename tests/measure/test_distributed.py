"""The committed multi-GPU reference measurements (one rank of N) and the flags that ask for them.

Fast: reads JSON only, or fails before torch starts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmem_core.cli import main
from llmem_core.errors import InputError
from llmem_core.measure import MeasureRequest

from .reference import REFERENCE_DIR, model_types

ROOT = Path(__file__).resolve().parents[2]
DIST_DIR = REFERENCE_DIR / "distributed"
RESULTS = [
    json.loads(line)
    for path in sorted(DIST_DIR.glob("*.jsonl"))
    if path.name != "failures.jsonl"
    for line in path.read_text().splitlines()
    if line.strip()
]
METHODS = ("cdp", "adp", "tp", "dp+tp")
FSDP_CATEGORIES = {"sharded_parameter", "unsharded_parameter", "sharded_gradient",
                   "unsharded_gradient", "all_gather", "reduce_scatter"}  # fmt: skip


def _id(r: dict) -> str:
    ckpt = "-ckpt" if r["grad_checkpointing"] else ""
    return f"{r['model']}-{r['method']}-n{r['num_gpus']}-b{r['batch_size']}-{r['precision']}{ckpt}"


def _key(r: dict) -> tuple:
    return (r["model"], r["method"], r["num_gpus"], r["tp"], r["batch_size"], r["seq_len"],
            r["precision"], r["optimizer"], r["grad_checkpointing"])  # fmt: skip


def test_fixtures_cover_four_architectures_per_method_and_gpu_count() -> None:
    types = model_types()
    for method in METHODS:
        # dp+tp needs dp ≥ 2 and tp ≥ 2: it starts at 4 GPUs.
        for n in (4, 8) if method == "dp+tp" else (2, 4, 8):
            covered = {types[r["model"]] for r in RESULTS
                       if r["method"] == method and r["num_gpus"] == n}  # fmt: skip
            assert len(covered) >= 4, (method, n, sorted(covered))


def test_no_duplicate_cases() -> None:
    keys = [_key(r) for r in RESULTS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("r", RESULTS, ids=_id)
def test_fixture_is_self_describing_and_consistent(r: dict) -> None:
    assert r["method"] in METHODS and r["num_gpus"] >= 2 and r["rank"] == 0
    assert f"--method {r['method']} --num-gpus {r['num_gpus']}" in r["command"]
    assert r["versions"]["torch"].startswith("2.13.0")
    steady = r["phase_peaks"]["steady"]
    assert steady[r["peak_phase"]] == max(steady.values()) == r["peak_bytes_steady"]
    assert sum(r["breakdown"].values()) == r["peak_bytes_steady"]
    assert max(r["phase_peaks"]["step1"].values()) == r["peak_bytes_step1"]
    if r["method"] in ("adp", "dp+tp"):
        assert r["breakdown"].keys() >= FSDP_CATEGORIES
    if r["method"] == "cdp":
        # One bucket copy of every gradient, in the parameters' dtype.
        width = 2 if r["precision"] == "bf16" else 4
        assert r["ddp_bucket_bytes"] == pytest.approx(width * r["params"], abs=512)
        assert r["breakdown"]["ddp_bucket"] == r["ddp_bucket_bytes"]


@pytest.mark.parametrize("r", [r for r in RESULTS if r["method"] == "adp"], ids=_id)
def test_fsdp_rank0_holds_the_largest_shard(r: dict) -> None:
    # FSDP2 shards dim 0 like torch.chunk: rank 0 gets ceil(rows/N), so it is never the lighter.
    per_rank = r["dp_rank_sharded_numel"]
    assert per_rank[0] == max(per_rank) and sum(per_rank) == r["params"]
    width = 2 if r["precision"] == "bf16" else 4
    # Each shard is its own allocation, rounded up to 512 bytes (≤ 300 tensors in these models).
    assert r["breakdown"]["sharded_parameter"] == pytest.approx(width * per_rank[0], abs=300 * 512)


GOOD = ["--model", "facebook/opt-125m", "--batch-size", "1", "--seq-len", "64",
        "--device", "fake-cuda"]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--method", "ddp", "--num-gpus", "2"], "method"),
        (["--method", "dp+tp", "--num-gpus", "8", "--tp", "3"], "tp"),
        (["--method", "dp+tp", "--num-gpus", "2"], "tp"),  # 2 GPUs have no dp+tp layout
        (["--method", "tp", "--num-gpus", "4", "--tp", "2"], "tp"),
        (["--method", "adp", "--num-gpus", "4", "--tp", "2"], "tp"),
        (["--method", "tp", "--num-gpus", "5"], "tp"),  # 12 heads do not split 5 ways
        (["--num-gpus", "4"], "method"),
        (["--method", "adp", "--num-gpus", "0"], "num_gpus"),
    ],
    ids=[
        "method",
        "tp-not-divisor",
        "no-layout",
        "tp-not-n",
        "tp-with-adp",
        "heads",
        "single-n",
        "n0",
    ],
)
def test_bad_parallel_input_is_one_line_naming_the_field(
    capsys, argv: list[str], field: str
) -> None:
    code = main(["measure", *GOOD, *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1, err
    assert json.loads(out)["error"]["field"] == field


def test_the_layout_is_the_estimators() -> None:
    """tp defaults to the GPU count, dp+tp to the estimator's degree (8 GPUs → 4 × 2)."""
    assert MeasureRequest("facebook/opt-125m", 1, 64, method="tp", num_gpus=4).tp == 4
    assert MeasureRequest("facebook/opt-125m", 1, 64, method="dp+tp", num_gpus=8).tp == 2
    assert MeasureRequest("facebook/opt-125m", 1, 64, method="adp", num_gpus=4).tp is None
    with pytest.raises(InputError, match="must divide num_gpus") as err:
        MeasureRequest("facebook/opt-125m", 1, 64, method="dp+tp", num_gpus=6, tp=4)
    assert err.value.field == "tp"
