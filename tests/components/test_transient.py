"""Transient buffers (paper): ADP's gathered parameters and TP's backward all-gather."""

from __future__ import annotations

from llmem_core.components.transient import gathered_beyond_shard, paper_tp_backward_bytes
from llmem_core.presets import find_model
from tests.conftest import layout_of


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


def test_pytorch_ddp_bucket_is_one_gradient_copy() -> None:
    """DDP keeps a bucket copy of every gradient: P·gb (reference notes: + 4·P in fp32)."""
    from llmem_core.components.transient import pytorch_buffers
    from llmem_core.params import counts, split

    arch = find_model("facebook/opt-125m").architecture
    got = pytorch_buffers(arch, split(arch), layout_of("cdp", 4), 4, 2)
    assert got.forward == got.optimizer == 4 * counts(arch).total == 4 * 125_239_296


def test_pytorch_fsdp_gathers_root_and_one_layer() -> None:
    """FSDP2: root unit (embeddings, final norm; tied lm_head) + one layer, in bf16; at the end
    of backward the root's unsharded gradients (tied: 3·V·E·2) and one layer's fp32
    reduce-scatter buffer (measured: fixtures/reference/distributed)."""
    from llmem_core.components.transient import pytorch_buffers
    from llmem_core.params import split

    arch = find_model("meta-llama/Llama-3.2-1B").architecture
    sp = split(arch)
    got = pytorch_buffers(arch, sp, layout_of("adp", 4), 4, 2)
    assert got.forward == 2 * (sp.root + sp.layer)
    assert got.backward_end == 2 * sp.root + 3 * 2 * 128_256 * 2_048 + 4 * sp.layer
    assert got.optimizer == 0
    none = pytorch_buffers(arch, sp, layout_of("single", 1), 4, 2)
    assert none == (0, 0, 0, 0, 0)
