"""What a model is made of, read from its Architecture, and which measured family it is nearest.

The `pytorch` profile's kept activations come from a census per family (presets/
activation-recipes.json). A family without one — a new model_type read by the generic reader,
or a family whose census failed — borrows the recipe of the measured family whose features
differ least, and says so (a note and the formula-only band). The weights are a heuristic: a
feature weighs by how much of a layer's saved bytes it moves in the censuses (eager attention
keeps heads·S² per token, so it outweighs everything; a MoE's k experts and MLA's latents
come next; a norm or a tied head moves a few h-sized tensors). tests/test_stand_in.py hides
each measured family's recipe and reports how far its stand-in lands (README, Accuracy).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

from llmem_core.models import Architecture, AttentionImpl, MlpKind, NormKind, PositionKind, QkNorm

AttentionKind = Literal["mha", "gqa", "mqa", "mla"]


class Features(NamedTuple):
    attention_impl: AttentionImpl
    attention: AttentionKind
    mlp: MlpKind
    moe: bool
    shared_experts: bool
    norm: NormKind
    norms_per_layer: int
    position: PositionKind
    qk_norm: QkNorm
    fused: bool  # fused qkv or gate_up projections
    sinks: bool
    sliding: bool
    tied: bool


# Heuristic weights (see the module docstring), one per field of Features.
WEIGHTS: dict[str, int] = {
    "attention_impl": 8,
    "attention": 2,
    "mlp": 3,
    "moe": 4,
    "shared_experts": 1,
    "norm": 2,
    "norms_per_layer": 1,
    "position": 2,
    "qk_norm": 1,
    "fused": 1,
    "sinks": 1,
    "sliding": 1,
    "tied": 1,
}


def attention_kind(arch: Architecture) -> AttentionKind:
    if arch.mla is not None:
        return "mla"
    if arch.num_key_value_heads == 1 < arch.num_attention_heads:
        return "mqa"
    return "gqa" if arch.num_key_value_heads < arch.num_attention_heads else "mha"


def features(arch: Architecture) -> Features:
    return Features(
        attention_impl=arch.attention_impl,
        attention=attention_kind(arch),
        mlp=arch.mlp_kind,
        moe=arch.moe,
        shared_experts=arch.shared_expert_size > 0,
        norm=arch.norm_kind,
        norms_per_layer=arch.norms_per_layer,
        position=arch.position_embedding,
        qk_norm=arch.qk_norm,
        fused=arch.fused_qkv or arch.fused_gate_up,
        sinks=arch.attention_sinks,
        sliding=arch.sliding_layers > 0,
        tied=arch.tie_word_embeddings,
    )


def _differing(a: Features, b: Features) -> tuple[str, ...]:
    return tuple(name for name, x, y in zip(Features._fields, a, b, strict=True) if x != y)


def distance(a: Features, b: Features) -> int:
    """Σ weight over the features that differ."""
    return sum(WEIGHTS[name] for name in _differing(a, b))


def nearest(arch: Architecture, measured: Mapping[str, Architecture]) -> str:
    """The measured family whose features differ least (ties: the first in sorted order)."""
    mine = features(arch)
    return min(sorted(measured), key=lambda family: distance(mine, features(measured[family])))


def differences(arch: Architecture, other: Architecture) -> tuple[str, ...]:
    """The names of the features in which two architectures differ (for the note)."""
    return _differing(features(arch), features(other))
