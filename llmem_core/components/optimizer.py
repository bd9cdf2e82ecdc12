"""Optimizer states (bar segment "optimizer").

Paper profile (LLMem §3): Adam momentum and variance in fp32 for every Embedding and Linear
weight, allocated at the first step at real tensor size (biases and norms ignored as
negligible):
    m_os = Σ_t ⌈t_p · (B32 + B32)⌉_p
The authors' code (size_estimator.py param_bytes L141-148) rounds momentum and variance apart,
divides each tensor by gpu_n before rounding under every multi-GPU method, and walks every
parameter of the Embedding and Linear modules — Linear biases too, a page each — except the
last (the lm_head term, see paper_walk.py). The profile follows the code:
    m_os = Σ_{t ≠ last} 2 · ⌈t_p · B32 / gpu_n⌉_p
"""

from __future__ import annotations

from functools import lru_cache

from llmem_core.components.paper_walk import module_params, pages_of
from llmem_core.models import Architecture, Optimizer
from llmem_core.units import B32


@lru_cache(maxsize=256)
def paper_optimizer_bytes(arch: Architecture, shards: int = 1) -> int:
    """Momentum and variance per GPU, each tensor's share 1/shards rounded to pages."""
    return sum(2 * pages_of(n * B32, 1, shards) for n in module_params(arch)[:-1])


# ---- profile `pytorch` --------------------------------------------------------------------
# torch.optim.AdamW keeps exp_avg and exp_avg_sq in the parameters' dtype. The foreach
# implementation's _foreach_sqrt(exp_avg_sq) makes a temporary the size of all states of one
# kind during step(); fused does not (reference: 20 bytes/parameter at the fp32 foreach step,
# 16 fused; shared/data/reference-peaks.csv).


def pytorch_state_bytes(params: int, state_bytes: int) -> int:
    return 2 * params * state_bytes


def pytorch_step_temporary(kind: Optimizer, params: int, state_bytes: int) -> int:
    return params * state_bytes if kind == Optimizer.ADAMW_FOREACH else 0
