"""Which catalog GPUs lack a number format a precision needs (a fact of the hardware, not of
the estimate: memory is the same; speed and whether it runs at all are not).

bfloat16 tensor-core math arrived with compute capability 8.0 (NVIDIA A100 Tensor Core GPU
Architecture whitepaper, 2020, "BF16"); V100 (7.0) and T4 (7.5) have fp16 tensor cores only,
so bf16 training there is emulated, far slower, or refused by the kernels. The catalog says so
in each row's note ("no BF16 support"); tests/test_support.py checks the two agree.
"""

from __future__ import annotations

from llmem_core.models import Precision

NO_BF16 = frozenset({"v100-16gb", "v100-32gb", "t4-16gb"})
BF16_PRECISIONS = frozenset({Precision.AMP_BF16, Precision.BF16})


def unsupported(gpu_key: str, precision: Precision) -> bool:
    """Whether this catalog GPU has no native support for the precision's number format."""
    return precision in BF16_PRECISIONS and gpu_key in NO_BF16
