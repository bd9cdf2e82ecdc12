"""estimate(): compose a profile's components into the peak per GPU. No formulas here.

Each profile splits a request in two: `prepare(request)` computes once what does not depend on
the batch (states, buffers, per-token activation rates); the `Prepared` value then gives the
peak at any batch in a few additions. `estimate` and `peak_bytes` use the request's batch; the
batch search (plan.py) and the dashboard's curves call `prepare(request).peak(b)`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Protocol

from llmem_core import calibrated, verdict
from llmem_core.coverage import census_of, formula_only
from llmem_core.models import ProfileName
from llmem_core.profiles import paper, pytorch
from llmem_core.request import Request
from llmem_core.results import Breakdown, Estimate, Levels, Phase, Term

PROFILES: dict[ProfileName, ModuleType] = {
    ProfileName.PYTORCH: pytorch,
    ProfileName.PAPER: paper,
}


class Prepared(Protocol):
    """A request's batch-independent part, as each profile's prepare() returns it."""

    request: Request

    def peak(self, batch: int) -> int: ...

    def evaluate(self, batch: int) -> tuple[Breakdown, Phase, dict[Phase, int]]: ...

    def levels(self, batch: int) -> Levels: ...

    def evaluate_all(self, batch: int) -> tuple[Breakdown, Phase, dict[Phase, int], Levels]: ...

    def host_bytes(self, batch: int) -> int: ...


def available_profiles() -> tuple[ProfileName, ...]:
    """The runtime profiles this version implements, default first."""
    return tuple(PROFILES)


def _profile(req: Request) -> ModuleType:
    return PROFILES[req.runtime.profile]


def prepare(req: Request) -> Prepared:
    """The batch-independent part of a request, for peaks at many batch sizes; calibrated
    when the request carries a fit for its GPU type (calibrated.py)."""
    prepared = _profile(req).prepare(req)
    cal = calibrated.applied(req)
    return prepared if cal is None else calibrated.Calibrated(prepared, cal)  # type: ignore[return-value]


def breakdown(req: Request) -> Breakdown:
    """The parts of the peak per GPU at the request's batch."""
    return prepare(req).evaluate(req.training.batch_size)[0]


def peak_bytes(req: Request) -> int:
    """The peak per GPU alone, at the request's batch."""
    return prepare(req).peak(req.training.batch_size)


def estimate(req: Request) -> Estimate:
    """Peak memory per GPU for one request, with its breakdown, phase and assumptions, the
    figures a GPU would report at each level, the band and the verdict."""
    prof = _profile(req)
    prepared = prepare(req)
    batch = req.training.batch_size
    parts, phase, phases, levels = prepared.evaluate_all(batch)
    terms, notes = prof.terms(req, parts), prof.notes(req) + calibration_notes(req)
    return result(req, parts, phase, phases, levels, terms, notes, prepared.host_bytes(batch))


# Estimates no reference can check rest on the engines' source; their band is wider.
# Heuristic: 20 %, four times the single-GPU fake-device gate, for terms whose formula follows
# the source line by line but whose run was never observed (bitsandbytes kernels, DeepSpeed's
# buckets and partition padding, offload, fused losses: llmem_core.coverage).
FORMULA_ONLY_ERROR = 0.20
# A family without its own census borrows the nearest measured family's recipe (features.py).
# Measured, not assumed: hiding each of the 17 measured families' censuses in turn, the
# stand-in's largest error on that family's fake-device references was 34.9 % (gpt-oss from
# Gemma 2's recipe: no other measured family has both eager attention and experts; next, Phi-3
# from OLMo 2's, 23.7 %; tests/test_stand_in.py, bench/stand_in.py, README); the band is 35 %.
STAND_IN_ERROR = 0.35


def calibration_notes(req: Request) -> tuple[str, ...]:
    cal, refused = calibrated.applied(req), calibrated.refusal_note(req)
    if cal is not None:
        outside = "the model's own" if cal.b is None else f"{cal.b:,} bytes (measured)"
        return (
            f"calibrated on {cal.runs} measured run(s) of {cal.gpu} ({cal.family}): "
            f"{cal.level} × {cal.a:.4f}, outside PyTorch {outside}; largest residual "
            f"{cal.residual_pct:.1f} %",
        )
    return () if refused is None else (refused,)


def errors(req: Request) -> verdict.Errors:
    """The profile's measured real-GPU errors for this request's GPU count, or the wider
    formula-only band when one of the request's features rests on source alone; with enough
    calibration runs, the runs' residuals (calibration.Calibration.band_error)."""
    reasons = formula_only(req) if req.runtime.profile == ProfileName.PYTORCH else ()
    cal = calibrated.applied(req)
    spread = None if cal is None or reasons else cal.band_error()
    if spread is not None and cal is not None:
        return verdict.Errors(
            spread, spread, f"calibrated: {cal.runs} runs on {cal.gpu} ({cal.family})"
        )
    if reasons:
        width = STAND_IN_ERROR if census_of(req).stand_in else FORMULA_ONLY_ERROR
        return verdict.Errors(
            width, width, "formula only (source-cited, not measured): " + "; ".join(reasons)
        )
    return verdict.errors_for(req.runtime.profile.value, req.cluster.num_gpus > 1)


def result(
    req: Request,
    parts: Breakdown,
    phase: Phase,
    phases: dict[Phase, int],
    levels: Levels,
    terms: tuple[Term, ...],
    notes: tuple[str, ...],
    host_bytes: int = 0,
) -> Estimate:
    peak, capacity = parts.total, req.cluster.memory_bytes
    band = verdict.band(levels.device_high or peak, levels.need, errors(req))
    usable = verdict.usable(capacity, req.runtime.margin)
    judged = verdict.judge(band.low, band.high, usable)
    return Estimate.model_construct(  # built from the core's own numbers: nothing to validate
        request=req,
        peak_bytes=peak,
        tensor_peak_bytes=levels.allocated,
        components=parts,
        phase=phase,
        phase_peaks=phases,
        capacity_bytes=capacity,
        fits=judged == verdict.Verdict.FITS,
        headroom_bytes=capacity - peak,
        terms=terms,
        notes=notes,
        model_tensor_bytes=levels.model_tensors,
        active_bytes=levels.active,
        reserved_bytes=levels.reserved,
        device_bytes=peak,
        need_bytes=levels.need,
        band=band,
        verdict=judged,
        usable_bytes=usable,
        host_bytes=host_bytes,
        calibration=calibrated.applied(req),
    )
