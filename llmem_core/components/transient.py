"""Transient buffers (bar segment "transient"): parameters all-gathered by ADP beyond the
local shard, and tensor parallelism's backward all-gather.

Paper profile (LLMem §4):
    m_back = ⌈l_n · bs · sl · o_n · (tp_n − 1)/tp_n · B16⌉_p
and Gemini gathers the entire fp16 model before computing, so under ADP the gathered part is
m_p16 − m_p16/gpu_n (under DP+TP the TP shard m_p16/tp_n is gathered: m_p16/tp_n − m_p16/gpu_n).
"""

from __future__ import annotations

from llmem_core.models import Architecture
from llmem_core.units import B16, pages


def paper_tp_backward_bytes(arch: Architecture, batch: int, seq: int, tp: int) -> int:
    if tp == 1:
        return 0
    l_n, o_n = arch.num_layers, arch.hidden_size
    return pages(l_n * batch * seq * o_n * (tp - 1) * B16 // tp)


def gathered_beyond_shard(fp16_bytes: int, resident_parts: int, shard_parts: int) -> int:
    """fp16 bytes held while computing (1/resident_parts of the model) minus the own shard."""
    return -(-fp16_bytes // resident_parts) - -(-fp16_bytes // shard_parts)
