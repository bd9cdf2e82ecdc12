"""Activations kept for the backward pass (bar segment "activations").

Paper profile (LLMem §3), gradient checkpointing on: the output of each embedding layer and of
every transformer layer is kept in fp16; nothing inside a layer is counted:
    m_out = ⌈(e_n + l_n) · bs · sl · o_n · B16⌉_p
The authors' code (size_estimator.py calc_output_bytes L161-172, boundaries from
get_output_sizes L27-101; see paper_walk.py) counts l_n + 2 tensors — the token embedding's
output twice whatever the model's position encoding, and the last block's output again — each
rounded to pages on its own, plus one page for the probe's token ids (calc_input_bytes):
    m_out = Σ_boundaries ⌈bs · sl · o · B16⌉_p + ⌈2 · sl · 8⌉_p
The profile follows the code (docs/paper-profile.md).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from llmem_core.components.paper_walk import boundary_widths, input_bytes
from llmem_core.models import LORA_ALL_LINEAR, LORA_ATTN, Architecture
from llmem_core.presets import (
    RECIPE_PRECISION,
    load_activation_recipes,
    load_lora_recipes,
    measured_families,
    recipe_choice,
)
from llmem_core.units import B16, pages


def paper_activation_bytes(arch: Architecture, batch: int, seq: int) -> int:
    kept = boundary_widths(arch).kept
    return sum(n * pages(batch * seq * width * B16) for width, n in kept) + input_bytes(seq)


# ---- profile `pytorch` --------------------------------------------------------------------
# Per-layer and outside-the-layers bytes saved for backward, from presets/activation-recipes.json
# (scripts/fit_activation_recipes.py: a census of what transformers 5.24 saves under torch 2.13
# on the CUDA code paths, solved exactly per token). amp-fp16 saves what amp-bf16 saves.


class Sizes(NamedTuple):
    """Per-token sizes a recipe multiplies (elements), for one (possibly TP-sharded) layer."""

    h: float
    f: float
    q: float
    kv: float
    heads: float
    head_dim: float
    seq: int
    vocab: int
    # Issue #13 (0 for dense, non-MLA models): router width E, top-k k, each token's k copies
    # of h, shared experts' width, MLA's kv and query latents and rotary key width.
    experts: float = 0
    topk: float = 0
    topk_h: float = 0
    shared_f: float = 0
    latent: float = 0
    q_latent: float = 0
    rope: float = 0
    heads_x_rope: float = 0


# Issue #13's sizes (those with a default), each a coefficient that older censuses lack.
EXTRA_SIZES = tuple(Sizes._field_defaults)
MOE_ROUTING = ("experts", "topk", "topk_h", "shared_f")  # zero in DeepSeek's dense layers


def sizes(arch: Architecture, seq: int, tp: int = 1) -> Sizes:
    """Tensor parallelism shards the heads and the MLP width; h, head_dim and V are whole.
    A MoE layer's f is k·f_expert (each token visits k experts; tokens spread evenly).
    MLA's q is heads·(nope + rope) and kv heads·v_head_dim, as the census counts them."""
    k = arch.experts_per_token if arch.moe else 1
    base = Sizes(
        h=arch.hidden_size,
        f=arch.expert_size * k / tp,
        q=arch.num_attention_heads * arch.head_dim / tp,
        kv=max(arch.num_key_value_heads / tp, 1) * arch.head_dim,
        heads=arch.num_attention_heads / tp,
        head_dim=arch.head_dim,
        seq=seq,
        vocab=arch.vocab_size,
    )
    if arch.moe:
        e, h = arch.num_experts, arch.hidden_size
        moe = {"experts": e, "topk": k, "topk_h": k * h, "shared_f": arch.shared_expert_size / tp}
        base = base._replace(**moe)
    return _mla_sizes(arch, base, tp) if arch.mla is not None else base


def _mla_sizes(arch: Architecture, s: Sizes, tp: int) -> Sizes:
    mla, heads = arch.mla, arch.num_attention_heads / tp
    assert mla is not None
    return s._replace(
        q=heads * mla.qk_head_dim,
        kv=heads * mla.v_head_dim,
        head_dim=mla.qk_nope_head_dim,
        latent=mla.kv_lora_rank,
        q_latent=mla.q_lora_rank,
        rope=mla.qk_rope_head_dim,
        heads_x_rope=heads * mla.qk_rope_head_dim,
    )


def _recipe(arch: Architecture, precision: str) -> dict:
    family = recipe_choice(arch, precision).family
    return load_activation_recipes()[family][RECIPE_PRECISION[precision]]


class Rate(NamedTuple):
    """Bytes kept as a function of the tokens in a micro-batch: per_token · t + fixed."""

    per_token: float
    fixed: float

    def at(self, tokens: int) -> int:
        return round(tokens * self.per_token + self.fixed)


def _layer_per_token(c: dict[str, float], s: Sizes) -> float:
    """A layer census's bytes per token: its coefficients times the layer's sizes."""
    return (
        c["h"] * s.h
        + c["f"] * s.f
        + c["q"] * s.q
        + c["kv"] * s.kv
        + c["heads"] * s.heads
        + c["head_dim"] * s.head_dim
        + c["heads_x_seq"] * s.heads * s.seq
        + c.get("seq", 0) * s.seq
        + sum(c.get(name, 0) * getattr(s, name) for name in EXTRA_SIZES)
        + c["one"]
    )


@lru_cache(maxsize=1024)
def layer_rate(arch: Architecture, precision: str, seq: int, tp: int = 1) -> Rate:
    """What one decoder layer keeps for backward (no checkpointing). DeepSeek's dense first
    layers: the MoE recipe without its routing terms, f the dense width; the rate is the mean
    over the layers, so layers × rate is the stack's total."""
    c = _recipe(arch, precision)["layer"]["coefficients"]
    s = sizes(arch, seq, tp)
    per_token = _layer_per_token(c, s)
    if arch.moe and arch.dense_layers:
        routing = dict.fromkeys(MOE_ROUTING, 0)
        dense = _layer_per_token(c, s._replace(f=arch.intermediate_size / tp, **routing))
        per_token += arch.dense_layers * (dense - per_token) / arch.num_layers
    return Rate(per_token, c["const"])


@lru_cache(maxsize=1024)
def outside_rates(arch: Architecture, precision: str, seq: int) -> tuple[Rate, Rate]:
    """(embedding, final norm and lm_head input; the loss's saved log-probabilities)."""
    s, c = sizes(arch, seq), _recipe(arch, precision)["outside"]["coefficients"]
    per_token = c["h"] * s.h + c["head_dim"] * s.head_dim + c.get("seq", 0) * s.seq + c["one"]
    return Rate(per_token, c["const"]), Rate(c["vocab"] * s.vocab, 0)


def checkpoint_bytes(arch: Architecture, residual_bytes: int, tokens: int) -> int:
    """Non-reentrant checkpointing keeps each layer's input (the residual stream)."""
    return arch.num_layers * tokens * arch.hidden_size * residual_bytes


# ---- issue #12: LoRA's frozen layers, dropout, selective checkpointing, offload ----------------


def lora_recipe_key(targets: str) -> str:
    """Which census applies: `all-linear` when the targets reach the MLP, else `attn` (a list
    of module names is matched to the nearer census: an approximation, said in the notes)."""
    from llmem_core.adapters import MLP_ROLES, roles

    return LORA_ALL_LINEAR if roles(targets) & MLP_ROLES else LORA_ATTN


def _lora_recipe(arch: Architecture, precision: str, key: str) -> dict | None:
    family = recipe_choice(arch, precision).family
    by_targets = load_lora_recipes().get(family, {})
    found = by_targets.get(key, {}).get(RECIPE_PRECISION[precision])
    return None if not found or "error" in found else found


def has_lora_recipe(arch: Architecture, precision: str, targets: str) -> bool:
    return _lora_recipe(arch, precision, lora_recipe_key(targets)) is not None


@lru_cache(maxsize=1024)
def lora_layer_rate(
    arch: Architecture, precision: str, seq: int, tp: int, targets: str, rank: int
) -> Rate:
    """What one decoder layer keeps under LoRA (dropout 0): the LoRA census, with t·r for the
    adapters' r-wide middles; the full fine-tuning recipe where no census exists."""
    found = _lora_recipe(arch, precision, lora_recipe_key(targets))
    if found is None:
        return layer_rate(arch, precision, seq, tp)
    c = found["layer"]["coefficients"]
    return Rate(_layer_per_token(c, sizes(arch, seq, tp)) + c["rank"] * rank, c["const"])


@lru_cache(maxsize=1024)
def lora_outside_rates(
    arch: Architecture, precision: str, seq: int, targets: str
) -> tuple[Rate, Rate]:
    found = _lora_recipe(arch, precision, lora_recipe_key(targets))
    if found is None:
        return outside_rates(arch, precision, seq)
    s, c = sizes(arch, seq), found["outside"]["coefficients"]
    per_token = c["h"] * s.h + c["head_dim"] * s.head_dim + c.get("seq", 0) * s.seq + c["one"]
    return Rate(per_token, c["const"]), Rate(c["vocab"] * s.vocab, 0)


def clear_recipe_caches() -> None:
    """Forget every rate worked out from the census recipes, and which families have one: the
    one call for a caller that changes what presets.measured_families answers (tests/
    test_stand_in.py hides a family's census to measure its stand-in)."""
    for cached in (
        measured_families,
        layer_rate,
        outside_rates,
        lora_layer_rate,
        lora_outside_rates,
    ):
        cached.cache_clear()


def lora_dropout_per_token(arch: Architecture, targets: str, tp: int = 1) -> float:
    """LoRA dropout p > 0, per token per layer: each adapted linear gets its own
    `lora_dropout` module (peft/tuners/lora/layer.py `update_layer`), which keeps a 1-byte mask
    of its input (CUDA's fused dropout). lora_A then keeps the dropped input instead of the
    input's cast it keeps without dropout, so the mask is what is added. Measured (fake
    device, amp-bf16, r = 16, attention): OPT-125m 2,880 and Llama-3.2-1B 7,808 bytes per
    token per layer, 6 % under Σ n_in (3,072 and 8,192); fp32 (no cast to replace) adds the
    dropped copies too, which this leaves out."""
    from llmem_core.adapters import adapted, roles

    return sum(n_in for n_in, _ in adapted(arch, roles(targets))) / tp


def selective_layers(arch: Architecture, every: int) -> int:
    """Checkpointed layers under torchtitan's every-k-th rule (layer i when i % k == 0)."""
    return -(-arch.num_layers // every)
