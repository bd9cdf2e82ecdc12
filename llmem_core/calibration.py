"""Calibration to a site's own GPUs: factors fitted by least squares from measured runs (#11).

For one GPU type (and one method family where runs of it exist), each stored run gives the
estimator's figures for its plan, m (uncalibrated), and what the GPU showed, y. The fit is

    reserved = a · m_reserved      least squares through the origin: a = Σ m·y / Σ m²
    device   = reserved + b        b = mean(device − reserved): bytes outside PyTorch

with every run's relative residual (y − ŷ) / y kept. `a` is fitted to the highest level the
runs measured: max_memory_reserved; else max_memory_allocated (the tensor peak: a ratio of the
allocated figures, applied to the reserved level); else NVML's device figure less the model's
own outside-PyTorch bytes (b is not fitted then: it cannot be told apart from the rest).

A fit that contradicts itself — a run more than CONTRADICTION off the line through the others,
or a factor outside A_RANGE — is refused, naming the runs that disagree; the estimate then
stays uncalibrated. Pure numbers in, frozen models out (no I/O): the store and the estimator
meet here.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

# Heuristic: a run 15 % off the fitted line is not noise of one machine but a different
# regime (another allocator setting, a plan the estimator misreads): three times the
# single-GPU fake-device gate (±5 %). Above it the fit is refused.
CONTRADICTION = 0.15
# Heuristic: the machine's reserved memory within ¼–4× the model's. Outside it the runs were
# almost surely recorded in other units or for another plan than they say.
A_RANGE = (0.25, 4.0)
# The band narrows to the residuals from this many runs on (fewer cannot show a spread).
MIN_BAND_RUNS = 3
# Heuristic floor of a calibrated band: run-to-run repeatability of max_memory_reserved is
# not zero (cuDNN/cuBLAS autotuning, NCCL lazy init), and no three runs can show 0 %.
MIN_BAND_ERROR = 0.01


class Family(StrEnum):
    """Methods whose memory behaves alike on a GPU (the unit of a per-method calibration)."""

    SINGLE = "single"  # one GPU
    DDP = "ddp"  # replicated states, all-reduced gradients (cdp)
    SHARDED = "sharded"  # ZeRO-1/2/3, FSDP2 (zero1, zero2, adp)
    TENSOR = "tensor-parallel"  # tp, dp+tp
    ANY = "any"  # every run of the GPU type, pooled (the fallback)


class Level(StrEnum):
    RESERVED = "reserved"  # max_memory_reserved
    ALLOCATED = "allocated"  # max_memory_allocated (the tensor peak)
    DEVICE = "device"  # NVML / nvidia-smi used bytes


class Point(NamedTuple):
    """One stored run: the estimator's figures for its plan and what the GPU showed."""

    run_id: int
    modelled_allocated: int
    modelled_reserved: int
    modelled_outside: int  # the model's bytes outside PyTorch (device − reserved)
    allocated: int | None
    reserved: int | None
    device: int | None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Calibration(_Frozen):
    """One accepted fit: reserved = a · modelled reserved; device = reserved + b."""

    gpu: str = Field(description="GPU catalog key")
    family: Family
    runs: int = Field(ge=1, description="runs the fit rests on")
    run_ids: tuple[int, ...]
    a: float = Field(gt=0, description="measured ÷ modelled, at `level`")
    b: int | None = Field(
        default=None, ge=0, description="bytes outside PyTorch; None: the model's own"
    )
    level: Level
    residuals: tuple[float, ...] = Field(description="(measured − fitted) ÷ measured, per run")

    @property
    def residual_pct(self) -> float:
        """The largest |residual| of the fit, in percent."""
        return 100 * max((abs(r) for r in self.residuals), default=0.0)

    def band_error(self) -> float | None:
        """The band's relative half-width the runs support, or None with too few runs.

        The largest residual, widened by √(n / (n − 1)) (one fitted factor: the residuals
        of n runs understate the spread by that), never under MIN_BAND_ERROR."""
        n = self.runs
        if n < MIN_BAND_RUNS:
            return None
        worst = max(abs(r) for r in self.residuals)
        return max(worst * math.sqrt(n / (n - 1)), MIN_BAND_ERROR)

    def as_dict(self) -> dict[str, object]:
        return {
            "runs": self.runs,
            "gpu": self.gpu,
            "family": self.family.value,
            "a": self.a,
            "b": self.b,
            "residual_pct": self.residual_pct,
            "level": self.level.value,
            "run_ids": list(self.run_ids),
        }


class Refusal(_Frozen):
    """A fit that contradicts itself: which runs disagree, and how."""

    gpu: str
    family: Family
    run_ids: tuple[int, ...] = Field(description="the runs that disagree")
    message: str


class Calibrations(_Frozen):
    """Every fit of a store, by (GPU type, family); what `estimate` applies."""

    fits: tuple[Calibration, ...] = ()
    refused: tuple[Refusal, ...] = ()

    def pick(self, gpu: str | None, family: Family) -> Calibration | None:
        """The family's own fit; else the GPU type's pooled one, without b (bytes outside
        PyTorch depend on the method: NCCL's buffers), unless the family is the pooled one's."""
        if gpu is None:
            return None
        own = self._find(gpu, family)
        if own is not None:
            return own
        pooled = self._find(gpu, Family.ANY)
        if pooled is None or self.refusal(gpu, family) is not None:
            return None
        return pooled.model_copy(update={"b": None})

    def refusal(self, gpu: str | None, family: Family) -> Refusal | None:
        for r in self.refused:
            if r.gpu == gpu and r.family in (family, Family.ANY):
                return r
        return None

    def _find(self, gpu: str, family: Family) -> Calibration | None:
        return next((c for c in self.fits if c.gpu == gpu and c.family == family), None)


def fit(gpu: str, family: Family, points: list[Point]) -> Calibration | Refusal:
    """The least-squares fit of one group of runs, or why it is refused."""
    level, pairs = _level_pairs(points)
    low = [i for i, _, y in pairs if y <= 0]
    if low:
        return Refusal(
            gpu=gpu,
            family=family,
            run_ids=tuple(low),
            message=f"runs {_names(tuple(low))}: the device figure is below the model's own "
            "bytes outside PyTorch; record max_memory_reserved too",
        )
    a = sum(m * y for _, m, y in pairs) / sum(m * m for _, m, y in pairs)
    residuals = {i: (y - a * m) / y for i, m, y in pairs}
    b, device_residuals = _outside(points, a, level)
    refusal = _contradiction(gpu, family, a, residuals, device_residuals, b)
    if refusal is not None:
        return refusal
    order = sorted(residuals)
    return Calibration(
        gpu=gpu,
        family=family,
        runs=len(points),
        run_ids=tuple(sorted(p.run_id for p in points)),
        a=a,
        b=b,
        level=level,
        residuals=tuple(residuals[i] for i in order) + tuple(device_residuals.values()),
    )


def _level_pairs(points: list[Point]) -> tuple[Level, list[tuple[int, int, int]]]:
    """(run id, modelled, measured) at the highest level every fit can use."""
    reserved = [(p.run_id, p.modelled_reserved, p.reserved) for p in points if p.reserved]
    if reserved:
        return Level.RESERVED, reserved  # type: ignore[return-value]
    allocated = [(p.run_id, p.modelled_allocated, p.allocated) for p in points if p.allocated]
    if allocated:
        return Level.ALLOCATED, allocated  # type: ignore[return-value]
    return Level.DEVICE, [
        (p.run_id, p.modelled_reserved, (p.device or 0) - p.modelled_outside) for p in points
    ]


def _outside(points: list[Point], a: float, level: Level) -> tuple[int | None, dict[int, float]]:
    """b = mean(device − reserved) over the runs with a device figure (the measured reserved
    where given, else a · modelled), and each run's device residual under a and b."""
    if level == Level.DEVICE:
        return None, {}
    rows = [p for p in points if p.device]
    if not rows:
        return None, {}
    gaps = [p.device - (p.reserved or a * p.modelled_reserved) for p in rows]  # type: ignore[operator]
    b = sum(gaps) / len(gaps)
    residuals = {p.run_id: (p.device - (a * p.modelled_reserved + b)) / p.device for p in rows}  # type: ignore[operator]
    return round(b), residuals


def _contradiction(
    gpu: str,
    family: Family,
    a: float,
    residuals: dict[int, float],
    device_residuals: dict[int, float],
    b: int | None,
) -> Refusal | None:
    def refuse(ids: tuple[int, ...], message: str) -> Refusal:
        return Refusal(gpu=gpu, family=family, run_ids=ids, message=message)

    ids = tuple(sorted(residuals))
    if not A_RANGE[0] <= a <= A_RANGE[1]:
        return refuse(
            ids,
            f"runs {_names(ids)}: measured ÷ modelled = {a:.2f}, outside "
            f"{A_RANGE[0]:g}–{A_RANGE[1]:g}; are their bytes and plans right?",
        )
    if b is not None and b < 0:
        return refuse(ids, f"runs {_names(ids)}: the device figure is below reserved")
    for name, table in (("reserved", residuals), ("device", device_residuals)):
        bad = [i for i, r in table.items() if abs(r) > CONTRADICTION]
        if bad:
            return refuse(tuple(sorted(bad)), _disagree(name, table))
    return None


def _disagree(level: str, residuals: dict[int, float]) -> str:
    high = max(residuals, key=residuals.__getitem__)
    low = min(residuals, key=residuals.__getitem__)
    return (
        f"runs disagree at the {level} level: run {high} is {residuals[high]:+.1%} and run "
        f"{low} {residuals[low]:+.1%} off one factor fitted to them all (more than "
        f"{CONTRADICTION:.0%}); remove one or record them on the same setup"
    )


def _names(ids: tuple[int, ...]) -> str:
    shown = ", ".join(str(i) for i in ids[:8])
    return shown + (f" … ({len(ids)} in all)" if len(ids) > 8 else "")
