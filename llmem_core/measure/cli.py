"""``llmem measure``: the peak memory of fine-tuning steps, measured with PyTorch.

    measure --model ID|PATH --batch-size B --seq-len S --precision fp32|amp-bf16|amp-fp16|bf16
            --optimizer adamw-foreach|adamw-fused [--grad-checkpointing] [--device cuda|fake-cuda]
            [--steps N] [--json]
            [--method single|cdp|adp|tp|dp+tp --num-gpus N [--tp T]
             [--reshard-after-forward | --no-reshard-after-forward]]

``main(argv)`` takes the arguments after the word ``measure``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from dataclasses import replace
from typing import Any, NoReturn

from llmem_core.measure.model_configs import load_model_config
from llmem_core.measure.request import (
    DEVICES,
    METHODS,
    OPTIMIZERS,
    PRECISIONS,
    MeasureInputError,
    MeasureRequest,
)

GIB = 1024**3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line naming the field, instead of argparse's usage block.
        raise MeasureInputError(message.replace("argument ", ""))


def _parser(prog: str) -> _Parser:
    parser = _Parser(prog=prog, description="Measure the peak memory of fine-tuning steps.")
    parser.add_argument("--model", required=True, help="HF id from the presets, or a config.json")
    parser.add_argument("--batch-size", type=int, required=True)
    parser.add_argument("--seq-len", type=int, required=True)
    parser.add_argument("--precision", default="fp32", help=" | ".join(PRECISIONS))
    parser.add_argument("--optimizer", default="adamw-foreach", help=" | ".join(OPTIMIZERS))
    parser.add_argument("--grad-checkpointing", action="store_true")
    parser.add_argument("--device", default=None, help=f"{' | '.join(DEVICES)}; default: "
                        "cuda if a GPU is visible, else fake-cuda")  # fmt: skip
    parser.add_argument("--steps", type=int, default=2, help="training steps, at least 2")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--method", default="single", help=" | ".join(METHODS) + "; one rank "
                        "of --num-gpus (rank 0 on fake-cuda; under torchrun on GPUs)")  # fmt: skip
    parser.add_argument("--num-gpus", type=int, default=1)
    parser.add_argument("--tp", type=int, default=None, help="tensor-parallel degree (dp+tp)")
    parser.add_argument("--reshard-after-forward", action=argparse.BooleanOptionalAction,
                        default=True, help="FSDP2 (adp, dp+tp)")  # fmt: skip
    return parser


def main(argv: list[str] | None = None, prog: str = "llmem measure") -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _parser(prog).parse_args(argv)
        result = _measure(args, command=shlex.join([*prog.split(), *argv]))
    except MeasureInputError as error:
        print(f"{prog}: error: {_as_flag(str(error))}", file=sys.stderr)
        return 2
    except SystemExit as done:  # --help
        return int(done.code or 0)
    except RuntimeError as error:  # the worker failed: its last line, no traceback
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result) if args.json else format_table(result))
    return 0


def _as_flag(message: str) -> str:
    """'batch_size: …' (a request field) → '--batch-size: …' (the flag the user typed)."""
    field, sep, rest = message.partition(": ")
    if sep and field.isidentifier():
        return f"--{field.replace('_', '-')}: {rest}"
    return message


def _measure(args: argparse.Namespace, command: str) -> dict[str, Any]:
    from llmem_core.measure import runner

    request = MeasureRequest(
        model=args.model,
        batch_size=args.batch_size,
        seq_len=args.seq_len,
        precision=args.precision,
        optimizer=args.optimizer,
        grad_checkpointing=args.grad_checkpointing,
        device=args.device or "fake-cuda",
        steps=args.steps,
        method=args.method,
        num_gpus=args.num_gpus,
        tp=args.tp,
        reshard_after_forward=args.reshard_after_forward,
    )
    load_model_config(request.model)  # a bad model fails here, before torch is started
    if args.device in (None, "cuda"):  # probing imports torch in a subprocess: only when needed
        visible = runner.default_device()
        if args.device == "cuda" and visible != "cuda":
            raise MeasureInputError("device: cuda was asked for but no GPU is visible")
        request = replace(request, device=visible)
    return runner.measure(request, command)


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
    lines += [f"  {name:22}{value / GIB:10.3f}" for name, value in result["breakdown"].items()]
    if "max_memory_allocated" in result:
        lines.append(_row("cuda max allocated", None, result["max_memory_allocated"]))
        lines.append(_row("cuda max reserved", None, result["max_memory_reserved"]))
    lines.append(f"GiB; attention {result['attention_impl']}; torch {result['versions']['torch']}")
    return "\n".join(lines)


def _row(label: str, first: int | None, steady: int | None) -> str:
    cells = "".join(f"{'' if v is None else f'{v / GIB:.3f}':>10}" for v in (first, steady))
    return f"{label:24}{cells}"


if __name__ == "__main__":
    sys.exit(main(prog="python -m llmem_core.measure.cli"))
