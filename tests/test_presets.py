"""The presets: every model from issue #2 present by HF id; the GPU catalog current and sourced."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from llmem_core import InputError, find_gpu, find_model, load_gpus, load_models

ROOT = Path(__file__).resolve().parent.parent

REQUIRED_MODELS = [
    "facebook/opt-125m",
    "facebook/opt-350m",
    "facebook/opt-1.3b",
    "facebook/opt-2.7b",
    "facebook/opt-6.7b",
    "bigscience/bloom-560m",
    "bigscience/bloom-1b1",
    "bigscience/bloom-1b7",
    "bigscience/bloom-3b",
    "Salesforce/codegen-350M-nl",
    "Salesforce/codegen-2B-nl",
    "microsoft/biogpt",
    "microsoft/BioGPT-Large",
    "bigcode/gpt_bigcode-santacoder",
    "EleutherAI/gpt-neo-125m",
    "EleutherAI/gpt-neo-1.3B",
    "EleutherAI/gpt-neo-2.7B",
    "huggyllama/llama-7b",
    "openai-community/gpt2",
    "openai-community/gpt2-medium",
    "openai-community/gpt2-large",
    "openai-community/gpt2-xl",
    "meta-llama/Llama-2-7b-hf",
    "meta-llama/Llama-2-13b-hf",
    "meta-llama/Llama-2-70b-hf",
    "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.1-70B",
    "meta-llama/Llama-3.2-1B",
    "meta-llama/Llama-3.2-3B",
    "TinyLlama/TinyLlama_v1.1",
    "mistralai/Mistral-7B-v0.3",
    "mistralai/Mixtral-8x7B-v0.1",
    "Qwen/Qwen2-0.5B",
    "Qwen/Qwen2.5-0.5B",
    "Qwen/Qwen2.5-1.5B",
    "Qwen/Qwen2.5-7B",
    "Qwen/Qwen2.5-14B",
    "Qwen/Qwen2.5-32B",
    "Qwen/Qwen2.5-72B",
    "google/gemma-2-2b",
    "google/gemma-2-9b",
    "google/gemma-2-27b",
    "microsoft/Phi-3-mini-4k-instruct",
]

REQUIRED_GPUS = [
    "v100-16gb",
    "v100-32gb",
    "t4-16gb",
    "a10g-24gb",
    "l4-24gb",
    "l40s-48gb",
    "a100-40gb",
    "a100-80gb",
    "h100-80gb",
    "h200-141gb",
    "b200-180gb",
    "rtx3090-24gb",
    "rtx4090-24gb",
    "rtx5090-32gb",
    "mi300x-192gb",
]


@pytest.mark.parametrize("hf_id", REQUIRED_MODELS)
def test_every_model_of_the_issue_is_a_preset(hf_id: str) -> None:
    preset = load_models()[hf_id]
    assert preset.source and preset.params_published


def test_lookup_by_short_name_and_case() -> None:
    assert find_model("OPT-125M").hf_id == "facebook/opt-125m"
    with pytest.raises(InputError, match="model"):
        find_model("opt-999b")


@pytest.mark.parametrize("key", REQUIRED_GPUS)
def test_required_gpu_keys(key: str) -> None:
    gpu = find_gpu(key)
    assert gpu.memory_bytes > 0 and gpu.as_of


def test_v100_is_16384_mib_as_in_the_paper() -> None:
    assert find_gpu("v100-16gb").memory_bytes == 16384 * 2**20


def test_every_price_has_a_source() -> None:
    for gpu in load_gpus().values():
        if gpu.purchase_usd is not None:
            assert gpu.purchase_source
        if gpu.cloud_usd_per_hour_low is not None:
            assert gpu.cloud_source and gpu.cloud_usd_per_hour_low <= gpu.cloud_usd_per_hour_high


def test_catalog_json_is_built_from_the_csv() -> None:
    spec = importlib.util.spec_from_file_location("build", ROOT / "scripts/build_gpu_catalog.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    fresh = build.build(ROOT / "llmem_core" / "presets" / "gpus-source.csv")
    assert fresh == json.loads((ROOT / "llmem_core" / "presets" / "gpus.json").read_text())
