"""Interconnect (llmem_core/cost/interconnect.py) and the ranking's own-count rows (issue #14):
PCIe GPUs and plans past one node pay more for communication; the user's GPU count competes
for "fastest" instead of the fewest GPUs per type only."""

from __future__ import annotations

import pytest

from llmem_core import load_gpus, load_models
from llmem_core.cost import (
    CostAssumptions,
    Link,
    RankOptions,
    Run,
    include,
    link_of,
    nodes,
    over_fabric,
    rank_plans,
)
from llmem_core.cost.interconnect import GPU_LINKS
from llmem_core.cost.money import unit_prices
from llmem_core.cost.rank import fastest_fitting, plan_row
from llmem_core.models import MethodKind, Training

GPUS = load_gpus()


def test_every_catalog_gpu_has_the_link_its_interconnect_column_states():
    """The table agrees with presets/gpus.json: "no NVLink" is PCIe, a bridge is a bridge."""
    assert set(GPU_LINKS) == set(GPUS)
    for key, gpu in GPUS.items():
        text = gpu.interconnect.lower()
        expected = (
            Link.PCIE if "no nvlink" in text else Link.BRIDGE if "bridge" in text else Link.FABRIC
        )
        assert link_of(key) == expected, (key, gpu.interconnect)


@pytest.mark.parametrize(
    ("key", "n", "fabric"),
    [("h100-80gb", 8, True), ("rtx4090-24gb", 2, False), ("h100-pcie-80gb", 2, True),
     ("h100-pcie-80gb", 4, False), ("unknown-gpu", 2, False)],
    ids=["nvswitch", "pcie", "bridged-pair", "bridge-past-a-pair", "unknown-is-pcie"],
)  # fmt: skip
def test_over_fabric(key, n, fabric):
    assert over_fabric(key, n) is fabric


@pytest.mark.parametrize(("n", "servers"), [(1, 1), (8, 1), (9, 2), (16, 2), (17, 3)])
def test_nodes_of_eight(n, servers):
    assert nodes(n) == servers


def test_the_penalty_grows_off_a_fabric_and_past_a_node_and_is_capped():
    """ADP's 0.075: ×2 on PCIe (0.15), ×2 past a node (0.15), ×4 both (0.30); factors of 10
    would give 7.5, capped at the bound of a stated penalty, 0.9."""
    a = CostAssumptions()
    adp = MethodKind.ADP
    assert a.comm(adp) == pytest.approx(0.075)
    assert a.comm(adp, fabric=False) == pytest.approx(0.15)
    assert a.comm(adp, nodes=2) == pytest.approx(0.15)
    assert a.comm(adp, fabric=False, nodes=2) == pytest.approx(0.30)
    assert a.comm(MethodKind.SINGLE, fabric=False, nodes=2) == 0.0
    big = a.model_copy(update={"pcie_comm_factor": 10.0, "multi_node_comm_factor": 10.0})
    assert big.comm(adp, fabric=False, nodes=2) == 0.9


def _run(batch: int = 4) -> Run:
    arch = load_models()["meta-llama/Llama-3.1-8B"].architecture
    training = Training(batch_size=batch, seq_len=2048, grad_checkpointing=True)
    return Run(model=arch, training=training, dataset_tokens=100_000_000, epochs=3)


def test_a_pcie_plan_across_nodes_is_timed_with_the_larger_penalty():
    """16 × L40S (PCIe, two nodes): hours = D·F ÷ (n·P·u·(1 − 4c)) by hand from the row's
    own FLOPs, against the same plan on one fabric node's penalty."""
    a, run = CostAssumptions(), _run()
    gpu = GPUS["l40s-48gb"]
    chosen = fastest_fitting(run, gpu, 16, a)
    row = plan_row(run, gpu, unit_prices(gpu, None, a.currency), 16, chosen, a)
    c = a.comm_penalty[row.method] * 4
    by_hand = row.time.total_flops / (16 * 362e12 * a.utilisation[row.method] * (1 - c)) / 3600
    assert (row.fabric, row.nodes) == (False, 2)
    assert row.time.comm_penalty == pytest.approx(c)
    assert row.hours == pytest.approx(by_hand, rel=1e-9)


def _h100_8(run: Run, a: CostAssumptions):
    gpu = GPUS["h100-80gb"]
    chosen = fastest_fitting(run, gpu, 8, a)
    return plan_row(run, gpu, unit_prices(gpu, None, a.currency), 8, chosen, a)


def test_the_users_own_count_competes_for_fastest():
    """Was: the "fastest" badge went to a slow plan of another type because "fewest per type"
    left the user's 8 × H100 out. With it included, fastest is the row of least hours."""
    a, run = CostAssumptions(), _run()
    options = RankOptions(all_counts=False)
    ranked = rank_plans(run, GPUS, a, options)
    gpu = GPUS["h100-80gb"]
    mine = plan_row(
        run, gpu, unit_prices(gpu, None, a.currency), 8, fastest_fitting(run, gpu, 8, a), a
    )
    assert (mine.gpu_key, 8) not in {(r.gpu_key, r.num_gpus) for r in ranked.rows}
    both = include(ranked, [mine], options)
    assert len(both.rows) == len(ranked.rows) + 1
    fastest = [r for r in both.rows if r.fastest]
    assert len(fastest) == 1 and fastest[0].hours == min(r.hours for r in both.rows)
    assert (fastest[0].gpu_key, fastest[0].num_gpus) == ("h100-80gb", 8) or fastest[
        0
    ].hours < mine.hours
    assert sum(r.cheapest for r in both.rows) == 1


def test_an_included_plan_that_misses_the_deadline_stays_out():
    a, run = CostAssumptions(), _run()
    options = RankOptions(all_counts=False, deadline_hours=0.001)
    ranked = rank_plans(run, GPUS, a, options)
    gpu = GPUS["h100-80gb"]
    mine = plan_row(
        run, gpu, unit_prices(gpu, None, a.currency), 8, fastest_fitting(run, gpu, 8, a), a
    )
    assert include(ranked, [mine], options) == ranked
