"""The lm_head part (paper): logits, two shifted copies, lm_p; grows with vocabulary."""

from __future__ import annotations

from llmem_core.components.lm_head import paper_lm_head_bytes, paper_lm_weight_bytes
from llmem_core.presets import find_model
from llmem_core.units import pages


def test_gpt2_by_hand() -> None:
    """GPT-2 (V 50,257, fp16 logits, tied), bs 1, sl 1024:
    ⌈1·1024·50,257·2⌉_p = ⌈102,926,336⌉_p = 50 pages = 104,857,600;
    2·⌈1·1023·50,257·2⌉_p = 2·50 pages = 209,715,200;
    lm_p = ⌈50,257·768·2⌉_p = ⌈77,194,752⌉_p = 37 pages = 77,594,624. Total 392,167,424."""
    arch = find_model("openai-community/gpt2").architecture
    assert paper_lm_head_bytes(arch, 1, 1024) == 392_167_424


def test_lm_p_is_the_last_walked_parameter() -> None:
    """Tied (OPT): the embedding, V·E·2 in pages; CodeGen: its lm_head *bias* (V·2, one page);
    LLaMA (untied, no bias): the weight."""
    opt = find_model("facebook/opt-1.3b").architecture
    codegen = find_model("Salesforce/codegen-2B-nl").architecture
    llama = find_model("huggyllama/llama-7b").architecture
    assert paper_lm_weight_bytes(opt) == pages(50_272 * 2_048 * 2)
    assert paper_lm_weight_bytes(codegen) == pages(51_200 * 2) == 2**21
    assert paper_lm_weight_bytes(llama) == pages(32_000 * 4_096 * 2)


def test_grows_linearly_with_vocabulary() -> None:
    arch = find_model("meta-llama/Llama-3.1-8B").architecture
    small = paper_lm_head_bytes(arch.with_vocab(32_000), 2, 1024)
    big = paper_lm_head_bytes(arch.with_vocab(256_000), 2, 1024)
    assert big / small == __import__("pytest").approx(8, rel=0.01)


def test_gpt_neo_upcasts_in_the_paper() -> None:
    """GPT-Neo casts logits to fp32 in transformers 4.29: 4 bytes per logit."""
    arch = find_model("EleutherAI/gpt-neo-125m").architecture
    weight = paper_lm_weight_bytes(arch)
    assert paper_lm_head_bytes(arch, 1, 2) - weight == 3 * 2**21  # three tiny tensors, 1 page each
    assert paper_lm_head_bytes(arch, 8, 2048) - weight >= 3 * 8 * 2047 * 50_257 * 4


def test_pytorch_logit_temporaries_by_hand() -> None:
    """Llama-3.2-1B (V 128,256, E 2,048, tied), t = 4,096 tokens, bf16 compute (e 2), pb 2:
    forward end = bf16 logits 2·t·V + fp32 upcast 4·t·V = 6·525,336,576 = 3,152,019,456
    backward start = nll's and log_softmax's fp32 gradients 2·4·t·V = 4,202,692,608
    lm_head grad = 2·t·V + 2·t·E = 1,050,673,152 + 16,777,216 = 1,067,450,368
    tied extra = 2·2·V·E = 1,050,673,152 (the embedding's own gradient and the sum)."""
    from llmem_core.components.lm_head import pytorch_logit_temporaries

    arch = find_model("meta-llama/Llama-3.2-1B").architecture
    got = pytorch_logit_temporaries(arch, 4_096, 2, 2)
    assert got.forward_end == 3_152_019_456
    assert got.backward_start == 4_202_692_608
    assert got.lm_head_grad == 1_067_450_368
    assert got.tied_extra == 1_050_673_152


def test_pytorch_fp32_logits_are_not_upcast_again() -> None:
    from llmem_core.components.lm_head import pytorch_logit_temporaries

    arch = find_model("openai-community/gpt2").architecture
    assert pytorch_logit_temporaries(arch, 10, 4, 4).forward_end == 4 * 10 * 50_257
