"""Runtime base (bar segment "runtime"): what is in use before any tensor (m_base), plus
allocator slack. No tensor-level reference sees these; they are named, user-settable inputs.
"""

from __future__ import annotations

from llmem_core.models import Runtime
from llmem_core.units import MiB

# Heuristic default for m_base. The paper measures it on each machine; with current CUDA
# (12.x) the context and library handles take about 300–600 MiB per GPU
# (shared/docs/llmem-method.md §7). 512 MiB sits in that range; users can set their own.
DEFAULT_CUDA_CONTEXT = 512 * MiB


def cuda_context_bytes(runtime: Runtime) -> int:
    return runtime.cuda_context_bytes or DEFAULT_CUDA_CONTEXT


def allocator_slack_bytes(runtime: Runtime, tensor_peak: int) -> int:
    """Fragmentation of the caching allocator, as a fraction of the tensor peak."""
    return round(tensor_peak * runtime.allocator_slack)


# Paper profile: m_base is what the GPU holds before the model's chunks. The authors measure it
# on the machine (dp_real.py L266-274: NVML minus GPUtil before loading; L360-361: after
# booster.boost) and the paper prints no value, so the default is llmem's CUDA-context
# heuristic above; set it from a measurement (`--cuda-context-mib`).
PAPER_DEFAULT_M_BASE = DEFAULT_CUDA_CONTEXT


def paper_base_bytes(runtime: Runtime) -> int:
    return runtime.cuda_context_bytes or PAPER_DEFAULT_M_BASE
