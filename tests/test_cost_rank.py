"""Ranking (llmem_core/cost/rank.py): flags, order, filters, the method choice, and agreement
with plan.gpus_needed; table and chart rows."""

from __future__ import annotations

import pytest

from llmem_core.cost import (
    CostAssumptions,
    CostBasis,
    Currency,
    PriceOverride,
    RankOptions,
    Run,
    best_method,
    chart_points,
    rank_plans,
    table_rows,
)
from llmem_core.cost.rank import basis_cost
from llmem_core.cost.results import SkipReason
from llmem_core.errors import InputError
from llmem_core.models import Gpu, MethodKind, Runtime, Training
from llmem_core.plan import gpus_needed, plan, rentable_counts
from llmem_core.presets import find_model, load_gpus

GPUS = load_gpus()
LLAMA = Run(
    model=find_model("meta-llama/Llama-3.1-8B").architecture,
    training=Training(batch_size=4, seq_len=2048, precision="amp-bf16"),
    dataset_tokens=100_000_000,
    epochs=3,
)
OPT = Run(
    model=find_model("facebook/opt-1.3b").architecture,
    training=Training(batch_size=8, seq_len=512),
    dataset_samples=52_000,
    epochs=3,
)


@pytest.fixture(scope="module")
def llama_ranking():
    return rank_plans(LLAMA, GPUS)


def test_counts_follow_gpus_needed():
    assert list(rentable_counts(5)) == [1, 2, 3, 4, 5]
    assert list(rentable_counts(40)) == [1, 2, 3, 4, 5, 6, 7, 8, 16, 24, 32, 40]


def test_exactly_one_cheapest_and_one_fastest(llama_ranking):
    rows = llama_ranking.rows
    cheapest = [r for r in rows if r.cheapest]
    fastest = [r for r in rows if r.fastest]
    assert len(cheapest) == 1 and len(fastest) == 1
    costs = [r.cost.cloud_low for r in rows if r.cost.cloud_low is not None]
    assert cheapest[0].cost.cloud_low == pytest.approx(min(costs), rel=1e-9)
    assert fastest[0].hours == min(r.hours for r in rows)
    assert cheapest[0] is rows[0]


def test_rows_are_cheapest_first_with_unpriced_last(llama_ranking):
    costs = [r.cost.cloud_low for r in llama_ranking.rows]
    priced = [c for c in costs if c is not None]
    assert priced == sorted(priced, key=lambda c: float(f"{c:.9g}"))
    assert costs[: len(priced)] == priced  # every None after every price


def test_smallest_count_agrees_with_gpus_needed(llama_ranking):
    """Oracle: plan.gpus_needed's smallest count for the job's batch, GPU by GPU."""
    smallest: dict[str, int] = {}
    for r in llama_ranking.rows:
        smallest[r.gpu_key] = min(smallest.get(r.gpu_key, 10**9), r.num_gpus)
    for key, gpu in GPUS.items():
        found = gpus_needed(LLAMA.job(gpu, 1), max_gpus=16)
        assert smallest.get(key) == (found.job.cluster.num_gpus if found else None), key
    never = {k for k, g in GPUS.items() if gpus_needed(LLAMA.job(g, 1), 16) is None}
    assert {s.gpu_key for s in llama_ranking.skipped} == never
    assert {"v100-16gb", "t4-16gb"} <= never  # 8 B parameters never fit 16 GB cards


def test_each_row_is_the_formula(llama_ranking):
    """hours = D·F ÷ (n·P·u·(1−c)); cloud = n·hours·price; batch fits its method."""
    for r in llama_ranking.rows:
        t = r.time
        want = (
            t.tokens
            * t.flops_per_token
            / (
                r.num_gpus
                * r.prices.bf16_tflops_dense
                * 1e12
                * t.utilisation
                * (1 - t.comm_penalty)
            )
            / 3600
        )
        assert r.hours == pytest.approx(want, rel=1e-12)
        if r.prices.cloud_per_gpu_hour_high is not None:
            assert r.cost.cloud_high == pytest.approx(
                r.num_gpus * r.hours * r.prices.cloud_per_gpu_hour_high
            )
        assert r.batch_size <= r.max_batch_size
        assert r.peak_bytes <= r.capacity_bytes
        assert r.samples_per_step == r.batch_size * r.data_parallel


def test_method_is_the_fastest_that_fits():
    """Two A100-80GB: CDP cannot hold Llama-3.1-8B (16 B/param > 80 GB), ADP and TP fit batch
    4; ADP sustains 0.40·0.925 = 0.37 of peak, TP 0.35·0.85 = 0.2975: ADP is chosen. Make TP
    the faster (u 0.9) and it is chosen instead."""
    gpu = GPUS["a100-80gb"]
    paper = LLAMA.model_copy(update={"runtime": Runtime(profile="paper")})  # the numbers above
    methods = plan(paper.job(gpu, 2)).methods
    assert best_method(methods, 4, CostAssumptions()).method.kind == MethodKind.ADP
    fast_tp = CostAssumptions.model_validate({"utilisation": {"tp": 0.9}})
    assert best_method(methods, 4, fast_tp).method.kind == MethodKind.TP
    assert best_method(methods, 10**6, CostAssumptions()) is None


def test_deadline_filter():
    full = rank_plans(LLAMA, GPUS)
    fast = rank_plans(LLAMA, GPUS, options=RankOptions(deadline_hours=3))
    assert fast.rows and all(r.hours <= 3 for r in fast.rows)
    assert fast.filtered_out == len(full.rows) - len(fast.rows) > 0
    assert sum(r.cheapest for r in fast.rows) == 1


@pytest.mark.parametrize("basis", list(CostBasis), ids=lambda b: b.value)
def test_budget_filter_on_each_basis(basis):
    options = RankOptions(budget=30.0, cost_basis=basis)
    r = rank_plans(LLAMA, GPUS, options=options)
    assert r.rows
    for row in r.rows:
        cost = basis_cost(row, basis)
        assert cost is not None and cost <= 30.0  # unpriced rows cannot meet a budget


def test_smallest_count_per_gpu_meets_the_filters():
    """With all_counts off each GPU type shows the fewest GPUs that meet the deadline."""
    r = rank_plans(LLAMA, GPUS, options=RankOptions(all_counts=False, deadline_hours=4))
    keys = [row.gpu_key for row in r.rows]
    assert len(keys) == len(set(keys))
    full = rank_plans(LLAMA, GPUS, options=RankOptions(deadline_hours=4))
    for row in r.rows:
        assert row.num_gpus == min(x.num_gpus for x in full.rows if x.gpu_key == row.gpu_key)


def test_selected_gpus_and_edits():
    options = RankOptions(gpu_keys=("h100-80gb", "A100-80GB"), all_counts=False)
    edits = {"a100-80gb": PriceOverride(cloud_per_gpu_hour_low=0.10)}
    r = rank_plans(OPT, GPUS, options=options, edits=edits)
    assert [x.gpu_key for x in r.rows] == ["a100-80gb", "h100-80gb"]
    a100 = r.rows[0]
    assert a100.cheapest and a100.prices.edited == ("cloud_per_gpu_hour_low",)
    assert a100.cost.cloud_low == pytest.approx(0.10 * a100.cost.gpu_hours)


def test_unknown_keys_are_rejected():
    with pytest.raises(InputError, match="gpu: unknown key"):
        rank_plans(OPT, GPUS, options=RankOptions(gpu_keys=("nope",)))
    with pytest.raises(InputError, match="unknown GPU key") as err:
        rank_plans(OPT, GPUS, edits={"nope": PriceOverride(power_w=100)})
    assert err.value.field == "price"


def test_gpu_without_prices_is_ranked_but_never_cheapest():
    """A custom GPU with no prices and no peak is skipped; one with a peak is ranked, with
    None (not 0) for every money figure, after every priced row."""
    base = GPUS["a100-80gb"].model_dump()
    bare = base | {
        "key": "bare",
        "cloud_usd_per_hour_low": None,
        "cloud_usd_per_hour_high": None,
        "cloud_on_demand_usd_per_hour_low": None,
        "cloud_on_demand_usd_per_hour_high": None,
        "cloud_interruptible_usd_per_hour": None,
        "cloud_interruptible_kind": None,
        "purchase_usd": None,
    }
    blind = base | {"key": "blind", "bf16_tflops_dense": None}
    gpus = {"a100-80gb": GPUS["a100-80gb"], "bare": Gpu(**bare), "blind": Gpu(**blind)}
    r = rank_plans(OPT, gpus, options=RankOptions(all_counts=False))
    assert [x.gpu_key for x in r.rows] == ["a100-80gb", "bare"]
    bare_row = r.rows[1]
    assert bare_row.cost.cloud_low is None and bare_row.cost.owned_total is None
    assert bare_row.cost.on_demand_low is None and bare_row.cost.interruptible is None
    assert bare_row.cost.energy_kwh is not None  # power is known
    assert not bare_row.cheapest
    assert [(s.gpu_key, s.kind) for s in r.skipped] == [("blind", SkipReason.NO_TFLOPS)]


def test_currency_scales_every_amount():
    usd = rank_plans(OPT, GPUS, options=RankOptions(all_counts=False))
    jpy = rank_plans(
        OPT,
        GPUS,
        CostAssumptions(currency=Currency(code="JPY", per_usd=150)),
        RankOptions(all_counts=False),
    )
    assert [r.gpu_key for r in usd.rows] == [r.gpu_key for r in jpy.rows]
    for a, b in zip(table_rows(usd), table_rows(jpy), strict=True):
        assert b["currency"] == "JPY" and b["hours"] == a["hours"]
        for col in ("cloud_low", "cloud_high", "owned_total", "owned_energy"):
            if a[col] is None:
                assert b[col] is None
            else:
                assert b[col] == pytest.approx(150 * a[col])
        assert b["break_even_runs_vs_cloud_low"] == pytest.approx(a["break_even_runs_vs_cloud_low"])


def test_table_rows_and_chart_points(llama_ranking):
    rows = table_rows(llama_ranking)
    assert len(rows) == len(llama_ranking.rows)
    assert {
        "gpu_key",
        "num_gpus",
        "method",
        "hours",
        "cloud_low",
        "cloud_high",
        "owned_total",
        "break_even_runs_vs_cloud_high",
        "prices_as_of",
        "cheapest",
        "fastest",
    } <= set(rows[0])
    points = chart_points(llama_ranking)
    assert len(points) == sum(r.cost.cloud_low is not None for r in llama_ranking.rows)
    assert sum(p["cheapest"] for p in points) == 1
    assert all(p["cost_low"] <= p["cost_high"] for p in points)


@pytest.mark.parametrize("key", ["a100-80gb", "l4-24gb", "h100-80gb", "rtx4090-24gb"])
def test_fastest_fitting_equals_best_method_over_the_full_plan(key):
    """Oracle: the shortcut (largest batch searched only for the fastest fitting methods)
    picks what best_method picks over Algorithm 1's full plan, at every rentable count."""
    from llmem_core.cost.interconnect import topology
    from llmem_core.cost.rank import fastest_fitting

    gpu, a = GPUS[key], CostAssumptions()
    for n in rentable_counts(16):
        full = best_method(plan(LLAMA.job(gpu, n)).methods, 4, a, topology(key, n))
        fast = fastest_fitting(LLAMA, gpu, n, a)
        assert (full is None) == (fast is None), n
        if full is not None:
            assert (fast.method, fast.max_batch_size) == (full.method, full.max_batch_size)
