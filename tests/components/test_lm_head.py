"""The lm_head part (paper): logits, two shifted copies, fp16 weight; grows with vocabulary."""

from __future__ import annotations

from llmem_core.components.lm_head import paper_lm_head_bytes
from llmem_core.presets import find_model


def test_gpt2_by_hand() -> None:
    """GPT-2 (V 50,257, fp16 logits), bs 1, sl 1024:
    ⌈1·1024·50,257·2⌉_p = ⌈102,926,336⌉_p = 50 pages = 104,857,600;
    2·⌈1·1023·50,257·2⌉_p = 2·50 pages = 209,715,200; weight 50,257·768·2 = 77,194,752.
    Total 391,767,552."""
    arch = find_model("openai-community/gpt2").architecture
    assert paper_lm_head_bytes(arch, 1, 1024) == 391_767_552


def test_grows_linearly_with_vocabulary() -> None:
    arch = find_model("meta-llama/Llama-3.1-8B").architecture
    small = paper_lm_head_bytes(arch.with_vocab(32_000), 2, 1024)
    big = paper_lm_head_bytes(arch.with_vocab(256_000), 2, 1024)
    assert big / small == __import__("pytest").approx(8, rel=0.01)


def test_gpt_neo_upcasts_in_the_paper() -> None:
    """GPT-Neo casts logits to fp32 in transformers 4.29: 4 bytes per logit."""
    arch = find_model("EleutherAI/gpt-neo-125m").architecture
    weight = 50_257 * 768 * 2
    assert paper_lm_head_bytes(arch, 1, 2) - weight == 3 * 2**21  # three tiny tensors, 1 page each
    assert paper_lm_head_bytes(arch, 8, 2048) - weight >= 3 * 8 * 2047 * 50_257 * 4
