"""FLOPs per token (llmem_core/cost/flops.py): hand-worked cases and oracles from params.py."""

from __future__ import annotations

import pytest

from llmem_core.cost import (
    attention_flops_per_token,
    hardware_flops_per_token,
    matmul_params,
    model_flops_per_token,
)
from llmem_core.models import Architecture
from llmem_core.params import counts
from llmem_core.presets import find_model
from tests.conftest import TINY  # two GPT-2-shaped layers, small enough to count by hand


def test_tiny_matmul_params_by_hand():
    """Per layer: q, k, v, o 4·(64·64 + 64) = 16,640; up 64·256 + 256 = 16,640;
    down 256·64 + 64 = 16,448; two LayerNorms 2·128 = 256 → 49,984; two layers 99,968.
    Final norm 128. Lookup tables: tokens 1000·64 = 64,000, positions 128·64 = 8,192.
    Total 64,000 + 8,192 + 99,968 + 128 = 172,288.
    N = total − lookups + tied lm_head (1000·64) = 172,288 − 72,192 + 64,000 = 164,096."""
    assert counts(TINY).total == 172_288
    assert matmul_params(TINY) == 164_096


def test_tiny_flops_per_token_by_hand():
    """T = 128. 6·N = 984,576; 12·L·H·Q·T = 12·2·4·16·128 = 196,608; sum 1,181,184.
    Recomputation adds one forward, a third: 393,728 → 1,574,912."""
    assert attention_flops_per_token(TINY, 128) == 196_608
    assert model_flops_per_token(TINY, 128) == 1_181_184
    assert hardware_flops_per_token(TINY, 128, grad_checkpointing=False) == 1_181_184
    assert hardware_flops_per_token(TINY, 128, grad_checkpointing=True) == 1_574_912


@pytest.mark.parametrize(
    "hf_id",
    ["openai-community/gpt2", "facebook/opt-125m", "EleutherAI/gpt-neo-125m"],
    ids=["gpt2", "opt-125m", "gpt-neo-125m"],
)
def test_tied_learned_position_models_drop_only_the_position_table(hf_id):
    """Tied embedding: the token table is the lm_head's matmul, so only the position table
    (a pure lookup) leaves N — nanoGPT's get_num_params(non_embedding=True)."""
    arch = find_model(hf_id).architecture
    positions = arch.learned_positions * arch.hidden_size
    assert matmul_params(arch) == counts(arch).total - positions


def test_untied_model_drops_the_token_table():
    """Llama-3.1-8B: untied, rotary. N = 8,030,261,248 − 128,256·4,096 = 7,504,924,672."""
    arch = find_model("meta-llama/Llama-3.1-8B").architecture
    assert matmul_params(arch) == 8_030_261_248 - 128_256 * 4_096 == 7_504_924_672


def test_gpt2_paper_formula():
    """GPT-2 small at T = 1024, as nanoGPT's estimate_mfu computes it:
    N = 124,439,808 − 1024·768 = 123,653,376; 6N = 741,920,256;
    12·12·12·64·1024 = 113,246,208; total 855,166,464 FLOPs per token."""
    arch = find_model("openai-community/gpt2").architecture
    assert model_flops_per_token(arch, 1024) == 855_166_464


def test_mixture_of_experts_counts_active_experts_only():
    """Mixtral 8x7B: 2 of 8 experts per token, so N is far below the total (46.7 B)."""
    arch = find_model("mistralai/Mixtral-8x7B-v0.1").architecture
    c = counts(arch)
    lookups = arch.vocab_size * arch.embedding_dim
    assert matmul_params(arch) == c.active - lookups
    assert 12e9 < matmul_params(arch) < 13.5e9  # published: 12.9 B active incl. embeddings


def test_recomputation_is_exactly_one_more_forward():
    arch = find_model("meta-llama/Llama-3.2-1B").architecture
    plain = hardware_flops_per_token(arch, 2048, grad_checkpointing=False)
    ckpt = hardware_flops_per_token(arch, 2048, grad_checkpointing=True)
    assert ckpt * 3 == plain * 4


# PaLM 540B (Chowdhery et al. 2022, Table 1 / §2): 118 layers, d_model 18,432, 48 heads of
# 256, multi-query attention (one K/V head), SwiGLU with d_ff = 4·d_model, 256k vocabulary
# shared with the output, no biases, sequence 2,048.
PALM = Architecture(
    name="palm-540b",
    family="llama",
    num_layers=118,
    hidden_size=18432,
    num_attention_heads=48,
    num_key_value_heads=1,
    head_dim=256,
    intermediate_size=73728,
    mlp_kind="gated",
    activation="silu",
    vocab_size=256000,
    embedding_dim=18432,
    tie_word_embeddings=True,
    position_embedding="rotary",
    learned_positions=0,
    norm_kind="rmsnorm",
    norms_per_layer=1,
    final_norm=True,
    qkv_bias=False,
    o_bias=False,
    mlp_bias=False,
)


def test_palm_540b_reproduces_its_published_mfu():
    """Golden case, PaLM Table 3: 238.3K tokens/s on 6,144 TPU v4 chips (275 TFLOP/s bf16
    each) is 46.2 % model FLOPs utilisation. Our N = 540.356 B (PaLM: 540.35 B) and
    6·N + 12·L·H·Q·T = 3.2778e12 FLOPs per token give 238.3e3 · 3.2778e12 / (6144 · 275e12)
    = 0.4623."""
    assert matmul_params(PALM) == pytest.approx(540.35e9, rel=1e-4)
    mfu = 238.3e3 * model_flops_per_token(PALM, 2048) / (6144 * 275e12)
    assert mfu == pytest.approx(0.462, abs=0.0005)
