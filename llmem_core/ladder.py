"""Per-GPU memory up the ZeRO stages (ZeRO-1 → ZeRO-2 → ZeRO-3), and why it does not fall where
it does not (issue #12).

Each stage partitions one more kind of state over the data-parallel GPUs: ZeRO-1 the optimizer
states (with DeepSpeed's fp32 master), ZeRO-2 the gradients too, ZeRO-3 (`adp`) the weights as
well (Rajbhandari et al., ZeRO, SC 2020, Figure 1). The peak per GPU falls only by what the
stage partitions at the moment of the peak, less what the stage adds (DeepSpeed's reduce
bucket; ZeRO-3's gathered layers). The reasons below name whichever of those decides.
"""

from __future__ import annotations

from typing import NamedTuple

from llmem_core.errors import InputError
from llmem_core.estimate import estimate
from llmem_core.models import Method, MethodKind
from llmem_core.request import Job
from llmem_core.results import Estimate, Phase
from llmem_core.units import GiB

STAGES = (MethodKind.ZERO1, MethodKind.ZERO2, MethodKind.ADP)


class Rung(NamedTuple):
    method: MethodKind
    peak_bytes: int | None  # None: the stage cannot run this job (see reason)
    falls: bool  # lower than the stage below (True for the first)
    reason: str


def zero_ladder(job: Job) -> tuple[Rung, ...]:
    """ZeRO-1, ZeRO-2, ZeRO-3 for one job, each with whether it falls and why (not)."""
    rungs: list[Rung] = []
    below: Estimate | None = None
    for kind in STAGES:
        try:
            est = estimate(job.request(Method(kind=kind)))
        except InputError as err:
            rungs.append(Rung(kind, None, False, str(err)))
            below = None
            continue
        if below is None:
            rungs.append(Rung(kind, est.peak_bytes, True, "the first stage compared"))
        else:
            falls = est.peak_bytes < below.peak_bytes
            rungs.append(Rung(kind, est.peak_bytes, falls, _why(below, est, falls)))
        below = est
    return tuple(rungs)


def _why(below: Estimate, above: Estimate, falls: bool) -> str:
    saved = below.peak_bytes - above.peak_bytes
    training = above.request.training
    if falls:
        return f"falls by {saved / GiB:,.2f} GiB: {_partitioned(above)} divided over the GPUs"
    if above.request.cluster.num_gpus == 1:
        return "one GPU: nothing to partition over"
    if training.peft and above.request.parallel.method.kind == MethodKind.ZERO2:
        return (
            "only the adapters train: their gradients are tiny, so partitioning them saves "
            "almost nothing"
        )
    if above.components.transient > below.components.transient:
        grown = (above.components.transient - below.components.transient) / GiB
        what = (
            "the gathered layers and prefetch bucket"
            if above.request.parallel.method.kind == MethodKind.ADP
            else "the reduce bucket"
        )
        return f"{what} add {grown:,.2f} GiB, more than the stage partitions away"
    if above.phase in (Phase.FORWARD, Phase.BACKWARD) and _activation_bound(above):
        return (
            f"the peak is in {above.phase}, set by activations and logits, which no ZeRO "
            "stage divides (use checkpointing, a chunked loss or more GPUs)"
        )
    return "what this stage partitions is not alive at the peak"


def _partitioned(est: Estimate) -> str:
    kind = est.request.parallel.method.kind
    return {
        MethodKind.ZERO2: "the gradients",
        MethodKind.ADP: "the weights",
    }.get(kind, "the optimizer states")


def _activation_bound(est: Estimate) -> bool:
    parts = est.components
    return parts.activations + parts.lm_head > parts.transformer + parts.optimizer
