"""A request's figures under the calibration fitted to its GPU type (issue #11).

`Calibrated` wraps a profile's prepared request, so that everything built on `prepare()` —
estimate, the batch search of plan and gpus, cost — sees the same calibrated figures:

    x' = a · x        every level inside PyTorch (tensors, allocated, active, reserved),
                      each breakdown segment but runtime;
    runtime' = b      the bytes outside PyTorch, where the fit measured them for this method
                      family (else the model's own);
    device' = reserved' + runtime'.

With enough runs (calibration.MIN_BAND_RUNS) the band is the runs' residuals around device';
the replayed spread of allocator slack is then not added on top (the runs measured it).
"""

from __future__ import annotations

from dataclasses import dataclass

from llmem_core.calibration import Calibration, Family
from llmem_core.models import MethodKind, ProfileName
from llmem_core.request import Request
from llmem_core.results import Breakdown, Levels, Phase

FAMILY_OF: dict[MethodKind, Family] = {
    MethodKind.SINGLE: Family.SINGLE,
    MethodKind.CDP: Family.DDP,
    MethodKind.ZERO1: Family.SHARDED,
    MethodKind.ZERO2: Family.SHARDED,
    MethodKind.ADP: Family.SHARDED,
    MethodKind.TP: Family.TENSOR,
    MethodKind.DP_TP: Family.TENSOR,
}
TORCH_PARTS = tuple(f for f in Breakdown.model_fields if f != "runtime")


def family(req: Request) -> Family:
    return FAMILY_OF[req.parallel.method.kind]


def applied(req: Request) -> Calibration | None:
    """The fit this request's figures get: its GPU type's, for its method family (the pytorch
    profile only: the paper profile models Colossal-AI Gemini, not the runs' PyTorch)."""
    cals = req.runtime.calibration
    if cals is None or req.runtime.profile != ProfileName.PYTORCH:
        return None
    return cals.pick(req.cluster.gpu_key, family(req))


def refusal_note(req: Request) -> str | None:
    """Why runs of this GPU type were not applied (a fit that contradicts itself)."""
    cals = req.runtime.calibration
    if cals is None or applied(req) is not None or req.runtime.profile != ProfileName.PYTORCH:
        return None
    refused = cals.refusal(req.cluster.gpu_key, family(req))
    if refused is None:
        return None
    return f"calibration refused, estimate uncalibrated: {refused.message}"


def _scale(x: int, a: float) -> int:
    return max(0, round(a * x))


def calibrate_levels(levels: Levels, cal: Calibration) -> Levels:
    outside = levels.device - levels.reserved
    runtime = outside if cal.b is None else cal.b
    reserved = _scale(levels.reserved, cal.a)
    device = reserved + runtime
    need = min(device, _scale(levels.need - outside, cal.a) + runtime)
    if cal.band_error() is None:  # too few runs for a band: the replayed spread stays
        high = _scale(levels.device_high - outside, cal.a) + runtime
    else:
        high = device
    return Levels(
        model_tensors=_scale(levels.model_tensors, cal.a),
        allocated=_scale(levels.allocated, cal.a),
        active=_scale(levels.active, cal.a),
        reserved=reserved,
        device=device,
        need=need,
        device_high=max(device, high),
    )


def calibrate_parts(parts: Breakdown, cal: Calibration) -> Breakdown:
    """Each segment inside PyTorch × a (rounding settled in the largest, so the segments sum
    to a · reserved exactly); runtime = b."""
    scaled = {f: _scale(getattr(parts, f), cal.a) for f in TORCH_PARTS}
    largest = max(scaled, key=scaled.__getitem__)
    scaled[largest] += _scale(parts.reserved, cal.a) - sum(scaled.values())
    runtime = parts.runtime if cal.b is None else cal.b
    return Breakdown.model_construct(**scaled, runtime=runtime)


@dataclass(frozen=True)
class Calibrated:
    """A profile's prepared request with its figures calibrated (the Prepared protocol)."""

    inner: object  # the profile's Prepared
    calibration: Calibration

    @property
    def request(self) -> Request:
        return self.inner.request  # type: ignore[attr-defined]

    def peak(self, batch: int) -> int:
        return self.levels(batch).device

    def levels(self, batch: int) -> Levels:
        return calibrate_levels(self.inner.levels(batch), self.calibration)  # type: ignore[attr-defined]

    def evaluate(self, batch: int) -> tuple[Breakdown, Phase, dict[Phase, int]]:
        return self.evaluate_all(batch)[:3]  # type: ignore[return-value]

    def evaluate_all(self, batch: int) -> tuple[Breakdown, Phase, dict[Phase, int], Levels]:
        parts, phase, totals, levels = self.inner.evaluate_all(batch)  # type: ignore[attr-defined]
        cal = self.calibration
        runtime = parts.runtime if cal.b is None else cal.b
        phases = {p: _scale(t - parts.runtime, cal.a) + runtime for p, t in totals.items()}
        return calibrate_parts(parts, cal), phase, phases, calibrate_levels(levels, cal)

    def host_bytes(self, batch: int) -> int:
        return self.inner.host_bytes(batch)  # type: ignore[attr-defined]
