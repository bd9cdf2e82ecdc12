"""Stored runs → the calibrations `estimate` applies (issue #11).

Each run's plan is estimated uncalibrated (what the model says: m), paired with what its GPU
showed (y), and grouped by GPU type and method family, and by GPU type alone (the pooled
fallback). calibration.fit does the least squares and refuses a group that contradicts itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from llmem_core.calibrated import family as family_of
from llmem_core.calibration import Calibration, Calibrations, Family, Point, Refusal, fit
from llmem_core.estimate import estimate
from llmem_core.models import ProfileName
from llmem_core.results import Estimate
from llmem_core.runs import Run


def point(run_id: int, run: Run) -> Point:
    """The model's figures for the run's plan (never calibrated) beside the measured ones."""
    e = modelled(run)
    m = run.file.measured
    return Point(
        run_id=run_id,
        modelled_allocated=e.tensor_peak_bytes,
        modelled_reserved=e.reserved_bytes,
        modelled_outside=e.device_bytes - e.reserved_bytes,
        allocated=m.max_memory_allocated,
        reserved=m.max_memory_reserved,
        device=m.device_used,
    )


def modelled(run: Run) -> Estimate:
    req = run.request
    if req.runtime.calibration is not None:
        req = req.with_(calibration=None)
    return estimate(req)


def calibrations(runs: Iterable[tuple[int, Run]]) -> Calibrations:
    """Every group's fit: (GPU type, method family) where runs exist, and (GPU type, any).
    Runs planned under the paper profile are left out (calibration is the pytorch profile's)."""
    groups: dict[tuple[str, Family], list[Point]] = defaultdict(list)
    for run_id, run in runs:
        if run.request.runtime.profile != ProfileName.PYTORCH:
            continue
        p = point(run_id, run)
        groups[(run.gpu, family_of(run.request))].append(p)
        groups[(run.gpu, Family.ANY)].append(p)
    fits: list[Calibration] = []
    refused: list[Refusal] = []
    for (gpu, family), points in sorted(groups.items()):
        result = fit(gpu, family, points)
        if isinstance(result, Refusal):
            refused.append(result)
        else:
            fits.append(result)
    return Calibrations(fits=tuple(fits), refused=tuple(refused))


class Comparison(NamedTuple):
    """A run's highest measured level beside the model's figure for it (uncalibrated)."""

    level: str  # max_memory_reserved | max_memory_allocated | device_used
    measured: int
    modelled: int

    @property
    def error(self) -> float:
        """(modelled − measured) ÷ measured: positive when the model says more."""
        return (self.modelled - self.measured) / self.measured


def compare(run: Run) -> Comparison:
    e, m = modelled(run), run.file.measured
    if m.max_memory_reserved:
        return Comparison("max_memory_reserved", m.max_memory_reserved, e.reserved_bytes)
    if m.device_used:
        return Comparison("device_used", m.device_used, e.device_bytes)
    return Comparison("max_memory_allocated", m.max_memory_allocated or 0, e.tensor_peak_bytes)
