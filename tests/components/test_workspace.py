"""Library workspaces: cuBLAS/cuBLASLt per (handle, stream), flash attention's backward."""

from __future__ import annotations

import pytest

from llmem_core.components.workspace import (
    CUBLAS_DEFAULT,
    CUBLAS_SM90,
    CUBLASLT_DEFAULT,
    HANDLES,
    cublas_bytes,
    flash_backward_bytes,
    workspaces,
)
from llmem_core.presets import find_model
from llmem_core.units import KiB, MiB


def test_cublas_defaults_are_torchs() -> None:
    """CublasHandlePool.cpp: ":4096:2:16:8" = 8 MiB + 128 KiB; 32 MiB on sm90; Lt 1 MiB."""
    assert 8 * MiB + 128 * KiB == CUBLAS_DEFAULT
    assert 32 * MiB == CUBLAS_SM90
    assert cublas_bytes(sm90=False) == 8 * MiB + 128 * KiB + CUBLASLT_DEFAULT
    assert cublas_bytes(sm90=True) == 33 * MiB
    assert cublas_bytes(sm90=True, override=0) == 0


def test_two_handles_forward_and_backward() -> None:
    assert workspaces(True, None, 0).persistent == HANDLES * 33 * MiB == 66 * MiB


@pytest.mark.parametrize(
    ("model", "expanded"),
    [("meta-llama/Llama-2-7b-hf", False), ("meta-llama/Llama-3.2-1B", True)],
    ids=["mha", "gqa"],
)
def test_flash_backward_by_hand(model: str, expanded: bool) -> None:
    """softmax_d b·heads·s₁₂₈·4 + dq_accum b·s₁₂₈·heads·d₃₂·4, + 2·b·s·heads·d·e for GQA."""
    arch = find_model(model).architecture
    b, s, heads, d = 2, 1000, arch.num_attention_heads, arch.head_dim
    s128 = 1024
    want = b * heads * s128 * 4 + b * s128 * heads * d * 4
    if expanded:
        want += 2 * b * s * heads * d * 2
    assert flash_backward_bytes(arch, b, s, 2) == want


def test_tensor_parallel_shards_the_heads() -> None:
    arch = find_model("meta-llama/Llama-2-7b-hf").architecture
    assert flash_backward_bytes(arch, 1, 2048, 2, tp=4) * 4 == flash_backward_bytes(
        arch, 1, 2048, 2
    )
