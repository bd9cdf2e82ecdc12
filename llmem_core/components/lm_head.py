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
