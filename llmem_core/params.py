"""Parameter tensors and counts of an architecture, exactly as Hugging Face builds the model.

A test checks the totals against `params_exact` of all 43 presets (transformers 5.24 on the
meta device), so every shape here is the real one, including fused projections (GPT-2's
c_attn, Phi-3's qkv_proj) whose per-tensor rounding the paper's optimizer term sees.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, NamedTuple

from llmem_core.models import Architecture, Mla, MlpKind, NormKind, PositionKind, QkNorm

TensorKind = Literal["embedding", "linear", "bias", "norm"]


class Tensor(NamedTuple):
    name: str
    numel: int
    kind: TensorKind  # "embedding"/"linear" are the weights the paper's m_os counts
    part: Literal["embedding", "body", "lm_head"]


def _norm(arch: Architecture, name: str, part: Literal["embedding", "body"] = "body") -> list:
    h = arch.hidden_size
    out = [Tensor(f"{name}.weight", h, "norm", part)]
    if arch.norm_kind == NormKind.LAYERNORM:
        out.append(Tensor(f"{name}.bias", h, "norm", part))
    return out


def _linear(name: str, n_in: int, n_out: int, bias: bool) -> list[Tensor]:
    out = [Tensor(f"{name}.weight", n_in * n_out, "linear", "body")]
    if bias:
        out.append(Tensor(f"{name}.bias", n_out, "bias", "body"))
    return out


def _rms(name: str, width: int) -> list[Tensor]:
    return [Tensor(f"{name}.weight", width, "norm", "body")]


def _mla(arch: Architecture, mla: Mla, p: str) -> list[Tensor]:
    """DeepseekV2/V3Attention: q_proj (or q_a_proj, q_a_layernorm, q_b_proj), kv_a_proj_with_mqa
    to the latent and the rotary key, kv_a_layernorm, kv_b_proj to the heads' keys and values."""
    h, heads, bias = arch.hidden_size, arch.num_attention_heads, arch.qkv_bias
    q_out = heads * mla.qk_head_dim
    if mla.q_lora_rank:
        r = mla.q_lora_rank
        q = [*_linear(f"{p}.q_a", h, r, bias), *_rms(f"{p}.q_a_norm", r)]
        q += _linear(f"{p}.q_b", r, q_out, False)
    else:
        q = _linear(f"{p}.q", h, q_out, False)
    kv = [
        *_linear(f"{p}.kv_a", h, mla.kv_lora_rank + mla.qk_rope_head_dim, bias),
        *_rms(f"{p}.kv_a_norm", mla.kv_lora_rank),
        *_linear(
            f"{p}.kv_b", mla.kv_lora_rank, heads * (mla.qk_nope_head_dim + mla.v_head_dim), False
        ),
    ]
    return [*q, *kv, *_linear(f"{p}.o", heads * mla.v_head_dim, h, arch.o_bias)]


def _qk_norm(arch: Architecture, p: str) -> list[Tensor]:
    d = arch.head_dim
    if arch.qk_norm == QkNorm.HEAD:  # Qwen3Attention, Gemma3Attention: RMSNorm(head_dim)
        return [*_rms(f"{p}.q_norm", d), *_rms(f"{p}.k_norm", d)]
    if arch.qk_norm == QkNorm.FULL:  # Olmo2Attention: RMSNorm over every head's width
        q, kv = arch.num_attention_heads * d, arch.num_key_value_heads * d
        return [*_rms(f"{p}.q_norm", q), *_rms(f"{p}.k_norm", kv)]
    return []


def _attention(arch: Architecture, i: int) -> list[Tensor]:
    p = f"layers.{i}.attn"
    sinks = [Tensor(f"{p}.sinks", arch.num_attention_heads, "bias", "body")]
    extra = sinks if arch.attention_sinks else []  # GptOssAttention.sinks: one logit per head
    if arch.mla is not None:
        return [*extra, *_mla(arch, arch.mla, p)]
    return [*extra, *_projections(arch, p), *_qk_norm(arch, p)]


def _projections(arch: Architecture, p: str) -> list[Tensor]:
    h, q_out = arch.hidden_size, arch.num_attention_heads * arch.head_dim
    kv_out = arch.num_key_value_heads * arch.head_dim
    if arch.fused_qkv:
        qkv = _linear(f"{p}.qkv", h, q_out + 2 * kv_out, arch.qkv_bias)
    else:
        qkv = [
            *_linear(f"{p}.q", h, q_out, arch.qkv_bias),
            *_linear(f"{p}.k", h, kv_out, arch.qkv_bias),
            *_linear(f"{p}.v", h, kv_out, arch.qkv_bias),
        ]
    return [*qkv, *_linear(f"{p}.o", q_out, h, arch.o_bias)]


def _mlp(arch: Architecture, prefix: str, width: int = 0) -> list[Tensor]:
    h, f, bias = arch.hidden_size, width or arch.intermediate_size, arch.mlp_bias
    down = _linear(f"{prefix}.down", f, h, bias)
    if arch.mlp_kind == MlpKind.PLAIN:
        return [*_linear(f"{prefix}.up", h, f, bias), *down]
    if arch.fused_gate_up:
        return [*_linear(f"{prefix}.gate_up", h, 2 * f, bias), *down]
    gate_up = [*_linear(f"{prefix}.gate", h, f, bias), *_linear(f"{prefix}.up", h, f, bias)]
    return [*gate_up, *down]


def _feed_forward(arch: Architecture, i: int) -> list[Tensor]:
    if not arch.moe or i < arch.dense_layers:
        return _mlp(arch, f"layers.{i}.mlp")
    # Mixture of experts: a router and the experts, which transformers ≥ 5 stores as two 3-D
    # tensors per layer, gate_up [E, 2f, h] and down [E, h, f] (MixtralExperts), with a bias
    # each in gpt-oss (GptOssExperts); DeepSeek adds always-on shared experts (a gated MLP).
    h, f, e, p = arch.hidden_size, arch.expert_size, arch.num_experts, f"layers.{i}"
    router = _linear(f"{p}.router", h, e, arch.moe_bias)
    gate_up = _experts(f"{p}.experts.gate_up", e, h, 2 * f, arch.moe_bias)
    down = _experts(f"{p}.experts.down", e, f, h, arch.moe_bias)
    width = arch.shared_expert_size
    shared = _mlp(arch, f"{p}.shared", width) if width else []
    return [*router, *gate_up, *down, *shared]


def _experts(name: str, e: int, n_in: int, n_out: int, bias: bool) -> list[Tensor]:
    """One 3-D expert tensor [E, n_out, n_in] and, in gpt-oss, its [E, n_out] bias."""
    out = [Tensor(name, e * n_in * n_out, "linear", "body")]
    return [*out, Tensor(f"{name}_bias", e * n_out, "bias", "body")] if bias else out


def expert_numel(arch: Architecture) -> int:
    """One routed expert's parameters (gate, up and down; with gpt-oss's biases)."""
    h, f = arch.hidden_size, arch.expert_size
    return 3 * h * f + (2 * f + h if arch.moe_bias else 0)


def layer_tensors(arch: Architecture, i: int) -> list[Tensor]:
    norms = [t for n in range(arch.norms_per_layer) for t in _norm(arch, f"layers.{i}.norm{n}")]
    return [*_attention(arch, i), *_feed_forward(arch, i), *norms]


def _embedding_tensors(arch: Architecture) -> list[Tensor]:
    v, e, h = arch.vocab_size, arch.embedding_dim, arch.hidden_size
    out = [Tensor("embed_tokens.weight", v * e, "embedding", "embedding")]
    if arch.position_embedding == PositionKind.LEARNED:
        positions = arch.learned_positions * h
        out.append(Tensor("embed_positions.weight", positions, "embedding", "body"))
    if e != h:  # OPT-350m: 512-wide embedding projected in and out of the 1024-wide body
        out.append(Tensor("project_in.weight", e * h, "linear", "body"))
        out.append(Tensor("project_out.weight", h * e, "linear", "body"))
    if arch.embedding_norm:
        out.extend(_norm(arch, "embed_norm"))
    return out


def _lm_head_tensors(arch: Architecture) -> list[Tensor]:
    v, e = arch.vocab_size, arch.embedding_dim
    out = [] if arch.tie_word_embeddings else [Tensor("lm_head.weight", v * e, "linear", "lm_head")]
    if arch.lm_head_bias:
        out.append(Tensor("lm_head.bias", v, "bias", "lm_head"))
    return out


@lru_cache(maxsize=256)
def tensors(arch: Architecture) -> tuple[Tensor, ...]:
    """Every parameter tensor once (a tied lm_head is the embedding and is not repeated)."""
    layers = [t for i in range(arch.num_layers) for t in layer_tensors(arch, i)]
    final = _norm(arch, "final_norm") if arch.final_norm else []
    return (*_embedding_tensors(arch), *layers, *final, *_lm_head_tensors(arch))


class ParamCounts(NamedTuple):
    total: int
    embedding: int  # the input token embedding (embed_p)
    lm_head: int  # the lm_head's own parameters; 0 extra when tied (lm_p counts V·E)
    body: int  # everything else (other_p)
    per_layer: int  # the largest decoder layer (DeepSeek's MoE layers, not its dense first ones)
    active: int  # parameters used per token (MoE: only experts_per_token experts)


@lru_cache(maxsize=256)
def counts(arch: Architecture) -> ParamCounts:
    ts = tensors(arch)
    by_part = {"embedding": 0, "body": 0, "lm_head": 0}
    for t in ts:
        by_part[t.part] += t.numel
    per_layer = max(_layer_numel(arch, i) for i in _distinct_layers(arch))
    total = sum(by_part.values())
    unused = arch.num_experts - arch.experts_per_token
    inactive = arch.moe_layers * expert_numel(arch) * unused
    return ParamCounts(
        total=total,
        embedding=by_part["embedding"],
        lm_head=by_part["lm_head"],
        body=by_part["body"],
        per_layer=per_layer,
        active=total - inactive,
    )


def _distinct_layers(arch: Architecture) -> tuple[int, ...]:
    """One index per kind of decoder layer (dense first layers, then the MoE ones)."""
    return (0, arch.num_layers - 1)


def _layer_numel(arch: Architecture, i: int) -> int:
    return sum(t.numel for t in layer_tensors(arch, i))


def _layers_matmul(arch: Architecture, i: int) -> int:
    return sum(t.numel for t in layer_tensors(arch, i) if t.kind == "linear")


def lm_head_weight_numel(arch: Architecture) -> int:
    """Elements of the lm_head weight whether tied or not (the paper's lm_p)."""
    return arch.vocab_size * arch.embedding_dim


class Split(NamedTuple):
    """How the parameters divide for the `pytorch` profile's layouts (element counts)."""

    lm_matrix: int  # the V·E matrix the logits come from (shared with the embedding if tied)
    body: int  # every other parameter (the "transformer" segment)
    layer: int  # all parameters of the largest decoder layer (FSDP's largest unit)
    layer_matmul: int  # the largest layer's matmul weights (autocast copies one layer's)
    matmul_total: int  # every layer's matmul weights: what tensor parallelism shards
    root: int  # parameters outside the decoder layers (FSDP's root unit)


@lru_cache(maxsize=256)
def split(arch: Architecture) -> Split:
    c = counts(arch)
    lm = lm_head_weight_numel(arch) + (arch.vocab_size if arch.lm_head_bias else 0)
    first, last = _distinct_layers(arch)
    dense = arch.dense_layers if arch.moe else 0
    per_kind = {i: _layers_matmul(arch, i) for i in (first, last)}
    matmul_total = dense * per_kind[first] + (arch.num_layers - dense) * per_kind[last]
    layers_total = dense * _layer_numel(arch, first)
    layers_total += (arch.num_layers - dense) * _layer_numel(arch, last)
    return Split(
        lm_matrix=lm,
        body=c.total - lm,
        layer=c.per_layer,
        layer_matmul=max(per_kind.values()),
        matmul_total=matmul_total,
        root=c.total - layers_total,
    )
