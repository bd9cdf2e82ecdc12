"""The `llmem` command: estimate, plan, gpus, models, measure.

Contract (scripts and the dashboard depend on it):
  llmem estimate --model ID|PATH --gpu KEY [--gpu-memory-mib N] --num-gpus N
                 --method single|cdp|adp|tp|dp+tp [--tp N] --batch-size B --seq-len S
                 [--profile NAME] --json
      → {peak_bytes, fits, components{name: bytes}, …}
  llmem plan --model ID|PATH --gpu KEY --num-gpus N --seq-len S [--tp N] [--profile NAME] --json
      → {choice, methods[{method, max_batch_size, score}], …}
Bad input: one line on stderr naming the field and the allowed range, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from llmem_core.errors import InputError, guarded
from llmem_core.estimate import estimate
from llmem_core.models import (
    Cluster,
    Estimate,
    Method,
    MethodKind,
    Optimizer,
    Plan,
    Precision,
    ProfileName,
    Request,
    Runtime,
    Training,
)
from llmem_core.plan import gpus_needed, plan
from llmem_core.presets import find_gpu, load_gpus, load_models, resolve_model
from llmem_core.units import GiB, MiB

DEFAULT_PROFILE = ProfileName.PYTORCH


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise InputError(message)


def _add_common(p: argparse.ArgumentParser, batch: bool) -> None:
    p.add_argument("--model", required=True, help="preset HF id (or short name) or config.json")
    p.add_argument("--gpu", default=None, help="GPU catalog key, e.g. a100-80gb (see `gpus`)")
    p.add_argument("--gpu-memory-mib", type=int, default=None, help="custom memory per GPU")
    p.add_argument("--num-gpus", type=int, default=1)
    p.add_argument("--seq-len", type=int, required=True)
    p.add_argument("--tp", type=int, default=None, help="tensor-parallel degree for dp+tp")
    if batch:
        p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--profile", choices=[x.value for x in ProfileName], default=None)
    p.add_argument("--precision", choices=[x.value for x in Precision], default=None)
    p.add_argument("--optimizer", choices=[x.value for x in Optimizer], default=None)
    ckpt = p.add_mutually_exclusive_group()
    ckpt.add_argument("--grad-checkpointing", dest="ckpt", action="store_true", default=None)
    ckpt.add_argument("--no-grad-checkpointing", dest="ckpt", action="store_false")
    p.add_argument("--vocab-size", type=int, default=None, help="what-if vocabulary size")
    p.add_argument("--cuda-context-mib", type=int, default=None, help="m_base per GPU")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def build_parser() -> argparse.ArgumentParser:
    root = _Parser(prog="llmem", description=__doc__.splitlines()[0])
    sub = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    est = sub.add_parser("estimate", help="peak memory per GPU for one method and batch")
    _add_common(est, batch=True)
    est.add_argument("--method", required=True, choices=[x.value for x in MethodKind])
    pl = sub.add_parser("plan", help="Algorithm 1: largest batch per method and the choice")
    _add_common(pl, batch=False)
    need = sub.add_parser("gpus", help="how many GPUs of a type a job needs")
    _add_common(need, batch=True)
    need.add_argument("--max-gpus", type=int, default=1024)
    models = sub.add_parser("models", help="list model presets")
    models.add_argument("--json", action="store_true")
    catalog = sub.add_parser("catalog", help="list the GPU catalog")
    catalog.add_argument("--json", action="store_true")
    sub.add_parser("measure", help="measure real peak memory with PyTorch (extra: measure)")
    sub.add_parser("cost", help="time and cost per run on each GPU type and count")
    return root


def _memory_bytes(args: argparse.Namespace) -> tuple[str | None, int]:
    if args.gpu_memory_mib is not None:
        if args.gpu_memory_mib < 1:
            raise InputError("gpu-memory-mib: must be ≥ 1")
        return args.gpu, args.gpu_memory_mib * MiB
    if args.gpu is None:
        raise InputError("gpu: give --gpu KEY (see `llmem catalog`) or --gpu-memory-mib N")
    return args.gpu, find_gpu(args.gpu).memory_bytes


def _training(args: argparse.Namespace, batch: int) -> Training:
    fields: dict[str, Any] = {"batch_size": batch, "seq_len": args.seq_len}
    if args.precision:
        fields["precision"] = args.precision
    if args.optimizer:
        fields["optimizer"] = args.optimizer
    if args.ckpt is not None:
        fields["grad_checkpointing"] = args.ckpt
    return Training(**fields)


def _runtime(args: argparse.Namespace) -> Runtime:
    fields: dict[str, Any] = {"profile": args.profile or DEFAULT_PROFILE}
    if args.cuda_context_mib is not None:
        if args.cuda_context_mib < 0:
            raise InputError("cuda-context-mib: must be ≥ 0")
        fields["cuda_context_bytes"] = args.cuda_context_mib * MiB
    return Runtime(**fields)


def _request(args: argparse.Namespace, method: Method, batch: int) -> Request:
    arch = resolve_model(args.model)
    if args.vocab_size is not None:
        arch = arch.with_vocab(args.vocab_size)
    key, memory = _memory_bytes(args)
    cluster = Cluster(gpu_key=key, memory_bytes=memory, num_gpus=args.num_gpus)
    return Request(
        model=arch,
        training=_training(args, batch),
        method=method,
        cluster=cluster,
        runtime=_runtime(args),
    )


def estimate_json(e: Estimate) -> dict[str, Any]:
    req = e.request
    return {
        "model": req.model.name,
        "method": req.method.kind.value,
        "tp": req.method.tp_degree,
        "num_gpus": req.cluster.num_gpus,
        "batch_size": req.training.batch_size,
        "seq_len": req.training.seq_len,
        "profile": req.runtime.profile.value,
        "peak_bytes": e.peak_bytes,
        "tensor_peak_bytes": e.tensor_peak_bytes,
        "capacity_bytes": e.capacity_bytes,
        "fits": e.fits,
        "headroom_bytes": e.headroom_bytes,
        "phase": e.phase.value,
        "phase_peaks": {p.value: v for p, v in e.phase_peaks.items()},
        "components": e.components.model_dump(),
        "terms": [
            {**t.model_dump(), "bytes": getattr(e.components, t.component)} for t in e.terms
        ],
        "notes": list(e.notes),
    }


def plan_json(p: Plan, req: Request) -> dict[str, Any]:
    return {
        "model": req.model.name,
        "num_gpus": req.cluster.num_gpus,
        "seq_len": req.training.seq_len,
        "capacity_bytes": req.cluster.memory_bytes,
        "profile": req.runtime.profile.value,
        "choice": p.choice.value,
        "reason": p.reason,
        "methods": [
            {
                "method": m.method.kind.value,
                "tp": m.method.tp_degree,
                "max_batch_size": m.max_batch_size,
                "score": m.score,
                "samples_per_step": m.samples_per_step,
                "peak_bytes_at_max": m.peak_bytes_at_max,
            }
            for m in p.methods
        ],
    }


def _gib(n: int | None) -> str:
    return "-" if n is None else f"{n / GiB:,.2f} GiB"


def _print_estimate(e: Estimate) -> None:
    req = e.request
    verdict = "fits" if e.fits else "OUT OF MEMORY"
    print(f"{req.model.name} · {req.method.kind.value} on {req.cluster.num_gpus} GPU(s) · "
          f"batch {req.training.batch_size} × seq {req.training.seq_len} · "
          f"profile {req.runtime.profile.value}")
    for name, value in e.components.model_dump().items():
        print(f"  {name:<12} {_gib(value):>14}")
    print(f"  {'peak':<12} {_gib(e.peak_bytes):>14}  of {_gib(e.capacity_bytes)} → {verdict} "
          f"(headroom {_gib(e.headroom_bytes)}; peak in {e.phase.value})")


def _print_plan(p: Plan) -> None:
    print(f"{'method':<8} {'tp':>3} {'max batch':>10} {'samples/step':>13} {'score':>9}  peak")
    for m in p.methods:
        print(f"{m.method.kind.value:<8} {m.method.tp_degree:>3} {m.max_batch_size:>10} "
              f"{m.samples_per_step:>13} {m.score:>9g}  {_gib(m.peak_bytes_at_max)}")
    print(f"choice: {p.choice.value} — {p.reason}")


def _cmd_estimate(args: argparse.Namespace) -> None:
    method = Method(kind=args.method, tp_degree=args.tp or 1)
    result = estimate(_request(args, method, args.batch_size))
    if args.json:
        print(json.dumps(estimate_json(result)))
    else:
        _print_estimate(result)


def _cmd_plan(args: argparse.Namespace) -> None:
    req = _request(args, Method(kind=MethodKind.SINGLE), 1)
    result = plan(req, tp_degree=args.tp)
    if args.json:
        print(json.dumps(plan_json(result, req)))
    else:
        _print_plan(result)


def _cmd_gpus(args: argparse.Namespace) -> None:
    asked = _request(args, Method(kind=MethodKind.SINGLE), args.batch_size)
    req = asked.model_copy(update={"cluster": asked.cluster.model_copy(update={"num_gpus": 1})})
    found = gpus_needed(req, max_gpus=args.max_gpus)
    out: dict[str, Any] = {"batch_size": args.batch_size, "gpus_needed": None, "plan": None}
    if found:
        n, p = found
        out |= {"gpus_needed": n, "plan": plan_json(p, req)}
    if args.json:
        print(json.dumps(out))
    elif found:
        print(f"{found[0]} GPU(s) fit batch {args.batch_size} per replica")
        _print_plan(found[1])
    else:
        print(f"no count up to {args.max_gpus} GPUs fits batch {args.batch_size}")


def _cmd_models(args: argparse.Namespace) -> None:
    rows = [{"id": k, "family": v.architecture.family.value, "params": v.params_exact}
            for k, v in load_models().items()]
    if args.json:
        print(json.dumps(rows))
        return
    for r in rows:
        print(f"{r['id']:<40} {r['family']:<12} {r['params'] / 1e9:>8.2f} B")


def _cmd_catalog(args: argparse.Namespace) -> None:
    gpus = [g.model_dump() for g in load_gpus().values()]
    if args.json:
        print(json.dumps(gpus))
        return
    for g in gpus:
        print(f"{g['key']:<18} {g['memory_bytes'] / GiB:>8.1f} GiB  {g['name']}")


COMMANDS = {
    "estimate": _cmd_estimate,
    "plan": _cmd_plan,
    "gpus": _cmd_gpus,
    "models": _cmd_models,
    "catalog": _cmd_catalog,
}


def _measure(argv: Sequence[str]) -> int:
    try:
        from llmem_core.measure.cli import main as measure_main
    except ImportError as err:
        raise InputError(
            f"measure: needs the measuring extra (pip install -e '.[measure]'): {err}"
        ) from err
    return measure_main(list(argv))


def _dispatch(argv: list[str]) -> int:
    if argv and argv[0] == "measure":
        return _measure(argv[1:])
    if argv and argv[0] == "cost":
        from llmem_core.cost_cli import main as cost_main

        return cost_main(argv[1:])
    args = build_parser().parse_args(argv)
    COMMANDS[args.command](args)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return guarded("llmem", lambda: _dispatch(args))


if __name__ == "__main__":
    sys.exit(main())
