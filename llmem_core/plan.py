"""Algorithm 1 of LLMem: the largest batch per method, the scores, the choice; and how many
GPUs of a type a job needs.

Scores are samples per step (§5): CDP (bs·gpu_n)·1.5 — ZeRO-3 moves 1.5× the traffic of plain
data parallelism, so CDP is favoured at equal batch — ADP bs·gpu_n, TP bs, DP+TP bs·dp_n.
The paper raises bs from 1 until it no longer fits; peak memory only grows with bs, so an
exponential probe plus bisection finds the same answer in O(log bs) estimates.
"""

from __future__ import annotations

from llmem_core.errors import InputError
from llmem_core.estimate import peak_bytes
from llmem_core.models import (
    MAX_BATCH,
    Method,
    MethodKind,
    MethodPlan,
    Plan,
    PlanChoice,
    Request,
)
from llmem_core.profiles.layout import default_dp_tp_degree, layout

CDP_SCORE_FACTOR = 1.5  # LLMem §5 (Algorithm 1)


def _with_batch(req: Request, batch: int) -> Request:
    training = req.training.model_copy(update={"batch_size": batch})
    return req.model_copy(update={"training": training})


def _fits(req: Request, batch: int) -> bool:
    return peak_bytes(_with_batch(req, batch)) <= req.cluster.memory_bytes


def max_batch_size(req: Request) -> int:
    """Largest batch that fits (0 if even 1 does not), by exponential probe and bisection."""
    if not _fits(req, 1):
        return 0
    low, high = 1, 2
    while high <= MAX_BATCH and _fits(req, high):
        low, high = high, high * 2
    high = min(high, MAX_BATCH + 1)
    while high - low > 1:  # invariant: low fits, high does not (or is past the bound)
        mid = (low + high) // 2
        low, high = (mid, high) if _fits(req, mid) else (low, mid)
    return low


def max_batch_size_stepwise(req: Request, limit: int = MAX_BATCH) -> int:
    """The paper's own search: raise bs by one while it fits (for the benchmark only)."""
    batch = 0
    while batch < limit and _fits(req, batch + 1):
        batch += 1
    return batch


def samples_per_step(req: Request, batch: int) -> int:
    return batch * layout(req).dp


def score(req: Request, batch: int) -> float:
    factor = CDP_SCORE_FACTOR if req.method.kind == MethodKind.CDP else 1.0
    return samples_per_step(req, batch) * factor


def candidate_methods(num_gpus: int, tp_degree: int | None = None) -> list[Method]:
    """The methods Algorithm 1 compares on num_gpus GPUs."""
    if num_gpus == 1:
        return [Method(kind=MethodKind.SINGLE)]
    methods = [Method(kind=MethodKind.CDP), Method(kind=MethodKind.ADP)]
    methods.append(Method(kind=MethodKind.TP, tp_degree=num_gpus))
    tp = tp_degree or default_dp_tp_degree(num_gpus)
    if 1 < tp < num_gpus and num_gpus % tp == 0:
        methods.append(Method(kind=MethodKind.DP_TP, tp_degree=tp))
    return methods


def plan_method(req: Request) -> MethodPlan:
    try:
        best = max_batch_size(req)
    except InputError:  # e.g. tp does not divide the heads: this method cannot run at all
        best = 0
    peak = peak_bytes(_with_batch(req, best)) if best else None
    return MethodPlan.model_construct(
        method=req.method,
        max_batch_size=best,
        score=score(req, best) if best else 0.0,
        peak_bytes_at_max=peak,
        samples_per_step=samples_per_step(req, best) if best else 0,
    )


def plan(req: Request, tp_degree: int | None = None) -> Plan:
    """Algorithm 1: each method's largest batch and score; the best, or CPU offloading."""
    if tp_degree is not None and req.cluster.num_gpus % tp_degree:
        raise InputError(f"tp: {tp_degree} must divide num_gpus ({req.cluster.num_gpus})")
    methods = candidate_methods(req.cluster.num_gpus, tp_degree)
    rows = tuple(plan_method(req.model_copy(update={"method": m})) for m in methods)
    best = max(rows, key=lambda r: r.score)
    if best.max_batch_size == 0:
        return Plan.model_construct(
            choice=PlanChoice.CPU_OFFLOAD,
            methods=rows,
            reason="no method fits batch 1 in GPU memory: offload optimizer states or "
            "parameters to CPU, or use more or larger GPUs",
        )
    return Plan.model_construct(
        choice=PlanChoice(best.method.kind.value),
        methods=rows,
        reason=_reason(best),
    )


def _reason(best: MethodPlan) -> str:
    kind = best.method.kind.value
    return (
        f"{kind} has the highest score ({best.score:g}): batch {best.max_batch_size} per "
        f"replica, {best.samples_per_step} samples per step"
    )


def gpus_needed(req: Request, max_gpus: int = 1024) -> tuple[int, Plan] | None:
    """The smallest GPU count (1, 2, 4, … then every count up to max_gpus tried in order of
    size) for which some method fits the request's batch; None if none up to max_gpus."""
    for n in rentable_counts(max_gpus):
        cluster = req.cluster.model_copy(update={"num_gpus": n})
        trial = req.model_copy(update={"cluster": cluster})
        result = plan(trial)
        fitting = [m for m in result.methods if m.max_batch_size >= req.training.batch_size]
        if fitting:
            return n, result
    return None


NODE_SIZE = 8  # GPUs per server (HGX/DGX boards hold 8): the rental unit past one node


def rentable_counts(max_gpus: int) -> list[int]:
    """Counts that people actually rent: 1–8, then multiples of 8 (whole nodes)."""
    small = list(range(1, min(max_gpus, NODE_SIZE) + 1))
    return small + list(range(2 * NODE_SIZE, max_gpus + 1, NODE_SIZE))
