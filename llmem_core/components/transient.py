"""Transient buffers (bar segment "transient"): parameters all-gathered by ADP beyond the
local shard, and tensor parallelism's backward all-gather.

Paper profile (LLMem §4):
    m_back = ⌈l_n · bs · sl · o_n · (tp_n − 1)/tp_n · B16⌉_p
and Gemini gathers the entire fp16 model before computing, so under ADP the gathered part is
m_p16 − m_p16/gpu_n (under DP+TP the TP shard m_p16/tp_n is gathered: m_p16/tp_n − m_p16/gpu_n).
The authors' code (size_estimator.py L128-140, L174-182, L230-238) rounds per tensor: each
walked parameter but the last (paper_walk.py), ⌈⌈2·t_p⌉_p · f⌉_p with f = (gpu_n − 1)/gpu_n
under ADP; and m_back over the l_n − 1 block boundaries it records, each
⌈bs·sl·o·2·(tp_n − 1)/tp_n⌉_p. For DP+TP the code writes f = (gpu_n − tp_n)/gpu_n − 1/gpu_n,
the paper's printed special case; it equals 1/tp_n − 1/gpu_n on the paper's one layout
(4 GPUs, tp_n 2), and the profile keeps that general form (docs/paper-profile.md).
"""

from __future__ import annotations

from typing import NamedTuple

from llmem_core.components.paper_walk import boundary_widths, module_params, pages_of
from llmem_core.models import Architecture
from llmem_core.parallelism import Parallelism
from llmem_core.params import Split
from llmem_core.units import B16, B32, pages


def paper_tp_backward_bytes(arch: Architecture, batch: int, seq: int, tp: int) -> int:
    if tp == 1:
        return 0
    gathered = boundary_widths(arch).gathered
    return sum(n * pages_of(batch * seq * w * B16, tp - 1, tp) for w, n in gathered)


def paper_gathered_bytes(arch: Architecture, lay: Parallelism) -> int:
    """fp16 parameters held beyond the own shard while computing: the whole model under ADP,
    the tensor-parallel shard under DP+TP (f = 1/tp − 1/gpus); nothing otherwise."""
    if not lay.sharded:
        return 0
    num, den = lay.gpus - lay.tp, lay.tp * lay.gpus  # 1/tp − 1/gpus
    return sum(pages_of(pages(n * B16), num, den) for n in module_params(arch)[:-1])


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


# ---- issue #12: adapters, FSDP2 without resharding, DeepSpeed's buckets ------------------------


def peft_buffers(
    sp: Split, lay: Parallelism, e: int, adapters_per_layer: int, trained: int
) -> Buffers:
    """LoRA/QLoRA: DDP's bucket holds only the adapters' fp32 gradients (`trained` elements per
    rank); FSDP2 gathers the frozen base as before, but the root has no gradients (embedding
    and lm_head are frozen) and each reduce-scatter carries one layer's adapter gradients."""
    if lay.gpus == 1 or (not lay.sharded and lay.tp > 1):
        return Buffers(0, 0, 0, 0, 0)
    if not lay.sharded:
        bucket = trained * B32
        return Buffers(bucket, bucket, bucket, bucket, bucket)
    layer = -(-sp.layer // lay.tp) * e
    gathered = sp.root * e + layer
    reduce_scatter = -(-adapters_per_layer // lay.tp) * B32
    return Buffers(gathered, gathered, gathered + layer + reduce_scatter,
                   sp.root * e + reduce_scatter, 0)  # fmt: skip


def kept_gathered(
    buffers: Buffers, arch: Architecture, sp: Split, lay: Parallelism, e: int
) -> Buffers:
    """FSDP2 `reshard_after_forward=False` (torch/distributed/fsdp/_fully_shard/_fully_shard.py):
    each unit stays unsharded from its forward until its backward, so at the end of forward
    and the start of backward every layer is gathered (ZeRO-2's weights, in the compute dtype)."""
    every = sp.root * e + arch.num_layers * -(-sp.layer // lay.tp) * e
    return buffers._replace(forward=every, backward=every)


def deepspeed_buffers(
    sp: Split, lay: Parallelism, w: int, reduce_bucket: int, overlap: bool,
    prefetch: int, max_live: int, params: int,
) -> Buffers:  # fmt: skip
    """DeepSpeed's transient buffers per rank.

    ZeRO-1/2 (stage_1_and_2.py `setup_buckets`, contiguous_gradients on by default): at each
    backward, one reduce bucket of `reduce_bucket_size` 16-bit elements (allocated whole, however
    small the model), two with `overlap_comm` (off by default for stages 1–2,
    deepspeed/runtime/zero/config.py `overlap_comm_valid`). ZeRO-3 (stage3.py,
    partitioned_param_coordinator.py): the module being computed gathered (the largest one may
    be the V·E embedding) plus up to `stage3_prefetch_bucket_size` elements fetched ahead, never
    more than `stage3_max_live_parameters` alive; in backward also the gathered module's 16-bit
    gradient and the reduce bucket. DeepSpeed's own estimator counts the largest layer's 16-bit
    weights and gradients (4 bytes per element; `estimate_zero3_model_states_mem_needs`)."""
    ipg = reduce_bucket * w * (2 if overlap else 1)
    if lay.zero_stage:
        return Buffers(0, ipg, ipg, ipg, 0)
    largest = max(sp.layer, sp.lm_matrix)
    gathered = min(largest + min(prefetch, params), max(max_live, largest)) * w
    backward = gathered + largest * w + reduce_bucket * w
    return Buffers(gathered, backward, backward, backward, 0)
