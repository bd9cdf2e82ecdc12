"""Which scaled_dot_product_attention kernel a real GPU takes, and what each keeps (issue #12).

torch 2.13's CUDA picker (aten/src/ATen/native/transformers/cuda/sdp_utils.cpp,
`select_sdp_backend`: flash, then memory-efficient, then math) as it applies to Hugging Face
causal LMs with no padding mask:
- flash: 16-bit inputs, head_dim ≤ 256, no explicit mask (grouped-query heads handled inside).
  Keeps q, k, v, the output and a log-sum-exp of heads·S fp32 per sequence: no S×S matrix.
- memory-efficient: fp32 (or a mask); in torch 2.13 not for grouped-query heads
  (`check_batch_size_and_num_heads_dense<false>`: the key/value heads must equal the query
  heads). Keeps the same as flash, the log-sum-exp padded to 32.
- math: everything else; keeps the softmax probabilities, heads·S² per sequence in the compute
  dtype (plus a dropout mask of the same size when attention dropout is on).
Eager attention (BLOOM, GPT-Neo, Gemma-2's default) is the math path written out by the model.

The activation recipes were measured with flash for 16-bit and memory-efficient for fp32 (the
team's shared reference, tests/fixtures/reference/README.md): where a GPU would take math
instead (fp32 with grouped-query heads), the estimate adds nothing and the notes give the
difference, `math_extra_bytes`.
"""

from __future__ import annotations

from enum import StrEnum

from llmem_core.models import Architecture, AttentionImpl, Precision

FLASH_MAX_HEAD_DIM = 256  # sdp_utils.cpp `check_head_dim_size_flash`


class Kernel(StrEnum):
    FLASH = "flash"
    EFFICIENT = "memory-efficient"
    MATH = "math"
    EAGER = "eager"  # the model's own softmax(QKᵀ) (an S×S matrix, like math)


def kernel(arch: Architecture, precision: Precision, sharded_16bit: bool = False) -> Kernel:
    """The kernel a GPU takes for this model at this precision (no mask: unpacked sequences).
    `sharded_16bit`: FSDP2 / DeepSpeed mixed precision, where the compute is 16-bit too."""
    if arch.attention_impl == AttentionImpl.EAGER:
        return Kernel.EAGER
    sixteen = precision != Precision.FP32 or sharded_16bit
    if sixteen and arch.head_dim <= FLASH_MAX_HEAD_DIM:
        return Kernel.FLASH
    grouped = arch.num_key_value_heads != arch.num_attention_heads
    return Kernel.MATH if grouped else Kernel.EFFICIENT


def math_extra_bytes(arch: Architecture, tokens: int, seq: int, compute_bytes: int) -> int:
    """What the math kernel keeps beyond flash / memory-efficient, all layers: the softmax
    probabilities, heads·S per token per layer in the compute dtype (and their fp32 softmax
    input is freed)."""
    return arch.num_layers * tokens * arch.num_attention_heads * seq * compute_bytes
