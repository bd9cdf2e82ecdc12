"""Activations kept for the backward pass (bar segment "activations").

Paper profile (LLMem §3), gradient checkpointing on: the output of each embedding layer and of
every transformer layer is kept in fp16; nothing inside a layer is counted:
    m_out = ⌈(e_n + l_n) · bs · sl · o_n · B16⌉_p
"""

from __future__ import annotations

from llmem_core.models import Architecture, PositionKind
from llmem_core.units import B16, pages


def embedding_layers(arch: Architecture) -> int:
    """e_n: the token embedding, plus a learned position embedding where the model has one."""
    return 1 + (arch.position_embedding == PositionKind.LEARNED)


def paper_activation_bytes(arch: Architecture, batch: int, seq: int) -> int:
    e_n, l_n, o_n = embedding_layers(arch), arch.num_layers, arch.hidden_size
    return pages((e_n + l_n) * batch * seq * o_n * B16)
