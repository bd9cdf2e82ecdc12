"""Mixture-of-experts routing that runs on fake tensors (imported only in the worker).

transformers 5.24 runs a model's experts through `config._experts_implementation`
(integrations/moe.py). Its default, `grouped_mm`, sorts the token-expert pairs and multiplies
them in one grouped GEMM: no shape depends on the routing, so it runs on fake tensors as it is,
and its saved tensors do not depend on how the tokens spread. But torch 2.13's grouped GEMM
takes only bf16 operands (`_grouped_mm_cuda`, mirrored by its meta function), so a run with fp32
weights (fp32, AMP) must take the `eager` loop, which asks `nonzero()` which experts were hit
and `where()` which tokens each got: data-dependent shapes a fake tensor cannot have.

For those runs the worker registers `balanced`: the eager loop, line for line, with the
router's choice replaced by a fixed, perfectly balanced assignment — pair p = token·k + j goes
to expert p mod E, so each expert gets t·k/E of the t·k pairs. The router still runs (its
logits, softmax and top-k are computed and saved as in training) and its weights still scale
the experts' outputs, so its gradient path is the real one. What this assumes is stated in the
estimate: tokens spread evenly (the balanced routing auxiliary losses aim at).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from llmem_core.hf_config import EXPERT_COUNT_KEYS

BALANCED = "balanced"


def balanced_experts_forward(
    self: torch.nn.Module,
    hidden_states: torch.Tensor,
    top_k_index: torch.Tensor,
    top_k_weights: torch.Tensor,
) -> torch.Tensor:
    """The eager experts loop (Qwen3MoeExperts / GptOssExperts.forward) with balanced routing."""
    final = torch.zeros_like(hidden_states)
    k = top_k_index.shape[-1]
    pairs = hidden_states.shape[0] * k
    for expert in range(self.num_experts):
        flat = torch.arange(expert, pairs, self.num_experts, device=hidden_states.device)
        token_idx, position = flat // k, flat % k
        out = _expert(self, expert, hidden_states[token_idx])
        out = out * top_k_weights[token_idx, position, None]
        final.index_add_(0, token_idx, out.to(final.dtype))
    return final


def _expert(self: torch.nn.Module, e: int, x: torch.Tensor) -> torch.Tensor:
    up = _linear(self, x, self.gate_up_proj[e], "gate_up_proj_bias", e)
    return _linear(self, self._apply_gate(up), self.down_proj[e], "down_proj_bias", e)


def _linear(self: torch.nn.Module, x: torch.Tensor, w: torch.Tensor, bias: str, e: int):  # type: ignore[no-untyped-def]
    out = x @ w if self.is_transposed else F.linear(x, w)
    return out + getattr(self, bias)[e] if self.has_bias else out


def install() -> None:
    from transformers.integrations.moe import ALL_EXPERTS_FUNCTIONS

    ALL_EXPERTS_FUNCTIONS.register(BALANCED, balanced_experts_forward)


def build_kwargs(config: object, dtype: torch.dtype, fake: bool) -> dict[str, str]:
    """from_config's experts_implementation for what a GPU would run: grouped_mm for bf16
    weights (transformers' default), the eager loop for fp32 weights, which grouped_mm refuses
    (on the fake device: balanced). Nothing for a dense model (it has no experts to set)."""
    if not any(getattr(config, key, None) for key in EXPERT_COUNT_KEYS) or dtype == torch.bfloat16:
        return {}
    return {"experts_implementation": BALANCED if fake else "eager"}
