"""cost.run against the cost module as oracle: every hour and amount on the page is the core's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from llmem_dashboard import cost
from llmem_dashboard.compute import FieldError
from llmem_dashboard.cost import CostResults
from llmem_dashboard.state import DEFAULT
from llmem_core import Method
from llmem_core.cost import (
    CostAssumptions,
    Currency,
    Job,
    PriceOverride,
    RankOptions,
    rank_plans,
    table_rows,
)
from llmem_core.cost.money import unit_prices
from llmem_core.cost.rank import plan_row


@pytest.fixture(scope="module")
def priced(default_results, gpus) -> CostResults:
    out = cost.run(DEFAULT.cost, default_results, gpus)
    assert isinstance(out, CostResults)
    return out


def _run(res, gpus, **changes) -> CostResults | FieldError:
    return cost.run(replace(DEFAULT.cost, **changes), res, gpus)


def test_the_table_rows_are_the_cores_ranking(priced, default_results, gpus):
    req = default_results.request
    job = Job(model=req.model, training=req.training, runtime=req.runtime,
              dataset_tokens=DEFAULT.cost.data, epochs=DEFAULT.cost.epochs)
    chosen = {k: gpus[k] for k in priced.gpu_keys}
    oracle = rank_plans(job, chosen, CostAssumptions(), RankOptions(all_counts=False), {})
    assert list(priced.rows) == table_rows(oracle)
    assert sum(r["cheapest"] for r in priced.rows) == 1
    assert sum(r["fastest"] for r in priced.rows) == 1


def test_the_shortlist_holds_the_users_gpu(gpus):
    keys = cost.compared(DEFAULT.cost, gpus, "l4-24gb")
    assert "l4-24gb" in keys and set(cost.SHORTLIST) <= set(keys)
    assert len(cost.compared(replace(DEFAULT.cost, gpu_set="all"), gpus, "l4-24gb")) == len(gpus)


def test_your_plan_is_priced_by_the_core(priced, default_results, gpus):
    row = priced.mine.row
    assert (row.gpu_key, row.num_gpus, row.method) == ("a100-80gb", 4, default_results.focus
                                                       .method.kind)
    req = default_results.request
    job = Job(model=req.model, training=req.training, runtime=req.runtime,
              dataset_tokens=DEFAULT.cost.data, epochs=DEFAULT.cost.epochs)
    chosen = next(m for m in default_results.plan.methods
                  if m.method == Method(kind=row.method, tp_degree=row.tp_degree))
    a = CostAssumptions()
    oracle = plan_row(job, gpus["a100-80gb"], unit_prices(gpus["a100-80gb"], None, a.currency),
                      4, chosen, a)
    assert row == oracle
    # not in the fewest-per-type ranking (2 A100s suffice), so pinned as its own table row
    assert priced.mine_row["num_gpus"] == 4 and priced.mine_row["hours"] == row.hours


def test_a_currency_converts_every_catalog_price_at_the_rate(priced, default_results, gpus):
    yen = _run(default_results, gpus, currency="JPY", rate=150.0)
    assert [r["gpu_key"] for r in yen.rows] == [r["gpu_key"] for r in priced.rows]
    for usd, jpy in zip(priced.rows, yen.rows, strict=True):
        assert jpy["currency"] == "JPY"
        assert jpy["hours"] == usd["hours"]
        if usd["cloud_low"] is not None:
            assert jpy["cloud_low"] == pytest.approx(150 * usd["cloud_low"], rel=1e-9)


def test_a_price_edit_changes_that_gpus_cost(priced, default_results, gpus):
    edited = _run(default_results, gpus, prices=(("h100-80gb", (3.0, None, None, None)),))
    before = next(r for r in priced.rows if r["gpu_key"] == "h100-80gb")
    after = next(r for r in edited.rows if r["gpu_key"] == "h100-80gb")
    assert after["cloud_low"] == pytest.approx(3.0 * before["gpu_hours"], rel=1e-9)
    assert after["prices_edited"] == "cloud_per_gpu_hour_low"
    assert after["cloud_high"] == before["cloud_high"]


def test_a_deadline_hides_the_slow_plans(priced, default_results, gpus):
    deadline = sorted(r["hours"] for r in priced.rows)[2] * 1.001  # keeps the 3 fastest types
    fast = _run(default_results, gpus, deadline=deadline)
    assert fast.rows and all(r["hours"] <= deadline for r in fast.rows)
    assert fast.ranking.filtered_out > 0
    assert len(fast.rows) < len(priced.rows) or any(
        r["num_gpus"] > p["num_gpus"] for r, p in zip(fast.rows, priced.rows, strict=False))


def test_every_count_gives_more_points(priced, default_results, gpus):
    every = _run(default_results, gpus, counts="all")
    assert len(every.points) > len(priced.points)
    assert {p["gpu_key"] for p in every.points} == {p["gpu_key"] for p in priced.points}


def test_the_ranking_is_memoised_on_its_inputs(default_results, gpus):
    first = _run(default_results, gpus, epochs=2.0)
    again = _run(default_results, gpus, epochs=2.0)
    assert again.ranking is first.ranking
    assert _run(default_results, gpus, epochs=2.5).ranking is not first.ranking


def test_utilisation_in_percent_reaches_the_core_as_a_fraction(default_results, gpus):
    a = cost.assumptions(replace(DEFAULT.cost, util_pct=(50, 40, 20, 35, 35)))
    assert a.utilisation.single == pytest.approx(0.5) and a.utilisation.adp == pytest.approx(0.2)
    slow = _run(default_results, gpus, util_pct=(40, 40, 20, 35, 35))
    base = _run(default_results, gpus)
    assert slow.mine.row.hours == pytest.approx(2 * base.mine.row.hours, rel=1e-9)  # ADP at ½


def test_a_custom_gpu_or_an_oom_plan_has_no_headline_cost(run_plan, gpus):
    custom = cost.run(DEFAULT.cost, run_plan(gpu="custom", gpu_gib=48.0), gpus)
    assert custom.mine.row is None and custom.mine.reason == "cost_mine_custom"
    assert custom.rows  # the comparison still runs over the catalog
    oom = cost.run(DEFAULT.cost, run_plan(gpu="t4-16gb"), gpus)
    assert oom.mine.row is None and oom.mine.reason == "cost_mine_oom"


def test_a_core_error_names_the_input(default_results, gpus):
    err = _run(default_results, gpus, rate=2.0)  # USD is worth one USD
    assert isinstance(err, FieldError) and err.field == "rate"


def test_no_price_stays_none(priced):
    h200 = next(r for r in priced.rows if r["gpu_key"] == "h200-141gb")
    assert h200["owned_total"] is None  # no purchase price in the catalog: never 0
    assert h200["break_even_status_vs_cloud_high"] == "no-price"


def test_the_user_price_edit_is_a_core_override():
    assert cost.edits(replace(DEFAULT.cost, prices=(("h100-80gb", (1.0, 2.0, None, 700.0)),)),
                      ("h100-80gb",)) == {
        "h100-80gb": PriceOverride(cloud_per_gpu_hour_low=1.0, cloud_per_gpu_hour_high=2.0,
                                   power_w=700.0)}
    assert cost.assumptions(replace(DEFAULT.cost, currency="JPY", rate=150.0)).currency == \
        Currency(code="JPY", per_usd=150.0)
