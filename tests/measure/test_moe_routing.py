"""The balanced router used to measure MoE on fake tensors (llmem_core/measure/_moe.py) is the
eager experts loop: on real CPU tensors, routed as it routes (pair p to expert p mod E), the
model's own eager forward gives the same output and the same gradients."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

pytestmark = pytest.mark.slow

CONFIGS = {
    "qwen3_moe": {"hidden_size": 32, "moe_intermediate_size": 16, "num_experts": 4,
                  "num_experts_per_tok": 2, "num_hidden_layers": 1, "num_attention_heads": 2,
                  "num_key_value_heads": 1, "head_dim": 16, "vocab_size": 64},
    "gpt_oss": {"hidden_size": 32, "intermediate_size": 16, "num_local_experts": 4,
                "num_experts_per_tok": 2, "num_hidden_layers": 1, "num_attention_heads": 2,
                "num_key_value_heads": 1, "head_dim": 16, "vocab_size": 64},
}  # fmt: skip


def _experts(model_type: str) -> torch.nn.Module:
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.for_model(model_type, **CONFIGS[model_type])
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, experts_implementation="eager")
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.1)
    return model.model.layers[0].mlp.experts


@pytest.mark.parametrize("model_type", sorted(CONFIGS))
def test_balanced_forward_is_the_eager_loop(model_type: str) -> None:
    from llmem_core.measure._moe import balanced_experts_forward

    experts = _experts(model_type)
    tokens, k, e = 6, 2, experts.num_experts
    index = (torch.arange(tokens * k) % e).view(tokens, k)  # the balanced assignment
    weights = torch.rand(tokens, k, requires_grad=True)
    x = torch.randn(tokens, 32, requires_grad=True)
    eager = experts(x, index, weights)  # config: eager, the model's own loop
    balanced = balanced_experts_forward(experts, x, index, weights)
    torch.testing.assert_close(balanced, eager)
    grads = torch.autograd.grad(eager.sum(), (x, weights))
    again = torch.autograd.grad(balanced.sum(), (x, weights))
    for a, b in zip(grads, again, strict=True):
        torch.testing.assert_close(a, b)
