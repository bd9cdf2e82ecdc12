"""Kept activations (paper): (e_n + l_n) layer outputs in fp16 under checkpointing."""

from __future__ import annotations

from llmem_core.components.activations import embedding_layers, paper_activation_bytes
from llmem_core.presets import find_model
from llmem_core.units import pages


def test_learned_positions_add_an_embedding_output(tiny) -> None:
    assert embedding_layers(tiny) == 2
    assert embedding_layers(find_model("meta-llama/Llama-3.1-8B").architecture) == 1


def test_llama_by_hand() -> None:
    """Llama-3.1-8B, bs 4, sl 2048: (1 + 32)·4·2048·4096·2 = 2,214,592,512 = 1,056 pages."""
    arch = find_model("meta-llama/Llama-3.1-8B").architecture
    assert paper_activation_bytes(arch, 4, 2048) == 2_214_592_512 == pages(2_214_592_512)


def test_pytorch_llama_bf16_layer_recipe_by_hand() -> None:
    """The census recipe for Llama in bf16 (presets/activation-recipes.json) per token and layer:
    two RMSNorms 16·h (fp32 input copy + two bf16 tensors each) + SwiGLU 8·f (gate, silu,
    up, product) + q and k/v after rotary 4·q + 4·kv + flash log-sum-exp 4·heads + rsqrt 8.
    Llama-3.2-1B, t = 4,096: 16·2048 + 8·8192 + 4·2048 + 4·512 + 4·32 + 8 = 108,680 B/token,
    445,153,280 B per layer (+ a few bytes of RNG state)."""
    from llmem_core.components.activations import layer_rate

    arch = find_model("meta-llama/Llama-3.2-1B").architecture
    got = layer_rate(arch, "bf16", 512).at(4_096)
    assert abs(got - 108_680 * 4_096) <= 64


def test_checkpointing_keeps_layer_inputs() -> None:
    """Llama-3.1-8B under amp, t = 8,192: 32 layers · t · 4,096 · 4 bytes = 4,294,967,296."""
    from llmem_core.components.activations import checkpoint_bytes

    arch = find_model("meta-llama/Llama-3.1-8B").architecture
    assert checkpoint_bytes(arch, 4, 8_192) == 4_294_967_296
