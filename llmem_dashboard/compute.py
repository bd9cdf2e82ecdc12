"""PlanInputs → core Requests → llmem_core answers. No formulas: every byte comes from the core.
(Time and money: cost.py, from the core's cost module.)

`run()` returns either `Results` (everything the page shows) or a `FieldError` naming the
input that caused the problem, so the page can put the message next to that input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import ValidationError

from llmem_dashboard.state import ALL_METHODS, CUSTOM_GPU, PlanInputs
from llmem_core import (
    Architecture,
    Cluster,
    Estimate,
    Gpu,
    InputError,
    Method,
    MethodKind,
    Plan,
    ProfileName,
    Request,
    Runtime,
    Training,
    estimate,
    gpus_needed,
    peak_bytes,
    plan,
)
from llmem_core.accuracy import Band, band_for
from llmem_core.estimate import available_profiles
from llmem_core.hf_config import first_error
from llmem_core.models import PlanChoice
from llmem_core.plan import candidate_methods
from llmem_core.units import GiB, MiB

# "GPUs needed" searches counts up to this (1–8, then whole 8-GPU nodes); beyond it the card
# says "more than". Bounds the rerun time when a model fits almost nowhere.
COST_MAX_GPUS = 64
# Vocabulary sizes of the what-if curve: GPT-2 (50,257) … Gemma (256,000), log-spaced.
VOCAB_POINTS = (8_000, 16_000, 32_000, 50_257, 65_536, 100_000, 128_256, 152_064, 200_000,
                256_000)
BATCH_POINTS = 14  # core evaluations per method on the peak-vs-batch curve (plus the crossing)

# Input errors from the core start with a field name; this maps it to the widget that sets it.
FIELD_OF_PREFIX = {
    "precision": "precision",
    "grad_checkpointing": "ckpt",
    "optimizer": "optimizer",
    "tp": "tp",
    "method": "method",
    "config.json": "model",
    "model": "model",
    "profile": "profile",
    "batch_size": "batch",
    "seq_len": "seq",
    "num_gpus": "gpus",
    "memory_bytes": "gpu",
    "vocab_size": "vocab",
    "cuda_context_bytes": "context_mib",
    "allocator_slack": "slack_pct",
    "chunk_size": "chunk",
}


@dataclass(frozen=True)
class FieldError:
    field: str  # a PlanInputs field name (the widget next to which the message goes)
    message: str


@dataclass(frozen=True)
class MethodResult:
    method: Method
    estimate: Estimate | None  # None when this method cannot run here
    error: str | None = None


@dataclass(frozen=True)
class Curve:
    method: Method
    batches: tuple[int, ...]
    peaks: tuple[int, ...]
    max_batch: int


@dataclass(frozen=True)
class VocabPoint:
    vocab: int
    peak: int
    lm_head: int


@dataclass(frozen=True)
class Results:
    inputs: PlanInputs
    request: Request  # the focus request (user's batch, focus method)
    gpu_name: str
    methods: tuple[MethodResult, ...]  # every shown method at the user's batch
    focus: MethodResult
    plan: Plan
    batch_curves: tuple[Curve, ...]
    vocab_curve: tuple[VocabPoint, ...]
    gpus_needed: int | None
    accuracy: Band | None
    model_vocab: int


def field_error(err: Exception) -> FieldError:
    """A core error → the input it belongs to (by the field name the message starts with)."""
    message = first_error(err) if isinstance(err, ValidationError) else str(err)
    head = message.split(":", 1)[0].strip().split(".")[-1]
    return FieldError(FIELD_OF_PREFIX.get(head, "model"), message)


def profile_available(name: str) -> bool:
    """Whether this version of the core implements the profile (ProfileName lists planned ones)."""
    return ProfileName(name) in available_profiles()


def base_request(inputs: PlanInputs, arch: Architecture, gpus: dict[str, Gpu]) -> Request:
    """The user's plan as a core Request (method SINGLE as placeholder). Raises on bad input."""
    if not profile_available(inputs.profile):
        raise InputError(f"profile: '{inputs.profile}' is not available in this version yet")
    if inputs.vocab is not None:
        arch = arch.with_vocab(inputs.vocab)
    memory = (round(inputs.gpu_gib * GiB) if inputs.gpu == CUSTOM_GPU
              else gpus[inputs.gpu].memory_bytes)
    key = None if inputs.gpu == CUSTOM_GPU else inputs.gpu
    return Request(
        model=arch,
        training=Training(batch_size=inputs.batch, seq_len=inputs.seq, precision=inputs.precision,
                          optimizer=inputs.optimizer, grad_checkpointing=inputs.ckpt),
        method=Method(kind=MethodKind.SINGLE),
        cluster=Cluster(gpu_key=key, memory_bytes=memory, num_gpus=inputs.gpus),
        runtime=Runtime(profile=inputs.profile, cuda_context_bytes=inputs.context_mib * MiB,
                        allocator_slack=inputs.slack_pct / 100, chunk_size=inputs.chunk),
    )


def tp_choice(inputs: PlanInputs) -> int | None:
    return inputs.tp or None


def shown_methods(inputs: PlanInputs) -> list[Method]:
    """The methods on the page: Algorithm 1's candidates, or the one the user chose."""
    candidates = candidate_methods(inputs.gpus, tp_choice(inputs))
    if inputs.method == ALL_METHODS:
        return candidates
    chosen = [m for m in candidates if m.kind.value == inputs.method]
    if not chosen:
        raise InputError(f"method: {inputs.method} is not available on {inputs.gpus} GPU(s)")
    return chosen


def with_method(req: Request, method: Method) -> Request:
    return req.model_copy(update={"method": method})


def with_batch(req: Request, batch: int) -> Request:
    training = req.training.model_copy(update={"batch_size": batch})
    return req.model_copy(update={"training": training})


def method_result(req: Request, method: Method) -> MethodResult:
    try:
        return MethodResult(method, estimate(with_method(req, method)))
    except InputError as err:
        return MethodResult(method, None, str(err))


def focus_result(inputs: PlanInputs, rows: list[MethodResult], choice: Plan) -> MethodResult:
    """The method the headline speaks of: the user's, else Algorithm 1's choice."""
    if inputs.method == ALL_METHODS and choice.choice != PlanChoice.CPU_OFFLOAD:
        for row in rows:
            if row.method.kind.value == choice.choice.value:
                return row
    runnable = [r for r in rows if r.estimate is not None]
    if inputs.method != ALL_METHODS or not runnable:
        return rows[0]
    return min(runnable, key=lambda r: r.estimate.peak_bytes)


def batch_points(max_batch: int, user_batch: int) -> list[int]:
    """Log-spaced batches from 1 past both the largest fitting batch and the user's batch."""
    top = max(2 * max_batch, math.ceil(1.25 * user_batch), 8)
    points = {round(top ** (i / (BATCH_POINTS - 1))) for i in range(BATCH_POINTS)}
    points |= {user_batch, max_batch, max_batch + 1} - {0}
    return sorted(points)


def batch_curve(req: Request, method: Method, max_batch: int) -> Curve | None:
    mreq = with_method(req, method)
    batches = batch_points(max_batch, req.training.batch_size)
    try:
        peaks = tuple(peak_bytes(with_batch(mreq, b)) for b in batches)
    except InputError:
        return None
    return Curve(method, tuple(batches), peaks, max_batch)


def vocab_curve(req: Request, model_vocab: int) -> tuple[VocabPoint, ...]:
    points = sorted({*VOCAB_POINTS, model_vocab, req.model.vocab_size})
    out = []
    for vocab in points:
        parts = estimate(req.model_copy(update={"model": req.model.with_vocab(vocab)})).components
        out.append(VocabPoint(vocab, parts.total, parts.lm_head))
    return tuple(out)


def run(inputs: PlanInputs, arch: Architecture, gpus: dict[str, Gpu]) -> Results | FieldError:
    """Everything the page shows for one plan, or the input to blame."""
    try:
        req = base_request(inputs, arch, gpus)
        choice = plan(req, tp_degree=tp_choice(inputs))  # checks the tp degree first
        methods = shown_methods(inputs)
        rows = [method_result(req, m) for m in methods]
        if all(r.estimate is None for r in rows):
            raise InputError(rows[0].error or "method: no method can run")
        focus = focus_result(inputs, rows, choice)
        freq = with_method(req, focus.method)
        return Results(
            inputs=inputs,
            request=freq,
            gpu_name=gpus[inputs.gpu].name if inputs.gpu in gpus else "",
            methods=tuple(rows),
            focus=focus,
            plan=choice,
            batch_curves=_curves(req, choice, methods),
            vocab_curve=vocab_curve(freq, arch.vocab_size),
            gpus_needed=_needed(req),
            accuracy=band_for(req.runtime.profile.value, focus.method.kind.value),
            model_vocab=arch.vocab_size,
        )
    except (InputError, ValidationError) as err:
        return field_error(err)


def _curves(req: Request, choice: Plan, methods: list[Method]) -> tuple[Curve, ...]:
    best = {m.method: m.max_batch_size for m in choice.methods}
    curves = (batch_curve(req, m, best.get(m, 0)) for m in methods)
    return tuple(c for c in curves if c is not None)


def _needed(req: Request) -> int | None:
    found = gpus_needed(req, max_gpus=COST_MAX_GPUS)
    return found[0] if found else None
