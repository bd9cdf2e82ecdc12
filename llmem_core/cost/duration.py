"""How long a run takes on n GPUs of a type with a method.

    hours = D · F ÷ (n · P · u · (1 − c)) ÷ 3600

D tokens (dataset × epochs), F executed FLOPs per token (flops.py), n GPUs, P the peak FLOP/s
of one GPU at the job's precision, u the method's hardware FLOPs utilisation, c its
communication penalty (both heuristics, inputs: inputs.py, docs/cost.md).
"""

from __future__ import annotations

from llmem_core.cost.flops import hardware_flops_per_token
from llmem_core.cost.inputs import CostAssumptions, Run
from llmem_core.cost.results import RunTime
from llmem_core.errors import InputError
from llmem_core.models import MethodKind, Precision
from llmem_core.units import SECONDS_PER_HOUR

TERA = 1e12


def peak_flops(bf16_tflops_dense: float, precision: Precision, fp32_fraction: float) -> float:
    """FLOP/s of one GPU at a precision. Mixed and pure 16-bit run on the tensor cores at the
    dense bf16/fp16 rate (the catalog's column; for GPUs without bf16 it holds the fp16 rate);
    fp32 runs as TF32 at `fp32_fraction` of it."""
    if bf16_tflops_dense <= 0:
        raise InputError("bf16_tflops_dense", f"must be above 0 (got {bf16_tflops_dense:g})")
    rate = bf16_tflops_dense * TERA
    return rate * fp32_fraction if precision == Precision.FP32 else rate


def training_hours(
    total_flops: float, num_gpus: int, peak: float, utilisation: float, comm_penalty: float
) -> float:
    """total FLOPs ÷ (n · P · u · (1 − c)), in hours."""
    if num_gpus < 1 or peak <= 0 or not 0 < utilisation <= 1 or not 0 <= comm_penalty < 1:
        raise InputError(
            "time", "needs num_gpus ≥ 1, peak > 0, 0 < utilisation ≤ 1, 0 ≤ comm_penalty < 1"
        )
    effective = num_gpus * peak * utilisation * (1 - comm_penalty)
    return total_flops / effective / SECONDS_PER_HOUR


def run_time(
    job: Run,
    bf16_tflops_dense: float,
    num_gpus: int,
    method: MethodKind,
    assumptions: CostAssumptions,
    fabric: bool = True,
    nodes: int = 1,
) -> RunTime:
    """Time of the job on num_gpus GPUs of this peak, with this method; c for the GPUs'
    interconnect (a fabric or PCIe) and node count (interconnect.py)."""
    per_token = hardware_flops_per_token(
        job.model, job.training.seq_len, job.training.grad_checkpointing
    )
    total = job.total_tokens * per_token
    peak = peak_flops(bf16_tflops_dense, job.training.precision, assumptions.fp32_peak_fraction)
    u = assumptions.utilisation[method]
    c = assumptions.comm(method, fabric, nodes)
    hours = training_hours(total, num_gpus, peak, u, c)
    return RunTime(
        tokens=job.total_tokens,
        flops_per_token=per_token,
        total_flops=total,
        num_gpus=num_gpus,
        peak_flops_per_gpu=peak,
        utilisation=u,
        comm_penalty=c,
        effective_flops=num_gpus * peak * u * (1 - c),
        hours=hours,
    )
