"""The CLI contract of issue #2, run as a user runs it: the console script in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from llmem_core.cli import main

LLMEM = shutil.which("llmem") or str(Path(sys.executable).parent / "llmem")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LLMEM, *args], capture_output=True, text=True, timeout=60)


def test_estimate_json_contract() -> None:
    r = run("estimate", "--model", "facebook/opt-1.3b", "--gpu", "v100-16gb", "--num-gpus", "4",
            "--method", "dp+tp", "--tp", "2", "--batch-size", "8", "--seq-len", "512", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert isinstance(out["fits"], bool)
    assert sum(out["components"].values()) == out["peak_bytes"]
    assert set(out["components"]) == {
        "transformer", "lm_head", "optimizer", "activations", "transient", "runtime"}


def test_gpu_memory_override() -> None:
    r = run("estimate", "--model", "opt-125m", "--gpu-memory-mib", "1000", "--num-gpus", "1",
            "--method", "single", "--batch-size", "1", "--seq-len", "128", "--json")
    out = json.loads(r.stdout)
    assert out["capacity_bytes"] == 1000 * 2**20
    assert out["fits"] is False


def test_plan_json_contract() -> None:
    r = run("plan", "--model", "facebook/opt-1.3b", "--gpu", "v100-16gb", "--num-gpus", "4",
            "--seq-len", "512", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["choice"] in {"cdp", "adp", "tp", "dp+tp", "cpu-offload"}
    methods = {m["method"]: m for m in out["methods"]}
    assert set(methods) == {"cdp", "adp", "tp", "dp+tp"}
    assert methods["dp+tp"]["tp"] == 2  # 4 GPUs, no --tp: 2 × 2
    for m in out["methods"]:
        assert isinstance(m["max_batch_size"], int) and m["max_batch_size"] >= 0
        assert isinstance(m["score"], float | int)


def test_pytorch_contract_adds_tensor_peak() -> None:
    """Issue #3's addition: --profile pytorch --precision P --optimizer O
    [--grad-checkpointing|--no-grad-checkpointing] also prints tensor_peak_bytes."""
    base = ["estimate", "--model", "meta-llama/Llama-3.2-1B", "--gpu", "a100-80gb",
            "--num-gpus", "1", "--method", "single", "--batch-size", "8", "--seq-len", "512",
            "--profile", "pytorch", "--precision", "bf16", "--optimizer", "adamw-fused", "--json"]
    off = json.loads(run(*base, "--no-grad-checkpointing").stdout)
    on = json.loads(run(*base, "--grad-checkpointing").stdout)
    for out in (off, on):
        assert out["tensor_peak_bytes"] == out["peak_bytes"] - out["components"]["runtime"]
    assert on["tensor_peak_bytes"] < off["tensor_peak_bytes"]


def test_plan_cpu_offload() -> None:
    r = run("plan", "--model", "meta-llama/Llama-2-70b-hf", "--gpu", "t4-16gb", "--num-gpus",
            "1", "--seq-len", "512", "--json")
    assert json.loads(r.stdout)["choice"] == "cpu-offload"


def test_config_json_path(tmp_path: Path) -> None:
    cfg = json.loads((Path(__file__).parent.parent / "presets" / "hf-model-configs.json")
                     .read_text())["openai-community/gpt2"]["config"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    by_path = json.loads(run("estimate", "--model", str(path), "--gpu", "a100-80gb", "--method",
                             "single", "--batch-size", "2", "--seq-len", "256", "--json").stdout)
    by_id = json.loads(run("estimate", "--model", "gpt2", "--gpu", "a100-80gb", "--method",
                           "single", "--batch-size", "2", "--seq-len", "256", "--json").stdout)
    assert by_path["peak_bytes"] == by_id["peak_bytes"]


def test_readable_table_without_json() -> None:
    r = run("plan", "--model", "opt-125m", "--gpu", "v100-16gb", "--num-gpus", "4",
            "--seq-len", "512")
    assert r.returncode == 0 and "choice:" in r.stdout


BAD = [
    (["--batch-size", "0"], "batch_size"),
    (["--batch-size", "-4"], "batch_size"),
    (["--batch-size", "99999999"], "batch_size"),
    (["--seq-len", "0"], "seq_len"),
    (["--num-gpus", "0"], "num_gpus"),
    (["--model", "no-such-model"], "model"),
    (["--gpu", "v100-99gb"], "gpu"),
    (["--num-gpus", "6", "--method", "dp+tp", "--tp", "4"], "tp"),
    (["--num-gpus", "5", "--method", "tp"], "tp"),
    (["--method", "zero9"], "method"),
    (["--gpu-memory-mib", "-5"], "gpu-memory-mib"),
    (["--vocab-size", "0"], "vocab_size"),
    (["--profile", "paper", "--precision", "fp32"], "precision"),
    (["--profile", "gemini"], "profile"),
    (["--cuda-context-mib", "-1"], "cuda-context-mib"),
]


@pytest.mark.parametrize(("override", "field"), BAD, ids=[b[1] + str(i) for i, b in
                                                        enumerate(BAD)])
def test_bad_input_one_line_naming_the_field(override: list[str], field: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    args = {"--model": "opt-125m", "--gpu": "v100-16gb", "--num-gpus": "1",
            "--method": "single", "--batch-size": "1", "--seq-len": "64"}
    for flag, value in zip(override[::2], override[1::2], strict=True):
        args[flag] = value
    argv = ["estimate", *[x for kv in args.items() for x in kv], "--json"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and field in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ('{"model_type": "bert"}', "model_type"),
        ('{"model_type": "llama", "hidden_size": 64}', "num_attention_heads"),
        ('{"model_type": "llama", "hidden_size": "big", "num_attention_heads": 2, '
         '"num_hidden_layers": 2, "intermediate_size": 8, "vocab_size": 10}', "hidden_size"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_malformed_config(tmp_path: Path, content: str, needle: str,
                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    argv = ["estimate", "--model", str(path), "--gpu", "v100-16gb", "--method", "single",
            "--batch-size", "1", "--seq-len", "64"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
