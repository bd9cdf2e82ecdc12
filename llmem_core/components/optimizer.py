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


# ---- issue #12: the other optimizers, per trainable tensor -------------------------------------
# `numels` are the trainable tensors' element counts (one optimizer state per tensor), `shapes`
# the 2-D ones' (rows, cols) for Adafactor's factored moment; sb is the state dtype's bytes.

# bitsandbytes Optimizer2State.init_state (bitsandbytes/optim/optimizer.py): a tensor under
# min_8bit_size = 4,096 elements keeps fp32 states; larger ones keep two uint8 states and one
# fp32 absmax per block of 256 for each (absmax1, absmax2).
BNB_MIN_8BIT = 4096
BNB_BLOCK = 256
# get_state_buffer: paged (CUDA unified memory) only for tensors of at least 1e5 elements.
BNB_MIN_PAGED = 100_000


def adamw_8bit_bytes(numels: tuple[int, ...]) -> int:
    """bitsandbytes AdamW8bit states: 2·n + 2·4·⌈n/256⌉ per tensor (8·n under 4,096)."""
    total = 0
    for n in numels:
        if n < BNB_MIN_8BIT:
            total += 8 * n
        else:
            total += 2 * n + 2 * 4 * -(-n // BNB_BLOCK)
    return total


def paged_bytes(numels: tuple[int, ...]) -> int:
    """The part of the 8-bit states bitsandbytes puts in pageable unified memory."""
    return adamw_8bit_bytes(tuple(n for n in numels if n >= BNB_MIN_PAGED))


def adafactor_bytes(numels: tuple[int, ...], shapes: tuple[tuple[int, int], ...], sb: int) -> int:
    """torch.optim.Adafactor (torch/optim/_adafactor.py `_init_group`): a 2-D tensor keeps a
    row and a column factor (rows + cols elements), a 1-D one a full variance; no momentum."""
    factored = sum(rows + cols for rows, cols in shapes)
    vectors = sum(numels) - sum(rows * cols for rows, cols in shapes)
    return (factored + vectors) * sb


def state_bytes(
    kind: Optimizer, numels: tuple[int, ...], shapes: tuple[tuple[int, int], ...], sb: int
) -> int:
    """Persistent optimizer state of the trainable tensors."""
    n = sum(numels)
    if kind in (Optimizer.ADAMW_FOREACH, Optimizer.ADAMW_FUSED):
        return pytorch_state_bytes(n, sb)
    if kind == Optimizer.SGD:
        return n * sb  # momentum_buffer (torch/optim/sgd.py: grad.detach().clone())
    if kind == Optimizer.ADAFACTOR:
        return adafactor_bytes(numels, shapes, sb)
    return adamw_8bit_bytes(numels)  # ADAMW_8BIT, PAGED_ADAMW_8BIT


def step_temporary(kind: Optimizer, group: int, shapes_numel: int, sb: int, largest: int) -> int:
    """Scratch during optimizer.step() over a group of `group` elements.

    foreach AdamW: one state-sized copy (sqrt of exp_avg_sq). SGD with momentum, foreach,
    no weight decay: in place (torch/optim/sgd.py `_multi_tensor_sgd`). Adafactor, foreach:
    `var_estimates`, one full-size tensor per parameter (row_var @ col_var for a matrix,
    variance.clone() for a vector; torch/optim/_adafactor.py `_multi_tensor_adafactor`),
    measured: exactly P·sb at the step (OPT-125m, fake device). bitsandbytes' 8-bit kernels
    update in place. (`shapes_numel`, `largest`: the 2-D tensors' and the largest tensor's
    elements, for optimizers whose scratch is per tensor.)"""
    if kind in (Optimizer.ADAMW_FOREACH, Optimizer.ADAFACTOR):
        return group * sb
    return 0
