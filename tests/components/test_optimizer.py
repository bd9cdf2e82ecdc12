"""Optimizer states (paper): 2·⌈4·t_p/gpu_n⌉_p per walked Embedding/Linear parameter."""

from __future__ import annotations

from llmem_core.components.optimizer import paper_optimizer_bytes
from llmem_core.params import counts
from llmem_core.presets import find_model
from llmem_core.units import MiB


def test_tiny_by_hand(tiny) -> None:
    """TINY walks wte, wpe and, per layer, 4 Linear weights and 4 biases (18 entries), then the
    tied lm_head (the last entry, no states). Each is under a page at 4 bytes: 18·2 pages;
    LayerNorms are not walked (size_estimator.py param_bytes)."""
    assert paper_optimizer_bytes(tiny) == 72 * MiB
    assert paper_optimizer_bytes(tiny, 4) == 72 * MiB  # a quarter of a page is still a page


def test_about_eight_bytes_per_parameter_for_big_models() -> None:
    """Llama-2-7b: page rounding is negligible, and the untied lm_head (the last walked entry)
    has none: m_os ≈ 8·(P − V·h)."""
    arch = find_model("meta-llama/Llama-2-7b-hf").architecture
    walked = counts(arch).total - 32_000 * 4_096
    assert abs(paper_optimizer_bytes(arch) / (8 * walked) - 1) < 0.002


def test_sharded_per_tensor_before_rounding() -> None:
    """OPT-1.3b over 4 GPUs: each of the 290 entries with states (2 + 24·12, the tied lm_head
    last) rounds its quarter, so the sum lies above a quarter of the one-GPU figure and within
    two pages per entry of it."""
    arch = find_model("facebook/opt-1.3b").architecture
    one, four = paper_optimizer_bytes(arch), paper_optimizer_bytes(arch, 4)
    assert one / 4 < four < one / 4 + 290 * 2 * 2 * MiB


def test_pytorch_adamw_states_and_foreach_temporary() -> None:
    """torch AdamW: exp_avg + exp_avg_sq in the parameter dtype (2·P·sb); foreach's sqrt makes
    one more copy at the step, fused none. P = 1,000, fp32: 8,000 states, 4,000 temporary."""
    from llmem_core.components.optimizer import pytorch_state_bytes, pytorch_step_temporary
    from llmem_core.models import Optimizer

    assert pytorch_state_bytes(1_000, 4) == 8_000
    assert pytorch_step_temporary(Optimizer.ADAMW_FOREACH, 1_000, 4) == 4_000
    assert pytorch_step_temporary(Optimizer.ADAMW_FUSED, 1_000, 4) == 0
