"""Memory outside PyTorch (bar segment "runtime"): what nvidia-smi (NVML) shows beyond the
caching allocator's reserved bytes. No tensor-level reference sees it; every term is a named,
user-settable input with a documented default.

- CUDA context: the driver's per-process state and the kernels loaded into it. With lazy
  module loading (CUDA ≥ 11.7; PyTorch ≥ 1.13 sets CUDA_MODULE_LOADING=LAZY, pytorch#86509)
  kernels load on first use: a bare context measured 287 MB (pytorch#86509, vs 667 MB with
  eager loading), "around 400MB" (ptrblck, pytorch#109888; ">1000MB" before CUDA 11.7, #107667),
  256 MiB on an RTX 3090 with torch 2.7.1 (InvokeAI#9413) and 426 MiB on an RTX 6000 Ada with
  torch 2.10 (unsloth-zoo#1053). A training step loads many more kernels: the default is
  512 MiB (a heuristic in that range, as before).
- NCCL communicator buffers (several GPUs only): NCCL_BUFFSIZE (4 MiB by default, NCCL's
  environment-variable docs) per protocol, channel and peer, plus NVLS multicast buffers on
  NVSwitch Hopper systems. Their total depends on the topology NCCL detects; the defaults
  below are heuristics read off published out-of-memory messages ("this process has X GiB
  memory in use" − "allocated by PyTorch" − "reserved but unallocated" − the context):
  8 × V100 FSDP, 1.46 GiB outside (Lightning-AI/litgpt#191); 16 × H100 FSDP over two nodes,
  1.88 GiB (simplescaling/s1#61); 8 × H200 FSDP, 3.44 GiB (simplescaling/s1#106). See
  tests/fixtures/published/.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from llmem_core.models import Runtime
from llmem_core.units import GiB, MiB

DEFAULT_CUDA_CONTEXT = 512 * MiB


class Arch(StrEnum):
    """GPU generation, by compute capability (developer.nvidia.com/cuda-gpus)."""

    VOLTA = "volta"  # sm70: V100
    TURING = "turing"  # sm75: T4
    AMPERE = "ampere"  # sm80/86: A100, A10, RTX 3090, RTX A6000
    ADA = "ada"  # sm89: L4, L40S, RTX 4090, RTX 6000 Ada
    HOPPER = "hopper"  # sm90: H100, H200, GH200
    BLACKWELL = "blackwell"  # sm100/120: B200, RTX 5090
    OTHER = "other"  # AMD, Intel or a custom GPU: NVIDIA defaults apply


# Catalog key prefixes (presets/gpus.json) → generation.
ARCH_OF_PREFIX: tuple[tuple[str, Arch], ...] = (
    ("v100", Arch.VOLTA),
    ("t4", Arch.TURING),
    ("a10", Arch.AMPERE),  # a10, a10g, a100…
    ("rtx3090", Arch.AMPERE),
    ("rtx-a6000", Arch.AMPERE),
    ("l4", Arch.ADA),  # l4, l40s
    ("rtx4090", Arch.ADA),
    ("rtx6000-ada", Arch.ADA),
    ("h100", Arch.HOPPER),
    ("h200", Arch.HOPPER),
    ("gh200", Arch.HOPPER),
    ("b200", Arch.BLACKWELL),
    ("rtx5090", Arch.BLACKWELL),
)

# NCCL buffers per GPU when a job spans several GPUs (heuristics, see the module docstring).
NCCL_DEFAULT = 1 * GiB  # 8 × V100: 1.46 GiB outside − 0.5 GiB context ≈ 0.96 GiB
NCCL_NVSWITCH_HOPPER = 2 * GiB  # 16 × H100: 1.38 GiB; 8 × H200: 2.94 GiB (NVLS)
NCCL_BY_ARCH = {Arch.HOPPER: NCCL_NVSWITCH_HOPPER, Arch.BLACKWELL: NCCL_NVSWITCH_HOPPER}


class Outside(NamedTuple):
    context: int
    nccl: int

    @property
    def total(self) -> int:
        return self.context + self.nccl


def arch_of(gpu_key: str | None) -> Arch:
    if gpu_key:
        for prefix, arch in ARCH_OF_PREFIX:
            if gpu_key.startswith(prefix):
                return arch
    return Arch.OTHER


def cuda_context_bytes(runtime: Runtime) -> int:
    return runtime.cuda_context_bytes or DEFAULT_CUDA_CONTEXT


def nccl_bytes(runtime: Runtime, arch: Arch, gpus: int) -> int:
    if runtime.nccl_bytes is not None:
        return runtime.nccl_bytes
    if gpus == 1:
        return 0
    return NCCL_BY_ARCH.get(arch, NCCL_DEFAULT)


def outside_bytes(runtime: Runtime, gpu_key: str | None, gpus: int) -> Outside:
    return Outside(cuda_context_bytes(runtime), nccl_bytes(runtime, arch_of(gpu_key), gpus))


def allocator_slack_bytes(runtime: Runtime, tensor_peak: int) -> int:
    """A user-given slack fraction (0: none given), of the tensor peak (paper profile)."""
    return round(tensor_peak * runtime.allocator_slack)


# Paper profile: m_base is what the GPU holds before the model's chunks. The authors measure it
# on the machine (dp_real.py L266-274: NVML minus GPUtil before loading; L360-361: after
# booster.boost) and the paper prints no value, so the default is llmem's CUDA-context
# heuristic above; set it from a measurement (`--cuda-context-mib`).
PAPER_DEFAULT_M_BASE = DEFAULT_CUDA_CONTEXT


def paper_base_bytes(runtime: Runtime) -> int:
    return runtime.cuda_context_bytes or PAPER_DEFAULT_M_BASE
