"""PlanInputs → the core's PlanSpec → Job and Requests → llmem_core answers. No formulas and no
rules: every byte, every method's fate and every refusal come from the core. (Time and money:
cost.py, from the core's cost module.)

`run()` returns either `Results` (everything the page shows) or a `FieldError` naming the
input that caused the problem, so the page can put the message next to that input.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache

from llmem_core import (
    Architecture,
    Estimate,
    Gpu,
    InputError,
    Job,
    Method,
    Plan,
    Request,
    estimate,
    gpus_needed,
    plan,
    prepare,
)
from llmem_core.calibration import Calibrations
from llmem_core.estimate import available_profiles
from llmem_core.plan import candidate_methods
from llmem_core.results import Phase
from llmem_dashboard.state import PlanInputs

# "GPUs needed" searches counts up to this (1–8, then whole 8-GPU nodes); beyond it the card
# says "more than". Bounds the rerun time when a model fits almost nowhere.
COST_MAX_GPUS = 64
# Vocabulary sizes of the what-if curve: GPT-2 (50,257) … Gemma (256,000), log-spaced.
VOCAB_POINTS = (8_000, 16_000, 32_000, 50_257, 65_536, 100_000, 128_256, 152_064, 200_000, 256_000)
BATCH_POINTS = 14  # core evaluations per method on the peak-vs-batch curve (plus the crossing)
# Plans answered and kept, shared by every session (the results are frozen): a link opened by a
# room of people, a tab click, a value typed back are answered without the core. Heuristic size:
# a plan's results are tens of KB.
RESULTS_CACHE = 64
# Inputs that change how the page shows a plan, not what the core answers (kept out of the
# memo's key; `results` never reads them): the open tab, the view, the language.
PAGE_ONLY = {"tab", "view", "lang"}

# The core's field names (PlanSpec's, and those of the models it builds) → the input whose
# message slot shows the error. A name not listed is its own input's (the sidebar's fields
# carry PlanSpec's names); a field of a config.json is the model's.
WIDGET_OF_FIELD = {
    "gpu_memory_mib": "gpu",
    "memory_bytes": "gpu",
    "gpu_key": "gpu",
    "cuda_context_bytes": "cuda_context_mib",
    "allocator_slack": "slack_pct",
}


@dataclass(frozen=True)
class FieldError:
    field: str | None  # the input next to which the message goes (None: no input of its own)
    message: str


def widget_for(field: str, table: dict[str, str], known: set[str]) -> str | None:
    """The input an error's field belongs to: the whole name, its first part (a nested field
    such as `utilisation.tp`), then its last; looked up in `table`, else taken as it is."""
    parts = field.split(".")
    for name in (field, parts[0], parts[-1]):
        widget = table.get(name, name)
        if widget in known:
            return widget
    return None


def field_error(err: InputError) -> FieldError:
    """A core error → the sidebar input it belongs to (by its field; the model's by default)."""
    return FieldError(
        widget_for(err.field, WIDGET_OF_FIELD, set(PlanInputs.model_fields)) or "model", err.message
    )


@dataclass(frozen=True)
class MethodResult:
    method: Method  # as the core resolved it (the tensor-parallel degree filled in)
    estimate: Estimate | None  # None when this method cannot run here
    error: str | None = None  # why not (the core's refusal)


@dataclass(frozen=True)
class Curve:
    method: Method
    batches: tuple[int, ...]
    peaks: tuple[int, ...]
    max_batch: int
    phases: tuple[Phase, ...]  # at each batch, the step's phase that sets the peak


@dataclass(frozen=True)
class VocabPoint:
    vocab: int
    peak: int
    lm_head: int
    phase: Phase  # the step's phase that sets the peak (the curve bends where it changes)


@dataclass(frozen=True)
class Results:
    inputs: PlanInputs
    job: Job  # the plan without its method (what Algorithm 1 and the cost ranking take)
    request: Request  # the focus request (user's batch, focus method)
    gpu_name: str
    methods: tuple[MethodResult, ...]  # every shown method at the user's batch
    focus: MethodResult
    plan: Plan
    batch_curves: tuple[Curve, ...]
    vocab_curve: tuple[VocabPoint, ...]
    gpus_needed: int | None
    model_vocab: int


def build_job(
    inputs: PlanInputs, arch: Architecture, calibration: Calibrations | None = None
) -> Job:
    """The user's plan as the core's Job (`arch`: the preset's or the uploaded config's;
    `calibration`: the run store's fits, issue #11)."""
    spec = inputs.spec()
    if spec.profile not in available_profiles():
        raise InputError("profile", f"{spec.profile} is not available in this version yet")
    job = spec.job(arch)
    job = job if spec.vocab_size is None else job.with_(vocab_size=spec.vocab_size)
    return job if calibration is None else job.with_(calibration=calibration)


def _row(job: Job, method: Method) -> MethodResult:
    est = estimate(job.request(method))
    return MethodResult(est.parallel.method, est)


def method_rows(inputs: PlanInputs, job: Job, choice: Plan) -> list[MethodResult]:
    """The methods on the page at the user's batch: the one asked for (refused by the core if
    it cannot run), or every candidate of Algorithm 1, those that cannot run with the reason."""
    kind = inputs.method_kind()
    if kind is not None:
        asked = {m.kind: m for m in candidate_methods(job.cluster.num_gpus, inputs.tp_asked())}
        return [_row(job, asked.get(kind, Method(kind=kind)))]
    rows = [
        _row(job, mp.method) if mp.applicable else MethodResult(mp.method, None, mp.reason)
        for mp in choice.methods.values()
    ]
    if all(r.estimate is None for r in rows):
        job.request(rows[0].method)  # raises the refusal with its field
    return rows


def focus_row(rows: list[MethodResult], choice: Plan, compare_all: bool) -> MethodResult:
    """The method the headline speaks of: Algorithm 1's choice when comparing all, else the
    user's; when nothing fits, the runnable method with the lowest peak."""
    if compare_all and choice.choice is not None:
        return next(r for r in rows if r.method.kind == choice.choice)
    runnable = [r for r in rows if r.estimate is not None]
    return rows[0] if not compare_all else min(runnable, key=lambda r: r.estimate.peak_bytes)


def batch_points(max_batch: int, user_batch: int) -> list[int]:
    """Log-spaced batches from 1 past both the largest fitting batch and the user's batch."""
    top = max(2 * max_batch, math.ceil(1.25 * user_batch), 8)
    points = {round(top ** (i / (BATCH_POINTS - 1))) for i in range(BATCH_POINTS)}
    points |= {user_batch, max_batch, max_batch + 1} - {0}
    return sorted(points)


def batch_curve(row: MethodResult, max_batch: int) -> Curve:
    """The peak at many batches, from the request's batch-independent part (core: prepare)."""
    req = row.estimate.request
    prepared = prepare(req)
    batches = batch_points(max_batch, req.training.batch_size)
    peaks = tuple(prepared.peak(b) for b in batches)
    phases = tuple(prepared.evaluate(b)[1] for b in batches)  # the core's, as estimate's phase
    return Curve(row.method, tuple(batches), peaks, max_batch, phases)


def _curves(rows: list[MethodResult], choice: Plan) -> tuple[Curve, ...]:
    best = {kind: mp.max_batch_size for kind, mp in choice.methods.items()}
    return tuple(batch_curve(r, best.get(r.method.kind, 0)) for r in rows if r.estimate)


def vocab_curve(job: Job, method: Method, model_vocab: int) -> tuple[VocabPoint, ...]:
    """Peak and its lm_head part over vocabulary sizes, for one method (the job varied)."""
    points = sorted({*VOCAB_POINTS, model_vocab, job.model.vocab_size})
    out = []
    for vocab in points:
        est = estimate(job.with_(vocab_size=vocab).request(method))
        out.append(VocabPoint(vocab, est.components.total, est.components.lm_head, est.phase))
    return tuple(out)


def _needed(job: Job) -> int | None:
    found = gpus_needed(job, max_gpus=COST_MAX_GPUS)
    return found.job.cluster.num_gpus if found else None


def results(
    inputs: PlanInputs,
    arch: Architecture,
    gpus: dict[str, Gpu],
    calibration: Calibrations | None = None,
) -> Results:
    """Everything the page shows for one plan; InputError (with its field) if the core refuses."""
    job = build_job(inputs, arch, calibration)
    choice = plan(job, tp=inputs.tp_asked())  # refuses a dp+tp degree the GPUs cannot take
    rows = method_rows(inputs, job, choice)
    focus = focus_row(rows, choice, inputs.method_kind() is None)
    return Results(
        inputs=inputs,
        job=job,
        request=focus.estimate.request,
        gpu_name=gpus[inputs.gpu].name if inputs.gpu in gpus else "",
        methods=tuple(rows),
        focus=focus,
        plan=choice,
        batch_curves=_curves(rows, choice),
        vocab_curve=vocab_curve(job, focus.method, arch.vocab_size),
        gpus_needed=_needed(job),
        model_vocab=arch.vocab_size,
    )


@dataclass(frozen=True)
class _Question:
    """One plan as the memo sees it: compared and hashed by its JSON only (its models hold
    dicts), the objects themselves passed through untouched."""

    key: tuple[str, str, str, tuple[tuple[str, Gpu], ...]]
    inputs: PlanInputs = dataclasses.field(compare=False)
    arch: Architecture = dataclasses.field(compare=False)
    gpus: dict[str, Gpu] = dataclasses.field(compare=False)
    calibration: Calibrations | None = dataclasses.field(compare=False)


@lru_cache(maxsize=RESULTS_CACHE)
def _memo(q: _Question) -> Results:
    return results(q.inputs, q.arch, q.gpus, q.calibration)


def run(
    inputs: PlanInputs,
    arch: Architecture,
    gpus: dict[str, Gpu],
    calibration: Calibrations | None = None,
) -> Results | FieldError:
    """Everything the page shows for one plan, or the input to blame. Memoised on the plan
    without its page-only inputs (put back afterwards): the same question gets the same answer
    object; a refusal is not kept (lru_cache keeps returns only)."""
    cal = calibration.model_dump_json() if calibration else ""
    key = (inputs.model_dump_json(exclude=PAGE_ONLY), arch.model_dump_json(), cal)
    question = _Question((*key, tuple(gpus.items())), inputs, arch, gpus, calibration)
    try:
        return dataclasses.replace(_memo(question), inputs=inputs)
    except InputError as err:
        return field_error(err)


def on_tab(res: Results, tab: str) -> Results:
    """The same answers with another tab open (a page-only input: results never read it)."""
    return dataclasses.replace(res, inputs=res.inputs.with_(tab=tab))
