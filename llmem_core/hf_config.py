"""Hugging Face config.json (already parsed into a dict) → Architecture, without transformers.

Only plain JSON values are read; nothing is imported or executed. Each family's reader
mirrors the defaults of its transformers 5.24 config class (cited per family) and the module
layout of its modeling file, so the parameter counts come out exact (tests/test_params.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from llmem_core.errors import InputError
from llmem_core.models import (
    Architecture,
    AttentionImpl,
    Family,
    MlpKind,
    NormKind,
    PositionKind,
)

Config = dict[str, Any]

# Gated activations per family are fixed by the modeling code; the name is for display.
_EAGER_FAMILIES = {Family.BLOOM, Family.GPT_NEO, Family.GEMMA2}  # no SDPA path (model-configs.md)


def _get(cfg: Config, *keys: str, default: Any = None, required: bool = True) -> Any:
    """The first of `keys` present in cfg; a clear error naming them if required and absent."""
    for key in keys:
        if key in cfg and cfg[key] is not None:
            return _checked_size(key, cfg[key]) if key in _SIZE_KEYS else cfg[key]
    if default is not None or not required:
        return default
    raise InputError(f"config.json: missing field {' / '.join(keys)}")


# Keys that must hold a whole number: checked here so the message names the key.
_SIZE_KEYS = frozenset(
    """hidden_size n_embd n_embed num_attention_heads n_head num_heads num_hidden_layers n_layer
    num_layers num_key_value_heads head_dim intermediate_size ffn_dim n_inner vocab_size
    word_embed_proj_dim max_position_embeddings n_positions num_local_experts
    num_experts_per_tok""".split()
)


def _checked_size(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"config.json: {key} must be a positive whole number (got {value!r})")
    return value


def _base(cfg: Config, family: Family, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "family": family,
        "attention_impl": AttentionImpl.EAGER if family in _EAGER_FAMILIES else AttentionImpl.SDPA,
    }


def _opt(cfg: Config, name: str) -> dict[str, Any]:
    # OPTConfig / OPTDecoder: learned positions with an offset of 2, optional projections.
    h = _get(cfg, "hidden_size")
    heads = _get(cfg, "num_attention_heads")
    bias = _get(cfg, "enable_bias", default=True)
    return {
        **_base(cfg, Family.OPT, name),
        "num_layers": _get(cfg, "num_hidden_layers"),
        "hidden_size": h,
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "head_dim": h // heads,
        "intermediate_size": _get(cfg, "ffn_dim"),
        "mlp_kind": MlpKind.PLAIN,
        "activation": _get(cfg, "activation_function", default="relu"),
        "vocab_size": _get(cfg, "vocab_size"),
        "embedding_dim": _get(cfg, "word_embed_proj_dim", default=h),
        "tie_word_embeddings": _get(cfg, "tie_word_embeddings", default=True),
        "position_embedding": PositionKind.LEARNED,
        "learned_positions": _get(cfg, "max_position_embeddings") + 2,
        "norm_kind": NormKind.LAYERNORM,
        "norms_per_layer": 2,
        "final_norm": bool(_get(cfg, "do_layer_norm_before", default=True))
        and not cfg.get("_remove_final_layer_norm", False),
        "qkv_bias": bias,
        "o_bias": bias,
        "mlp_bias": bias,
        "hidden_dropout": _get(cfg, "dropout", default=0.1),
        "attention_dropout": _get(cfg, "attention_dropout", default=0.0),
    }


def _bloom(cfg: Config, name: str) -> dict[str, Any]:
    # BloomConfig: n_embed / hidden_size, n_layer, n_head; fused qkv; ALiBi; embedding LayerNorm.
    h = _get(cfg, "hidden_size", "n_embed")
    heads = _get(cfg, "n_head", "num_attention_heads")
    return {
        **_base(cfg, Family.BLOOM, name),
        "num_layers": _get(cfg, "n_layer", "num_hidden_layers"),
        "hidden_size": h,
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "head_dim": h // heads,
        "intermediate_size": 4 * h,
        "mlp_kind": MlpKind.PLAIN,
        "activation": "bloom_gelu",
        "vocab_size": _get(cfg, "vocab_size"),
        "embedding_dim": h,
        "tie_word_embeddings": _get(cfg, "tie_word_embeddings", default=True),
        "position_embedding": PositionKind.ALIBI,
        "learned_positions": 0,
        "norm_kind": NormKind.LAYERNORM,
        "norms_per_layer": 2,
        "final_norm": True,
        "embedding_norm": True,
        "qkv_bias": True,
        "o_bias": True,
        "mlp_bias": True,
        "fused_qkv": True,
        "hidden_dropout": _get(cfg, "hidden_dropout", default=0.0),
        "attention_dropout": _get(cfg, "attention_dropout", default=0.0),
    }


def _gpt2_like(cfg: Config, family: Family, name: str) -> dict[str, Any]:
    # GPT2Config / GPTBigCodeConfig: n_embd, n_layer, n_head, n_inner (None → 4·h), wpe.
    h = _get(cfg, "n_embd", "hidden_size")
    heads = _get(cfg, "n_head", "num_attention_heads", "num_heads")
    multi_query = family == Family.GPT_BIGCODE and _get(cfg, "multi_query", default=True)
    return {
        **_base(cfg, family, name),
        "num_layers": _get(cfg, "n_layer", "num_hidden_layers", "num_layers"),
        "hidden_size": h,
        "num_attention_heads": heads,
        "num_key_value_heads": 1 if multi_query else heads,
        "head_dim": h // heads,
        "intermediate_size": _get(cfg, "n_inner", default=4 * h),
        "mlp_kind": MlpKind.PLAIN,
        "activation": _get(cfg, "activation_function", default="gelu_new"),
        "vocab_size": _get(cfg, "vocab_size"),
        "embedding_dim": h,
        "tie_word_embeddings": _get(cfg, "tie_word_embeddings", default=True),
        "position_embedding": PositionKind.LEARNED,
        "learned_positions": _get(cfg, "n_positions", "max_position_embeddings", default=1024),
        "norm_kind": NormKind.LAYERNORM,
        "norms_per_layer": 2,
        "final_norm": True,
        "qkv_bias": True,
        "o_bias": True,
        "mlp_bias": True,
        "fused_qkv": True,
        "hidden_dropout": _get(cfg, "resid_pdrop", default=0.1),
        "attention_dropout": _get(cfg, "attn_pdrop", default=0.1),
    }


def _gpt2(cfg: Config, name: str) -> dict[str, Any]:
    return _gpt2_like(cfg, Family.GPT2, name)


def _gpt_bigcode(cfg: Config, name: str) -> dict[str, Any]:
    return _gpt2_like(cfg, Family.GPT_BIGCODE, name)


def _gpt_neo(cfg: Config, name: str) -> dict[str, Any]:
    # GPTNeoConfig: separate q/k/v without bias, out_proj with bias, wpe, intermediate None → 4·h.
    h = _get(cfg, "hidden_size")
    heads = _get(cfg, "num_heads", "num_attention_heads")
    return {
        **_gpt2_like(cfg, Family.GPT_NEO, name),
        "num_layers": _get(cfg, "num_layers", "num_hidden_layers"),
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "head_dim": h // heads,
        "intermediate_size": _get(cfg, "intermediate_size", default=4 * h),
        "learned_positions": _get(cfg, "max_position_embeddings"),
        "qkv_bias": False,
        "fused_qkv": False,
        "hidden_dropout": _get(cfg, "resid_dropout", default=0.0),
        "attention_dropout": _get(cfg, "attention_dropout", default=0.0),
    }


def _codegen(cfg: Config, name: str) -> dict[str, Any]:
    # CodeGenConfig: fused qkv without bias, parallel attention+MLP under one ln_1, rotary,
    # untied lm_head with a bias.
    return {
        **_gpt2_like(cfg, Family.CODEGEN, name),
        "tie_word_embeddings": _get(cfg, "tie_word_embeddings", default=False),
        "position_embedding": PositionKind.ROTARY,
        "learned_positions": 0,
        "norms_per_layer": 1,
        "qkv_bias": False,
        "o_bias": False,
        "lm_head_bias": True,
        "hidden_dropout": _get(cfg, "resid_pdrop", default=0.0),
        "attention_dropout": _get(cfg, "attn_pdrop", default=0.0),
    }


def _biogpt(cfg: Config, name: str) -> dict[str, Any]:
    # BioGptConfig: OPT-like with learned positions offset by 2 and tied output projection.
    h = _get(cfg, "hidden_size")
    heads = _get(cfg, "num_attention_heads")
    return {
        **_opt({**cfg, "ffn_dim": _get(cfg, "intermediate_size")}, name),
        **_base(cfg, Family.BIOGPT, name),
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "head_dim": h // heads,
        "activation": _get(cfg, "hidden_act", default="gelu"),
        "embedding_dim": h,
        "final_norm": True,
        "hidden_dropout": _get(cfg, "hidden_dropout_prob", default=0.1),
        "attention_dropout": _get(cfg, "attention_probs_dropout_prob", default=0.1),
    }


def _llama_like(cfg: Config, family: Family, name: str) -> dict[str, Any]:
    # LlamaConfig and its descendants: RMSNorm, rotary, gated MLP, optional GQA and biases.
    h = _get(cfg, "hidden_size")
    heads = _get(cfg, "num_attention_heads")
    attention_bias = _get(cfg, "attention_bias", default=False)
    return {
        **_base(cfg, family, name),
        "num_layers": _get(cfg, "num_hidden_layers"),
        "hidden_size": h,
        "num_attention_heads": heads,
        "num_key_value_heads": _get(cfg, "num_key_value_heads", default=heads),
        "head_dim": _get(cfg, "head_dim", default=h // heads),
        "intermediate_size": _get(cfg, "intermediate_size"),
        "mlp_kind": MlpKind.GATED,
        "activation": _get(cfg, "hidden_activation", "hidden_act", default="silu"),
        "vocab_size": _get(cfg, "vocab_size"),
        "embedding_dim": h,
        "tie_word_embeddings": _get(cfg, "tie_word_embeddings", default=False),
        "position_embedding": PositionKind.ROTARY,
        "learned_positions": 0,
        "norm_kind": NormKind.RMSNORM,
        "norms_per_layer": 2,
        "final_norm": True,
        "qkv_bias": attention_bias,
        "o_bias": attention_bias,
        "mlp_bias": _get(cfg, "mlp_bias", default=False),
        "attention_dropout": _get(cfg, "attention_dropout", default=0.0),
    }


def _llama(cfg: Config, name: str) -> dict[str, Any]:
    return _llama_like(cfg, Family.LLAMA, name)


def _mistral(cfg: Config, name: str) -> dict[str, Any]:
    return _llama_like(cfg, Family.MISTRAL, name)


def _mixtral(cfg: Config, name: str) -> dict[str, Any]:
    return {
        **_llama_like(cfg, Family.MIXTRAL, name),
        "num_experts": _get(cfg, "num_local_experts", default=8),
        "experts_per_token": _get(cfg, "num_experts_per_tok", default=2),
    }


def _qwen2(cfg: Config, name: str) -> dict[str, Any]:
    # Qwen2Attention: q/k/v with bias, o_proj without (modeling_qwen2.py).
    return {
        **_llama_like(cfg, Family.QWEN2, name),
        "tie_word_embeddings": _get(cfg, "tie_word_embeddings", default=False),
        "qkv_bias": True,
        "o_bias": False,
    }


def _gemma2(cfg: Config, name: str) -> dict[str, Any]:
    # Gemma2DecoderLayer: four RMSNorms (pre/post attention, pre/post feed-forward); tied.
    return {
        **_llama_like(cfg, Family.GEMMA2, name),
        "tie_word_embeddings": _get(cfg, "tie_word_embeddings", default=True),
        "norms_per_layer": 4,
    }


def _phi3(cfg: Config, name: str) -> dict[str, Any]:
    # Phi3Attention: one qkv_proj; Phi3MLP: one gate_up_proj; no biases; untied lm_head.
    return {
        **_llama_like(cfg, Family.PHI3, name),
        "fused_qkv": True,
        "fused_gate_up": True,
        "hidden_dropout": _get(cfg, "resid_pdrop", default=0.0),
    }


_READERS: dict[str, Callable[[Config, str], dict[str, Any]]] = {
    "opt": _opt,
    "bloom": _bloom,
    "codegen": _codegen,
    "biogpt": _biogpt,
    "gpt_bigcode": _gpt_bigcode,
    "gpt_neo": _gpt_neo,
    "gpt2": _gpt2,
    "llama": _llama,
    "mistral": _mistral,
    "mixtral": _mixtral,
    "qwen2": _qwen2,
    "gemma2": _gemma2,
    "phi3": _phi3,
}

SUPPORTED_MODEL_TYPES = tuple(sorted(_READERS))


def architecture_from_config(cfg: Config, name: str, buffer_bytes: int = 0) -> Architecture:
    """A parsed config.json → Architecture; InputError naming the field on any problem."""
    if not isinstance(cfg, dict):
        raise InputError("config.json: expected a JSON object at the top level")
    model_type = cfg.get("model_type")
    if model_type not in _READERS:
        raise InputError(
            f"config.json: model_type {model_type!r} is not supported; "
            f"supported: {', '.join(SUPPORTED_MODEL_TYPES)}"
        )
    try:
        fields = _READERS[model_type](cfg, name)
        return Architecture(**fields, buffer_bytes=buffer_bytes)
    except (TypeError, ArithmeticError) as err:
        raise InputError(f"config.json: a size field has the wrong type ({err})") from err
    except ValidationError as err:
        raise InputError("config.json: " + first_error(err)) from err


def first_error(err: ValidationError) -> str:
    """One readable line from a pydantic error: the field, the value and what it accepts."""
    e = err.errors()[0]
    where = ".".join(str(p) for p in e["loc"]) or "value"
    bounds = _bounds(err.title, str(e["loc"][-1])) if e["loc"] else None
    if bounds and e["type"] in _RANGE_ERRORS:
        return f"{where}: must be between {bounds[0]:,} and {bounds[1]:,} (got {e['input']!r})"
    return f"{where}: {e['msg']} (got {e.get('input')!r})"


_RANGE_ERRORS = {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}


def _bounds(model_name: str, field: str) -> tuple[float, float] | None:
    """(ge, le) of a field of an llmem model, read from its declaration."""
    from llmem_core import models

    cls = getattr(models, model_name, None)
    info = getattr(cls, "model_fields", {}).get(field)
    if info is None:
        return None
    low = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
    high = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    return (low, high) if low is not None and high is not None else None


def read_config_text(text: str, name: str) -> Architecture:
    """The text of a config.json (a user upload or file) → Architecture."""
    if len(text) > 1_000_000:
        raise InputError("config.json: file is larger than 1 MB; is it really a config?")
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"config.json: not valid JSON (line {err.lineno}: {err.msg})") from err
    return architecture_from_config(cfg, name)
