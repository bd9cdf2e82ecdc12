"""Transient buffers (paper): ADP's gathered parameters and TP's backward all-gather."""

from __future__ import annotations

from llmem_core.components.transient import paper_gathered_bytes, paper_tp_backward_bytes
from llmem_core.models import Method, ProfileName
from llmem_core.parallelism import layout
from llmem_core.presets import find_model
from llmem_core.units import MiB
from tests.conftest import layout_of


def paper_layout(arch, kind: str, gpus: int, tp: int | None = None):
    return layout(Method(kind=kind, tp=tp), gpus, arch, ProfileName.PAPER)


def test_no_all_gather_without_tp(tiny) -> None:
    assert paper_tp_backward_bytes(tiny, 8, 512, 1) == 0


def test_tp_backward_by_hand() -> None:
    """OPT-1.3b, bs 8, sl 512, tp 4: the code records l_n − 1 = 23 block boundaries, each
    ⌈8·512·2048·2·(3/4)⌉_p = 12,582,912 (6 pages): 289,406,976."""
    arch = find_model("facebook/opt-1.3b").architecture
    assert paper_tp_backward_bytes(arch, 8, 512, 4) == 289_406_976


def test_gathered_per_tensor_by_hand(tiny) -> None:
    """TINY's 18 walked entries before the tied lm_head are a page each in fp16. ADP on 4 GPUs
    gathers ⌈page·3/4⌉_p = a page of each: 36 MiB; DP+TP 2×2 ⌈page·(1/2 − 1/4)⌉_p, also a
    page; TP and CDP gather nothing."""
    assert paper_gathered_bytes(tiny, paper_layout(tiny, "adp", 4)) == 36 * MiB
    assert paper_gathered_bytes(tiny, paper_layout(tiny, "dp+tp", 4, 2)) == 36 * MiB
    assert paper_gathered_bytes(tiny, paper_layout(tiny, "tp", 4)) == 0
    assert paper_gathered_bytes(tiny, paper_layout(tiny, "cdp", 4)) == 0


def test_gathered_is_the_model_beyond_the_shard() -> None:
    """OPT-1.3b under ADP on 4 GPUs: 3/4 of the fp16 bytes of its walked parameters (all but
    the 200,704 LayerNorm elements; the tied lm_head entry is last and not gathered), plus
    under two pages of rounding for each of the 290 entries."""
    arch = find_model("facebook/opt-1.3b").architecture
    got = paper_gathered_bytes(arch, paper_layout(arch, "adp", 4))
    fp16 = 2 * (1_315_758_080 - 200_704)
    assert 0.75 * fp16 <= got <= 0.75 * fp16 + 290 * 2 * 2 * MiB


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
