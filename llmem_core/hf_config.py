"""Hugging Face config.json (already parsed into a dict) → Architecture, without transformers.

Only plain JSON values are read (safe_json bounds the text, its depth and its numbers), with
strict types: a string is not a boolean, a list is not a model type, a float is not a size;
nothing is imported or executed. Each family's reader
mirrors the defaults of its transformers 5.24 config class (cited per family) and the module
layout of its modeling file, so the parameter counts come out exact (tests/test_params.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmem_core import safe_json
from llmem_core.errors import InputError, echo
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
# Learned position tables with rows before position 0: OPTLearnedPositionalEmbedding and
# BioGptLearnedPositionalEmbedding add an offset of 2 (modeling_opt.py, modeling_biogpt.py).
_POSITION_OFFSET = 2
MAX_SIZE = 2**40  # any size key beyond this is a typo (a trillion-wide layer), not a model


def _bad(key: str, wanted: str, value: Any) -> InputError:
    return InputError("model", f"config.json: {key} must be {wanted} (got {echo(value)})")


def _raw(cfg: Config, keys: tuple[str, ...]) -> tuple[str, Any] | None:
    """The first of `keys` present (and not null) in cfg."""
    for key in keys:
        if cfg.get(key) is not None:
            return key, cfg[key]
    return None


def _int(cfg: Config, *keys: str, default: int | None = None) -> int:
    """A positive whole number (JSON booleans and floats refused); InputError if absent and
    no default."""
    found = _raw(cfg, keys)
    if found is None:
        if default is None:
            raise InputError("model", f"config.json: missing field {' / '.join(keys)}")
        return default
    key, value = found
    if type(value) is not int or not 1 <= value <= MAX_SIZE:
        raise _bad(key, f"a whole number from 1 to {MAX_SIZE:,}", value)
    return value


def _bool(cfg: Config, key: str, default: bool) -> bool:
    """true or false; a string such as "false" is refused (transformers would read any
    non-empty string as true, so its meaning is ambiguous)."""
    value = cfg.get(key)
    if value is None:
        return default
    if type(value) is not bool:
        raise _bad(key, "true or false", value)
    return value


def _str(cfg: Config, *keys: str, default: str) -> str:
    found = _raw(cfg, keys)
    if found is None:
        return default
    key, value = found
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise _bad(key, "a name of 1 to 64 characters", value)
    return value


def _fraction(cfg: Config, *keys: str, default: float) -> float:
    found = _raw(cfg, keys)
    if found is None:
        return default
    key, value = found
    if type(value) not in (int, float) or not 0 <= value <= 1:
        raise _bad(key, "a number from 0 to 1", value)
    return float(value)


def _head_dim(cfg: Config, hidden: int, heads: int, explicit: bool = False) -> int:
    """head_dim from the config where the family reads it, else hidden ÷ heads, which must
    then divide exactly (transformers would build a model of another width)."""
    if explicit and cfg.get("head_dim") is not None:
        return _int(cfg, "head_dim")
    if hidden % heads:
        raise InputError(
            "model",
            f"config.json: the attention heads ({heads:,}) must divide hidden_size "
            f"({hidden:,}) unless head_dim is given",
        )
    return hidden // heads


def _base(cfg: Config, family: Family, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "family": family,
        "attention_impl": AttentionImpl.EAGER if family in _EAGER_FAMILIES else AttentionImpl.SDPA,
    }


def _opt(cfg: Config, name: str) -> dict[str, Any]:
    # OPTConfig / OPTDecoder: learned positions with an offset of 2, optional projections.
    h = _int(cfg, "hidden_size")
    heads = _int(cfg, "num_attention_heads")
    bias = _bool(cfg, "enable_bias", default=True)
    return {
        **_base(cfg, Family.OPT, name),
        "num_layers": _int(cfg, "num_hidden_layers"),
        "hidden_size": h,
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "head_dim": _head_dim(cfg, h, heads),
        "intermediate_size": _int(cfg, "ffn_dim"),
        "mlp_kind": MlpKind.PLAIN,
        "activation": _str(cfg, "activation_function", default="relu"),
        "vocab_size": _int(cfg, "vocab_size"),
        "embedding_dim": _int(cfg, "word_embed_proj_dim", default=h),
        "tie_word_embeddings": _bool(cfg, "tie_word_embeddings", default=True),
        "position_embedding": PositionKind.LEARNED,
        "learned_positions": _int(cfg, "max_position_embeddings") + _POSITION_OFFSET,
        "position_offset": _POSITION_OFFSET,
        "norm_kind": NormKind.LAYERNORM,
        "norms_per_layer": 2,
        "final_norm": _bool(cfg, "do_layer_norm_before", default=True)
        and not _bool(cfg, "_remove_final_layer_norm", default=False),
        "qkv_bias": bias,
        "o_bias": bias,
        "mlp_bias": bias,
        "hidden_dropout": _fraction(cfg, "dropout", default=0.1),
        "attention_dropout": _fraction(cfg, "attention_dropout", default=0.0),
    }


def _bloom(cfg: Config, name: str) -> dict[str, Any]:
    # BloomConfig: n_embed / hidden_size, n_layer, n_head; fused qkv; ALiBi; embedding LayerNorm.
    h = _int(cfg, "hidden_size", "n_embed")
    heads = _int(cfg, "n_head", "num_attention_heads")
    return {
        **_base(cfg, Family.BLOOM, name),
        "num_layers": _int(cfg, "n_layer", "num_hidden_layers"),
        "hidden_size": h,
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "head_dim": _head_dim(cfg, h, heads),
        "intermediate_size": 4 * h,
        "mlp_kind": MlpKind.PLAIN,
        "activation": "bloom_gelu",
        "vocab_size": _int(cfg, "vocab_size"),
        "embedding_dim": h,
        "tie_word_embeddings": _bool(cfg, "tie_word_embeddings", default=True),
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
        "hidden_dropout": _fraction(cfg, "hidden_dropout", default=0.0),
        "attention_dropout": _fraction(cfg, "attention_dropout", default=0.0),
    }


def _gpt2_like(cfg: Config, family: Family, name: str) -> dict[str, Any]:
    # GPT2Config / GPTBigCodeConfig: n_embd, n_layer, n_head, n_inner (None → 4·h), wpe.
    h = _int(cfg, "n_embd", "hidden_size")
    heads = _int(cfg, "n_head", "num_attention_heads", "num_heads")
    multi_query = family == Family.GPT_BIGCODE and _bool(cfg, "multi_query", default=True)
    return {
        **_base(cfg, family, name),
        "num_layers": _int(cfg, "n_layer", "num_hidden_layers", "num_layers"),
        "hidden_size": h,
        "num_attention_heads": heads,
        "num_key_value_heads": 1 if multi_query else heads,
        "head_dim": _head_dim(cfg, h, heads),
        "intermediate_size": _int(cfg, "n_inner", default=4 * h),
        "mlp_kind": MlpKind.PLAIN,
        "activation": _str(cfg, "activation_function", default="gelu_new"),
        "vocab_size": _int(cfg, "vocab_size"),
        "embedding_dim": h,
        "tie_word_embeddings": _bool(cfg, "tie_word_embeddings", default=True),
        "position_embedding": PositionKind.LEARNED,
        "learned_positions": _int(cfg, "n_positions", "max_position_embeddings", default=1024),
        "norm_kind": NormKind.LAYERNORM,
        "norms_per_layer": 2,
        "final_norm": True,
        "qkv_bias": True,
        "o_bias": True,
        "mlp_bias": True,
        "fused_qkv": True,
        "hidden_dropout": _fraction(cfg, "resid_pdrop", default=0.1),
        "attention_dropout": _fraction(cfg, "attn_pdrop", default=0.1),
    }


def _gpt2(cfg: Config, name: str) -> dict[str, Any]:
    return _gpt2_like(cfg, Family.GPT2, name)


def _gpt_bigcode(cfg: Config, name: str) -> dict[str, Any]:
    return _gpt2_like(cfg, Family.GPT_BIGCODE, name)


def _gpt_neo(cfg: Config, name: str) -> dict[str, Any]:
    # GPTNeoConfig: separate q/k/v without bias, out_proj with bias, wpe, intermediate None → 4·h.
    h = _int(cfg, "hidden_size")
    heads = _int(cfg, "num_heads", "num_attention_heads")
    return {
        **_gpt2_like(cfg, Family.GPT_NEO, name),
        "num_layers": _int(cfg, "num_layers", "num_hidden_layers"),
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "head_dim": _head_dim(cfg, h, heads),
        "intermediate_size": _int(cfg, "intermediate_size", default=4 * h),
        "learned_positions": _int(cfg, "max_position_embeddings"),
        "qkv_bias": False,
        "fused_qkv": False,
        "hidden_dropout": _fraction(cfg, "resid_dropout", default=0.0),
        "attention_dropout": _fraction(cfg, "attention_dropout", default=0.0),
    }


def _codegen(cfg: Config, name: str) -> dict[str, Any]:
    # CodeGenConfig: fused qkv without bias, parallel attention+MLP under one ln_1, rotary,
    # untied lm_head with a bias.
    return {
        **_gpt2_like(cfg, Family.CODEGEN, name),
        "tie_word_embeddings": _bool(cfg, "tie_word_embeddings", default=False),
        "position_embedding": PositionKind.ROTARY,
        "learned_positions": 0,
        "norms_per_layer": 1,
        "qkv_bias": False,
        "o_bias": False,
        "lm_head_bias": True,
        "hidden_dropout": _fraction(cfg, "resid_pdrop", default=0.0),
        "attention_dropout": _fraction(cfg, "attn_pdrop", default=0.0),
    }


def _biogpt(cfg: Config, name: str) -> dict[str, Any]:
    # BioGptConfig: OPT-like with learned positions offset by 2 and tied output projection.
    h = _int(cfg, "hidden_size")
    heads = _int(cfg, "num_attention_heads")
    return {
        **_opt({**cfg, "ffn_dim": _int(cfg, "intermediate_size")}, name),
        **_base(cfg, Family.BIOGPT, name),
        "num_attention_heads": heads,
        "num_key_value_heads": heads,
        "head_dim": _head_dim(cfg, h, heads),
        "activation": _str(cfg, "hidden_act", default="gelu"),
        "embedding_dim": h,
        "final_norm": True,
        "hidden_dropout": _fraction(cfg, "hidden_dropout_prob", default=0.1),
        "attention_dropout": _fraction(cfg, "attention_probs_dropout_prob", default=0.1),
    }


def _llama_like(cfg: Config, family: Family, name: str) -> dict[str, Any]:
    # LlamaConfig and its descendants: RMSNorm, rotary, gated MLP, optional GQA and biases.
    h = _int(cfg, "hidden_size")
    heads = _int(cfg, "num_attention_heads")
    attention_bias = _bool(cfg, "attention_bias", default=False)
    return {
        **_base(cfg, family, name),
        "num_layers": _int(cfg, "num_hidden_layers"),
        "hidden_size": h,
        "num_attention_heads": heads,
        "num_key_value_heads": _int(cfg, "num_key_value_heads", default=heads),
        "head_dim": _head_dim(cfg, h, heads, explicit=True),
        "intermediate_size": _int(cfg, "intermediate_size"),
        "mlp_kind": MlpKind.GATED,
        "activation": _str(cfg, "hidden_activation", "hidden_act", default="silu"),
        "vocab_size": _int(cfg, "vocab_size"),
        "embedding_dim": h,
        "tie_word_embeddings": _bool(cfg, "tie_word_embeddings", default=False),
        "position_embedding": PositionKind.ROTARY,
        "learned_positions": 0,
        "norm_kind": NormKind.RMSNORM,
        "norms_per_layer": 2,
        "final_norm": True,
        "qkv_bias": attention_bias,
        "o_bias": attention_bias,
        "mlp_bias": _bool(cfg, "mlp_bias", default=False),
        "attention_dropout": _fraction(cfg, "attention_dropout", default=0.0),
    }


def _llama(cfg: Config, name: str) -> dict[str, Any]:
    return _llama_like(cfg, Family.LLAMA, name)


def _mistral(cfg: Config, name: str) -> dict[str, Any]:
    return _llama_like(cfg, Family.MISTRAL, name)


def _mixtral(cfg: Config, name: str) -> dict[str, Any]:
    return {
        **_llama_like(cfg, Family.MIXTRAL, name),
        "num_experts": _int(cfg, "num_local_experts", default=8),
        "experts_per_token": _int(cfg, "num_experts_per_tok", default=2),
    }


def _qwen2(cfg: Config, name: str) -> dict[str, Any]:
    # Qwen2Attention: q/k/v with bias, o_proj without (modeling_qwen2.py).
    return {
        **_llama_like(cfg, Family.QWEN2, name),
        "tie_word_embeddings": _bool(cfg, "tie_word_embeddings", default=False),
        "qkv_bias": True,
        "o_bias": False,
    }


def _gemma2(cfg: Config, name: str) -> dict[str, Any]:
    # Gemma2DecoderLayer: four RMSNorms (pre/post attention, pre/post feed-forward); tied.
    return {
        **_llama_like(cfg, Family.GEMMA2, name),
        "tie_word_embeddings": _bool(cfg, "tie_word_embeddings", default=True),
        "norms_per_layer": 4,
    }


def _phi3(cfg: Config, name: str) -> dict[str, Any]:
    # Phi3Attention: one qkv_proj; Phi3MLP: one gate_up_proj; no biases; untied lm_head.
    return {
        **_llama_like(cfg, Family.PHI3, name),
        "fused_qkv": True,
        "fused_gate_up": True,
        "hidden_dropout": _fraction(cfg, "resid_pdrop", default=0.0),
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
    """A parsed config.json → Architecture; InputError (field `model`) on any problem."""
    if not isinstance(cfg, dict):
        raise InputError("model", "config.json: expected a JSON object at the top level")
    model_type = cfg.get("model_type")
    if not isinstance(model_type, str) or model_type not in _READERS:
        raise InputError(
            "model",
            f"config.json: model_type must be one of {', '.join(SUPPORTED_MODEL_TYPES)} "
            f"(got {echo(model_type)})",
        )
    fields = _READERS[model_type](cfg, name)
    try:
        return Architecture(**fields, buffer_bytes=buffer_bytes)
    except InputError as err:
        raise InputError("model", f"config.json: {err}") from None


def read_config_text(text: str, name: str) -> Architecture:
    """The text of a config.json (a user upload or file) → Architecture."""
    return architecture_from_config(safe_json.loads(text, "model"), name)
