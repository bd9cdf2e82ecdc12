"""LoRA's trainable parameters on the families of 2025 against peft itself (0.21, on the meta
device): llmem's adapter count equals what get_peft_model makes trainable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from llmem_core.adapters import adapter_params, peft_target_modules, roles  # noqa: E402
from llmem_core.presets import resolve_model  # noqa: E402

pytestmark = pytest.mark.slow
CONFIGS = Path(__file__).parents[1] / "fixtures" / "reference" / "families-2025" / "configs"
CASES = [(f, "attn") for f in ("qwen3_moe", "gpt_oss", "deepseek_v2", "deepseek_v3")]
CASES += [(f, t) for f in ("qwen3", "gemma3", "olmo2", "smollm3") for t in ("attn", "all-linear")]


@pytest.mark.parametrize(("family", "targets"), CASES)
def test_adapter_count_is_peft_s(family: str, targets: str) -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM

    path = CONFIGS / f"{family}-tiny.json"
    cfg = json.loads(path.read_text())
    arch = resolve_model(str(path))
    lora = LoraConfig(
        r=8, target_modules=peft_target_modules(arch.family, targets), task_type="CAUSAL_LM"
    )
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.for_model(cfg.pop("model_type"), **cfg))
        trainable = sum(
            p.numel() for p in get_peft_model(model, lora).parameters() if p.requires_grad
        )
    assert adapter_params(arch, roles(targets), 8) == trainable
