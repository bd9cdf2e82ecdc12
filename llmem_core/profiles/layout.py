"""How a method lays the job out over the GPUs: data- and tensor-parallel degrees."""

from __future__ import annotations

from typing import NamedTuple

from llmem_core.errors import InputError
from llmem_core.models import Method, MethodKind, Request


class Layout(NamedTuple):
    gpus: int  # gpu_n
    dp: int  # dp_n: data-parallel replicas (each sees its own micro-batch)
    tp: int  # tp_n: tensor-parallel degree
    sharded: bool  # parameters and states sharded over the data-parallel ranks (ZeRO-3)


def default_dp_tp_degree(num_gpus: int) -> int:
    """tp for DP+TP when not given: the largest divisor ≤ √N, so 4 GPUs → 2 × 2, 8 → 4 × 2."""
    best = 1
    for d in range(2, int(num_gpus**0.5) + 1):
        if num_gpus % d == 0:
            best = d
    return best


def layout(req: Request) -> Layout:
    n, m = req.cluster.num_gpus, req.method
    if m.kind == MethodKind.SINGLE:
        if n != 1:
            raise InputError(f"method: 'single' runs on one GPU, but num_gpus is {n}; use cdp")
        return Layout(1, 1, 1, False)
    if n == 1:  # one GPU: every method is plain single-GPU training (Algorithm 1's premise)
        return _checked(req, Layout(1, 1, 1, False)) if m.kind == MethodKind.TP else \
            Layout(1, 1, 1, False)
    if m.kind == MethodKind.CDP:
        return Layout(n, n, 1, False)
    if m.kind == MethodKind.ADP:
        return Layout(n, n, 1, True)
    if m.kind == MethodKind.TP:
        if m.tp_degree not in (1, n):
            raise InputError(f"tp: method 'tp' spans all {n} GPUs; use dp+tp for tp={m.tp_degree}")
        return _checked(req, Layout(n, 1, n, False))
    return _checked(req, _dp_tp(req, m))


def _dp_tp(req: Request, m: Method) -> Layout:
    n = req.cluster.num_gpus
    tp = m.tp_degree if m.tp_degree > 1 else default_dp_tp_degree(n)
    if n % tp:
        raise InputError(f"tp: {tp} must divide num_gpus ({n})")
    if tp == 1 or tp == n:
        raise InputError(
            f"tp: dp+tp on {n} GPUs needs 2 ≤ tp ≤ {n // 2} with tp dividing {n} "
            f"(got {tp}; tp=1 is adp, tp={n} is tp)"
        )
    return Layout(n, n // tp, tp, True)


def _checked(req: Request, lay: Layout) -> Layout:
    heads = req.model.num_attention_heads
    if heads % lay.tp:
        raise InputError(
            f"tp: degree {lay.tp} must divide the model's {heads} attention heads"
        )
    return lay
