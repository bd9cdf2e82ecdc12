"""Make a CPU-only PyTorch take the code paths a CUDA GPU takes (imported only in the worker).

Each patch matches one CUDA behaviour the CPU build lacks; see the shared
docs/reference-measurement.md (/work/shared/docs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import torch
import torch.nn.functional as F

SDPA_KERNELS: Counter[str] = Counter()  # which attention kernel each call took, for the report
_FLASH_DTYPES = (torch.float16, torch.bfloat16)
_FLASH_MAX_HEAD_DIM = 256
FAKE_CAPABILITY = (9, 0)


def cuda_sdpa(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> torch.Tensor:
    """``F.scaled_dot_product_attention`` as the CUDA backend picker would route it.

    The CPU build has no CUDA picker and silently takes the math path (full S×S matrices). Flash
    for 16-bit inputs without a mask and head_dim ≤ 256 (it handles grouped-query heads itself);
    else the memory-efficient kernel, with key/value heads expanded for grouped-query attention.
    """
    query, key, value, attn_mask = _autocast_inputs(query, key, value, attn_mask)
    if _flash_eligible(query, key, value, attn_mask):
        SDPA_KERNELS["flash"] += 1
        return torch.ops.aten._scaled_dot_product_flash_attention(
            query, key, value, dropout_p, is_causal, False, scale=scale
        )[0]
    if enable_gqa and key.shape[-3] != query.shape[-3]:
        repeats = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(repeats, dim=-3)
        value = value.repeat_interleave(repeats, dim=-3)
    SDPA_KERNELS["efficient"] += 1
    needs_lse = torch.is_grad_enabled() and any(t.requires_grad for t in (query, key, value))
    return torch.ops.aten._scaled_dot_product_efficient_attention(
        query, key, value, attn_mask, needs_lse, dropout_p, is_causal, scale=scale
    )[0]


def _autocast_inputs(*tensors: torch.Tensor | None) -> tuple[torch.Tensor | None, ...]:
    # SDPA is on CUDA autocast's lower-precision list; the private kernels we call are not.
    if not torch.is_autocast_enabled("cuda"):
        return tensors
    dtype = torch.get_autocast_dtype("cuda")
    return tuple(t.to(dtype) if t is not None and t.is_floating_point() else t for t in tensors)


def _flash_eligible(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: object) -> bool:
    same_head_dim = q.shape[-1] == k.shape[-1] == v.shape[-1]
    return (
        mask is None
        and q.dtype in _FLASH_DTYPES
        and same_head_dim
        and q.shape[-1] <= _FLASH_MAX_HEAD_DIM
        and q.shape[-3] % k.shape[-3] == 0
    )


def _no_packed_sequences(original: Callable) -> Callable:
    def find_packed_sequence_indices(position_ids: torch.Tensor) -> torch.Tensor | None:
        # transformers treats every FakeTensor as "traced" and then builds an explicit causal mask
        # (which also forbids flash). Our inputs are one unpacked sequence per row, as on a GPU.
        if isinstance(position_ids, torch._subclasses.FakeTensor):
            return None
        return original(position_ids)

    return find_packed_sequence_indices


def install() -> None:
    """Apply the patches for a fake-CUDA run (never for a real GPU)."""
    from transformers import masking_utils

    from llmem_core.measure import _moe

    _moe.install()  # balanced routing for MoE runs with fp32 weights (_moe.py)

    # torch.autocast("cuda") (ours, and the one checkpointing re-enters for recomputation) turns
    # itself off when no driver answers; the fake device stands for a bf16-capable GPU.
    torch.cuda.amp.common.amp_definitely_not_available = lambda: False
    torch.cuda.is_bf16_supported = lambda including_emulation=True: True
    # transformers' MoE experts take torch's grouped_mm on SM80+ (integrations/moe.py
    # _can_use_grouped_mm asks the capability); the fake device stands for an H100 (SM90).
    torch.cuda.get_device_capability = lambda device=None: FAKE_CAPABILITY
    F.scaled_dot_product_attention = cuda_sdpa
    masking_utils.find_packed_sequence_indices = _no_packed_sequences(
        masking_utils.find_packed_sequence_indices
    )
