"""Optimizer states (bar segment "optimizer").

Paper profile (LLMem §3): Adam momentum and variance in fp32 for every Embedding and Linear
weight, allocated at the first step at real tensor size and rounded to pages per tensor, as the
authors' code does (biases and norms ignored as negligible):
    m_os = Σ_t 2 · ⌈t_p · B32⌉_p
"""

from __future__ import annotations

from functools import lru_cache

from llmem_core.models import Architecture, Optimizer
from llmem_core.params import tensors
from llmem_core.units import B32, pages


@lru_cache(maxsize=256)
def paper_optimizer_bytes(arch: Architecture) -> int:
    weights = (t for t in tensors(arch) if t.kind in ("embedding", "linear"))
    return sum(2 * pages(t.numel * B32) for t in weights)


# ---- profile `pytorch` --------------------------------------------------------------------
# torch.optim.AdamW keeps exp_avg and exp_avg_sq in the parameters' dtype. The foreach
# implementation's _foreach_sqrt(exp_avg_sq) makes a temporary the size of all states of one
# kind during step(); fused does not (reference: 20 bytes/parameter at the fp32 foreach step,
# 16 fused; shared/data/reference-peaks.csv).


def pytorch_state_bytes(params: int, state_bytes: int) -> int:
    return 2 * params * state_bytes


def pytorch_step_temporary(kind: Optimizer, params: int, state_bytes: int) -> int:
    return params * state_bytes if kind == Optimizer.ADAMW_FOREACH else 0
