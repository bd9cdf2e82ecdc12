"""The CLI contract of issue #2, in-process through main(argv); a few subprocess smoke tests
run the installed console script as a user does."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from llmem_core.cli import main
from llmem_core.presets import model_records

LLMEM = shutil.which("llmem") or str(Path(sys.executable).parent / "llmem")
OPT13 = ["--model", "facebook/opt-1.3b", "--gpu", "v100-16gb", "--num-gpus", "4"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_estimate_json_contract(capsys) -> None:
    out = run_json(
        capsys,
        "estimate",
        *OPT13,
        "--method",
        "dp+tp",
        "--tp",
        "2",
        "--batch-size",
        "8",
        "--seq-len",
        "512",
    )
    assert isinstance(out["fits"], bool)
    assert sum(out["components"].values()) == out["peak_bytes"]
    assert set(out["components"]) == {
        "transformer",
        "lm_head",
        "optimizer",
        "activations",
        "transient",
        "workspace",
        "in_flight",
        "allocator_slack",
        "runtime",
    }
    # the levels a GPU reports (issue #10): allocated ≤ active ≤ reserved ≤ device = peak
    assert out["model_tensor_bytes"] <= out["tensor_peak_bytes"] <= out["active_bytes"]
    assert out["active_bytes"] <= out["reserved_bytes"] <= out["device_bytes"]
    assert out["device_bytes"] == out["peak_bytes"]
    band = out["band"]
    assert band["low_bytes"] <= out["need_bytes"] <= out["device_bytes"] <= band["high_bytes"]
    assert out["verdict"] in {"fits", "at-risk", "oom"}
    assert out["fits"] is (out["verdict"] == "fits")
    assert (out["method"], out["tp"], out["dp"], out["engine"]) == (
        "dp+tp",
        2,
        2,
        "fsdp2+dtensor-tp",
    )


def test_gpu_memory_override(capsys) -> None:
    out = run_json(
        capsys,
        "estimate",
        "--model",
        "opt-125m",
        "--gpu-memory-mib",
        "1000",
        "--num-gpus",
        "1",
        "--method",
        "single",
        "--batch-size",
        "1",
        "--seq-len",
        "128",
    )
    assert out["capacity_bytes"] == 1000 * 2**20
    assert out["fits"] is False


def test_plan_json_contract(capsys) -> None:
    out = run_json(capsys, "plan", *OPT13, "--seq-len", "512")
    assert out["choice"] in {"cdp", "adp", "tp", "dp+tp", "zero1", "zero2", "cpu-offload"}
    methods = {m["method"]: m for m in out["methods"]}
    assert set(methods) == {"cdp", "adp", "tp", "dp+tp", "zero1", "zero2"}
    assert methods["dp+tp"]["tp"] == 2  # 4 GPUs, no --tp: 2 × 2
    for m in out["methods"]:
        assert isinstance(m["max_batch_size"], int) and m["max_batch_size"] >= 0
        assert isinstance(m["score"], float | int)
        assert m["applicable"] is True and m["reason"] == ""


def test_plan_reports_a_method_that_cannot_run_as_not_applicable(capsys) -> None:
    """OPT-350m has 16 heads: TP over 3 GPUs cannot split them, and 3 GPUs have no dp+tp
    layout. Those two are not applicable, with the reason; cdp and adp still fit."""
    out = run_json(
        capsys,
        "plan",
        "--model",
        "facebook/opt-350m",
        "--gpu",
        "v100-16gb",
        "--num-gpus",
        "3",
        "--seq-len",
        "512",
    )
    methods = {m["method"]: m for m in out["methods"]}
    assert not methods["tp"]["applicable"] and "attention heads" in methods["tp"]["reason"]
    assert not methods["dp+tp"]["applicable"] and "divisor" in methods["dp+tp"]["reason"]
    assert methods["cdp"]["max_batch_size"] > 0
    assert out["choice"] in {"cdp", "adp", "zero1", "zero2"}


def test_paper_profile_outside_its_scope_is_refused_not_offloaded(capsys) -> None:
    """Issue #9: this answered 'cpu-offload' with exit 0; the paper models fp16 AMP only."""
    code, out, err = run(
        capsys,
        "plan",
        "--model",
        "facebook/opt-125m",
        "--gpu",
        "a100-80gb",
        "--num-gpus",
        "4",
        "--seq-len",
        "512",
        "--profile",
        "paper",
        "--precision",
        "fp32",
        "--json",
    )
    assert code == 2
    assert json.loads(out)["error"]["field"] == "precision"
    assert "amp-fp16 or amp-bf16" in err


def test_pytorch_contract_adds_tensor_peak(capsys) -> None:
    """Issue #3's addition: --profile pytorch --precision P --optimizer O
    [--grad-checkpointing|--no-grad-checkpointing] also prints tensor_peak_bytes."""
    base = [
        "estimate",
        "--model",
        "meta-llama/Llama-3.2-1B",
        "--gpu",
        "a100-80gb",
        "--num-gpus",
        "1",
        "--method",
        "single",
        "--batch-size",
        "8",
        "--seq-len",
        "512",
        "--profile",
        "pytorch",
        "--precision",
        "bf16",
        "--optimizer",
        "adamw-fused",
    ]
    off = run_json(capsys, *base, "--no-grad-checkpointing")
    on = run_json(capsys, *base, "--grad-checkpointing")
    for out in (off, on):  # one GPU: the peak phase's allocated bytes are the allocated peak
        c = out["components"]
        above = c["runtime"] + c["allocator_slack"] + c["in_flight"]
        assert out["tensor_peak_bytes"] == out["peak_bytes"] - above
    assert on["tensor_peak_bytes"] < off["tensor_peak_bytes"]


def test_plan_cpu_offload(capsys) -> None:
    out = run_json(
        capsys,
        "plan",
        "--model",
        "meta-llama/Llama-2-70b-hf",
        "--gpu",
        "t4-16gb",
        "--num-gpus",
        "1",
        "--seq-len",
        "512",
    )
    assert out["choice"] == "cpu-offload"


def test_gpus_reports_one_count(capsys) -> None:
    """Issue #9: `gpus` said gpus_needed 4 beside plan.num_gpus 1."""
    out = run_json(
        capsys,
        "gpus",
        "--model",
        "meta-llama/Llama-3.1-8B",
        "--gpu",
        "a100-80gb",
        "--batch-size",
        "4",
        "--seq-len",
        "2048",
    )
    assert out["gpus_needed"] == out["plan"]["num_gpus"] > 1
    fitting = [m for m in out["plan"]["methods"] if m["max_batch_size"] >= 4]
    assert fitting


def test_config_json_path(tmp_path: Path, capsys) -> None:
    path = tmp_path / "gpt2" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps(model_records()["openai-community/gpt2"]["config"]))
    args = ["--gpu", "a100-80gb", "--method", "single", "--batch-size", "2", "--seq-len", "256"]
    by_path = run_json(capsys, "estimate", "--model", str(path), *args)
    by_dir = run_json(capsys, "estimate", "--model", str(path.parent), *args)
    by_id = run_json(capsys, "estimate", "--model", "gpt2", *args)
    assert by_path["peak_bytes"] == by_dir["peak_bytes"] == by_id["peak_bytes"]
    assert by_path["model"] == "gpt2"  # named after its folder, not "config"


def test_readable_table_without_json(capsys) -> None:
    code, out, _ = run(
        capsys,
        "plan",
        "--model",
        "opt-125m",
        "--gpu",
        "v100-16gb",
        "--num-gpus",
        "4",
        "--seq-len",
        "512",
    )
    assert code == 0 and "choice:" in out


BAD = [
    (["--batch-size", "0"], "batch_size", "from 1 to 1,000,000"),
    (["--batch-size", "-4"], "batch_size", "from 1 to 1,000,000"),
    (["--batch-size", "99999999"], "batch_size", "from 1 to 1,000,000"),
    (["--batch-size", "abc"], "batch_size", "a whole number"),
    (["--seq-len", "0"], "seq_len", "from 1 to"),
    (["--seq-len", "4096", "--model", "gpt2"], "seq_len", "1,024"),
    (["--seq-len", "100000"], "seq_len", "2,048"),
    (["--num-gpus", "0"], "num_gpus", "from 1 to 4,096"),
    (["--model", "no-such-model"], "model", "unknown preset"),
    (["--model", "x" * 300], "model", "unknown preset"),
    (["--model", "/proc/self/mem"], "model", "cannot read"),
    (["--model", "/dev/null"], "model", "not a regular file"),
    (["--gpu", "v100-99gb"], "gpu", "unknown key"),
    (["--num-gpus", "6", "--method", "dp+tp", "--tp", "4"], "tp", "must divide num_gpus"),
    (["--num-gpus", "5", "--method", "tp"], "tp", "attention heads"),
    (["--num-gpus", "4", "--method", "tp", "--tp", "2"], "tp", "spans all 4 GPUs"),
    (["--num-gpus", "4", "--method", "cdp", "--tp", "2"], "tp", "no tensor parallelism"),
    (["--method", "single", "--num-gpus", "2"], "method", "one GPU"),
    (["--tp", "0"], "tp", "from 1 to"),
    (["--method", "zero9"], "method", "one of single, cdp, adp, tp, dp+tp"),
    (["--gpu-memory-mib", "-5"], "gpu_memory_mib", "from 1 to"),
    (["--vocab-size", "0"], "vocab_size", "from 1 to"),
    (["--profile", "paper", "--precision", "fp32"], "precision", "amp-fp16"),
    (["--profile", "paper", "--no-grad-checkpointing"], "grad_checkpointing", "on"),
    (["--profile", "gemini"], "profile", "one of"),
    (["--cuda-context-mib", "-1"], "cuda_context_mib", "from 0 to"),
    (["--allocator-slack", "2"], "allocator_slack", "from 0 to 1"),
    (["--bogus", "1"], "bogus", "unknown argument"),
]


@pytest.mark.parametrize(
    ("override", "field", "needle"), BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_input_one_line_naming_the_field(
    override: list[str], field: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = {
        "--model": "opt-125m",
        "--gpu": "v100-16gb",
        "--num-gpus": "1",
        "--method": "single",
        "--batch-size": "1",
        "--seq-len": "64",
    }
    flags = [x for x in override if x.startswith("--no-")]
    pairs = [x for x in override if x not in flags]
    for flag, value in zip(pairs[::2], pairs[1::2], strict=True):
        args[flag] = value
    argv = [x for kv in args.items() for x in kv]
    code, out, err = run(capsys, "estimate", *argv, *flags, "--json")
    assert code == 2
    assert err.count("\n") == 1 and needle in err and len(err) < 400
    assert json.loads(out)["error"]["field"] == field


@pytest.mark.parametrize("missing", ["--model", "--method", "--batch-size", "--seq-len"])
def test_a_missing_option_is_named(missing: str, capsys) -> None:
    args = {
        "--model": "opt-125m",
        "--gpu": "v100-16gb",
        "--method": "single",
        "--batch-size": "1",
        "--seq-len": "64",
    }
    del args[missing]
    code, out, err = run(capsys, "estimate", *[x for kv in args.items() for x in kv], "--json")
    assert code == 2 and missing in err
    assert json.loads(out)["error"]["field"] == missing.lstrip("-").replace("-", "_")


def test_gpus_bounds_its_search(capsys) -> None:
    code, out, _ = run(
        capsys,
        "gpus",
        "--model",
        "gpt2",
        "--gpu",
        "a100-80gb",
        "--batch-size",
        "4",
        "--seq-len",
        "512",
        "--max-gpus",
        str(10**12),
        "--json",
    )
    assert code == 2 and json.loads(out)["error"]["field"] == "max_gpus"
    code, out, _ = run(
        capsys,
        "gpus",
        "--model",
        "gpt2",
        "--gpu",
        "a100-80gb",
        "--batch-size",
        "4",
        "--seq-len",
        "512",
        "--max-gpus",
        "0",
        "--json",
    )
    assert code == 2 and json.loads(out)["error"]["field"] == "max_gpus"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ('{"model_type": "bert"}', "model_type"),
        ('{"model_type": ["opt"]}', "model_type must be one of"),
        ('{"model_type": "llama", "hidden_size": 64}', "num_attention_heads"),
        (
            '{"model_type": "llama", "hidden_size": "big", "num_attention_heads": 2, '
            '"num_hidden_layers": 2, "intermediate_size": 8, "vocab_size": 10}',
            "hidden_size",
        ),
        (
            '{"model_type": "gpt2", "n_embd": 100, "n_head": 12, "n_layer": 2, "vocab_size": 10}',
            "must divide hidden_size",
        ),
        (
            '{"model_type": "gpt2", "n_embd": 96, "n_head": 12, "n_layer": 2, "vocab_size": 10, '
            '"tie_word_embeddings": "false"}',
            "tie_word_embeddings must be true or false",
        ),
        ('{"model_type": "gpt2", "n_embd": ' + "9" * 5000 + "}", "digits"),
        ("[" * 2500 + "]" * 2500, "nested"),
        ("[1, 2]", "JSON object"),
        ('{"model_type": "gpt2", "n_embd": NaN}', "not a number JSON allows"),
    ],
    ids=[
        "not-json",
        "bert",
        "list-type",
        "missing",
        "string-size",
        "heads",
        "string-bool",
        "huge-int",
        "deep",
        "list",
        "nan",
    ],
)
def test_malformed_config(
    tmp_path: Path, content: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    code, out, err = run(
        capsys,
        "estimate",
        "--model",
        str(path),
        "--gpu",
        "v100-16gb",
        "--method",
        "single",
        "--batch-size",
        "1",
        "--seq-len",
        "64",
        "--json",
    )
    assert code == 2
    assert needle in err and err.count("\n") == 1
    assert json.loads(out)["error"]["field"] == "model"


def test_a_large_file_is_refused_before_it_is_read(tmp_path: Path, capsys) -> None:
    """A 3 GiB sparse file: refused by its size, never read whole."""
    path = tmp_path / "config.json"
    with path.open("wb") as f:
        f.truncate(3 * 2**30)
    code, _, err = run(
        capsys,
        "estimate",
        "--model",
        str(path),
        "--gpu",
        "v100-16gb",
        "--method",
        "single",
        "--batch-size",
        "1",
        "--seq-len",
        "64",
    )
    assert code == 2 and "at most 1,000,000" in err


# ---- a few runs of the installed console script, as a user runs it ---------------------


def script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LLMEM, *args], capture_output=True, text=True, timeout=60)


def test_console_script_estimates() -> None:
    r = script(
        "estimate", *OPT13, "--method", "adp", "--batch-size", "8", "--seq-len", "512", "--json"
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["method"] == "adp"


def test_console_script_bad_input_is_one_line() -> None:
    r = script(
        "estimate", *OPT13, "--method", "tp", "--tp", "0", "--batch-size", "8", "--seq-len", "512"
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_a_closed_pipe_ends_quietly() -> None:
    """`llmem models | head -1`: no BrokenPipeError traceback."""
    r = subprocess.run(
        f"'{LLMEM}' catalog --json | head -c 10 >/dev/null; '{LLMEM}' models | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.stderr == "" and r.stdout.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--gpu", "rtx4090-24gb", "--method", "single", "--finetune", "qlora",
         "--optimizer", "paged-adamw-8bit", "--seq-len", "2048"],
        ["--gpu", "a100-40gb", "--num-gpus", "8", "--method", "zero2", "--offload", "optimizer",
         "--seq-len", "2048"],
        ["--gpu", "a100-80gb", "--num-gpus", "4", "--method", "adp", "--finetune", "lora",
         "--lora-rank", "64", "--seq-len", "32768"],
    ],
    ids=["qlora-4090", "zero2-offload", "lora-fsdp2-32k"],
)  # fmt: skip
def test_the_issue_12_questions_in_json(capsys, argv: list[str]) -> None:
    """Breakdown, verdict (fits) and band; host_bytes for offload; the ZeRO ladder for zero2."""
    out = run_json(capsys, "estimate", "--model", "meta-llama/Llama-3.1-8B",
                   "--batch-size", "1", *argv)  # fmt: skip
    assert sum(out["components"].values()) == out["peak_bytes"]
    assert isinstance(out["fits"], bool) and out["band"]["low_bytes"] < out["peak_bytes"]
    assert out["host_bytes"] >= 0
    if "--offload" in argv:
        assert out["host_bytes"] > 100 * 2**30 and out["band"]["over"] == 0.2
        assert [r["method"] for r in out["zero_ladder"]] == ["zero1", "zero2", "adp"]


def test_a_bad_feature_combination_is_one_json_error(capsys) -> None:
    flags = ["--method", "cdp", "--offload", "optimizer", "--batch-size", "1", "--seq-len", "512"]
    code, out, err = run(capsys, "estimate", *OPT13, *flags, "--json")
    assert code == 2 and json.loads(out)["error"]["field"] == "offload"
    assert err.count("\n") == 1 and "Traceback" not in err
