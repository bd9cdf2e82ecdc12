"""Issue #13: the models of 2025 as presets — counted as transformers builds them, listed with
their active parameters, and every one estimated, planned and costed by the CLI and the page."""

from __future__ import annotations

import json

import pytest

from llmem_core import load_gpus, load_models
from llmem_core.cli import main
from llmem_core.params import counts
from llmem_core.presets import model_records
from llmem_dashboard import compute, cost
from llmem_dashboard.compute import Results
from llmem_dashboard.cost import CostResults
from llmem_dashboard.state import DEFAULT

REQUIRED_2025 = [
    "Qwen/Qwen3-0.6B",
    "Qwen/Qwen3-8B",
    "Qwen/Qwen3-32B",
    "Qwen/Qwen3-30B-A3B",
    "google/gemma-3-1b-pt",
    "google/gemma-3-27b-pt",
    "meta-llama/Llama-3.3-70B-Instruct",
    "openai/gpt-oss-20b",
    "openai/gpt-oss-120b",
    "deepseek-ai/DeepSeek-V2-Lite",
    "deepseek-ai/DeepSeek-V3",
    "microsoft/phi-4",
    "mistralai/Mistral-Small-24B-Base-2501",
    "allenai/OLMo-2-1124-7B",
    "HuggingFaceTB/SmolLM3-3B",
]
MOE = [m for m in REQUIRED_2025 if load_models()[m].architecture.moe]


@pytest.mark.parametrize("hf_id", REQUIRED_2025)
def test_preset_with_source_and_published_count(hf_id: str) -> None:
    preset, rec = load_models()[hf_id], model_records()[hf_id]
    assert preset.source and preset.params_published and rec["transformers_version"] == "5.24.0"
    assert rec["params_match"], rec["params_note"]


@pytest.mark.parametrize("hf_id", MOE)
def test_active_parameters(hf_id: str) -> None:
    """Total less the routed experts a token does not use, as transformers' tensors give it
    (model-configs-2025.json params_breakdown), with and without the input embedding."""
    c = counts(load_models()[hf_id].architecture)
    breakdown = model_records()[hf_id]["params_breakdown"]
    assert c.active == breakdown["active_with_input_embedding_and_lm_head"]
    assert c.active - c.embedding == breakdown["active_without_input_embedding"]


def _cli(capsys, *argv: str) -> dict:
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_models_json_lists_active_params_and_multimodal(capsys) -> None:
    rows = {r["id"]: r for r in _cli(capsys, "models", "--json")}
    assert rows["Qwen/Qwen3-30B-A3B"]["active_params"] == 3_353_032_704  # card: 3.3B activated
    assert rows["openai/gpt-oss-120b"]["active_params"] == 5_132_849_472  # paper: 5.13B
    assert rows["Qwen/Qwen3-8B"]["active_params"] is None
    note = rows["google/gemma-3-27b-pt"]["multimodal"]
    assert "text model" in note and "423,060,336" in note  # Gemma3ForConditionalGeneration
    assert "multimodal" not in rows["google/gemma-3-1b-pt"]  # text-only checkpoint


GPU = ("--gpu", "h100-80gb", "--seq-len", "2048", "--json")
JOB = ("--batch-size", "1", *GPU)


@pytest.mark.parametrize("hf_id", REQUIRED_2025)
def test_cli_estimates_plans_and_costs(capsys, hf_id: str) -> None:
    est = _cli(capsys, "estimate", "--model", hf_id, "--num-gpus", "8", "--method", "adp", *JOB)
    assert sum(est["components"].values()) == est["peak_bytes"]
    assert est["verdict"] in ("fits", "at-risk", "oom")
    planned = _cli(capsys, "plan", "--model", hf_id, "--num-gpus", "8", *GPU)
    assert planned["methods"]
    costed = _cli(
        capsys, "cost", "--model", hf_id, *JOB[:-1], "--dataset-tokens", "10000000", "--json"
    )
    assert costed["rows"] or costed["skipped"]


@pytest.mark.parametrize("hf_id", REQUIRED_2025)
def test_dashboard_estimates_plans_and_costs(hf_id: str) -> None:
    gpus = load_gpus()
    plan = DEFAULT.with_(model=hf_id, seq_len=2048, batch_size=1)
    res = compute.run(plan, load_models()[hf_id].architecture, gpus)
    assert isinstance(res, Results), res
    assert isinstance(cost.run(plan.cost, res, gpus), CostResults)


@pytest.mark.parametrize("hf_id", MOE)
def test_lora_on_moe_attention_estimates_and_mlp_is_refused(capsys, hf_id: str) -> None:
    lora = ("estimate", "--model", hf_id, "--method", "single", "--finetune", "lora", *JOB)
    assert _cli(capsys, *lora)["peak_bytes"] > 0  # attention projections (peft's count: slow test)
    assert main([*lora, "--lora-targets", "all-linear"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["field"] == "lora_targets"
