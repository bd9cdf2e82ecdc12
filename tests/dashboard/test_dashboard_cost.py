"""cost.run against the cost module as oracle: every hour and amount on the page is the one the
core gives for the same question stated directly as a CostSpec."""

from __future__ import annotations

import pytest

from llmem_core import InputError, PlanSpec, plan
from llmem_core.cost import (
    CostSpec,
    PriceOverride,
    SkipReason,
    rank_plans,
    table_rows,
    unit_prices,
)
from llmem_core.cost.rank import plan_row
from llmem_dashboard import cost, views
from llmem_dashboard.compute import FieldError
from llmem_dashboard.cost import CostResults
from llmem_dashboard.state import DEFAULT

DEMO_JOB = {
    "model": "meta-llama/Llama-3.1-8B",
    "gpu": "a100-80gb",
    "num_gpus": 4,
    "batch_size": 4,
    "seq_len": 2048,
}
DEMO_DATA = {"dataset_tokens": 100_000_000, "epochs": 3.0}  # docs/cost.md's worked example


@pytest.fixture(scope="module")
def priced(default_results, gpus) -> CostResults:
    out = cost.run(DEFAULT.cost, default_results, gpus)
    assert isinstance(out, CostResults)
    return out


def _run(res, gpus, **changes) -> CostResults | FieldError:
    return cost.run(DEFAULT.cost.with_(**changes), res, gpus)


def _oracle(gpus, keys, **spec):
    s = CostSpec(**DEMO_DATA, gpu=keys, all_counts=False, **spec)
    job = PlanSpec(**DEMO_JOB).job()
    return rank_plans(s.run(job), gpus, s.assumptions(), s.options(), s.edits())


def test_the_table_rows_are_the_cores_ranking(priced, gpus):
    assert list(priced.rows) == table_rows(_oracle(gpus, priced.gpu_keys))
    assert sum(r["cheapest"] for r in priced.rows) == 1
    assert sum(r["fastest"] for r in priced.rows) == 1


def test_the_shortlist_holds_the_users_gpu(gpus):
    keys = cost.compared(DEFAULT.cost, gpus, "l4-24gb")
    assert "l4-24gb" in keys and set(cost.SHORTLIST) <= set(keys)
    assert len(cost.compared(DEFAULT.cost.with_(gpu_set="all"), gpus, "l4-24gb")) == len(gpus)


def test_your_plan_is_priced_by_the_core(priced, default_results, gpus):
    row = priced.mine.row
    choice = default_results.plan.choice  # ZeRO-1 since issue #12 (test_dashboard_compute)
    assert (row.gpu_key, row.num_gpus, row.method) == ("a100-80gb", 4, choice)
    s = CostSpec(**DEMO_DATA)
    job = PlanSpec(**DEMO_JOB).job()
    a100, a = gpus["a100-80gb"], s.assumptions()
    expected = plan_row(
        s.run(job),
        a100,
        unit_prices(a100, None, a.currency),
        4,
        plan(job).methods[choice],
        a,
    )
    assert row == expected
    # pinned as its own table row exactly when the fewest-per-type ranking leaves it out
    ranked = any(r["gpu_key"] == "a100-80gb" and r["num_gpus"] == 4 for r in priced.rows)
    if ranked:
        assert priced.mine_row is None
    else:
        assert priced.mine_row["num_gpus"] == 4 and priced.mine_row["hours"] == row.hours


def test_a_currency_converts_every_catalog_price_at_the_rate(priced, default_results, gpus):
    yen = _run(default_results, gpus, currency="JPY", usd_rate=150.0)
    assert [r["gpu_key"] for r in yen.rows] == [r["gpu_key"] for r in priced.rows]
    for usd, jpy in zip(priced.rows, yen.rows, strict=True):
        assert jpy["currency"] == "JPY"
        assert jpy["hours"] == usd["hours"]
        if usd["cloud_low"] is not None:
            assert jpy["cloud_low"] == pytest.approx(150 * usd["cloud_low"], rel=1e-9)


def test_a_price_edit_changes_that_gpus_cost(priced, default_results, gpus):
    edit = PriceOverride(cloud_per_gpu_hour_low=3.0)
    edited = _run(default_results, gpus, price={"h100-80gb": edit})
    before = next(r for r in priced.rows if r["gpu_key"] == "h100-80gb")
    after = next(r for r in edited.rows if r["gpu_key"] == "h100-80gb")
    assert after["cloud_low"] == pytest.approx(3.0 * before["gpu_hours"], rel=1e-9)
    assert after["prices_edited"] == "cloud_per_gpu_hour_low"
    assert after["cloud_high"] == before["cloud_high"]


def test_a_deadline_hides_the_slow_plans(priced, default_results, gpus):
    deadline = sorted(r["hours"] for r in priced.rows)[2] * 1.001  # keeps the 3 fastest types
    fast = _run(default_results, gpus, deadline_hours=deadline)
    assert fast.rows and all(r["hours"] <= deadline for r in fast.rows)
    assert fast.ranking.filtered_out > 0
    assert list(fast.rows) == table_rows(_oracle(gpus, priced.gpu_keys, deadline_hours=deadline))


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
    base = _run(default_results, gpus)
    choice = default_results.plan.choice
    slow = _run(default_results, gpus, util_pct={choice: 20.0})  # half the default
    assert slow.mine.row.time.utilisation == pytest.approx(0.2, rel=1e-12)
    assert slow.mine.row.hours == pytest.approx(2 * base.mine.row.hours, rel=1e-9)


def test_a_custom_gpu_or_an_oom_plan_has_no_headline_cost(run_plan, gpus):
    custom = cost.run(DEFAULT.cost, run_plan(gpu="custom", gpu_gib=48.0), gpus)
    assert custom.mine.row is None and custom.mine.reason == "cost_mine_custom"
    assert custom.rows  # the comparison still runs over the catalog
    oom = cost.run(DEFAULT.cost, run_plan(gpu="t4-16gb"), gpus)
    assert oom.mine.row is None and oom.mine.reason == "cost_mine_oom"


def test_a_core_error_names_the_input(default_results, gpus):
    err = _run(default_results, gpus, usd_rate=2.0)  # USD is worth one USD
    assert isinstance(err, FieldError) and err.field == "usd_rate"
    with pytest.raises(InputError) as core:
        CostSpec(usd_rate=2.0).assumptions()
    assert err.message == core.value.message


def test_a_price_that_contradicts_the_catalog_is_reported_next_to_the_editor(default_results, gpus):
    catalog_high = gpus["a100-80gb"].cloud_usd_per_hour_high
    err = _run(
        default_results,
        gpus,
        price={"a100-80gb": PriceOverride(cloud_per_gpu_hour_low=catalog_high * 2)},
    )
    assert isinstance(err, FieldError) and err.field == "price"


@pytest.mark.parametrize(
    ("field", "widget"),
    [
        ("utilisation.tp", "util_pct"),
        ("comm_penalty.adp", "util_pct"),
        ("usd_rate", "usd_rate"),
        ("dataset_tokens", "data"),
        ("price.a100-80gb.cloud_per_gpu_hour_low", "price"),
        ("bf16_tflops_dense", "price"),
        ("deadline_hours", "deadline_hours"),
        ("gpu", None),
    ],
)
def test_a_cost_error_goes_to_the_input_of_its_field(field, widget):
    assert cost.cost_field_error(InputError(field, "x")).field == widget


def test_no_price_stays_none(priced):
    h200 = next(r for r in priced.rows if r["gpu_key"] == "h200-141gb")
    assert h200["owned_total"] is None  # no purchase price in the catalog: never 0
    assert h200["break_even_status_vs_cloud_high"] == "no-price"


def test_a_skipped_gpu_is_explained_by_its_kind(run_plan, gpus):
    big = run_plan(model="meta-llama/Llama-3.1-70B", batch_size=64)
    out = cost.run(DEFAULT.cost.with_(gpu_set="all"), big, gpus)
    kinds = {s.kind for s in out.ranking.skipped}
    assert SkipReason.NO_FIT in kinds
    for s in out.ranking.skipped:
        text = views._skip_reason(s, "en")
        assert text == (
            "no peak FLOP/s in the catalog"
            if s.kind == SkipReason.NO_TFLOPS
            else f"no count up to {s.max_gpus} fits"
        )
