"""CostInputs + the plan → llmem_core.cost answers. No formulas: every hour and every amount of
money comes from the cost module (rank_plans, plan_row, price_table).

`run()` returns `CostResults` (the ranking, its table rows and chart points, the user's own
plan priced, the effective prices) or a `FieldError` naming the cost input to blame.

Speed: ranking the whole catalog takes 0.1–0.6 s (every GPU type × count runs Algorithm 1),
over the page's 150 ms. So the comparison covers a shortlist unless the user asks for every
GPU type, and the ranking is memoised on its frozen inputs (a small LRU): changing the
language, the method shown, the GPU count or the view does not rank again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from llmem_dashboard.compute import FieldError, Results, field_error
from llmem_dashboard.state import COST_METHODS, CostInputs, price_override
from llmem_core import Gpu, InputError
from llmem_core.cost import (
    CostAssumptions,
    CostBasis,
    CostRow,
    Currency,
    Job,
    PerMethodCommPenalty,
    PerMethodUtilisation,
    PriceOverride,
    Ranking,
    RankOptions,
    UnitPrices,
    chart_points,
    price_table,
    rank_plans,
    table_rows,
    unit_prices,
)
from llmem_core.cost.rank import basis_cost, plan_row
from llmem_core.cost.table import table_row

# The comparison's default GPU types: one or two per class people rent for fine-tuning
# (data-centre Ampere/Hopper/Blackwell, a 48 GB card, a consumer card, AMD), plus the user's
# GPU; "all GPU types" ranks the whole catalog on demand.
SHORTLIST = ("a100-80gb", "h100-80gb", "h200-141gb", "b200-180gb", "l40s-48gb", "rtx4090-24gb",
             "mi300x-192gb")
MAX_GPUS = 16  # counts tried per GPU type: 1–8, then 16 (whole 8-GPU nodes); the core's default
RANKING_CACHE = 32  # rankings kept (each a few hundred KB at most)

# Cost inputs whose core error messages start with these names → the widget that sets them.
FIELD_OF_PREFIX = {
    "dataset_tokens": "data",
    "dataset_samples": "data",
    "epochs": "epochs",
    "currency": "rate",
    "per_usd": "rate",
    "code": "currency",
    "prices": "prices",
    "cloud_per_gpu_hour_low": "prices",
    "cloud_per_gpu_hour_high": "prices",
    "purchase_per_gpu": "prices",
    "power_w": "prices",
    "bf16_tflops_dense": "prices",
    "deadline_hours": "deadline",
    "budget": "budget",
    "amortisation_years": "years",
    "owned_hours_per_month": "hours_pm",
    "power_price_per_kwh": "kwh",
    "pue": "pue",
    "utilisation": "util",
    "comm_penalty": "comm",
}


@dataclass(frozen=True)
class Mine:
    """The user's own plan (their GPU, count and the headline's method), priced; or why not."""

    row: CostRow | None
    reason: str = ""  # an i18n key when row is None: cost_mine_custom, cost_mine_oom


@dataclass(frozen=True)
class CostResults:
    inputs: CostInputs
    ranking: Ranking
    rows: tuple[dict[str, Any], ...]  # table_rows(ranking)
    mine_row: dict[str, Any] | None  # table_row of the user's plan when the ranking lacks it
    points: tuple[dict[str, Any], ...]  # chart_points(ranking)
    mine: Mine
    mine_cost: float | None  # the user's plan's cost on the ranking's basis
    prices: tuple[UnitPrices, ...]  # price_table over the compared GPU types
    catalog: tuple[UnitPrices, ...]  # the same without the user's edits
    power_price_default: float  # the core's heuristic power price, in the currency
    gpu_keys: tuple[str, ...]  # the compared GPU types
    user_gpu: str
    user_gpus: int
    max_gpus: int
    rank_ms: float  # time spent ranking on this run (≈ 0 when memoised)


def assumptions(c: CostInputs) -> CostAssumptions:
    """The user's assumptions in the core's units (fractions, not %)."""
    return CostAssumptions(
        utilisation=PerMethodUtilisation(**_fractions(c.util_pct)),
        comm_penalty=PerMethodCommPenalty(**_fractions(c.comm_pct)),
        amortisation_years=c.years,
        owned_hours_per_month=c.hours_pm,
        power_price_per_kwh=c.kwh,
        pue=c.pue,
        currency=Currency(code=c.currency, per_usd=c.rate),
    )


def _fractions(percents: tuple[float, ...]) -> dict[str, float]:
    return {m: p / 100 for m, p in zip(COST_METHODS, percents, strict=True)}


def job(c: CostInputs, res: Results) -> Job:
    """The fine-tuning run: the plan's model, training and runtime, with the data and epochs."""
    size = {"dataset_tokens" if c.unit == "tokens" else "dataset_samples": c.data}
    req = res.request
    return Job(model=req.model, training=req.training, runtime=req.runtime, epochs=c.epochs,
               **size)


def options(c: CostInputs) -> RankOptions:
    return RankOptions(max_gpus=MAX_GPUS, all_counts=c.counts == "all",
                       deadline_hours=c.deadline, budget=c.budget, cost_basis=CostBasis(c.basis))


def compared(c: CostInputs, gpus: Mapping[str, Gpu], user_gpu: str) -> tuple[str, ...]:
    """The GPU types compared: the shortlist and the user's GPU, or the whole catalog."""
    if c.gpu_set == "all":
        return tuple(gpus)
    wanted = set(SHORTLIST) | {user_gpu}
    return tuple(k for k in gpus if k in wanted)


def edits(c: CostInputs, keys: tuple[str, ...]) -> dict[str, PriceOverride]:
    return {k: price_override(edit) for k, edit in c.prices if k in keys}


@lru_cache(maxsize=RANKING_CACHE)
def _ranking(job: Job, gpus: tuple[Gpu, ...], a: CostAssumptions, opts: RankOptions,
             price_edits: tuple[tuple[str, PriceOverride], ...]) -> Ranking:
    return rank_plans(job, {g.key: g for g in gpus}, a, opts, dict(price_edits))


def ranking(job: Job, gpus: Mapping[str, Gpu], a: CostAssumptions, opts: RankOptions,
            price_edits: Mapping[str, PriceOverride]) -> Ranking:
    """rank_plans, memoised on its (frozen, hashable) inputs."""
    return _ranking(job, tuple(gpus.values()), a, opts, tuple(sorted(price_edits.items())))


def mine(res: Results, job: Job, gpus: Mapping[str, Gpu], a: CostAssumptions,
         price_edits: Mapping[str, PriceOverride]) -> Mine:
    """The headline's plan priced by the core: the user's GPU and count, the focus method."""
    gpu = gpus.get(res.inputs.gpu)
    if gpu is None or gpu.bf16_tflops_dense is None:
        return Mine(None, "cost_mine_custom")
    est = res.focus.estimate
    if est is None or not est.fits:
        return Mine(None, "cost_mine_oom")
    chosen = next(m for m in res.plan.methods if m.method == res.focus.method)
    prices = unit_prices(gpu, price_edits.get(gpu.key), a.currency)
    return Mine(plan_row(job, gpu, prices, res.request.cluster.num_gpus, chosen, a))


def run(c: CostInputs, res: Results, gpus: Mapping[str, Gpu]) -> CostResults | FieldError:
    """The cost comparison for the plan, or the cost input to blame."""
    try:
        the_job, a, opts = job(c, res), assumptions(c), options(c)
        keys = compared(c, gpus, res.inputs.gpu)
        chosen = {k: gpus[k] for k in keys}
        price_edits = {k: price_override(e) for k, e in c.prices if k in gpus}
        start = time.perf_counter()
        ranked = ranking(the_job, chosen, a, opts, edits(c, keys))
        rank_ms = (time.perf_counter() - start) * 1000
        own = mine(res, the_job, gpus, a, price_edits)
    except (InputError, ValidationError) as err:
        return cost_field_error(err)
    rows = tuple(table_rows(ranked))
    return CostResults(
        inputs=c, ranking=ranked, rows=rows, mine_row=_mine_row(own, rows, a.currency.code),
        points=tuple(chart_points(ranked)), mine=own,
        mine_cost=basis_cost(own.row, ranked.cost_basis) if own.row else None,
        prices=price_table(chosen, edits(c, keys), a.currency),
        catalog=price_table(chosen, None, a.currency),
        power_price_default=CostAssumptions(currency=a.currency).power_price(), gpu_keys=keys,
        user_gpu=res.inputs.gpu, user_gpus=res.request.cluster.num_gpus, max_gpus=MAX_GPUS,
        rank_ms=rank_ms,
    )


def _mine_row(own: Mine, rows: tuple[dict[str, Any], ...], code: str) -> dict[str, Any] | None:
    """The user's plan as a table row, when the ranking does not hold it already."""
    if own.row is None:
        return None
    shown = {(r["gpu_key"], r["num_gpus"]) for r in rows}
    return None if (own.row.gpu_key, own.row.num_gpus) in shown else table_row(own.row, code)


def cost_field_error(err: Exception) -> FieldError:
    """A core error → the cost input it belongs to (by the field name it starts with)."""
    message = field_error(err).message
    found = [(message.find(name), name) for name in FIELD_OF_PREFIX if name in message]
    field = FIELD_OF_PREFIX[min(found)[1]] if found else "data"  # the first name it mentions
    return FieldError(field, message)
