"""Memory outside PyTorch: the CUDA context and NCCL's buffers by GPU generation and count."""

from __future__ import annotations

import pytest

from llmem_core.components.runtime import (
    DEFAULT_CUDA_CONTEXT,
    NCCL_DEFAULT,
    NCCL_NVSWITCH_HOPPER,
    Arch,
    allocator_slack_bytes,
    arch_of,
    cuda_context_bytes,
    outside_bytes,
)
from llmem_core.models import Runtime
from llmem_core.presets import load_gpus
from llmem_core.units import GiB, MiB


def test_default_and_override() -> None:
    assert cuda_context_bytes(Runtime()) == DEFAULT_CUDA_CONTEXT == 512 * MiB
    assert cuda_context_bytes(Runtime(cuda_context_bytes=300 * MiB)) == 300 * MiB


def test_a_user_slack_fraction_is_of_the_tensor_peak() -> None:
    assert allocator_slack_bytes(Runtime(allocator_slack=0.05), 1000) == 50
    assert allocator_slack_bytes(Runtime(), 1000) == 0  # 0: no fraction given


def test_paper_base_default_and_override() -> None:
    """The paper measures m_base and prints no value: llmem's heuristic unless given."""
    from llmem_core.components.runtime import PAPER_DEFAULT_M_BASE, paper_base_bytes

    assert paper_base_bytes(Runtime(profile="paper")) == PAPER_DEFAULT_M_BASE == 512 * MiB
    given = Runtime(profile="paper", cuda_context_bytes=1_750 * MiB)
    assert paper_base_bytes(given) == 1_750 * MiB


@pytest.mark.parametrize(
    ("key", "arch"),
    [("v100-32gb", Arch.VOLTA), ("a100-80gb", Arch.AMPERE), ("l40s-48gb", Arch.ADA),
     ("h100-80gb", Arch.HOPPER), ("h200-141gb", Arch.HOPPER), ("b200-180gb", Arch.BLACKWELL),
     ("mi300x-192gb", Arch.OTHER), (None, Arch.OTHER)],
)  # fmt: skip
def test_generation_by_catalog_key(key: str | None, arch: Arch) -> None:
    assert arch_of(key) is arch


def test_every_catalog_gpu_has_a_generation() -> None:
    nvidia = [g.key for g in load_gpus().values() if g.vendor == "NVIDIA"]
    assert all(arch_of(k) is not Arch.OTHER for k in nvidia)


def test_nccl_only_on_several_gpus() -> None:
    assert outside_bytes(Runtime(), "h100-80gb", 1).nccl == 0
    assert outside_bytes(Runtime(), "h100-80gb", 8).nccl == NCCL_NVSWITCH_HOPPER == 2 * GiB
    assert outside_bytes(Runtime(), "a100-80gb", 8).nccl == NCCL_DEFAULT == 1 * GiB
    assert outside_bytes(Runtime(nccl_bytes=0), "a100-80gb", 8).total == DEFAULT_CUDA_CONTEXT


def test_published_outside_readings_within_a_gib() -> None:
    """The defaults against the published OOM readings they were set from
    (tests/fixtures/published): 8 × V100 1.46 GiB, 16 × H100 1.89, 8 × H200 3.25–3.44."""
    for key, gpus, seen in (
        ("v100-32gb", 8, 1.46),
        ("h100-80gb", 16, 1.89),
        ("h200-141gb", 8, 3.44),
    ):
        assert abs(outside_bytes(Runtime(), key, gpus).total / GiB - seen) < 1.0
