"""Transient buffers (paper): ADP's gathered parameters and TP's backward all-gather."""

from __future__ import annotations

from llmem_core.components.transient import gathered_beyond_shard, paper_tp_backward_bytes
from llmem_core.presets import find_model


def test_no_all_gather_without_tp(tiny) -> None:
    assert paper_tp_backward_bytes(tiny, 8, 512, 1) == 0


def test_tp_backward_by_hand() -> None:
    """OPT-1.3b, bs 8, sl 512, tp 4: ⌈24·8·512·2048·(3/4)·2⌉_p = 301,989,888."""
    arch = find_model("facebook/opt-1.3b").architecture
    assert paper_tp_backward_bytes(arch, 8, 512, 4) == 301_989_888


def test_gathered_beyond_shard() -> None:
    """Whole model gathered (ADP, 4 GPUs): 100 − 25 = 75; DP+TP 2×2: 50 − 25 = 25."""
    assert gathered_beyond_shard(100, 1, 4) == 75
    assert gathered_beyond_shard(100, 2, 4) == 25
    assert gathered_beyond_shard(100, 1, 1) == 0
