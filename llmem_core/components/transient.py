"""Transient buffers (bar segment "transient"): parameters all-gathered by ADP beyond the
local shard, and tensor parallelism's backward all-gather.

Paper profile (LLMem §4):
    m_back = ⌈l_n · bs · sl · o_n · (tp_n − 1)/tp_n · B16⌉_p
and Gemini gathers the entire fp16 model before computing, so under ADP the gathered part is
m_p16 − m_p16/gpu_n (under DP+TP the TP shard m_p16/tp_n is gathered: m_p16/tp_n − m_p16/gpu_n).
"""

from __future__ import annotations

from typing import NamedTuple

from llmem_core.models import Architecture
from llmem_core.parallelism import Parallelism
from llmem_core.params import Split
from llmem_core.units import B16, pages


def paper_tp_backward_bytes(arch: Architecture, batch: int, seq: int, tp: int) -> int:
    if tp == 1:
        return 0
    l_n, o_n = arch.num_layers, arch.hidden_size
    return pages(l_n * batch * seq * o_n * (tp - 1) * B16 // tp)


def gathered_beyond_shard(fp16_bytes: int, resident_parts: int, shard_parts: int) -> int:
    """fp16 bytes held while computing (1/resident_parts of the model) minus the own shard."""
    return -(-fp16_bytes // resident_parts) - -(-fp16_bytes // shard_parts)


# ---- profile `pytorch` --------------------------------------------------------------------


class Buffers(NamedTuple):
    forward: int
    backward: int  # while the loss and the upper layers run backward
    backward_bottom: int  # the first layer's backward (lm_head's gradient already exists)
    backward_end: int  # the embedding's backward, the root unit's last
    optimizer: int


def pytorch_buffers(arch: Architecture, sp: Split, lay: Parallelism, pb: int, e: int) -> Buffers:
    """Communication buffers per phase.

    DDP (CDP): one gradient bucket copy of all parameters, from construction on (reference
    notes: DDP = single-GPU peak + 4·P in fp32). FSDP2 (ADP, DP+TP): the root unit (embeddings,
    final norm, lm_head) stays unsharded from forward through backward, plus one layer's
    all-gather buffer, in the compute dtype; at the first layer's backward also its unsharded
    gradient and lm_head's; at the end of backward the root's unsharded gradients and a
    reduce-scatter buffer. TP without
    sequence parallelism all-reduces in place: no large buffer."""
    if lay.gpus == 1:
        return Buffers(0, 0, 0, 0, 0)
    if not lay.sharded and lay.tp == 1:
        bucket = (sp.body + sp.lm_matrix) * pb
        return Buffers(bucket, bucket, bucket, bucket, bucket)
    if not lay.sharded:
        return Buffers(0, 0, 0, 0, 0)
    layer = -(-sp.layer // lay.tp) * e
    gathered = sp.root * e + layer
    # Measured (fixtures/reference/distributed): at the end of backward the root unit still
    # holds its unsharded gradients — a tied V·E matrix three times (lm_head's, the
    # embedding's, their sum), untied lm_head and embedding once each — and the last layer's
    # reduce-scatter buffer is alive, in the reduce dtype (fp32 unless pure 16-bit).
    root_grads = (3 if arch.tie_word_embeddings else 2) * sp.lm_matrix * e
    reduce_scatter = -(-sp.layer // lay.tp) * (4 if pb == 4 else 2)
    bottom = gathered + layer + sp.lm_matrix * e + reduce_scatter  # + lm_head's unsharded grad
    return Buffers(gathered, gathered, bottom, sp.root * e + root_grads + reduce_scatter, 0)
