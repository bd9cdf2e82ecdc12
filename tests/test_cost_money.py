"""Money (llmem_core/cost/money.py): hand-worked run costs, break-even, currency, prices."""

from __future__ import annotations

import pytest

from llmem_core.cost import (
    BreakEvenStatus,
    CostAssumptions,
    Currency,
    PriceOverride,
    RentPrice,
    UnitPrices,
    amortisation_per_gpu_hour,
    break_even,
    break_evens,
    break_evens_by_kind,
    energy_kwh,
    price_table,
    run_cost,
    unit_prices,
)
from llmem_core.errors import InputError
from llmem_core.presets import load_gpus

# 3 years, owned GPUs run 500 h a month, electricity 0.20 per kWh, PUE 1.5; GPUs only (no
# server parts: those have their own hand test below).
HAND = CostAssumptions(
    amortisation_years=3,
    owned_hours_per_month=500,
    power_price_per_kwh=0.20,
    pue=1.5,
    node_price=0,
    count_interruptions=False,  # the floor at its listed price (its own tests below)
)


def prices(**kw) -> UnitPrices:
    base = {
        "gpu_key": "x",
        "gpu_name": "X",
        "currency": "USD",
        "cloud_per_gpu_hour_low": 2.0,
        "cloud_per_gpu_hour_high": 4.0,
        "purchase_per_gpu": 20_000.0,
        "power_w": 400.0,
        "bf16_tflops_dense": 312.0,
        "cloud_source": "",
        "purchase_source": "",
        "as_of": "",
        "edited": (),
    }
    return UnitPrices(**(base | kw))


def test_run_cost_by_hand():
    """10 h on 8 GPUs = 80 GPU-hours. Cloud: 80 · 2 = 160, 80 · 4 = 320.
    Amortisation: 20,000 / (3 · 12 · 500) = 1.1111 per GPU-hour → 88.889.
    Energy: 8 · 0.4 kW · 10 h · 1.5 = 48 kWh → 48 · 0.20 = 9.60. Owned: 98.489."""
    c = run_cost(10.0, 8, prices(), HAND)
    assert c.gpu_hours == 80
    assert (c.cloud_low, c.cloud_high) == (pytest.approx(160), pytest.approx(320))
    assert c.owned_amortisation == pytest.approx(88.8889, rel=1e-5)
    assert c.energy_kwh == pytest.approx(48)
    assert c.owned_energy == pytest.approx(9.6)
    assert c.owned_total == pytest.approx(98.4889, rel=1e-5)


def test_break_even_by_hand():
    """Cluster 8 · 20,000 = 160,000. Against the high price: saving 320 − 9.6 = 310.4 per
    run → 515.46 runs; 500 h a month / 10 h a run = 50 runs a month → 10.309 months, within
    the 36 of the amortisation. Against the low: 160,000 / 150.4 = 1,063.83 runs, 21.28 mo."""
    c = run_cost(10.0, 8, prices(), HAND)
    low, high = break_evens(c, 10.0, 8, prices(), HAND)
    assert high.status == BreakEvenStatus.OK
    assert high.runs == pytest.approx(515.464, rel=1e-5)
    assert high.months == pytest.approx(10.3093, rel=1e-5)
    assert high.within_amortisation is True
    assert low.runs == pytest.approx(1063.83, rel=1e-5)
    assert low.months == pytest.approx(21.2766, rel=1e-5)


@pytest.mark.parametrize(
    ("num_gpus", "servers"), [(1, 1), (8, 1), (9, 2), (16, 2)], ids=["1", "8", "9", "16"]
)
def test_the_purchase_counts_gpus_and_whole_servers(num_gpus, servers):
    """Issue #14: buying is the GPUs and ⌈n / 8⌉ servers' other parts (default: 32,010 USD a
    node, a DGX H100's bill of materials without its GPUs; Epoch AI after SemiAnalysis)."""
    c = run_cost(10.0, num_gpus, prices(), CostAssumptions())
    assert c.nodes == servers
    assert c.purchase_gpus == pytest.approx(num_gpus * 20_000)
    assert c.purchase_nodes == pytest.approx(servers * 32_010)
    assert c.purchase_total == pytest.approx(num_gpus * 20_000 + servers * 32_010)


def test_server_parts_enter_amortisation_and_break_even_by_hand():
    """8 GPUs and one server of 32,010: 192,010. Amortisation over 3 · 12 · 500 = 18,000 h:
    10.6672 per hour → 106.672 for 10 h. Break-even against the high price: 192,010 /
    (320 − 9.6) = 618.59 runs (12.37 months at 50 runs a month); against the low:
    192,010 / 150.4 = 1,276.66 runs (25.53 months)."""
    a = HAND.model_copy(update={"node_price": 32_010.0})
    c = run_cost(10.0, 8, prices(), a)
    assert c.owned_amortisation == pytest.approx(106.672, rel=1e-5)
    low, high = break_evens(c, 10.0, 8, prices(), a)
    assert high.runs == pytest.approx(618.589, rel=1e-5)
    assert high.months == pytest.approx(12.3718, rel=1e-5)
    assert low.runs == pytest.approx(1276.66, rel=1e-5)
    assert low.months == pytest.approx(25.5332, rel=1e-5)


def test_the_server_price_is_converted_like_any_catalog_price():
    jpy = CostAssumptions(currency=Currency(code="JPY", per_usd=150))
    assert jpy.node_cost() == pytest.approx(32_010 * 150)
    assert jpy.model_copy(update={"node_price": 1_000_000.0}).node_cost() == 1_000_000


def test_break_even_with_runs_per_month():
    """4 runs a month: 515.46 runs take 128.87 months, beyond 36: not within amortisation."""
    a = HAND.model_copy(update={"runs_per_month": 4.0})
    b = break_even(320.0, 9.6, 160_000.0, 10.0, a)
    assert b.months == pytest.approx(515.464 / 4, rel=1e-5)
    assert b.within_amortisation is False


def test_never_pays_off_when_power_costs_the_rent():
    assert break_even(9.0, 9.6, 160_000.0, 10.0, HAND).status == BreakEvenStatus.NEVER
    assert break_even(9.6, 9.6, 160_000.0, 10.0, HAND).status == BreakEvenStatus.NEVER


@pytest.mark.parametrize(
    "missing",
    ["cloud_per_gpu_hour_low", "purchase_per_gpu", "power_w"],
    ids=["no-cloud", "no-purchase", "no-power"],
)
def test_missing_prices_stay_none(missing):
    p = prices(**{missing: None})
    c = run_cost(10.0, 8, p, HAND)
    low, _ = break_evens(c, 10.0, 8, p, HAND)
    assert low.status == BreakEvenStatus.NO_PRICE
    assert low.runs is None and low.months is None
    if missing == "cloud_per_gpu_hour_low":
        assert c.cloud_low is None and c.cloud_high == pytest.approx(320)
    else:
        assert c.owned_total is None


def test_amortisation_over_a_whole_life_is_the_purchase():
    """Working every in-use hour for the whole amortisation period costs the purchase."""
    life = 3 * 12 * 500
    assert amortisation_per_gpu_hour(20_000.0, HAND) * life == pytest.approx(20_000.0)
    assert amortisation_per_gpu_hour(None, HAND) is None


def test_energy_by_hand():
    """2 GPUs × 700 W × 3 h × PUE 1.2 = 5.04 kWh."""
    assert energy_kwh(700.0, 2, 3.0, 1.2) == pytest.approx(5.04)
    assert energy_kwh(None, 2, 3.0, 1.2) is None


def test_catalog_prices_convert_and_edits_do_not():
    """A100-80GB SXM: catalog low 0.43 USD → 64.5 JPY at 150; an edit is typed in JPY."""
    gpu = load_gpus()["a100-80gb"]
    jpy = Currency(code="JPY", per_usd=150)
    p = unit_prices(gpu, PriceOverride(purchase_per_gpu=2_000_000), jpy)
    assert p.cloud_per_gpu_hour_low == pytest.approx(64.5)
    assert p.cloud_per_gpu_hour_high == pytest.approx(5.07 * 150)
    assert p.purchase_per_gpu == 2_000_000
    assert p.power_w == 400
    assert p.edited == ("purchase_per_gpu",)
    assert p.as_of == gpu.as_of and p.cloud_source == gpu.cloud_source


def test_default_power_price_follows_the_currency():
    """The heuristic 0.15 USD/kWh at 150 JPY per USD is 22.5 JPY/kWh; a given price is kept."""
    a = CostAssumptions(currency=Currency(code="JPY", per_usd=150))
    assert a.power_price() == pytest.approx(22.5)
    assert a.model_copy(update={"power_price_per_kwh": 31.0}).power_price() == 31.0


def test_edit_that_inverts_the_cloud_range_is_rejected():
    gpu = load_gpus()["a100-80gb"]
    with pytest.raises(InputError, match="at most the cloud high price") as err:
        unit_prices(gpu, PriceOverride(cloud_per_gpu_hour_low=9.0), Currency())
    assert err.value.field == "price.a100-80gb.cloud_per_gpu_hour_low"


def test_price_table_covers_the_catalog_with_sources_and_dates():
    gpus = load_gpus()
    table = price_table(gpus, {"h100-80gb": PriceOverride(power_w=650)}, Currency())
    assert [p.gpu_key for p in table] == list(gpus)
    h100 = next(p for p in table if p.gpu_key == "h100-80gb")
    assert h100.power_w == 650 and h100.edited == ("power_w",)
    gaudi2 = next(p for p in table if p.gpu_key == "gaudi2-96gb")
    assert gaudi2.cloud_per_gpu_hour_low is None  # "not found in corpus": no price, not 0
    assert all(p.as_of for p in table)


def test_price_table_rejects_unknown_keys():
    with pytest.raises(InputError, match="unknown GPU key"):
        price_table(load_gpus(), {"nope": PriceOverride(power_w=1)}, Currency())


# ---- issue #14: on-demand and interruptible prices apart, break-even against each ----------


def split_prices(**kw) -> UnitPrices:
    """prices() with the listing kinds: on-demand 3–4, cheapest interruptible 1.5."""
    kinds = {
        "on_demand_per_gpu_hour_low": 3.0,
        "on_demand_per_gpu_hour_high": 4.0,
        "interruptible_per_gpu_hour": 1.5,
    }
    return prices(**(kinds | kw))


def test_rent_by_kind_by_hand():
    """80 GPU-hours: on-demand 80 · 3 = 240 to 80 · 4 = 320; interruptible 80 · 1.5 = 120."""
    c = run_cost(10.0, 8, split_prices(), HAND)
    assert (c.on_demand_low, c.on_demand_high) == (pytest.approx(240), pytest.approx(320))
    assert c.interruptible == pytest.approx(120)


def test_break_even_against_each_kind_by_hand():
    """Purchase 8 · 20,000 = 160,000; electricity 9.60 a run; 500 h a month ÷ 10 h = 50 runs
    a month. Versus on-demand high: 160,000 / (320 − 9.6) = 515.46 runs, 10.31 months; versus
    on-demand low: 160,000 / (240 − 9.6) = 694.44 runs, 13.89 months; versus the cheapest
    interruptible: 160,000 / (120 − 9.6) = 1,449.28 runs, 28.99 months."""
    c = run_cost(10.0, 8, split_prices(), HAND)
    od_low, od_high, floor = break_evens_by_kind(c, 10.0, HAND)
    expected = {
        RentPrice.ON_DEMAND_HIGH: (od_high, 320.0, 515.464, 10.3093),
        RentPrice.ON_DEMAND_LOW: (od_low, 240.0, 694.444, 13.8889),
        RentPrice.INTERRUPTIBLE: (floor, 120.0, 1449.28, 28.9855),
    }
    for against, (b, rent, runs, months) in expected.items():
        assert b.against == against and b.status == BreakEvenStatus.OK
        assert b.rent_per_run == pytest.approx(rent)
        assert b.runs == pytest.approx(runs, rel=1e-5)
        assert b.months == pytest.approx(months, rel=1e-5)
        assert b.runs_per_month == pytest.approx(50)
    assert od_high.runs < od_low.runs < floor.runs  # dearer rent, sooner payback


def test_the_floor_counts_its_interruptions():
    """With interruptions counted (the default), the floor's run takes its slowdown times the
    hours (interruption.py, checked against a simulation in its own test) and costs that many
    more GPU-hours; the break-even against it uses that cost: 160,000 / (120·f − 9.6)."""
    a = HAND.model_copy(update={"count_interruptions": True})
    c = run_cost(10.0, 8, split_prices(), a)
    f = a.interruptions(10.0, 1)  # 8 GPUs: one server
    assert 1.03 < f < 1.1  # one interruption a day, 2 min checkpoints, 10 min restarts
    assert c.interruption_factor == f
    assert c.interruptible == pytest.approx(120)  # the listed price, as before
    assert c.interruptible_expected == pytest.approx(120 * f)
    floor = break_evens_by_kind(c, 10.0, a)[2]
    assert floor.rent_per_run == pytest.approx(120 * f)
    assert floor.runs == pytest.approx(160_000 / (120 * f - 9.6))
    two = run_cost(10.0, 16, split_prices(), a)  # two servers: either one stops the job
    assert (
        two.interruption_factor == pytest.approx(a.interruptions(10.0, 2))
        and two.interruption_factor > f
    )


def test_no_floor_listing_has_no_expected_cost():
    c = run_cost(10.0, 8, prices(), HAND.model_copy(update={"count_interruptions": True}))
    assert c.interruptible is None and c.interruptible_expected is None


def test_a_kind_without_a_listing_is_no_price_not_zero():
    """A100 40GB PCIe names no on-demand listing: its on-demand money and break-even stay
    unknown while the interruptible floor (0.40) is priced. With a purchase of 10,000 a GPU
    (the catalog has none): 80,000 / (80 · 0.40 − 8 · 0.25 kW · 10 h · 1.5 · 0.20) =
    80,000 / (32 − 6) = 3,076.9 runs, 61.54 months at 50 a month."""
    edit = PriceOverride(purchase_per_gpu=10_000)
    p = unit_prices(load_gpus()["a100-pcie-40gb"], edit, Currency())
    assert p.on_demand_per_gpu_hour_low is None and p.interruptible_per_gpu_hour == 0.4
    c = run_cost(10.0, 8, p, HAND)
    assert c.on_demand_low is None and c.on_demand_high is None
    od_low, od_high, floor = break_evens_by_kind(c, 10.0, HAND)
    assert od_low.status == od_high.status == BreakEvenStatus.NO_PRICE
    assert od_low.runs is None and od_low.against == RentPrice.ON_DEMAND_LOW
    assert floor.runs == pytest.approx(3076.92, rel=1e-5)
    assert floor.months == pytest.approx(61.5385, rel=1e-5)


def test_the_catalog_split_converts_like_any_price():
    """H100 SXM at 150 JPY per USD: on-demand 2.69–12.29 USD, Vast.ai floor 1.47 USD."""
    gpu = load_gpus()["h100-80gb"]
    p = unit_prices(gpu, None, Currency(code="JPY", per_usd=150))
    assert p.on_demand_per_gpu_hour_low == pytest.approx(2.69 * 150)
    assert p.on_demand_per_gpu_hour_high == pytest.approx(12.29 * 150)
    assert p.interruptible_per_gpu_hour == pytest.approx(1.47 * 150)
    assert p.interruptible_kind == "marketplace" and p.kinds_source == gpu.cloud_kinds_source


def test_an_on_demand_edit_that_inverts_the_range_is_rejected():
    gpu = load_gpus()["h100-80gb"]
    with pytest.raises(InputError, match="at most the on-demand high price") as err:
        unit_prices(gpu, PriceOverride(on_demand_per_gpu_hour_low=20.0), Currency())
    assert err.value.field == "price.h100-80gb.on_demand_per_gpu_hour_low"
    with pytest.raises(InputError, match="at most the high price"):
        PriceOverride(on_demand_per_gpu_hour_low=5.0, on_demand_per_gpu_hour_high=4.0)


@pytest.mark.parametrize(
    ("key", "edit", "low", "high"),
    [
        # H100 SXM: the overall low 1.47 is the Vast.ai floor; raise the floor to 3 and the
        # cheapest listing is now RunPod's on-demand 2.69; the high 12.29 is on-demand's
        ("h100-80gb", {"interruptible_per_gpu_hour": 3.0}, 2.69, 12.29),
        ("h100-80gb", {"on_demand_per_gpu_hour_high": 5.0}, 1.47, 5.0),
        ("h100-80gb", {"on_demand_per_gpu_hour_low": 1.0}, 1.0, 12.29),
        # A100 40GB PCIe: the high 1.99 is no kind's (Lambda's SXM price): it stays
        ("a100-pcie-40gb", {"interruptible_per_gpu_hour": 0.6}, 0.6, 1.99),
        # an edit of the range itself wins
        (
            "h100-80gb",
            {"interruptible_per_gpu_hour": 3.0, "cloud_per_gpu_hour_low": 1.0},
            1.0,
            12.29,
        ),
    ],
    ids=["floor-up", "on-demand-high-down", "on-demand-low-down", "extra-end-stays", "range-edit"],
)
def test_the_overall_range_follows_edits_of_a_kind(key, edit, low, high):
    p = unit_prices(load_gpus()[key], PriceOverride(**edit), Currency())
    assert (p.cloud_per_gpu_hour_low, p.cloud_per_gpu_hour_high) == (
        pytest.approx(low),
        pytest.approx(high),
    )
