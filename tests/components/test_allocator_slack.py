"""Allocator slack: the replayed fractions per group, their fallbacks, and the bytes."""

from __future__ import annotations

import pytest

from llmem_core.components.allocator_slack import Slack, fractions, slack_bytes
from llmem_core.models import AllocatorMode, Precision
from llmem_core.parallelism import Engine
from llmem_core.presets import load_allocator_terms

GROUPS = load_allocator_terms()["groups"]


def test_a_replayed_group_is_read_as_it_is() -> None:
    g = GROUPS["fsdp2/amp-bf16/ckpt/default"]
    got = fractions(Engine.FSDP2, Precision.AMP_BF16, True, AllocatorMode.DEFAULT)
    assert got == Slack(g["slack_median"], g["required_median"], g["slack_max"])


@pytest.mark.parametrize("precision", list(Precision), ids=str)
@pytest.mark.parametrize("ckpt", [False, True], ids=["no-ckpt", "ckpt"])
def test_every_request_has_fractions_in_range(precision: Precision, ckpt: bool) -> None:
    for engine in Engine:
        for mode in AllocatorMode:
            s = fractions(engine, precision, ckpt, mode)
            assert 0 <= s.required <= s.spare_max and 0 <= s.spare <= s.spare_max <= 1


def test_expandable_segments_waste_less_than_the_default() -> None:
    """The replays' medians: one growing segment per stream fragments less (Note [Expandable
    Segments], CUDACachingAllocator.cpp)."""
    for name, g in GROUPS.items():
        if name.endswith("/default"):
            other = GROUPS[name.replace("/default", "/expandable-segments")]
            assert other["required_median"] <= g["required_median"] + 1e-9, name


def test_amp_fp16_reads_the_bf16_group_and_tp_the_one_gpu_group() -> None:
    mode = AllocatorMode.DEFAULT
    assert fractions(Engine.FSDP2, Precision.AMP_FP16, True, mode) == fractions(
        Engine.FSDP2, Precision.AMP_BF16, True, mode
    )
    assert fractions(Engine.DTENSOR_TP, Precision.BF16, False, mode) == fractions(
        Engine.ONE_GPU, Precision.BF16, False, mode
    )


def test_bytes() -> None:
    assert slack_bytes(1000, 0.25) == 250
