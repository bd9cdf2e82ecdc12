"""estimate(): compose a profile's components into the peak per GPU. No formulas here."""

from __future__ import annotations

from types import ModuleType

from llmem_core.models import Breakdown, Estimate, ProfileName, Request
from llmem_core.profiles import paper, pytorch

PROFILES: dict[ProfileName, ModuleType] = {
    ProfileName.PYTORCH: pytorch,
    ProfileName.PAPER: paper,
}


def available_profiles() -> tuple[ProfileName, ...]:
    """The runtime profiles this version implements, default first."""
    return tuple(PROFILES)


def _profile(req: Request) -> ModuleType:
    return PROFILES[req.runtime.profile]


def breakdown(req: Request) -> Breakdown:
    """The parts of the peak per GPU (the fast path the batch search uses)."""
    return _profile(req).breakdown(req)


def peak_bytes(req: Request) -> int:
    """The peak per GPU alone (the batch search's fast path)."""
    return _profile(req).peak_total(req)


def estimate(req: Request) -> Estimate:
    """Peak memory per GPU for one request, with its breakdown, phase and assumptions."""
    prof = _profile(req)
    parts, phase, phases = prof.evaluate(req)
    peak, capacity = parts.total, req.cluster.memory_bytes
    return Estimate.model_construct(
        request=req,
        peak_bytes=peak,
        tensor_peak_bytes=peak - parts.runtime,
        components=parts,
        phase=phase,
        phase_peaks=phases,
        capacity_bytes=capacity,
        fits=peak <= capacity,
        headroom_bytes=capacity - peak,
        terms=prof.terms(req, parts),
        notes=prof.notes(req),
    )
