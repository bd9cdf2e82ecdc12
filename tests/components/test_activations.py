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
