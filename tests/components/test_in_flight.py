"""Buffers in flight: FSDP2's all-gathers and reduce-scatters comm_lag collectives behind the
CPU (recordStream), none for DDP or one GPU; 0 with TORCH_NCCL_AVOID_RECORD_STREAMS."""

from __future__ import annotations

from llmem_core.components.in_flight import (
    DEFAULT_COMM_LAG,
    NONE,
    comm_lag,
    pytorch_in_flight,
)
from llmem_core.parallelism import Engine
from llmem_core.params import split
from llmem_core.presets import find_model
from tests.conftest import layout_of

LLAMA7 = find_model("meta-llama/Llama-2-7b-hf").architecture


def test_fsdp2_by_hand() -> None:
    """Llama-2-7B, lag 6, bf16 compute, fp32 reduce: forward 6 all-gathered layers; backward
    3 all-gathers + 3 reduce-scatter inputs; the end 6 reduce-scatter inputs."""
    layer = split(LLAMA7).layer  # 202,383,360 parameters
    got = pytorch_in_flight(split(LLAMA7), layout_of("adp", 8), 2, 4, 6, 0)
    assert got.forward == 6 * layer * 2
    assert got.backward == 3 * layer * 2 + 3 * layer * 4
    assert got.backward_end == got.optimizer == 6 * layer * 4


def test_defaults_per_engine() -> None:
    assert comm_lag(layout_of("adp", 8), None) == DEFAULT_COMM_LAG[Engine.FSDP2] == 6
    assert comm_lag(layout_of("cdp", 8), None) == 0  # DDP: buckets reduced in place
    assert comm_lag(layout_of("adp", 8), 0) == 0  # TORCH_NCCL_AVOID_RECORD_STREAMS=1


def test_nothing_on_one_gpu_or_ddp_or_without_lag() -> None:
    sp = split(LLAMA7)
    assert pytorch_in_flight(sp, layout_of("single", 1), 2, 4, 6, 0) == NONE
    assert pytorch_in_flight(sp, layout_of("cdp", 4), 2, 4, 6, 0) == NONE
    assert pytorch_in_flight(sp, layout_of("adp", 4), 2, 4, 0, 0) == NONE


def test_tensor_parallel_counts_its_all_reduced_activations() -> None:
    got = pytorch_in_flight(split(LLAMA7), layout_of("tp", 4), 2, 4, 2, 1_000)
    assert (got.forward, got.backward, got.optimizer) == (2_000, 2_000, 0)
