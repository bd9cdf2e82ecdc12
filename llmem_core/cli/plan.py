"""`llmem plan`: Algorithm 1 — the largest batch per method, and the choice."""

from __future__ import annotations

import argparse
from typing import Any

from llmem_core.cli.calibration import calibration_json, store_calibrations
from llmem_core.cli.options import add_json, add_plan, plan_spec
from llmem_core.cli.output import emit, gib
from llmem_core.plan import AT_RISK_RULE, BATCH_RULE, plan
from llmem_core.results import Plan

NAME = "plan"
HELP = "Algorithm 1: largest batch per method and the choice"
OFFLOAD = "cpu-offload"  # the JSON's choice when no method fits batch 1


def configure(p: argparse.ArgumentParser) -> None:
    add_plan(p, batch=False)
    add_json(p)


def plan_json(p: Plan) -> dict[str, Any]:
    job = p.job
    return {
        "model": job.model.name,
        "gpu": job.cluster.gpu_key,
        "num_gpus": job.cluster.num_gpus,
        "seq_len": job.training.seq_len,
        "capacity_bytes": job.cluster.memory_bytes,
        "profile": job.runtime.profile.value,
        "choice": OFFLOAD if p.choice is None else p.choice.value,
        "reason": p.reason,
        "batch_rule": BATCH_RULE,
        "at_risk_rule": AT_RISK_RULE,
        "margin": job.runtime.margin,
        "calibration": calibration_json(p.chosen.calibration if p.chosen else None),
        "methods": [
            {
                "method": m.kind.value,
                "tp": m.method.tp,
                "applicable": m.applicable,
                "reason": m.reason,
                "max_batch_size": m.max_batch_size,
                "score": m.score,
                "samples_per_step": m.samples_per_step,
                "peak_bytes_at_max": m.peak_bytes_at_max,
                "max_batch_at_risk": m.max_batch_at_risk,
                "calibration": calibration_json(m.calibration),
            }
            for m in p.methods.values()
        ],
    }


def plan_text(p: Plan) -> str:
    lines = [f"{'method':<8} {'tp':>3} {'max batch':>10} {'samples/step':>13} {'score':>9}  peak"]
    for m in p.methods.values():
        if not m.applicable:
            lines.append(f"{m.kind.value:<8} {'-':>3} {'n/a':>10}   not applicable: {m.reason}")
            continue
        lines.append(
            f"{m.kind.value:<8} {m.method.tp or 1:>3} {m.max_batch_size:>10} "
            f"{m.samples_per_step:>13} {m.score:>9g}  {gib(m.peak_bytes_at_max)}"
        )
    lines.append(f"choice: {OFFLOAD if p.choice is None else p.choice} — {p.reason}")
    lines.append(f"max batch: {BATCH_RULE}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    spec = plan_spec(args, "seq_len")
    result = plan(spec.job().with_(calibration=store_calibrations(args)), tp=spec.tp)
    return emit(args, plan_json(result), lambda: plan_text(result))
