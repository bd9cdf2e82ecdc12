"""Library workspaces (bar segment "workspace"): memory PyTorch's libraries take through the
caching allocator that no fake-device reference sees, because the fake kernels never run.

- cuBLAS: `parseChosenWorkspaceSize` (aten/src/ATen/cuda/CublasHandlePool.cpp) defaults to
  CUBLAS_WORKSPACE_CONFIG ":4096:2:16:8" = 4096 KiB · 2 + 16 KiB · 8, and to 4096 KiB · 8 =
  32 MiB on sm90 (Hopper). `setWorkspaceForHandle` allocates it once per (cuBLAS handle,
  stream) through c10's caching allocator and keeps it for the life of the process.
- cuBLASLt: `parseCUDABlasLtWorkspaceSize`, 1024 KiB per (handle, stream) on CUDA
  (`getCUDABlasLtWorkspace`, allocated through the caching allocator as well).
- Handles are per thread (DeviceThreadHandlePool): the forward runs on the main thread and the
  backward on autograd's device thread, so a training step holds two of each, on the compute
  stream (FSDP2's communication streams run no matmuls).
- Flash attention's backward (`mha_bwd`, Dao-AILab/flash-attention csrc/flash_attn/
  flash_api.cpp, vendored in aten/src/ATen/native/transformers/cuda/flash_attn/flash_api.cpp)
  allocates `softmax_d` [b, heads, s₁₂₈] and `dq_accum` [b, s₁₂₈, heads, d₃₂] in fp32 (sequence
  rounded up to 128, head size to 32), and, when key/value heads are fewer than query heads,
  `dk_expanded`/`dv_expanded` [b, s, heads, d] in the compute dtype; they live while one
  layer's attention backward runs.
"""

from __future__ import annotations

from typing import NamedTuple

from llmem_core.models import Architecture
from llmem_core.units import B32, KiB, round_up

CUBLAS_DEFAULT = 4096 * KiB * 2 + 16 * KiB * 8  # ":4096:2:16:8"
CUBLAS_SM90 = 4096 * KiB * 8  # 32 MiB on Hopper
CUBLASLT_DEFAULT = 1024 * KiB
HANDLES = 2  # forward (main thread) and backward (autograd's device thread)
FLASH_SEQ_ROUND = 128  # seqlen_q_rounded
FLASH_HEAD_ROUND = 32  # head_size_rounded (d ≤ 192: multiple of 32)


class Workspaces(NamedTuple):
    persistent: int  # cuBLAS + cuBLASLt, from the first matmul on
    attention_backward: int  # flash attention's backward, during one layer's backward


def cublas_bytes(sm90: bool, override: int | None = None) -> int:
    """cuBLAS + cuBLASLt workspace of one (handle, stream)."""
    if override is not None:
        return override
    return (CUBLAS_SM90 if sm90 else CUBLAS_DEFAULT) + CUBLASLT_DEFAULT


def flash_backward_bytes(arch: Architecture, batch: int, seq: int, e: int, tp: int = 1) -> int:
    """softmax_d + dq_accum (fp32), + the expanded dK/dV for grouped-query attention."""
    heads = arch.num_attention_heads // tp
    s_round = round_up(seq, FLASH_SEQ_ROUND)
    d_round = round_up(arch.head_dim, FLASH_HEAD_ROUND)
    softmax_d = batch * heads * s_round * B32
    dq_accum = batch * s_round * heads * d_round * B32
    expanded = 0
    if arch.num_key_value_heads < arch.num_attention_heads:
        expanded = 2 * batch * seq * heads * arch.head_dim * e
    return softmax_d + dq_accum + expanded


def workspaces(sm90: bool, override: int | None, attention_backward: int) -> Workspaces:
    return Workspaces(HANDLES * cublas_bytes(sm90, override), attention_backward)
