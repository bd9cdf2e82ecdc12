"""Ranking: every GPU type × count that fits the job, with its best method, time and money;
the cheapest and the fastest marked; a deadline and a budget filter.

For each GPU type, counts are tried as plan.gpus_needed tries them (1–8, then whole nodes of
8); at each count Algorithm 1 (plan.plan) gives every method's largest batch, and among the
methods that fit the job's batch per replica the one with the highest sustained throughput
u · (1 − c) runs it (Algorithm 1's score breaks ties). FLOPs per run do not depend on the
method; only u and c do.
"""

from __future__ import annotations

from collections.abc import Mapping

from llmem_core.cost.duration import run_time
from llmem_core.cost.flops import hardware_flops_per_token
from llmem_core.cost.inputs import CostAssumptions, CostBasis, PriceOverride, RankOptions, Run
from llmem_core.cost.interconnect import ONE_NODE_FABRIC, Topology, topology
from llmem_core.cost.money import (
    break_evens,
    break_evens_by_kind,
    check_edit_keys,
    run_cost,
    unit_prices,
)
from llmem_core.cost.results import CostRow, Ranking, Skipped, SkipReason, UnitPrices
from llmem_core.errors import InputError
from llmem_core.estimate import peak_bytes, prepare
from llmem_core.models import Gpu
from llmem_core.plan import candidate_methods, fits_at, plan_request, rentable_counts
from llmem_core.request import Request
from llmem_core.results import MethodPlan


def best_method(
    methods: Mapping[object, MethodPlan] | tuple[MethodPlan, ...],
    batch: int,
    a: CostAssumptions,
    link: Topology = ONE_NODE_FABRIC,
) -> MethodPlan | None:
    """Of the methods that fit `batch` per replica, the fastest: highest u · (1 − c), c on
    this interconnect (default: one node over a fabric)."""
    rows = methods.values() if isinstance(methods, Mapping) else methods
    fitting = [m for m in rows if m.max_batch_size >= batch]
    if not fitting:
        return None
    return max(fitting, key=lambda m: (a.speed(m.kind, *link), m.score))


def _runnable(run: Run, gpu: Gpu, num_gpus: int) -> list[Request]:
    """The requests of Algorithm 1's methods that can run here (not-applicable ones left out:
    e.g. a tensor-parallel degree that does not divide the heads)."""
    job, out = run.job(gpu, num_gpus), []
    for method in candidate_methods(num_gpus):
        try:
            out.append(job.request(method))
        except InputError:
            continue
    return out


def fastest_fitting(run: Run, gpu: Gpu, num_gpus: int, a: CostAssumptions) -> MethodPlan | None:
    """best_method over Algorithm 1's methods, searching the largest batch only for the
    fastest methods that fit the run's batch (one estimate each for the others): the same
    answer as best_method(plan(...).methods, …, topology(...)) at a fraction of the estimates."""
    batch, fitting = run.training.batch_size, []
    for req in _runnable(run, gpu, num_gpus):
        prepared = prepare(req)
        if fits_at(prepared, gpu.memory_bytes, batch):
            fitting.append((req, prepared))
    if not fitting:
        return None
    link = topology(gpu.key, num_gpus)
    top = max(a.speed(r.method.kind, *link) for r, _ in fitting)
    tied = [plan_request(r, p) for r, p in fitting if a.speed(r.method.kind, *link) == top]
    return max(tied, key=lambda m: m.score)


def plan_row(
    run: Run,
    gpu: Gpu,
    prices: UnitPrices,
    num_gpus: int,
    chosen: MethodPlan,
    a: CostAssumptions,
) -> CostRow:
    """Time, money and break-even of the run on num_gpus GPUs with the chosen method."""
    if prices.bf16_tflops_dense is None:
        raise InputError("bf16_tflops_dense", f"{gpu.key} has no peak TFLOP/s; give one")
    kind = chosen.kind
    fabric, servers = topology(gpu.key, num_gpus)
    time = run_time(run, prices.bf16_tflops_dense, num_gpus, kind, a, fabric, servers)
    cost = run_cost(time.hours, num_gpus, prices, a)
    vs_low, vs_high = break_evens(cost, time.hours, num_gpus, prices, a)
    vs_od_low, vs_od_high, vs_floor = break_evens_by_kind(cost, time.hours, a)
    batch = run.training.batch_size
    request = run.job(gpu, num_gpus).request(chosen.method)
    replicas = request.parallel.dp
    return CostRow(
        gpu_key=gpu.key,
        gpu_name=gpu.name,
        num_gpus=num_gpus,
        method=kind,
        tp=request.parallel.tp,
        data_parallel=replicas,
        batch_size=batch,
        max_batch_size=chosen.max_batch_size,
        samples_per_step=batch * replicas,
        peak_bytes=peak_bytes(request),
        fabric=fabric,
        nodes=servers,
        capacity_bytes=gpu.memory_bytes,
        calibration=chosen.calibration,
        time=time,
        cost=cost,
        break_even_vs_cloud_low=vs_low,
        break_even_vs_cloud_high=vs_high,
        break_even_vs_on_demand_low=vs_od_low,
        break_even_vs_on_demand_high=vs_od_high,
        break_even_vs_interruptible=vs_floor,
        prices=prices,
    )


def rows_for_gpu(
    run: Run, gpu: Gpu, prices: UnitPrices, options: RankOptions, a: CostAssumptions
) -> tuple[list[CostRow], Skipped | None]:
    """Every count of this GPU that fits the run, or why none does."""
    batch = run.training.batch_size
    if prices.bf16_tflops_dense is None:
        return [], Skipped(
            gpu_key=gpu.key,
            kind=SkipReason.NO_TFLOPS,
            batch_size=batch,
            max_gpus=options.max_gpus,
            reason="no peak TFLOP/s in the catalog",
        )
    rows: list[CostRow] = []
    # Without filters and with only the fewest GPUs shown, larger counts would be dropped
    # anyway: stop at the first that fits (same result, a fraction of the estimates).
    first_only = (
        not options.all_counts and options.deadline_hours is None and options.budget is None
    )
    for n in rentable_counts(options.max_gpus):
        chosen = fastest_fitting(run, gpu, n, a)
        if chosen is not None:
            rows.append(plan_row(run, gpu, prices, n, chosen, a))
            if first_only:
                break
    if rows:
        return rows, None
    why = f"batch {batch} per replica fits on no count up to {options.max_gpus} GPUs"
    return [], Skipped(
        gpu_key=gpu.key,
        kind=SkipReason.NO_FIT,
        batch_size=batch,
        max_gpus=options.max_gpus,
        reason=why,
    )


def basis_cost(row: CostRow, basis: CostBasis) -> float | None:
    """The row's cost on the basis that ranks and filters."""
    return {
        CostBasis.CLOUD_LOW: row.cost.cloud_low,
        CostBasis.CLOUD_HIGH: row.cost.cloud_high,
        CostBasis.ON_DEMAND: row.cost.on_demand_low,
        CostBasis.OWNED: row.cost.owned_total,
    }[basis]


def passes(row: CostRow, options: RankOptions) -> bool:
    """Meets the deadline and the budget (a row without a price cannot meet a budget)."""
    if options.deadline_hours is not None and row.hours > options.deadline_hours:
        return False
    if options.budget is None:
        return True
    cost = basis_cost(row, options.cost_basis)
    return cost is not None and cost <= options.budget


SORT_DIGITS = 9  # costs equal to 9 significant digits tie (n·(h/n) is not exact in floats)


def _order(row: CostRow, basis: CostBasis) -> tuple[bool, float, float, str, int]:
    cost = basis_cost(row, basis)
    rounded = float(f"{cost:.{SORT_DIGITS}g}") if cost is not None else 0.0
    return cost is None, rounded, row.hours, row.gpu_key, row.num_gpus


def mark(rows: list[CostRow], basis: CostBasis) -> tuple[CostRow, ...]:
    """Cheapest first (rows without a price last); flag the cheapest and the fastest."""
    ordered = sorted(rows, key=lambda r: _order(r, basis))
    if not ordered:
        return ()
    fastest = min(ordered, key=lambda r: (r.hours, *_order(r, basis)))
    priced = ordered[0] if basis_cost(ordered[0], basis) is not None else None
    return tuple(
        r.model_copy(update={"cheapest": r is priced, "fastest": r is fastest}) for r in ordered
    )


def smallest_per_gpu(rows: list[CostRow]) -> list[CostRow]:
    """For each GPU type, the plan with the fewest GPUs."""
    best: dict[str, CostRow] = {}
    for r in rows:
        if r.gpu_key not in best or r.num_gpus < best[r.gpu_key].num_gpus:
            best[r.gpu_key] = r
    return list(best.values())


def include(ranking: Ranking, extra: list[CostRow], options: RankOptions) -> Ranking:
    """The ranking with more plans in it (e.g. the user's own GPU count, which "fewest per
    type" leaves out), those that pass the deadline and budget; cheapest and fastest marked
    again over all of them."""
    shown = {(r.gpu_key, r.num_gpus) for r in ranking.rows}
    added = [r for r in extra if (r.gpu_key, r.num_gpus) not in shown and passes(r, options)]
    if not added:
        return ranking
    rows = [*ranking.rows, *added]
    return ranking.model_copy(update={"rows": mark(rows, ranking.cost_basis)})


def _selected(gpus: Mapping[str, Gpu], keys: tuple[str, ...]) -> list[Gpu]:
    if not keys:
        return list(gpus.values())
    unknown = [k for k in keys if k.lower() not in gpus]
    if unknown:
        raise InputError("gpu", f"unknown key(s) {', '.join(unknown)}; known: {', '.join(gpus)}")
    return [gpus[k.lower()] for k in dict.fromkeys(keys)]


def rank_plans(
    run: Run,
    gpus: Mapping[str, Gpu],
    assumptions: CostAssumptions | None = None,
    options: RankOptions | None = None,
    edits: Mapping[str, PriceOverride] | None = None,
) -> Ranking:
    """Every plan for the run over the GPU catalog (`gpus`, e.g. presets.load_gpus()), with
    time and money; cheapest and fastest marked; deadline and budget applied."""
    a, options, edits = assumptions or CostAssumptions(), options or RankOptions(), edits or {}
    check_edit_keys(dict(gpus), dict(edits))
    rows: list[CostRow] = []
    skipped: list[Skipped] = []
    for gpu in _selected(gpus, options.gpu_keys):
        prices = unit_prices(gpu, edits.get(gpu.key), a.currency)
        found, why = rows_for_gpu(run, gpu, prices, options, a)
        rows.extend(found)
        skipped.extend([why] if why else [])
    kept = [r for r in rows if passes(r, options)]
    shown = kept if options.all_counts else smallest_per_gpu(kept)
    per_token = hardware_flops_per_token(
        run.model, run.training.seq_len, run.training.grad_checkpointing
    )
    return Ranking(
        rows=mark(shown, options.cost_basis),
        skipped=tuple(skipped),
        filtered_out=len(rows) - len(kept),
        currency=a.currency,
        cost_basis=options.cost_basis,
        tokens=run.total_tokens,
        flops_per_token=per_token,
    )
