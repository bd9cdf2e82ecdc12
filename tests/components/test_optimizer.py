"""Optimizer states (paper): 2·⌈4·t_p⌉_p per Embedding/Linear weight."""

from __future__ import annotations

from llmem_core.components.optimizer import paper_optimizer_bytes
from llmem_core.presets import find_model
from llmem_core.units import MiB


def test_tiny_by_hand(tiny) -> None:
    """10 weight tensors (wte, wpe, and c_attn, c_proj, c_fc, c_proj in 2 layers), each under
    one page: 10 · 2 · 2 MiB = 40 MiB; biases and LayerNorms are ignored (LLMem §3)."""
    assert paper_optimizer_bytes(tiny) == 40 * MiB


def test_about_eight_bytes_per_parameter_for_big_models() -> None:
    """At 7 B parameters page rounding is negligible: m_os ≈ 8 bytes · parameters."""
    arch = find_model("meta-llama/Llama-2-7b-hf").architecture
    assert abs(paper_optimizer_bytes(arch) / (8 * 6_738_415_616) - 1) < 0.002


def test_pytorch_adamw_states_and_foreach_temporary() -> None:
    """torch AdamW: exp_avg + exp_avg_sq in the parameter dtype (2·P·sb); foreach's sqrt makes
    one more copy at the step, fused none. P = 1,000, fp32: 8,000 states, 4,000 temporary."""
    from llmem_core.components.optimizer import pytorch_state_bytes, pytorch_step_temporary
    from llmem_core.models import Optimizer

    assert pytorch_state_bytes(1_000, 4) == 8_000
    assert pytorch_step_temporary(Optimizer.ADAMW_FOREACH, 1_000, 4) == 4_000
    assert pytorch_step_temporary(Optimizer.ADAMW_FUSED, 1_000, 4) == 0
