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
    MAX_NAME_CHARS,
    Architecture,
    AttentionImpl,
    Family,
    Mla,
    MlpKind,
    NormKind,
    PositionKind,
    QkNorm,
)

Config = dict[str, Any]

# Gated activations per family are fixed by the modeling code; the name is for display.
# No SDPA path (model-configs.md; gpt-oss: SDPA has no attention sinks, its record says eager).
_EAGER_FAMILIES = {Family.BLOOM, Family.GPT_NEO, Family.GEMMA2, Family.GPT_OSS}
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


def _count(cfg: Config, key: str, default: int) -> int:
    """A whole number that may be 0 (a count of layers)."""
    value = cfg.get(key)
    if value is None:
        return default
    if type(value) is not int or not 0 <= value <= MAX_SIZE:
        raise _bad(key, f"a whole number from 0 to {MAX_SIZE:,}", value)
    return value


def _str(cfg: Config, *keys: str, default: str) -> str:
    found = _raw(cfg, keys)
    if found is None:
        return default
    key, value = found
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_NAME_CHARS:
        raise _bad(key, f"a name of 1 to {MAX_NAME_CHARS} characters", value)
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


# ---- issue #13: the families of 2025 (transformers 5.24 config classes and modeling files) ----


def _layer_flags(cfg: Config, key: str, n: int, default: list) -> list:
    """A per-layer list (layer_types, no_rope_layers): the config's, which must have one entry
    per layer, else the class's default pattern."""
    value = cfg.get(key)
    if value is None:
        return default
    if not isinstance(value, list) or len(value) != n:
        raise _bad(key, f"a list of {n:,} entries (one per layer)", value)
    return value


def _sliding(cfg: Config, n: int, default: list[str]) -> dict[str, Any]:
    """sliding_window and how many layers use it, from layer_types ("sliding_attention")."""
    types = _layer_flags(cfg, "layer_types", n, default)
    local = sum(1 for t in types if t == "sliding_attention")
    window = _int(cfg, "sliding_window", default=1) if local else 0
    return {"sliding_window": window, "sliding_layers": local}


def _qwen3(cfg: Config, name: str) -> dict[str, Any]:
    # Qwen3Config: head_dim default 128, q_norm/k_norm RMSNorm(head_dim) (modeling_qwen3.py);
    # layer_types: sliding from max_window_layers on when use_sliding_window (not in any preset).
    n = _int(cfg, "num_hidden_layers")
    window = _bool(cfg, "use_sliding_window", default=False)
    start = _int(cfg, "max_window_layers", default=28) if window else n
    default = ["sliding_attention" if window and i >= start else "full_attention" for i in range(n)]
    return {
        **_llama_like({"head_dim": 128, **cfg}, Family.QWEN3, name),
        "qk_norm": QkNorm.HEAD,
        **_sliding(cfg, n, default),
    }


def _qwen3_moe(cfg: Config, name: str) -> dict[str, Any]:
    # Qwen3MoeConfig: every layer sparse unless mlp_only_layers / decoder_sparse_step say
    # otherwise (refused here: no published Qwen3-MoE uses them); experts moe_intermediate_size.
    n = _int(cfg, "num_hidden_layers")
    step = _int(cfg, "decoder_sparse_step", default=1)
    if step != 1 or cfg.get("mlp_only_layers") not in (None, []):
        raise InputError(
            "model",
            "config.json: qwen3_moe with dense layers (mlp_only_layers, "
            "decoder_sparse_step > 1) is not modelled; give a config where every layer is MoE",
        )
    return {
        **_llama_like(cfg, Family.QWEN3_MOE, name),
        "qk_norm": QkNorm.HEAD,
        "num_experts": _int(cfg, "num_experts", default=128),
        "experts_per_token": _int(cfg, "num_experts_per_tok", default=8),
        "moe_intermediate_size": _int(cfg, "moe_intermediate_size", default=768),
        **_sliding(cfg, n, ["full_attention"] * n),
    }


def _text_config(cfg: Config) -> Config:
    """Gemma 3 ≥ 4B ships a multimodal config (model_type gemma3): its text model is text_config."""
    text = cfg.get("text_config")
    if text is None:
        return cfg
    if not isinstance(text, dict):
        raise _bad("text_config", "a JSON object", text)
    return text


def _gemma3(cfg: Config, name: str) -> dict[str, Any]:
    # Gemma3TextConfig: head_dim 256, vocab 262,208, tied, gelu_pytorch_tanh, window 4,096,
    # 5 local : 1 global (sliding_window_pattern 6); Gemma3DecoderLayer: four RMSNorms, and
    # q_norm/k_norm RMSNorm(head_dim). The vision tower of the multimodal checkpoints is left
    # out (the estimate is for fine-tuning the text model).
    text = _text_config(cfg)
    n = _int(text, "num_hidden_layers", default=26)
    pattern = _int(text, "sliding_window_pattern", "_sliding_window_pattern", default=6)
    default = [
        "full_attention" if (i + 1) % pattern == 0 else "sliding_attention" for i in range(n)
    ]
    defaults = {
        "hidden_size": 2304,
        "intermediate_size": 9216,
        "num_hidden_layers": 26,
        "num_attention_heads": 8,
        "num_key_value_heads": 4,
        "head_dim": 256,
        "vocab_size": 262_208,
        "sliding_window": 4096,
    }
    full = {**defaults, **{k: v for k, v in text.items() if v is not None}}
    return {
        **_llama_like(full, Family.GEMMA3, name),
        "activation": _str(full, "hidden_activation", default="gelu_pytorch_tanh"),
        "tie_word_embeddings": _bool(full, "tie_word_embeddings", default=True),
        "norms_per_layer": 4,
        "qk_norm": QkNorm.HEAD,
        **_sliding(full, n, default),
    }


def _gpt_oss(cfg: Config, name: str) -> dict[str, Any]:
    # GptOssConfig: head_dim 64, attention with biases and one sink logit per head, experts
    # of intermediate_size with biases, a router with a bias, alternating 128-token windows.
    n = _int(cfg, "num_hidden_layers")
    default = ["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(n)]
    return {
        **_llama_like({"head_dim": 64, "attention_bias": True, **cfg}, Family.GPT_OSS, name),
        "num_experts": _int(cfg, "num_local_experts", default=128),
        "experts_per_token": _int(cfg, "num_experts_per_tok", "experts_per_token", default=4),
        "moe_bias": True,
        "attention_sinks": True,
        **_sliding({"sliding_window": 128, **cfg}, n, default),
    }


def _mla(cfg: Config, q_lora_default: int | None) -> Mla:
    # q_lora_rank null (DeepSeek-V2-Lite): no query latent; absent: the class default.
    absent = "q_lora_rank" not in cfg
    q_lora = _count(cfg, "q_lora_rank", q_lora_default) if absent or cfg["q_lora_rank"] else 0
    return Mla(
        q_lora_rank=q_lora,
        kv_lora_rank=_int(cfg, "kv_lora_rank", default=512),
        qk_nope_head_dim=_int(cfg, "qk_nope_head_dim", default=128),
        qk_rope_head_dim=_int(cfg, "qk_rope_head_dim", default=64),
        v_head_dim=_int(cfg, "v_head_dim", default=128),
    )


def _deepseek(cfg: Config, family: Family, name: str) -> dict[str, Any]:
    # DeepseekV2Config / DeepseekV3Config: MLA (q_lora_rank 1536 unless null), the first
    # first_k_dense_replace layers dense, then n_routed_experts of moe_intermediate_size with
    # n_shared_experts always on (modeling_deepseek_v2.py / _v3.py).
    v3 = family == Family.DEEPSEEK_V3
    if _int(cfg, "moe_layer_freq", default=1) != 1:
        raise InputError("model", "config.json: moe_layer_freq other than 1 is not modelled")
    mla = _mla(cfg, 1536)
    expert = _int(cfg, "moe_intermediate_size", default=2048 if v3 else 1407)
    heads = _int(cfg, "num_attention_heads")
    base = _llama_like(
        {**cfg, "num_key_value_heads": heads, "head_dim": mla.qk_head_dim}, family, name
    )
    return {
        **base,
        "mla": mla,
        "num_experts": _int(cfg, "n_routed_experts", default=256 if v3 else 64),
        "experts_per_token": _int(cfg, "num_experts_per_tok", default=8 if v3 else 6),
        "moe_intermediate_size": expert,
        "shared_expert_size": expert * _int(cfg, "n_shared_experts", default=1 if v3 else 2),
        "dense_layers": _count(cfg, "first_k_dense_replace", default=3 if v3 else 0),
    }


def _deepseek_v2(cfg: Config, name: str) -> dict[str, Any]:
    return _deepseek(cfg, Family.DEEPSEEK_V2, name)


def _deepseek_v3(cfg: Config, name: str) -> dict[str, Any]:
    return _deepseek(cfg, Family.DEEPSEEK_V3, name)


def _olmo2(cfg: Config, name: str) -> dict[str, Any]:
    # Olmo2DecoderLayer: norms after attention and after the MLP (two per layer), and
    # q_norm/k_norm RMSNorm over all heads' width (modeling_olmo2.py).
    return {**_llama_like(cfg, Family.OLMO2, name), "qk_norm": QkNorm.FULL}


def _smollm3(cfg: Config, name: str) -> dict[str, Any]:
    # SmolLM3Config: no_rope_layers (1 = rotary, 0 = none), default every 4th layer without;
    # tied embeddings (modeling_smollm3.py).
    n = _int(cfg, "num_hidden_layers")
    every = _int(cfg, "no_rope_layer_interval", default=4)
    default = [int((i + 1) % every != 0) for i in range(n)]
    flags = _layer_flags(cfg, "no_rope_layers", n, default)
    return {
        **_llama_like(cfg, Family.SMOLLM3, name),
        "tie_word_embeddings": _bool(cfg, "tie_word_embeddings", default=True),
        "nope_layers": sum(1 for f in flags if f == 0),
        **_sliding(cfg, n, ["full_attention"] * n),
    }


# ---- issue #13: any other decoder-only model_type, read by its features --------------------

# Keys every Llama-like decoder config has; without them the model is not one llmem can read.
GENERIC_KEYS = ("hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size")
GATED_ACTS = {"silu", "swiglu", "gelu_pytorch_tanh", "geglu", "swish"}
# The names configs give the routed expert count (Qwen3-MoE; Mixtral, gpt-oss; DeepSeek).
EXPERT_COUNT_KEYS = ("num_experts", "num_local_experts", "n_routed_experts")


def _generic(cfg: Config, name: str) -> dict[str, Any]:
    """A config of a family llmem has no reader for: the Llama layout with the features its keys
    declare (experts, latent attention, q/k norm, LayerNorm, biases, windows). Its parameter
    count follows that layout and is not checked against transformers; the activations use the
    nearest measured family's recipe (features.py), both said in the notes."""
    missing = [k for k in GENERIC_KEYS if cfg.get(k) is None]
    if missing or cfg.get("is_encoder_decoder") is True:
        what = f"lacks {', '.join(missing)}" if missing else "is an encoder-decoder"
        raise InputError(
            "model",
            f"config.json: model_type {echo(cfg.get('model_type'))} is not a family llmem "
            f"reads and the config {what}, so it is not a decoder-only transformer llmem can "
            f"read by its features; give a preset (`llmem models`) or a config of one of "
            f"{', '.join(SUPPORTED_MODEL_TYPES)}",
        )
    n, act = _int(cfg, "num_hidden_layers"), _str(cfg, "hidden_act", default="silu")
    out = {
        **_llama_like(
            {"intermediate_size": 4 * _int(cfg, "hidden_size"), **cfg}, Family.OTHER, name
        ),
        "model_type": _str(cfg, "model_type", default="unknown"),
        "mlp_kind": MlpKind.GATED if act in GATED_ACTS else MlpKind.PLAIN,
        "qkv_bias": _bool(cfg, "attention_bias", default=False)
        or _bool(cfg, "qkv_bias", default=False),
        "tie_word_embeddings": _bool(cfg, "tie_word_embeddings", default=False),
        **_sliding(
            cfg, n, ["sliding_attention" if cfg.get("sliding_window") else "full_attention"] * n
        ),
    }
    if cfg.get("layer_norm_eps") is not None or cfg.get("layer_norm_epsilon") is not None:
        out["norm_kind"] = NormKind.LAYERNORM
    if cfg.get("use_qk_norm") is True or cfg.get("qk_norm") is True:
        out["qk_norm"] = QkNorm.HEAD
    return out | _generic_moe(cfg) | _generic_mla(cfg)


def _generic_moe(cfg: Config) -> dict[str, Any]:
    found = _raw(cfg, EXPERT_COUNT_KEYS)
    if found is None or found[1] in (0, 1):
        return {}
    experts = _int(cfg, found[0])
    expert = _int(
        cfg,
        "moe_intermediate_size",
        "expert_intermediate_size",
        default=_int(cfg, "intermediate_size", default=1),
    )
    shared = _count(cfg, "n_shared_experts", 0) * expert
    shared = shared or _count(cfg, "shared_expert_intermediate_size", 0)
    return {
        "num_experts": experts,
        "experts_per_token": _int(cfg, "num_experts_per_tok", "experts_per_token", default=2),
        "moe_intermediate_size": expert,
        "shared_expert_size": shared,
        "dense_layers": _count(cfg, "first_k_dense_replace", 0),
    }


def _generic_mla(cfg: Config) -> dict[str, Any]:
    if cfg.get("kv_lora_rank") is None:
        return {}
    mla = _mla(cfg, None)
    heads = _int(cfg, "num_attention_heads")
    return {"mla": mla, "num_key_value_heads": heads, "head_dim": mla.qk_head_dim}


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
    "qwen3": _qwen3,
    "qwen3_moe": _qwen3_moe,
    "gemma3": _gemma3,
    "gemma3_text": _gemma3,
    "gpt_oss": _gpt_oss,
    "deepseek_v2": _deepseek_v2,
    "deepseek_v3": _deepseek_v3,
    "olmo2": _olmo2,
    "smollm3": _smollm3,
}

SUPPORTED_MODEL_TYPES = tuple(sorted(_READERS))


def _quantization(cfg: Config) -> dict[str, str]:
    """quantization_config.quant_method of a published checkpoint (gpt-oss: mxfp4, DeepSeek-V3:
    fp8). Fine-tuning dequantises such weights; the estimate says which precision it assumes."""
    quant = cfg.get("quantization_config")
    if quant is None:
        return {}
    if not isinstance(quant, dict):
        raise _bad("quantization_config", "a JSON object", quant)
    return {"checkpoint_quantization": _str(quant, "quant_method", default="unknown")}


def architecture_from_config(cfg: Config, name: str, buffer_bytes: int = 0) -> Architecture:
    """A parsed config.json → Architecture; InputError (field `model`) on any problem."""
    if not isinstance(cfg, dict):
        raise InputError("model", "config.json: expected a JSON object at the top level")
    model_type = cfg.get("model_type")
    if not isinstance(model_type, str) or not 1 <= len(model_type) <= MAX_NAME_CHARS:
        raise InputError(
            "model",
            f"config.json: model_type must be one of {', '.join(SUPPORTED_MODEL_TYPES)} or the "
            f"name of another decoder-only family (got {echo(model_type)})",
        )
    fields = _READERS.get(model_type, _generic)(cfg, name)
    try:
        return Architecture(**fields, buffer_bytes=buffer_bytes, **_quantization(cfg))
    except InputError as err:
        raise InputError("model", f"config.json: {err}") from None


def read_config_text(text: str, name: str) -> Architecture:
    """The text of a config.json (a user upload or file) → Architecture."""
    return architecture_from_config(safe_json.loads(text, "model"), name)
