"""`llmem estimate`: peak memory per GPU for one method and batch."""

from __future__ import annotations

import argparse
from typing import Any

from llmem_core.cli.calibration import calibration_json, store_calibrations
from llmem_core.cli.options import add_json, add_plan, plan_spec
from llmem_core.cli.output import emit, gib
from llmem_core.estimate import estimate
from llmem_core.ladder import STAGES, zero_ladder
from llmem_core.results import Estimate
from llmem_core.verdict import plain_words

NAME = "estimate"
HELP = "peak memory per GPU for one method and batch"


def configure(p: argparse.ArgumentParser) -> None:
    add_plan(p, method=True)
    add_json(p)


def estimate_json(e: Estimate) -> dict[str, Any]:
    req, par = e.request, e.request.parallel
    return {
        "model": req.model.name,
        "gpu": req.cluster.gpu_key,
        "method": par.method.kind.value,
        "tp": par.tp,
        "dp": par.dp,
        "engine": par.engine.value,
        "num_gpus": req.cluster.num_gpus,
        "batch_size": req.training.batch_size,
        "seq_len": req.training.seq_len,
        "precision": req.training.precision.value,
        "optimizer": req.training.optimizer.value,
        "grad_checkpointing": req.training.grad_checkpointing,
        "checkpointing": req.training.checkpointing.value,
        "finetune": req.training.finetune.value,
        "loss": req.training.loss.value,
        "offload": req.sharding.offload.value,
        "profile": req.runtime.profile.value,
        "peak_bytes": e.peak_bytes,
        "tensor_peak_bytes": e.tensor_peak_bytes,
        "model_tensor_bytes": e.model_tensor_bytes,
        "active_bytes": e.active_bytes,
        "reserved_bytes": e.reserved_bytes,
        "device_bytes": e.device_bytes,
        "need_bytes": e.need_bytes,
        "band": band_json(e),
        "verdict": e.verdict.value,
        "verdict_text": plain_words(e.verdict),
        "allocator": req.runtime.allocator.value,
        "margin": req.runtime.margin,
        "usable_bytes": e.usable_bytes,
        "capacity_bytes": e.capacity_bytes,
        "fits": e.fits,
        "headroom_bytes": e.headroom_bytes,
        "host_bytes": e.host_bytes,
        "phase": e.phase.value,
        "phase_peaks": {p.value: v for p, v in e.phase_peaks.items()},
        "components": e.components.model_dump(),
        "terms": [{**t.model_dump(), "bytes": getattr(e.components, t.component)} for t in e.terms],
        "notes": list(e.notes),
        "zero_ladder": _ladder_json(e),
        "calibration": calibration_json(e.calibration),
    }


def _ladder_json(e: Estimate) -> list[dict[str, Any]] | None:
    """ZeRO-1 → 2 → 3 on the same job, for a ZeRO-stage method (why memory falls or not)."""
    if e.request.parallel.method.kind not in STAGES:
        return None
    return [
        {"method": r.method.value, "peak_bytes": r.peak_bytes, "falls": r.falls, "reason": r.reason}
        for r in zero_ladder(e.request.job)
    ]


def band_json(e: Estimate) -> dict[str, Any] | None:
    if e.band is None:
        return None
    return {
        "low_bytes": e.band.low,
        "high_bytes": e.band.high,
        "under": e.band.errors.under,
        "over": e.band.errors.over,
        "source": e.band.errors.source,
    }


def estimate_text(e: Estimate) -> str:
    req, par = e.request, e.request.parallel
    verdict = plain_words(e.verdict)
    lines = [
        f"{req.model.name} · {par.method.kind} ({par.engine}) on {par.gpus} GPU(s) · "
        f"batch {req.training.batch_size} × seq {req.training.seq_len} · "
        f"profile {req.runtime.profile}"
    ]
    lines += [f"  {name:<16} {gib(value):>14}" for name, value in e.components.model_dump().items()]
    lines.append(
        f"  {'peak':<16} {gib(e.peak_bytes):>14}  of {gib(e.capacity_bytes)} "
        f"(headroom {gib(e.headroom_bytes)}; peak in {e.phase})"
    )
    lines.append(
        f"  allocated {gib(e.tensor_peak_bytes)} · reserved {gib(e.reserved_bytes)} · "
        f"device {gib(e.device_bytes)} · needs at least {gib(e.need_bytes)}"
    )
    lines.append(f"  host (node) {gib(e.host_bytes)}: CPU memory the plan needs")
    if e.band is not None:
        lines.append(f"  range {gib(e.band.low)} – {gib(e.band.high)} ({e.band.errors.source})")
    lines.append(f"  → {verdict}")
    lines += [f"  note: {n}" for n in e.notes]
    if par.method.kind in STAGES:
        lines.append("  ZeRO stages on this job:")
        lines += [
            f"    {r.method.value:<6} {gib(r.peak_bytes):>14}  {r.reason}"
            for r in zero_ladder(req.job)
        ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    request = plan_spec(args, "method", "batch_size", "seq_len").request()
    result = estimate(request.with_(calibration=store_calibrations(args)))
    return emit(args, estimate_json(result), lambda: estimate_text(result))
