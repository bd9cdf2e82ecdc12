"""Optimizer states (bar segment "optimizer").

Paper profile (LLMem §3): Adam momentum and variance in fp32 for every Embedding and Linear
weight, allocated at the first step at real tensor size and rounded to pages per tensor, as the
authors' code does (biases and norms ignored as negligible):
    m_os = Σ_t 2 · ⌈t_p · B32⌉_p
"""

from __future__ import annotations

from functools import lru_cache

from llmem_core.models import Architecture
from llmem_core.params import tensors
from llmem_core.units import B32, pages


@lru_cache(maxsize=256)
def paper_optimizer_bytes(arch: Architecture) -> int:
    weights = (t for t in tensors(arch) if t.kind in ("embedding", "linear"))
    return sum(2 * pages(t.numel * B32) for t in weights)
