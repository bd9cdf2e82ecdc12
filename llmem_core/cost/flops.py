"""FLOPs of a fine-tuning run: per token, and in total.

PaLM (Chowdhery et al. 2022, appendix B), as nanoGPT's estimate_mfu writes it:

    L, H, Q, T = layers, attention heads, head dim, sequence length
    model FLOPs per token = 6·N + 12·L·H·Q·T

6·N: each of the N matmul parameters does a multiply-add (2 FLOPs) in the forward pass and
twice that in the backward pass. 12·L·H·Q·T: the attention scores QKᵀ and their product with V,
2·2·L·H·Q·T forward, ×3 with the backward (no causal halving, as in PaLM).

Gradient checkpointing recomputes each layer's forward pass during the backward pass, so the
GPUs execute one more forward: + 2·N + 4·L·H·Q·T (PaLM's "hardware FLOPs"). Our time divides
these executed FLOPs by hardware FLOPs utilisation (HFU), PaLM's pairing of the two.

N counts the parameters that take part in a matrix multiply for one token (nanoGPT's
get_num_params, generalised): lookup tables (token and learned position embeddings) do no
arithmetic and are left out, the lm_head's V·E matmul is in even when its weight is tied to the
embedding, and a mixture of experts counts only the experts_per_token experts a token visits.
"""

from __future__ import annotations

from llmem_core.models import Architecture
from llmem_core.params import counts, tensors

FORWARD_BACKWARD = 3  # backward ≈ 2 × forward (PaLM appendix B; Kaplan et al. 2020 §2.1)


def matmul_params(arch: Architecture) -> int:
    """N: parameters used in a matrix multiply per token (see the module docstring)."""
    lookup = sum(t.numel for t in tensors(arch) if t.kind == "embedding")
    tied_head = arch.vocab_size * arch.embedding_dim if arch.tie_word_embeddings else 0
    return counts(arch).active - lookup + tied_head


def attention_flops_per_token(arch: Architecture, seq_len: int) -> int:
    """12·L·H·Q·T: attention scores and their product with the values, forward + backward."""
    L, H, Q, T = arch.num_layers, arch.num_attention_heads, arch.head_dim, seq_len
    return 12 * L * H * Q * T


def model_flops_per_token(arch: Architecture, seq_len: int) -> int:
    """6·N + 12·L·H·Q·T (PaLM appendix B): forward and backward, no recomputation."""
    return 6 * matmul_params(arch) + attention_flops_per_token(arch, seq_len)


def hardware_flops_per_token(arch: Architecture, seq_len: int, grad_checkpointing: bool) -> int:
    """FLOPs the GPUs execute per token: the model FLOPs, plus one more forward pass
    (2·N + 4·L·H·Q·T = a third of them) when gradient checkpointing recomputes it."""
    model = model_flops_per_token(arch, seq_len)
    recompute = model // FORWARD_BACKWARD if grad_checkpointing else 0
    return model + recompute
