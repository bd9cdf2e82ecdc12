"""The lm_head part (bar segment "lm_head"): its weight, the logits and the loss temporaries.

It grows with the vocabulary and no parallel method divides it — the paper's central point.
Paper profile (LLMem §3):
    m_lm = ⌈bs·sl·dict_n·B⌉_p + 2·⌈bs·(sl−1)·dict_n·B⌉_p + lm_p
the logits, the logits shifted by one token for the loss (a separate temporary, counted twice),
and the lm_head weight. B = 4 where the forward casts logits to fp32, else 2. The authors'
code (size_estimator.py L184-205 and L123-125) takes lm_p as the fp16 bytes of the *last*
parameter it walks, rounded to pages: the tied embedding (OPT, BLOOM, BioGPT, GPT-Neo,
santacoder), the lm_head bias of CodeGen (whose untied weight is then an ordinary tensor with
optimizer states), the untied weight of LLaMA (which then gets no optimizer states).
"""

from __future__ import annotations

from typing import NamedTuple

from llmem_core.components.paper_walk import module_params
from llmem_core.models import Architecture, Family
from llmem_core.units import B16, B32, pages

# The authors set lm_fp32 for model names containing "codegen" or "neo" (dp_real.py L341-343,
# tp_real.py L380-382): in transformers 4.29 those forwards cast the logits to fp32. The
# pytorch profile uses Architecture.logits_fp32 (today's shared loss upcasts for every model).
PAPER_FP32_LOGIT_FAMILIES = frozenset({Family.CODEGEN, Family.GPT_NEO})


def paper_logit_bytes_per_element(arch: Architecture) -> int:
    return B32 if arch.family in PAPER_FP32_LOGIT_FAMILIES else B16


def paper_lm_weight_bytes(arch: Architecture) -> int:
    """lm_p: the last walked parameter in fp16, rounded to pages, not divided by any method."""
    return pages(module_params(arch)[-1] * B16)


def paper_lm_head_bytes(arch: Architecture, batch: int, seq: int) -> int:
    v, b = arch.vocab_size, paper_logit_bytes_per_element(arch)
    logits = pages(batch * seq * v * b)
    shifted = 2 * pages(batch * max(seq - 1, 0) * v * b)
    return logits + shifted + paper_lm_weight_bytes(arch)


# ---- profile `pytorch` --------------------------------------------------------------------
# transformers ≥ 4.46 computes the loss in ForCausalLMLoss: logits.float(), then cross_entropy
# = log_softmax + nll_loss over (t, V). No shifted copy (labels are shifted instead).


class LogitTemporaries(NamedTuple):
    forward_end: int  # logits (compute dtype) + their fp32 upcast, besides the saved log-probs
    backward_start: int  # nll's dense gradient + log_softmax's gradient (fp32)
    lm_head_grad: int  # logits' gradient in compute dtype + gradient of the lm_head input
    tied_extra: int  # a tied embedding's own gradient and the sum, beside lm_head's gradient


def pytorch_logit_temporaries(arch: Architecture, tokens: int, e: int, pb: int) -> LogitTemporaries:
    t_v = tokens * arch.vocab_size
    upcast = B32 * t_v if e != B32 else 0  # .float() is a no-op on fp32 logits
    return LogitTemporaries(
        forward_end=e * t_v + upcast,
        backward_start=2 * B32 * t_v,
        lm_head_grad=e * t_v + e * tokens * arch.embedding_dim,
        # Measured: at the end of backward three V·E gradients coexist for a tied weight
        # (lm_head's, the embedding's own, their sum): two beyond the one that stays.
        tied_extra=2 * pb * arch.vocab_size * arch.embedding_dim if arch.tie_word_embeddings else 0,
    )


# ---- issue #12: the loss in chunks, or fused with the lm_head -------------------------------


def chunk_tokens(tokens: int, chunks: int) -> int:
    """Tokens of the largest chunk (torch.chunk along the sequence: ⌈t / chunks⌉)."""
    return -(-tokens // chunks)


def chunked_logit_temporaries(
    arch: Architecture, tokens: int, e: int, pb: int, chunks: int, lm_trains: bool
) -> LogitTemporaries:
    """torchtune's CEWithChunkedOutputLoss (torchtune/modules/loss/ce_chunked_output_loss.py)
    with the output projection per chunk: each chunk's logits and their fp32 upcast exist one
    chunk at a time; the log-probabilities every chunk's cross-entropy keeps (t·V·4, the
    recipe's `vocab` term) stay; backward meets one chunk's dense gradients at a time."""
    c_v = chunk_tokens(tokens, chunks) * arch.vocab_size
    full = pytorch_logit_temporaries(arch, tokens, e, pb)
    upcast = B32 * c_v if e != B32 else 0
    return LogitTemporaries(
        forward_end=e * c_v + upcast,
        backward_start=2 * B32 * c_v,
        lm_head_grad=e * c_v + e * tokens * arch.embedding_dim,
        tied_extra=full.tied_extra if lm_trains else 0,
    )


def liger_chunk_tokens(tokens: int, arch: Architecture) -> int:
    """Liger's fused linear cross-entropy chunk (liger_kernel/ops/fused_linear_cross_entropy.py
    `fused_linear_cross_entropy_forward`): chunk_size = next_power_of_2(⌈BT / ⌈V / H⌉⌉)."""
    inc = -(-arch.vocab_size // arch.embedding_dim)
    size = -(-tokens // inc)
    return min(tokens, 1 << max(size - 1, 0).bit_length())


def fused_logit_temporaries(
    arch: Architecture, tokens: int, e: int, pb: int, lm_trains: bool
) -> LogitTemporaries:
    """Liger's fused linear cross-entropy (formula only: a Triton kernel, no fake device;
    liger_kernel/ops/fused_linear_cross_entropy.py at ead96b6): the forward computes, chunk by
    chunk, the logits in the input's dtype (`logits_chunk = _input_chunk @ weight.t()`), turns
    them into their gradient in place, and accumulates grad_input (t·E, input dtype) and
    grad_weight (V·E, the weight's dtype, when the lm_head trains); nothing of the logits is
    kept for backward, which only scales the two gradients."""
    c_v = liger_chunk_tokens(tokens, arch) * arch.vocab_size
    grad_input = e * tokens * arch.embedding_dim
    grad_weight = pb * arch.vocab_size * arch.embedding_dim if lm_trains else 0
    full = pytorch_logit_temporaries(arch, tokens, e, pb)
    return LogitTemporaries(
        forward_end=e * c_v + grad_input + grad_weight,
        backward_start=grad_input + grad_weight,
        lm_head_grad=grad_input + grad_weight,
        tied_extra=full.tied_extra if lm_trains else 0,
    )
