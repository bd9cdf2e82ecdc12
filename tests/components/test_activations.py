"""Kept activations (paper): the block-boundary tensors the authors' code records, in fp16."""

from __future__ import annotations

from llmem_core.components.activations import paper_activation_bytes
from llmem_core.presets import find_model
from llmem_core.units import MiB


def test_tiny_by_hand(tiny) -> None:
    """TINY, bs 2, sl 16: l_n + 2 = 4 boundary tensors of 2·16·64·2 = 4,096 B, a page each,
    and the probe's token ids 2·16·8 = 256 B, a page: 5 pages."""
    assert paper_activation_bytes(tiny, 2, 16) == 10 * MiB


def test_llama_counts_two_embedding_outputs_without_a_position_table() -> None:
    """Llama-3.1-8B (rotary), bs 4, sl 2048: the code still records the token embedding's
    output twice: (2 + 32) · 4·2048·4096·2 (= 32 pages each) + ⌈2·2048·8⌉_p
    = 34 · 67,108,864 + 2,097,152 = 2,283,798,528."""
    arch = find_model("meta-llama/Llama-3.1-8B").architecture
    assert paper_activation_bytes(arch, 4, 2048) == 2_283_798_528


def test_opt_350m_project_out_is_narrower() -> None:
    """OPT-350m (embedding 512, body 1,024, 24 layers), bs 1, sl 512: three 512-wide tensors
    (two embedding outputs, project_out's) of 512 KiB and 23 block inputs of 1 MiB, a page
    each, plus the ids' page: 27 pages = 54 MiB."""
    arch = find_model("facebook/opt-350m").architecture
    assert paper_activation_bytes(arch, 1, 512) == 54 * MiB


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
