"""`llmem measure`: the peak memory of fine-tuning steps, measured with PyTorch.

    measure --model ID|PATH --batch-size B --seq-len S --precision fp32|amp-bf16|amp-fp16|bf16
            --optimizer adamw-foreach|adamw-fused [--grad-checkpointing] [--device cuda|fake-cuda]
            [--steps N] [--json]
            [--method single|cdp|adp|tp|dp+tp --num-gpus N [--tp T]
             [--reshard-after-forward | --no-reshard-after-forward]]
            [--finetune full|lora --lora-rank R --lora-alpha A --lora-dropout P
             --lora-targets attn|all-linear|NAMES] [--checkpointing off|full|selective
             --checkpoint-every K] [--loss standard|chunked --loss-chunks C]
            [--zero-redundancy (cdp)] [--cpu-offload (adp)]

Needs the `measure` extra (torch, transformers); torch runs in a worker process only.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import replace
from typing import Any

from llmem_core.cli.options import add_json
from llmem_core.cli.output import emit
from llmem_core.errors import InputError
from llmem_core.measure.request import DEVICES, METHODS, OPTIMIZERS, PRECISIONS, MeasureRequest
from llmem_core.units import GiB

NAME = "measure"
HELP = "measure real peak memory with PyTorch (extra: measure)"
EXIT_FAILED = 1


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="HF id from the presets, or a config.json")
    p.add_argument("--batch-size", help="micro-batch")
    p.add_argument("--seq-len", help="tokens per sample")
    p.add_argument("--precision", default="fp32", help=" | ".join(PRECISIONS))
    p.add_argument("--optimizer", default="adamw-foreach", help=" | ".join(OPTIMIZERS))
    p.add_argument("--grad-checkpointing", action="store_true")
    p.add_argument(
        "--device",
        default=None,
        help=f"{' | '.join(DEVICES)}; default: cuda if a GPU is visible, else fake-cuda",
    )
    p.add_argument("--steps", default="2", help="training steps, at least 2")
    p.add_argument(
        "--method",
        default="single",
        help=" | ".join(METHODS) + "; one rank "
        "of --num-gpus (rank 0 on fake-cuda; under torchrun on GPUs)",
    )
    p.add_argument("--num-gpus", default="1")
    p.add_argument("--tp", default=None, help="tensor-parallel degree (tp, dp+tp)")
    p.add_argument(
        "--reshard-after-forward",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="FSDP2 (adp, dp+tp)",
    )
    p.add_argument(
        "--trace",
        action="store_true",
        help="include the allocation trace (every alloc/free with size, stream, phase) in the "
        "JSON, for the caching-allocator replay",
    )
    p.add_argument("--finetune", default="full", help="full | lora")
    p.add_argument("--lora-rank", default="16")
    p.add_argument("--lora-alpha", default="32")
    p.add_argument("--lora-dropout", default="0")
    p.add_argument("--lora-targets", default="attn", help="attn | all-linear | module names")
    p.add_argument("--checkpointing", default=None, help="off | full | selective")
    p.add_argument("--checkpoint-every", default="2", help="selective: every k-th layer")
    p.add_argument("--loss", default="standard", help="standard | chunked")
    p.add_argument("--loss-chunks", default="8")
    p.add_argument("--cpu-offload", action="store_true", help="adp: FSDP2 CPUOffloadPolicy")
    p.add_argument(
        "--zero-redundancy", action="store_true", help="cdp: torch's ZeroRedundancyOptimizer"
    )
    add_json(p)


def _number(args: argparse.Namespace, field: str, high: float) -> float:
    text = getattr(args, field)
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            field, f"must be a number from 0 to {high:g} (got {text[:60]!r})"
        ) from None
    if not 0 <= value <= high:
        raise InputError(field, f"must be a number from 0 to {high:g} (got {text[:60]!r})")
    return value


def _whole(args: argparse.Namespace, field: str, low: int, high: int) -> int | None:
    text = getattr(args, field)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(
            field, f"must be a whole number from {low:,} to {high:,} (got {text[:60]!r})"
        ) from None


def measure_request(args: argparse.Namespace) -> MeasureRequest:
    for field in ("model", "batch_size", "seq_len"):
        if getattr(args, field) is None:
            raise InputError(field, f"required (--{field.replace('_', '-')})")
    return MeasureRequest(
        model=args.model,
        batch_size=_whole(args, "batch_size", 1, 4096),
        seq_len=_whole(args, "seq_len", 1, 1_048_576),
        precision=args.precision,
        optimizer=args.optimizer,
        grad_checkpointing=args.grad_checkpointing,
        device=args.device or "fake-cuda",
        steps=_whole(args, "steps", 2, 100),
        method=args.method,
        num_gpus=_whole(args, "num_gpus", 1, 4096),
        tp=_whole(args, "tp", 1, 4096),
        reshard_after_forward=args.reshard_after_forward,
        trace=args.trace,
        finetune=args.finetune,
        lora_rank=_whole(args, "lora_rank", 1, 65536),
        lora_alpha=_number(args, "lora_alpha", 1e6),
        lora_dropout=_number(args, "lora_dropout", 0.99),
        lora_targets=args.lora_targets,
        checkpointing=args.checkpointing or ("full" if args.grad_checkpointing else None),
        checkpoint_every=_whole(args, "checkpoint_every", 1, 1000),
        loss=args.loss,
        loss_chunks=_whole(args, "loss_chunks", 1, 4096),
        cpu_offload=args.cpu_offload,
        zero_redundancy=args.zero_redundancy,
    )  # type: ignore[arg-type]


def _measure(args: argparse.Namespace, command: str) -> dict[str, Any]:
    try:
        from llmem_core.measure import runner
        from llmem_core.measure.model_configs import load_model_config
    except ImportError as err:
        raise InputError(
            "command", f"measure needs the measuring extra (pip install 'llmem[measure]'): {err}"
        ) from err
    request = measure_request(args)
    load_model_config(request.model)  # a bad model fails here, before torch is started
    if args.device in (None, "cuda"):  # probing imports torch in a subprocess: only when needed
        visible = runner.default_device()
        if args.device == "cuda" and visible != "cuda":
            raise InputError("device", "cuda was asked for but no GPU is visible")
        request = replace(request, device=visible)
    return runner.measure(request, command)


def run(args: argparse.Namespace) -> int:
    command = shlex.join(["llmem", *getattr(args, "argv", [NAME])])
    try:
        result = _measure(args, command)
    except RuntimeError as error:  # the worker failed: its last line, no traceback
        print(f"llmem measure: {error}", file=sys.stderr)
        return EXIT_FAILED
    return emit(args, result, lambda: format_table(result))


def format_table(result: dict[str, Any]) -> str:
    """A short human-readable summary (GiB only here, at display)."""
    setup = (
        f"{result['model']}  batch {result['batch_size']} × seq {result['seq_len']}  "
        f"{result['precision']}  {result['optimizer']}  "
        f"checkpointing {'on' if result['grad_checkpointing'] else 'off'}  {result['device']}"
    )
    if result.get("method", "single") != "single":
        setup += f"  {result['method']} rank {result.get('rank', 0)} of {result['num_gpus']}"
        setup += f" (tp {result['tp']})" if result.get("tp") else ""
    lines = [setup, f"{'':24}{'step 1':>10}{'steady':>10}"]
    lines.append(_row("peak", result["peak_bytes_step1"], result["peak_bytes_steady"]))
    for phase, steady in result["phase_peaks"]["steady"].items():
        lines.append(_row(f"  {phase}", result["phase_peaks"]["step1"][phase], steady))
    lines.append(f"breakdown at the steady peak ({result['peak_phase']}):")
    lines += [f"  {name:22}{value / GiB:10.3f}" for name, value in result["breakdown"].items()]
    if "max_memory_allocated" in result:
        lines.append(_row("cuda max allocated", None, result["max_memory_allocated"]))
        lines.append(_row("cuda max reserved", None, result["max_memory_reserved"]))
    lines.append(f"GiB; attention {result['attention_impl']}; torch {result['versions']['torch']}")
    return "\n".join(lines)


def _row(label: str, first: int | None, steady: int | None) -> str:
    cells = "".join(f"{'' if v is None else f'{v / GiB:.3f}':>10}" for v in (first, steady))
    return f"{label:24}{cells}"
