"""Money: effective prices, the cost of one run, and when buying beats renting.

With h hours on n GPUs (GPU-hours g = n·h), all money in the chosen currency:

    cloud            = g · rent per GPU-hour                          (low and high)
    purchase         = n · purchase per GPU + ⌈n / 8⌉ · a server's other parts
    owned            = h · purchase ÷ (years · 12 · hours in use per month)
                     + n · W/1000 · h · PUE · price per kWh           (amortisation + energy)
    break-even runs  = purchase ÷ (rent per run − energy per run)
    break-even months = runs ÷ runs per month      (default: hours in use per month ÷ h)

Rent comes as the overall range (cloud low, high) and split by listing kind (presets/gpus.json):
on-demand low and high, and the cheapest interruptible or marketplace listing. Break-even is
given against each, each naming the rent it assumes (RentPrice); against the last at its
expected cost, g · rent · the interruptions' slowdown (interruption.py).

Unknown prices stay None all the way through; nothing is priced at zero by default.
"""

from __future__ import annotations

from math import isclose

from llmem_core.cost.inputs import ORDERED_PRICES, CostAssumptions, Currency, PriceOverride
from llmem_core.cost.interconnect import nodes
from llmem_core.cost.results import BreakEven, BreakEvenStatus, RentPrice, RunCost, UnitPrices
from llmem_core.errors import InputError
from llmem_core.models import Gpu

WATTS_PER_KW = 1000
MONTHS_PER_YEAR = 12

_EDITABLE = {  # PriceOverride field → (Gpu field, quoted in USD in the catalog)
    "cloud_per_gpu_hour_low": ("cloud_usd_per_hour_low", True),
    "cloud_per_gpu_hour_high": ("cloud_usd_per_hour_high", True),
    "purchase_per_gpu": ("purchase_usd", True),
    "power_w": ("tdp_w", False),
    "bf16_tflops_dense": ("bf16_tflops_dense", False),
    "on_demand_per_gpu_hour_low": ("cloud_on_demand_usd_per_hour_low", True),
    "on_demand_per_gpu_hour_high": ("cloud_on_demand_usd_per_hour_high", True),
    "interruptible_per_gpu_hour": ("cloud_interruptible_usd_per_hour", True),
}


def _effective(gpu: Gpu, edit: PriceOverride, currency: Currency) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for field, (catalog_field, is_usd) in _EDITABLE.items():
        mine = getattr(edit, field)
        theirs = getattr(gpu, catalog_field)
        out[field] = mine if mine is not None else (currency.from_usd(theirs) if is_usd else theirs)
    return out


KINDS = ("on_demand_per_gpu_hour_low", "on_demand_per_gpu_hour_high", "interruptible_per_gpu_hour")


def _range_follows_kinds(
    gpu: Gpu, edit: PriceOverride, values: dict[str, float | None], currency: Currency
) -> None:
    """The overall range spans every listing. When the user edits a kind's price but not the
    range, each end that was a kind's catalog price moves with the kinds; an end the split
    does not hold (a listing of no stated kind) stays. An edited end is the user's."""
    if all(getattr(edit, k) is None for k in KINDS):
        return
    theirs = [currency.from_usd(getattr(gpu, _EDITABLE[k][0])) for k in KINDS]
    kinds = [v for k in KINDS if (v := values[k]) is not None]
    for end, pick in (("cloud_per_gpu_hour_low", min), ("cloud_per_gpu_hour_high", max)):
        now = values[end]
        if getattr(edit, end) is not None:
            continue
        others = (
            [] if now is None or any(x is not None and isclose(now, x) for x in theirs) else [now]
        )
        values[end] = pick(kinds + others) if kinds or others else None


def unit_prices(gpu: Gpu, edit: PriceOverride | None, currency: Currency) -> UnitPrices:
    """The catalog's figures for one GPU, converted, with the user's edits on top."""
    edit = edit or PriceOverride()
    values = _effective(gpu, edit, currency)
    _range_follows_kinds(gpu, edit, values, currency)
    for low_field, high_field in ORDERED_PRICES:  # an edit may cross the catalog's other end
        _check_order(gpu.key, low_field, values[low_field], values[high_field], currency)
    edited = tuple(f for f in _EDITABLE if getattr(edit, f) is not None)
    return UnitPrices(
        gpu_key=gpu.key,
        gpu_name=gpu.name,
        currency=currency.code,
        cloud_source=gpu.cloud_source,
        purchase_source=gpu.purchase_source,
        as_of=gpu.as_of,
        edited=edited,
        interruptible_kind=gpu.cloud_interruptible_kind,
        kinds_source=gpu.cloud_kinds_source,
        **values,
    )


def _check_order(
    key: str, field: str, low: float | None, high: float | None, currency: Currency
) -> None:
    if low is not None and high is not None and low > high:
        kind = "on-demand" if field.startswith("on_demand") else "cloud"
        raise InputError(
            f"price.{key}.{field}",
            f"must be at most the {kind} high price ({high:g} {currency.code} per GPU-hour); "
            f"got {low:g}",
        )


def price_table(
    gpus: dict[str, Gpu], edits: dict[str, PriceOverride] | None, currency: Currency
) -> tuple[UnitPrices, ...]:
    """Issue #5 item 1: every catalog GPU's prices, sources and as-of dates, edits applied."""
    edits = edits or {}
    check_edit_keys(gpus, edits)
    return tuple(unit_prices(g, edits.get(k), currency) for k, g in gpus.items())


def check_edit_keys(gpus: dict[str, Gpu], edits: dict[str, PriceOverride]) -> None:
    unknown = sorted(set(edits) - set(gpus))
    if unknown:
        raise InputError(
            "price", f"unknown GPU key(s) {', '.join(unknown)}; known: {', '.join(gpus)}"
        )


def _times(a: float | None, b: float) -> float | None:
    return None if a is None else a * b


def amortisation_per_gpu_hour(purchase: float | None, a: CostAssumptions) -> float | None:
    """purchase ÷ (years · 12 · hours in use per month): the GPU's price spread over the hours
    it works in its life."""
    lifetime_hours = a.amortisation_years * MONTHS_PER_YEAR * a.owned_hours_per_month
    return None if purchase is None else purchase / lifetime_hours


def energy_kwh(power_w: float | None, num_gpus: int, hours: float, pue: float) -> float | None:
    """n · W/1000 · h · PUE: GPUs at their board power (TDP) for the whole run."""
    return None if power_w is None else num_gpus * power_w / WATTS_PER_KW * hours * pue


def purchase(num_gpus: int, p: UnitPrices, a: CostAssumptions) -> tuple[float | None, float]:
    """(n × purchase per GPU, the servers' other parts: ⌈n / 8⌉ × a node's) of a plan."""
    return _times(p.purchase_per_gpu, num_gpus), nodes(num_gpus) * a.node_cost()


def run_cost(hours: float, num_gpus: int, p: UnitPrices, a: CostAssumptions) -> RunCost:
    """Cloud (low, high) and owned (amortisation of GPUs and servers + electricity) cost of
    one run, and what buying the plan's hardware costs."""
    gpu_hours = hours * num_gpus
    gpus, servers = purchase(num_gpus, p, a)
    total = None if gpus is None else gpus + servers
    amortisation = _times(amortisation_per_gpu_hour(total, a), hours)
    kwh = energy_kwh(p.power_w, num_gpus, hours, a.pue)
    energy = _times(kwh, a.power_price())
    owned = None if amortisation is None or energy is None else amortisation + energy
    return RunCost(
        gpu_hours=gpu_hours,
        cloud_low=_times(p.cloud_per_gpu_hour_low, gpu_hours),
        cloud_high=_times(p.cloud_per_gpu_hour_high, gpu_hours),
        owned_amortisation=amortisation,
        energy_kwh=kwh,
        owned_energy=energy,
        owned_total=owned,
        nodes=nodes(num_gpus),
        purchase_gpus=gpus,
        purchase_nodes=servers,
        purchase_total=total,
        on_demand_low=_times(p.on_demand_per_gpu_hour_low, gpu_hours),
        on_demand_high=_times(p.on_demand_per_gpu_hour_high, gpu_hours),
        interruptible=_times(p.interruptible_per_gpu_hour, gpu_hours),
        interruption_factor=a.interruptions(hours, nodes(num_gpus)),
    )


def break_even(
    cloud_per_run: float | None,
    energy_per_run: float | None,
    cluster_purchase: float | None,
    hours_per_run: float,
    a: CostAssumptions,
    against: RentPrice | None = None,
) -> BreakEven:
    """Runs (and months) after which buying the cluster has cost less than renting it:
    purchase ÷ (rent per run − electricity per run); `against` names the rent."""
    named = {"against": against, "rent_per_run": cloud_per_run}
    if cloud_per_run is None or energy_per_run is None or cluster_purchase is None:
        return BreakEven(status=BreakEvenStatus.NO_PRICE, **named)
    saving = cloud_per_run - energy_per_run
    if saving <= 0:
        return BreakEven(status=BreakEvenStatus.NEVER, **named)
    runs = cluster_purchase / saving
    per_month = a.runs_per_month or a.owned_hours_per_month / hours_per_run
    months = runs / per_month
    return BreakEven(
        status=BreakEvenStatus.OK,
        runs=runs,
        months=months,
        within_amortisation=months <= a.amortisation_years * MONTHS_PER_YEAR,
        runs_per_month=per_month,
        **named,
    )


def break_evens(
    cost: RunCost, hours: float, num_gpus: int, p: UnitPrices, a: CostAssumptions
) -> tuple[BreakEven, BreakEven]:
    """Break-even of buying the plan's GPUs and servers against the low (the cheapest
    listing) and against the high (the dearest on-demand) cloud price."""
    low = _versus(cost, cost.cloud_low, hours, a, RentPrice.CLOUD_LOW)
    high = _versus(cost, cost.cloud_high, hours, a, RentPrice.CLOUD_HIGH)
    return low, high


def break_evens_by_kind(
    cost: RunCost, hours: float, a: CostAssumptions
) -> tuple[BreakEven, BreakEven, BreakEven]:
    """Break-even against the on-demand range — (vs its cheapest listing, vs its dearest) —
    and against the cheapest interruptible or marketplace listing at its expected cost (its
    interruptions counted, unless turned off): the range a buyer signs for, and the floor."""
    return (
        _versus(cost, cost.on_demand_low, hours, a, RentPrice.ON_DEMAND_LOW),
        _versus(cost, cost.on_demand_high, hours, a, RentPrice.ON_DEMAND_HIGH),
        _versus(cost, cost.interruptible_expected, hours, a, RentPrice.INTERRUPTIBLE),
    )


def _versus(
    cost: RunCost, rent: float | None, hours: float, a: CostAssumptions, against: RentPrice
) -> BreakEven:
    return break_even(rent, cost.owned_energy, cost.purchase_total, hours, a, against)
