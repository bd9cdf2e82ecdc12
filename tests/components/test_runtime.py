"""Runtime base: CUDA context default and override, allocator slack."""

from __future__ import annotations

from llmem_core.components.runtime import (
    DEFAULT_CUDA_CONTEXT,
    allocator_slack_bytes,
    cuda_context_bytes,
)
from llmem_core.models import Runtime
from llmem_core.units import MiB


def test_default_and_override() -> None:
    assert cuda_context_bytes(Runtime()) == DEFAULT_CUDA_CONTEXT == 512 * MiB
    assert cuda_context_bytes(Runtime(cuda_context_bytes=300 * MiB)) == 300 * MiB


def test_slack_is_a_fraction_of_the_tensor_peak() -> None:
    assert allocator_slack_bytes(Runtime(allocator_slack=0.05), 1000) == 50
    assert allocator_slack_bytes(Runtime(), 1000) == 0


def test_paper_base_default_and_override() -> None:
    """The paper measures m_base and prints no value: llmem's heuristic unless given."""
    from llmem_core.components.runtime import PAPER_DEFAULT_M_BASE, paper_base_bytes

    assert paper_base_bytes(Runtime(profile="paper")) == PAPER_DEFAULT_M_BASE == 512 * MiB
    given = Runtime(profile="paper", cuda_context_bytes=1_750 * MiB)
    assert paper_base_bytes(given) == 1_750 * MiB
