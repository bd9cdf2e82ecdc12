"""Parameter counts against the real models: `params_exact` was counted by transformers 5.24
building each model on the meta device (presets/hf-model-configs.md, Verification)."""

from __future__ import annotations

import json

import pytest

from llmem_core.params import counts, tensors
from llmem_core.presets import load_models, presets_dir

RAW = json.loads((presets_dir() / "hf-model-configs.json").read_text())


@pytest.mark.parametrize("hf_id", sorted(RAW))
def test_total_equals_transformers_count(hf_id: str) -> None:
    assert counts(load_models()[hf_id].architecture).total == RAW[hf_id]["params_exact"]


@pytest.mark.parametrize("hf_id", sorted(RAW))
def test_embedding_and_lm_head_split(hf_id: str) -> None:
    breakdown = RAW[hf_id]["params_breakdown"]
    c = counts(load_models()[hf_id].architecture)
    assert c.embedding == breakdown["input_embedding"]
    lm_head_own = 0 if breakdown["lm_head_tied_to_embedding"] else breakdown["lm_head"]
    assert (
        c.lm_head - (RAW[hf_id]["config"].get("vocab_size", 0) if breakdown["lm_head_bias"] else 0)
        == lm_head_own
    )


@pytest.mark.parametrize("hf_id", sorted(RAW))
def test_tensor_count_matches_module_layout(hf_id: str) -> None:
    """Same number of parameter tensors as the real module tree (fused projections included)."""
    assert (
        len(tensors(load_models()[hf_id].architecture))
        == RAW[hf_id]["params_breakdown"]["param_tensors"]
    )


EXACT = sorted(k for k, v in RAW.items() if v["params_published"]["kind"] == "exact")


@pytest.mark.parametrize("hf_id", EXACT)
def test_published_exact_totals(hf_id: str) -> None:
    """BLOOM and Llama-2 publish exact totals (model cards) and must match to the parameter.
    Gemma 2's report counts a padded 256,128-row embedding (params_note): there the
    non-embedding count must match exactly and the total differs by 128·hidden."""
    rec = RAW[hf_id]
    c = counts(load_models()[hf_id].architecture)
    if rec["params_match"]:
        assert c.total == rec["params_published"]["value"]
    else:
        text = rec["params_published"]["text"]  # "590,118,912 embedding + 2,024,… non-embedding"
        non_embedding = int(text.split("+")[1].split()[0].replace(",", ""))
        assert c.total - c.embedding == non_embedding
        hidden = rec["config"]["hidden_size"]
        assert rec["params_published"]["value"] - c.total == 128 * hidden


def test_mixtral_active_parameters() -> None:
    """Mixtral-8x7B with 2 of 8 experts per token: 12,879,925,248 active (counted with
    transformers, presets/hf-model-configs.json params_breakdown.active_per_token)."""
    c = counts(load_models()["mistralai/Mixtral-8x7B-v0.1"].architecture)
    assert c.active == RAW["mistralai/Mixtral-8x7B-v0.1"]["params_breakdown"]["active_per_token"]


def test_tiny_by_hand(tiny) -> None:
    """wte 1000·64 = 64,000; wpe 128·64 = 8,192; per layer c_attn 64·192+192, c_proj 64·64+64,
    c_fc 64·256+256, c_proj 256·64+64, 2 LayerNorms 2·128 = 49,984; final LN 128.
    Total 64,000 + 8,192 + 2·49,984 + 128 = 172,288."""
    c = counts(tiny)
    assert (c.total, c.embedding, c.per_layer, c.lm_head) == (172_288, 64_000, 49_984, 0)
