"""Algorithm 1 of LLMem: the largest batch per method, the scores, the choice; and how many
GPUs of a type a job needs.

Scores are samples per step (§5): CDP (bs·gpu_n)·1.5 — ZeRO-3 moves 1.5× the traffic of plain
data parallelism, so CDP is favoured at equal batch — ADP bs·gpu_n, TP bs, DP+TP bs·dp_n.
The paper raises bs from 1 until it no longer fits; peak memory only grows with bs, so an
exponential probe plus bisection finds the same answer in O(log bs) estimates, each on the
request's prepared (batch-independent) part.

A method that cannot run the job at all (a tensor-parallel degree that does not divide the
heads, dp+tp on a GPU count without a divisor) is reported as not applicable, with the reason;
it never turns into "offload to CPU".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from llmem_core import calibrated, verdict
from llmem_core.errors import InputError
from llmem_core.estimate import Prepared, errors, prepare
from llmem_core.models import MAX_BATCH, MAX_GPUS, Method, MethodKind
from llmem_core.parallelism import GPUS_PER_NODE, Parallelism, dp_tp_degree
from llmem_core.request import Job, Request
from llmem_core.results import MethodPlan, Plan

CDP_SCORE_FACTOR = 1.5  # LLMem §5 (Algorithm 1)
NODE_SIZE = GPUS_PER_NODE  # GPUs per server (HGX/DGX boards hold 8): the rental unit past one node


BATCH_RULE = (
    "largest batch whose verdict is `fits`: the band's top (the device figure at the largest "
    "replayed allocator slack × (1 + the largest under-estimate measured on real GPUs)) at "
    "most capacity × (1 − margin)"
)
AT_RISK_RULE = "largest batch not `oom`: the band's bottom at most capacity × (1 − margin)"


def fits_at(prepared: Prepared, capacity: int, batch: int) -> bool:
    """The verdict at this batch is `fits` (BATCH_RULE)."""
    req = prepared.request
    usable = verdict.usable(capacity, req.runtime.margin)
    levels = prepared.levels(batch)
    return round((levels.device_high or levels.device) * (1 + errors(req).under)) <= usable


def runs_at(prepared: Prepared, capacity: int, batch: int) -> bool:
    """The verdict at this batch is not `oom` (AT_RISK_RULE)."""
    req = prepared.request
    usable = verdict.usable(capacity, req.runtime.margin)
    return round(prepared.levels(batch).need * (1 - errors(req).over)) <= usable


def largest_batch(prepared: Prepared, capacity: int, rule: Callable[..., bool] = fits_at) -> int:
    """Largest batch for which `rule` holds (0 if not even batch 1), by exponential probe and
    bisection (every figure only grows with the batch: tests/test_invariants.py)."""

    def fits(batch: int) -> bool:
        return rule(prepared, capacity, batch)

    if not fits(1):
        return 0
    low, high = 1, 2
    while high <= MAX_BATCH and fits(high):
        low, high = high, high * 2
    high = min(high, MAX_BATCH + 1)
    while high - low > 1:  # invariant: low fits, high does not (or is past the bound)
        mid = (low + high) // 2
        low, high = (mid, high) if fits(mid) else (low, mid)
    return low


def max_batch_size(req: Request) -> int:
    """Largest batch of the request's method that fits its GPUs (0 if even 1 does not)."""
    return largest_batch(prepare(req), req.cluster.memory_bytes)


def max_batch_size_stepwise(req: Request, limit: int = MAX_BATCH) -> int:
    """The paper's own search: raise bs by one while it fits (for the benchmark only)."""
    prepared, capacity, batch = prepare(req), req.cluster.memory_bytes, 0
    while batch < limit and fits_at(prepared, capacity, batch + 1):
        batch += 1
    return batch


# ZeRO-1/2 move data parallelism's traffic (ZeRO §7: 2Ψ, as DDP; ZeRO-3 3Ψ), so they get CDP's
# factor over ZeRO-3 (adp) at equal batch.
DP_TRAFFIC_KINDS = (MethodKind.CDP, MethodKind.ZERO1, MethodKind.ZERO2)


def score(parallel: Parallelism, batch: int, context_parallel: int = 1) -> float:
    """Samples per step (context parallelism: `context_parallel` ranks share each sample)."""
    factor = CDP_SCORE_FACTOR if parallel.method.kind in DP_TRAFFIC_KINDS else 1.0
    return batch * parallel.dp // context_parallel * factor


def candidate_methods(num_gpus: int, tp: int | None = None) -> list[Method]:
    """The methods Algorithm 1 compares on num_gpus GPUs; `tp` is dp+tp's degree (checked
    against the GPU count here: a degree that cannot divide it is the user's error)."""
    if num_gpus == 1:
        if tp not in (None, 1):
            raise InputError("tp", f"must be 1 on one GPU (got {tp:,})")
        return [Method(kind=MethodKind.SINGLE)]
    if tp is not None:
        dp_tp_degree(num_gpus, tp)
    return [
        Method(kind=MethodKind.CDP),
        Method(kind=MethodKind.ADP),
        Method(kind=MethodKind.TP),
        Method(kind=MethodKind.DP_TP, tp=tp),
        Method(kind=MethodKind.ZERO1),
        Method(kind=MethodKind.ZERO2),
    ]


def plan_method(job: Job, method: Method) -> MethodPlan:
    """One method's row: its largest batch and score, or why it cannot run this job."""
    try:
        req = job.request(method)
    except InputError as err:
        return MethodPlan.model_construct(
            method=method,
            applicable=False,
            reason=str(err),
            max_batch_size=0,
            score=0.0,
            peak_bytes_at_max=None,
            samples_per_step=0,
            max_batch_at_risk=0,
        )
    return plan_request(req)


def plan_request(req: Request, prepared: Prepared | None = None) -> MethodPlan:
    """The row of a request's method: its largest batch and score (its batch is not read)."""
    prepared = prepared or prepare(req)
    best = largest_batch(prepared, req.cluster.memory_bytes)
    return MethodPlan.model_construct(
        method=req.parallel.method,
        applicable=True,
        reason="",
        max_batch_size=best,
        score=score(req.parallel, best, req.sharding.context_parallel),
        peak_bytes_at_max=prepared.peak(best) if best else None,
        samples_per_step=best * req.parallel.dp // req.sharding.context_parallel,
        max_batch_at_risk=largest_batch(prepared, req.cluster.memory_bytes, runs_at),
        calibration=calibrated.applied(req),
    )


def plan(job: Job, tp: int | None = None) -> Plan:
    """Algorithm 1: each method's largest batch and score; the best, or CPU offloading."""
    rows = {m.kind: plan_method(job, m) for m in candidate_methods(job.cluster.num_gpus, tp)}
    best = max(rows.values(), key=lambda r: r.score)
    if best.max_batch_size == 0:
        return Plan.model_construct(
            job=job,
            choice=None,
            methods=rows,
            reason="no method fits batch 1 in GPU memory: offload optimizer states or "
            "parameters to CPU, or use more or larger GPUs",
        )
    return Plan.model_construct(job=job, choice=best.kind, methods=rows, reason=_reason(best))


def _reason(best: MethodPlan) -> str:
    return (
        f"{best.kind} has the highest score ({best.score:g}): batch {best.max_batch_size} per "
        f"replica, {best.samples_per_step} samples per step"
    )


def fitting(p: Plan, batch: int) -> list[MethodPlan]:
    """The plan's methods whose largest batch reaches `batch` per replica."""
    return [m for m in p.methods.values() if m.max_batch_size >= batch]


def gpus_needed(job: Job, max_gpus: int = 1024) -> Plan | None:
    """The plan on the smallest GPU count (1–8, then whole nodes of 8, up to max_gpus) for
    which some method fits the job's batch; None if none does. The count is the plan's
    `job.cluster.num_gpus`."""
    if not 1 <= max_gpus <= MAX_GPUS:
        raise InputError(
            "max_gpus", f"must be a whole number from 1 to {MAX_GPUS:,} (got {max_gpus:,})"
        )
    for n in rentable_counts(max_gpus):
        trial = plan(job.with_(num_gpus=n))
        if fitting(trial, job.training.batch_size):
            return trial
    return None


def rentable_counts(max_gpus: int) -> Iterator[int]:
    """Counts that people actually rent: 1–8, then multiples of 8 (whole nodes)."""
    yield from range(1, min(max_gpus, NODE_SIZE) + 1)
    yield from range(2 * NODE_SIZE, max_gpus + 1, NODE_SIZE)
