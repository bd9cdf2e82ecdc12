"""Activations kept for the backward pass (bar segment "activations").

Paper profile (LLMem §3), gradient checkpointing on: the output of each embedding layer and of
every transformer layer is kept in fp16; nothing inside a layer is counted:
    m_out = ⌈(e_n + l_n) · bs · sl · o_n · B16⌉_p
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, NamedTuple

from llmem_core.models import Architecture, PositionKind
from llmem_core.units import B16, pages

Recipes = dict[str, Any]


def embedding_layers(arch: Architecture) -> int:
    """e_n: the token embedding, plus a learned position embedding where the model has one."""
    return 1 + (arch.position_embedding == PositionKind.LEARNED)


def paper_activation_bytes(arch: Architecture, batch: int, seq: int) -> int:
    e_n, l_n, o_n = embedding_layers(arch), arch.num_layers, arch.hidden_size
    return pages((e_n + l_n) * batch * seq * o_n * B16)


# ---- profile `pytorch` --------------------------------------------------------------------
# Per-layer and outside-the-layers bytes saved for backward, from presets/activation-recipes.json
# (scripts/fit_activation_recipes.py: a census of what transformers 5.24 saves under torch 2.13
# on the CUDA code paths, solved exactly per token). amp-fp16 saves what amp-bf16 saves.

RECIPE_PRECISION = {"fp32": "fp32", "amp-bf16": "amp-bf16", "amp-fp16": "amp-bf16",
                    "bf16": "bf16"}
# Mixtral's routing is data-dependent, so the census cannot run it; its attention is Mistral's.
RECIPE_FAMILY = {"mixtral": "mistral"}


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


def sizes(arch: Architecture, seq: int, tp: int = 1) -> Sizes:
    """Tensor parallelism shards the heads and the MLP width; h, head_dim and V are whole."""
    moe = arch.experts_per_token if arch.num_experts > 1 else 1
    return Sizes(
        h=arch.hidden_size,
        f=arch.intermediate_size * moe / tp,
        q=arch.num_attention_heads * arch.head_dim / tp,
        kv=max(arch.num_key_value_heads / tp, 1) * arch.head_dim,
        heads=arch.num_attention_heads / tp,
        head_dim=arch.head_dim,
        seq=seq,
        vocab=arch.vocab_size,
    )


@lru_cache(maxsize=1)
def recipes() -> Recipes:
    """presets/activation-recipes.json (read once)."""
    from llmem_core.presets import presets_dir

    return json.loads((presets_dir() / "activation-recipes.json").read_text())["recipes"]


def _recipe(arch: Architecture, precision: str) -> dict:
    family = str(arch.family)
    return recipes()[RECIPE_FAMILY.get(family, family)][RECIPE_PRECISION[precision]]


# Families whose attention width always equals the hidden size (q = kv = h): the census cannot
# tell attention-internal tensors from the residual stream by size, yet tensor parallelism
# shards only the former. Structural assumption, as the census shows for the families where
# it can tell (Llama-like, GPTBigCode): attention keeps q and its output (2 tensors of q) and
# k and v (2 of kv) in the compute dtype; the rest of the fitted h-sized bytes is residual.
# Checked against the DTensor TP references (tests/test_accuracy_distributed.py).
Q_EQUALS_H = frozenset({"opt", "bloom", "codegen", "biogpt", "gpt_neo", "gpt2"})
COMPUTE_BYTES = {"fp32": 4, "amp-bf16": 2, "bf16": 2}


def _coefficients(arch: Architecture, precision: str) -> dict[str, float]:
    c = dict(_recipe(arch, precision)["layer"]["coefficients"])
    if str(arch.family) in Q_EQUALS_H:
        e = COMPUTE_BYTES[RECIPE_PRECISION[precision]]
        width = c["h"] + c["q"] + c["kv"]  # bytes per element of h, however the fit split it
        c["q"], c["kv"] = 2 * e, 2 * e
        c["h"] = width - c["q"] - c["kv"]
    return c


@lru_cache(maxsize=1024)
def layer_coefficients(arch: Architecture, precision: str, seq: int, tp: int) -> tuple[float,
                                                                                        float]:
    """(bytes per token, bytes per layer) one decoder layer keeps (no checkpointing)."""
    s, c = sizes(arch, seq, tp), _coefficients(arch, precision)
    per_token = (c["h"] * s.h + c["f"] * s.f + c["q"] * s.q + c["kv"] * s.kv
                 + c["heads"] * s.heads + c["head_dim"] * s.head_dim
                 + c["heads_x_seq"] * s.heads * s.seq + c.get("seq", 0) * s.seq + c["one"])
    return per_token, c["const"]


@lru_cache(maxsize=1024)
def outside_coefficients(arch: Architecture, precision: str, seq: int) -> tuple[float, float,
                                                                               float]:
    """(bytes per token, constant) of the embedding, final norm and lm_head input, and the
    loss's saved log-probabilities per token."""
    s, c = sizes(arch, seq), _recipe(arch, precision)["outside"]["coefficients"]
    per_token = c["h"] * s.h + c["head_dim"] * s.head_dim + c.get("seq", 0) * s.seq + c["one"]
    return per_token, c["const"], c["vocab"] * s.vocab


def layer_bytes(arch: Architecture, precision: str, tokens: int, seq: int, tp: int = 1) -> int:
    """Bytes one decoder layer keeps for backward (no checkpointing)."""
    per_token, const = layer_coefficients(arch, precision, seq, tp)
    return round(tokens * per_token + const)


def outside_bytes(arch: Architecture, precision: str, tokens: int, seq: int) -> tuple[int, int]:
    """(embedding, final norm and lm_head input; the loss's saved log-probabilities)."""
    per_token, const, loss = outside_coefficients(arch, precision, seq)
    return round(tokens * per_token + const), round(tokens * loss)


def checkpoint_bytes(arch: Architecture, residual_bytes: int, tokens: int) -> int:
    """Non-reentrant checkpointing keeps each layer's input (the residual stream)."""
    return arch.num_layers * tokens * arch.hidden_size * residual_bytes
