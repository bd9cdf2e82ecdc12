"""The CLI of issue #10 through main(argv): the levels a GPU reports, the band and verdict,
the real-GPU flags, and plan/gpus saying how they use the verdict."""

from __future__ import annotations

import json

import pytest

from llmem_core.cli import main

FSDP = ["estimate", "--model", "meta-llama/Llama-2-7b-hf", "--gpu", "h100-80gb", "--num-gpus",
        "8", "--method", "adp", "--batch-size", "8", "--seq-len", "2048", "--json"]  # fmt: skip


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_levels_and_band(capsys) -> None:
    out = run_json(capsys, *FSDP)
    c = out["components"]
    assert out["tensor_peak_bytes"] + c["in_flight"] == out["active_bytes"]
    assert out["active_bytes"] + c["allocator_slack"] == out["reserved_bytes"]
    assert out["reserved_bytes"] + c["runtime"] == out["device_bytes"] == out["peak_bytes"]
    assert out["band"]["source"] and out["verdict_text"]
    assert out["allocator"] == "default" and out["margin"] == 0.0


def test_avoid_record_streams_removes_the_buffers_in_flight(capsys) -> None:
    assert run_json(capsys, *FSDP)["components"]["in_flight"] > 0
    assert run_json(capsys, *FSDP, "--comm-lag", "0")["components"]["in_flight"] == 0


def test_expandable_segments_reserve_less_here(capsys) -> None:
    default = run_json(capsys, *FSDP)
    expandable = run_json(capsys, *FSDP, "--allocator", "expandable-segments")
    assert expandable["allocator"] == "expandable-segments"
    assert expandable["reserved_bytes"] < default["reserved_bytes"]
    assert expandable["tensor_peak_bytes"] == default["tensor_peak_bytes"]


def test_overrides_of_outside_pytorch(capsys) -> None:
    out = run_json(capsys, *FSDP, "--nccl-mib", "0", "--cuda-context-mib", "300")
    assert out["components"]["runtime"] == 300 * 2**20
    ws = run_json(capsys, *FSDP, "--cublas-workspace-mib", "0")["components"]["workspace"]
    assert ws == 0  # no flash workspace at the peak phase either (the loss's)


def test_a_margin_makes_the_verdict_stricter(capsys) -> None:
    base = run_json(capsys, *FSDP)
    assert base["verdict"] == "fits"
    tight = run_json(capsys, *FSDP, "--margin", "0.5")
    assert tight["usable_bytes"] == base["capacity_bytes"] // 2
    assert tight["verdict"] in {"fits", "at-risk", "oom"}


@pytest.mark.parametrize(
    ("flag", "value", "field"),
    [("--margin", "0.9", "margin"), ("--allocator", "magic", "allocator"),
     ("--comm-lag", "-1", "comm_lag"), ("--nccl-mib", "-5", "nccl_mib")],
)  # fmt: skip
def test_bad_values_name_their_field(capsys, flag: str, value: str, field: str) -> None:
    code = main([*FSDP, flag, value])
    out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1
    assert json.loads(out)["error"]["field"] == field


def test_plan_and_gpus_say_how_they_use_the_verdict(capsys) -> None:
    args = ["--model", "meta-llama/Llama-3.2-1B", "--gpu", "a100-80gb", "--seq-len", "2048"]
    p = run_json(capsys, "plan", *args, "--num-gpus", "1", "--json")
    assert "fits" in p["batch_rule"] and p["margin"] == 0.0
    (row,) = p["methods"]
    assert 0 < row["max_batch_size"] <= row["max_batch_at_risk"]
    g = run_json(capsys, "gpus", *args, "--batch-size", "4", "--json")
    assert g["gpus_needed"] == 1 and "fits" in g["rule"]


def test_the_text_output_states_the_verdict(capsys) -> None:
    code = main([a for a in FSDP if a != "--json"])
    out, _ = capsys.readouterr()
    assert code == 0 and "fits: the whole range of the estimate" in out
    assert "reserved" in out and "device" in out
