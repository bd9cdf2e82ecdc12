"""Options shared by commands, and how parsed arguments become the core's specs.

Values are taken as text and validated by the spec models (PlanSpec, CostSpec), so a bad
value gets the field's allowed range from its declaration, never Python's "invalid int".
"""

from __future__ import annotations

import argparse
from typing import Any

from pydantic import BaseModel

from llmem_core.cli.calibration import add_calibration
from llmem_core.errors import InputError
from llmem_core.models import (
    AllocatorMode,
    Checkpointing,
    FineTune,
    Loss,
    MethodKind,
    Offload,
    Optimizer,
    Precision,
    ProfileName,
    Zero3Engine,
    ZeroEngine,
)
from llmem_core.spec import PlanSpec
from llmem_core.validation import allowed_at


def _choices(enum: type) -> str:
    return " | ".join(str(m.value) for m in enum)


def _ranged(p: argparse.ArgumentParser, flag: str, text: str) -> None:
    """An option whose help ends with the field's allowed range (from PlanSpec)."""
    wanted = allowed_at(PlanSpec, (flag.lstrip("-").replace("-", "_"),))
    p.add_argument(flag, help=f"{text}; {wanted}" if wanted else text)


def add_model(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        help="preset HF id (or short name), the path of a config.json, or a Hub id ORG/NAME "
        "(its config.json fetched; HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE honoured)",
    )


def add_gpu(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gpu", help="GPU catalog key, e.g. a100-80gb (see `llmem catalog`)")
    _ranged(p, "--gpu-memory-mib", "custom memory per GPU, MiB")
    _ranged(p, "--num-gpus", "GPUs in the job (default 1)")


def add_training(p: argparse.ArgumentParser, batch: bool = True) -> None:
    """Sequence, batch, precision, optimizer, checkpointing, profile and the what-ifs."""
    _ranged(p, "--seq-len", "tokens per sample")
    if batch:
        _ranged(p, "--batch-size", "micro-batch per data-parallel replica")
    p.add_argument("--precision", help=_choices(Precision) + " (default amp-bf16)")
    p.add_argument("--optimizer", help=_choices(Optimizer) + " (default adamw-foreach)")
    ckpt = p.add_mutually_exclusive_group()
    ckpt.add_argument(
        "--grad-checkpointing",
        dest="grad_checkpointing",
        action="store_true",
        default=None,
        help="recompute activations in backward (the default)",
    )
    ckpt.add_argument("--no-grad-checkpointing", dest="grad_checkpointing", action="store_false")
    p.add_argument("--profile", help=_choices(ProfileName) + " (default pytorch)")
    _ranged(p, "--vocab-size", "what-if vocabulary size")
    _ranged(p, "--cuda-context-mib", "m_base per GPU, MiB (default: the profile's)")
    _ranged(p, "--allocator-slack", "reserved beyond active, a fraction (0: the replay model's)")
    _ranged(p, "--chunk-size", "Gemini chunk elements (paper profile; 0: searched)")
    p.add_argument(
        "--allocator", help=_choices(AllocatorMode) + " (PYTORCH_CUDA_ALLOC_CONF; default default)"
    )
    _ranged(p, "--comm-lag", "collectives in flight behind the CPU (0: AVOID_RECORD_STREAMS)")
    _ranged(p, "--nccl-mib", "NCCL buffers per GPU, MiB (default: by GPU type and count)")
    _ranged(p, "--cublas-workspace-mib", "cuBLAS+cuBLASLt workspace per handle, MiB")
    _ranged(p, "--margin", "fraction of GPU memory to keep free (verdict and batch search)")
    add_calibration(p)
    add_finetuning(p)


def _switch(p: argparse.ArgumentParser, name: str, text: str) -> None:
    """--name / --no-name, None when neither is given (the core's default)."""
    p.add_argument(f"--{name}", action=argparse.BooleanOptionalAction, default=None, help=text)


def add_finetuning(p: argparse.ArgumentParser) -> None:
    """Issue #12: what trains, checkpointing, the loss, ZeRO stages and offload."""
    p.add_argument("--finetune", help=_choices(FineTune) + " (default full)")
    _ranged(p, "--lora-rank", "LoRA rank r (default 16)")
    _ranged(p, "--lora-alpha", "LoRA α (default 32; no memory effect)")
    _ranged(p, "--lora-dropout", "LoRA dropout p (default 0)")
    p.add_argument(
        "--lora-targets", help="attn | all-linear | comma list of module names (default attn)"
    )
    p.add_argument(
        "--checkpointing",
        help=_choices(Checkpointing) + " (default full; --grad-checkpointing means full)",
    )
    _ranged(p, "--checkpoint-every", "selective: checkpoint every k-th layer (default 2)")
    _switch(p, "optimizer-in-backward", "step each parameter as its gradient is ready")
    p.add_argument("--loss", help=_choices(Loss) + " (default standard)")
    _ranged(p, "--loss-chunks", "chunked loss: chunks (default 8)")
    _switch(p, "activation-offload", "kept activations to pinned CPU memory")
    _ranged(p, "--grad-accumulation", "micro-batches per optimizer step (default 1)")
    p.add_argument("--offload", help=_choices(Offload) + " (zero1, zero2, adp; default none)")
    p.add_argument("--zero3-engine", help=_choices(Zero3Engine) + " (adp; default fsdp2)")
    p.add_argument(
        "--zero-engine", help=_choices(ZeroEngine) + " (zero1; torch: ZeroRedundancyOptimizer)"
    )
    _switch(p, "reshard-after-forward", "FSDP2 (adp, dp+tp); default on")
    _ranged(p, "--reduce-bucket", "DeepSpeed reduce_bucket_size, elements")
    _ranged(p, "--allgather-bucket", "DeepSpeed allgather_bucket_size, elements")
    _ranged(p, "--prefetch-bucket", "DeepSpeed stage3_prefetch_bucket_size, elements")
    _ranged(p, "--max-live-parameters", "DeepSpeed stage3_max_live_parameters, elements")
    _ranged(p, "--context-parallel", "adp: GPUs one sequence is split over (ring attention)")


def add_plan(p: argparse.ArgumentParser, method: bool = False, batch: bool = True) -> None:
    add_model(p)
    add_gpu(p)
    if method:
        p.add_argument("--method", help=_choices(MethodKind))
    _ranged(p, "--tp", "tensor-parallel degree (tp: all GPUs; dp+tp: a divisor)")
    add_training(p, batch)


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def given(
    args: argparse.Namespace, model: type[BaseModel], exclude: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The options the user gave that are fields of `model`."""
    return {
        k: v
        for k, v in vars(args).items()
        if k in model.model_fields and v is not None and k not in exclude
    }


def require(args: argparse.Namespace, model: type[BaseModel], *fields: str) -> None:
    for field in fields:
        if getattr(args, field, None) is None:
            wanted = allowed_at(model, (field,)) or "a value"
            raise InputError(field, f"required (--{field.replace('_', '-')}); give {wanted}")


def plan_spec(args: argparse.Namespace, *required: str, exclude: tuple[str, ...] = ()) -> PlanSpec:
    require(args, PlanSpec, "model", *required)
    return PlanSpec(**given(args, PlanSpec, exclude))
