"""Buffers real engines keep in flight (bar segment "in_flight"): communication buffers an
engine has already freed that stay active until their collective has actually run on the GPU.
No fake-device reference holds them: its process group completes every collective at once.

Where it comes from, in the engines' source (torch 2.13):
- ProcessGroupNCCL calls `recordStream` on every collective's inputs and outputs for its own
  stream unless TORCH_NCCL_AVOID_RECORD_STREAMS=1 (torch/csrc/distributed/c10d/
  ProcessGroupNCCL.cpp, `collective`; awgu in pytorch/torchtitan#735: "By default,
  ProcessGroupNCCL uses recordStream … recordStream can hold onto memory longer than it needs
  to"). The caching allocator then keeps a freed block active until that stream's event
  completes (c10/cuda/CUDACachingAllocator.cpp, `free` → `insert_events`, `process_events`).
- FSDP2 (torch/distributed/fsdp/_fully_shard/_fsdp_param_group.py) issues the next unit's
  all-gather before the current one finishes: implicit forward prefetch (`wait_for_unshard`
  keeps the previous AllGatherState), explicit backward prefetch (`_backward_prefetch`), and
  its reduce-scatter input, in the reduce dtype, is held in `reduce_scatter_states` until the
  next group's `post_backward` (`reduce_scatter_max_input_buffers` = 1). Each all-gather output
  is one unit's parameters in the compute dtype (`foreach_all_gather`); each reduce-scatter
  input one unit's gradients in the reduce dtype (`foreach_reduce`).
- FSDP1's rate limiter (`limit_all_gathers=True`, the default) blocks the CPU after two
  in-flight all-gathers, so its lag stays ~2 (awgu, ibid.).
- DDP all-reduces its persistent buckets in place: nothing extra. DTensor TP's functional
  all-reduces are out of place: one (tokens × hidden) activation per collective in flight.

How many collectives the GPU runs behind the CPU (`comm_lag`) is timing, not code: the CPU
queues work as fast as it can. The default, DEFAULT_COMM_LAG[engine], is a heuristic: for FSDP2
it is the lag at which the replay of a recorded FSDP2 trace reproduces the one published
real-GPU FSDP2 peak-active figure (torchtitan#165, Llama-2-7B on 8 × H100, 22.7 GiB:
tests/fixtures/published/). `--comm-lag` overrides it; 0 is TORCH_NCCL_AVOID_RECORD_STREAMS=1.
Under memory pressure the allocator synchronises and frees these blocks before it gives up
(`release_cached_blocks` → `synchronize_and_free_events`), so they count in what the GPU shows
(active, reserved, device) but not in the least memory the step needs.
"""

from __future__ import annotations

from typing import NamedTuple

from llmem_core.parallelism import Engine, Parallelism
from llmem_core.params import Split

DEFAULT_COMM_LAG: dict[Engine, int] = {
    Engine.FSDP2: 6,  # heuristic, matched to torchtitan#165 (see the module docstring)
    Engine.FSDP2_TP: 6,  # as FSDP2 (its all-gathers and reduce-scatters dominate)
    Engine.DTENSOR_TP: 2,  # formula only: two all-reduces per layer (unmeasured)
}


class InFlight(NamedTuple):
    forward: int  # end of forward, through the loss and the lm_head gradient: all-gathers
    backward: int  # the decoder layers' backward: all-gathers and reduce-scatters alternate
    backward_end: int  # the embedding's backward and the optimizer step: reduce-scatters
    optimizer: int


NONE = InFlight(0, 0, 0, 0)


def comm_lag(lay: Parallelism, override: int | None) -> int:
    if override is not None:
        return override
    return DEFAULT_COMM_LAG.get(lay.engine, 0)


def pytorch_in_flight(
    sp: Split, lay: Parallelism, e: int, reduce_bytes: int, lag: int, tp_activation: int
) -> InFlight:
    """In-flight bytes per phase: `lag` collectives' buffers.

    FSDP2: all-gather output = one layer's parameters (its TP shard) in the compute dtype e;
    reduce-scatter input = the same in the reduce dtype. TP: one activation of tokens × hidden
    (`tp_activation`, compute dtype) per all-reduce."""
    if lag == 0 or lay.gpus == 1:
        return NONE
    if lay.sharded:
        layer = -(-sp.layer // lay.tp)
        gather, scatter = layer * e, layer * reduce_bytes
        mixed = (lag + 1) // 2 * gather + lag // 2 * scatter
        return InFlight(lag * gather, mixed, lag * scatter, lag * scatter)
    if lay.engine == Engine.DTENSOR_TP:
        return InFlight(lag * tp_activation, lag * tp_activation, 0, 0)
    return NONE
