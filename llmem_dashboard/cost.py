"""CostInputs + the plan → the core's CostSpec and Run → llmem_core.cost answers. No formulas:
every hour and every amount of money comes from the cost module (rank_plans, plan_row,
price_table).

`run()` returns `CostResults` (the ranking, its table rows and chart points, the user's own
plan priced, the effective prices) or a `FieldError` naming the cost input to blame.

Speed: ranking the whole catalog takes 0.1–0.6 s (every GPU type × count runs Algorithm 1),
over the page's 150 ms. So the comparison covers a shortlist unless the user asks for every
GPU type, and the ranking is memoised on its inputs (a small LRU keyed by the run and the
cost question's JSON): changing the language, the method shown, the GPU count or the view does
not rank again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from llmem_core import Gpu, InputError
from llmem_core.cost import (
    CostAssumptions,
    CostRow,
    CostSpec,
    Ranking,
    Run,
    UnitPrices,
    chart_points,
    include,
    price_table,
    rank_plans,
    table_rows,
    unit_prices,
)
from llmem_core.cost.rank import basis_cost, plan_row
from llmem_core.cost.table import table_row
from llmem_core.verdict import Verdict
from llmem_dashboard.compute import FieldError, Results, widget_for
from llmem_dashboard.state import CostInputs

# The comparison's default GPU types: one or two per class people rent for fine-tuning
# (data-centre Ampere/Hopper/Blackwell, a 48 GB card, a consumer card, AMD), plus the user's
# GPU; "all GPU types" ranks the whole catalog on demand.
SHORTLIST = (
    "a100-80gb",
    "h100-80gb",
    "h200-141gb",
    "b200-180gb",
    "l40s-48gb",
    "rtx4090-24gb",
    "mi300x-192gb",
)
MAX_GPUS: int = CostSpec.model_fields["max_gpus"].default  # counts tried: 1–8, then 16
RANKING_CACHE = 32  # rankings kept (each a few hundred KB at most)

# The cost module's field names (CostSpec's, and those of the models it builds) → the cost
# input whose message slot shows the error; a name not listed is its own input's.
WIDGET_OF_FIELD = {
    "dataset_tokens": "data",
    "dataset_samples": "data",
    "code": "currency",
    "per_usd": "usd_rate",
    "utilisation": "util_pct",
    "comm_penalty": "util_pct",  # one slot under the per-method table
    "amortisation_years": "years",
    "owned_hours_per_month": "hours_per_month",
    "power_price_per_kwh": "power_price",
    "cloud_per_gpu_hour_low": "price",
    "cloud_per_gpu_hour_high": "price",
    "on_demand_per_gpu_hour_low": "price",
    "on_demand_per_gpu_hour_high": "price",
    "interruptible_per_gpu_hour": "price",
    "purchase_per_gpu": "price",
    "power_w": "price",
    "bf16_tflops_dense": "price",
}


@dataclass(frozen=True)
class Mine:
    """The user's own plan (their GPU, count and the headline's method), priced; or why not."""

    row: CostRow | None
    reason: str = ""  # an i18n key when row is None: cost_mine_custom, _oom, _at_risk


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
    node_cost: float  # a server's non-GPU parts, in the currency (CostAssumptions.node_cost)
    gpu_keys: tuple[str, ...]  # the compared GPU types
    user_gpu: str
    user_gpus: int
    max_gpus: int
    rank_ms: float  # time spent ranking on this run (≈ 0 when memoised)


def compared(c: CostInputs, gpus: Mapping[str, Gpu], user_gpu: str) -> tuple[str, ...]:
    """The GPU types compared: the shortlist and the user's GPU, or the whole catalog."""
    if c.gpu_set == "all":
        return tuple(gpus)
    wanted = set(SHORTLIST) | {user_gpu}
    return tuple(k for k in gpus if k in wanted)


def spec(c: CostInputs, gpus: Mapping[str, Gpu], user_gpu: str) -> CostSpec:
    """The core's cost question for these inputs over the compared GPU types."""
    return c.spec(compared(c, gpus, user_gpu), MAX_GPUS)


@lru_cache(maxsize=RANKING_CACHE)
def _ranking(run: Run, question: str, catalog: tuple[Gpu, ...]) -> Ranking:
    s = CostSpec.model_validate_json(question)
    return rank_plans(run, {g.key: g for g in catalog}, s.assumptions(), s.options(), s.edits())


def ranking(run: Run, s: CostSpec, gpus: Mapping[str, Gpu]) -> Ranking:
    """rank_plans, memoised on the run, the question (as JSON: it holds dicts) and the GPUs."""
    return _ranking(run, s.model_dump_json(), tuple(gpus.values()))


def mine(res: Results, run: Run, gpus: Mapping[str, Gpu], s: CostSpec, a: CostAssumptions) -> Mine:
    """The headline's plan priced by the core: the user's GPU and count, the focus method."""
    gpu = gpus.get(res.inputs.gpu)
    if gpu is None or gpu.bf16_tflops_dense is None:
        return Mine(None, "cost_mine_custom")
    est = res.focus.estimate
    if est is not None and est.verdict == Verdict.AT_RISK:
        return Mine(None, "cost_mine_at_risk")
    if est is None or not est.fits:
        return Mine(None, "cost_mine_oom")
    chosen = res.plan.methods[res.focus.method.kind]
    prices = unit_prices(gpu, s.edits().get(gpu.key), a.currency)
    return Mine(plan_row(run, gpu, prices, res.job.cluster.num_gpus, chosen, a))


def run(c: CostInputs, res: Results, gpus: Mapping[str, Gpu]) -> CostResults | FieldError:
    """The cost comparison for the plan, or the cost input to blame."""
    try:
        return results(c, res, gpus)
    except InputError as err:
        return cost_field_error(err)


def results(c: CostInputs, res: Results, gpus: Mapping[str, Gpu]) -> CostResults:
    s = spec(c, gpus, res.inputs.gpu)
    the_run, a = s.run(res.job), s.assumptions()
    chosen = {k: gpus[k] for k in s.gpu}
    start = time.perf_counter()
    ranked = ranking(the_run, s, gpus)
    rank_ms = (time.perf_counter() - start) * 1000
    own = mine(res, the_run, gpus, s, a)
    if own.row is not None:  # the user's own count competes for cheapest and fastest
        ranked = include(ranked, [own.row], s.options())
    edits = {k: e for k, e in s.edits().items() if k in chosen}
    rows = tuple(table_rows(ranked))
    return CostResults(
        inputs=c,
        ranking=ranked,
        rows=rows,
        mine_row=_mine_row(own, rows, a.currency.code),
        points=tuple(chart_points(ranked)),
        mine=own,
        mine_cost=basis_cost(own.row, ranked.cost_basis) if own.row else None,
        prices=price_table(chosen, edits, a.currency),
        catalog=price_table(chosen, None, a.currency),
        power_price_default=CostAssumptions(currency=a.currency).power_price(),
        node_cost=a.node_cost(),
        gpu_keys=s.gpu,
        user_gpu=res.inputs.gpu,
        user_gpus=res.job.cluster.num_gpus,
        max_gpus=MAX_GPUS,
        rank_ms=rank_ms,
    )


def _mine_row(own: Mine, rows: tuple[dict[str, Any], ...], code: str) -> dict[str, Any] | None:
    """The user's plan as a table row, when the ranking does not hold it already."""
    if own.row is None:
        return None
    shown = {(r["gpu_key"], r["num_gpus"]) for r in rows}
    return None if (own.row.gpu_key, own.row.num_gpus) in shown else table_row(own.row, code)


def cost_field_error(err: InputError) -> FieldError:
    """A cost error → the cost input it belongs to, by its field (None: above the table)."""
    return FieldError(
        widget_for(err.field, WIDGET_OF_FIELD, set(CostInputs.model_fields)), err.message
    )
