"""Speed of the core: single estimates per second, and a full `plan` (four methods with batch
search) by bisection next to the paper's step-by-one search on the same plans.

Targets (issue #2, on the 2-core dev machine): ≥ 20,000 estimates/s; a full plan < 5 ms.
Run: .venv/bin/python bench/bench_core.py
"""

from __future__ import annotations

import contextlib
import statistics
import time

from llmem_core import (
    Cluster,
    InputError,
    Method,
    Request,
    Training,
    find_gpu,
    find_model,
    peak_bytes,
    plan,
)
from llmem_core.estimate import estimate
from llmem_core.plan import candidate_methods, max_batch_size_stepwise

PLANS = [  # (model, gpu, gpus, seq)
    ("facebook/opt-1.3b", "v100-16gb", 4, 512),
    ("facebook/opt-125m", "v100-16gb", 4, 512),
    ("bigscience/bloom-560m", "v100-16gb", 4, 512),
    ("meta-llama/Llama-3.1-8B", "a100-80gb", 4, 2048),
    ("Qwen/Qwen2.5-7B", "h100-80gb", 8, 4096),
]


def request(model: str, gpu: str, gpus: int, seq: int, method: str = "adp") -> Request:
    return Request(
        model=find_model(model).architecture,
        training=Training(batch_size=4, seq_len=seq),
        method=Method(kind=method),
        cluster=Cluster(gpu_key=gpu, memory_bytes=find_gpu(gpu).memory_bytes, num_gpus=gpus),
    )


def per_second(fn, req: Request, seconds: float = 1.0) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(200):
            fn(req)
        n += 200
    return n / (time.perf_counter() - start)


def median_ms(fn, repeats: int = 30) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def stepwise_plan(req: Request) -> None:
    for m in candidate_methods(req.cluster.num_gpus):
        # e.g. a TP degree not dividing the heads: plan() scores that method 0 too
        with contextlib.suppress(InputError):
            max_batch_size_stepwise(req.model_copy(update={"method": m}))


def main() -> None:
    req = request(*PLANS[0])
    plan(req)  # warm the per-architecture caches once, as a long-lived process would
    print(f"estimate() (full result, terms):   {per_second(estimate, req):>10,.0f} /s")
    print(f"peak_bytes() (batch-search path):  {per_second(peak_bytes, req):>10,.0f} /s")
    print(f"\n{'plan':<42} {'bisection':>10} {'step-by-one':>12}  batches")
    for spec in PLANS:
        r = request(*spec)
        plan(r)
        fast = median_ms(lambda r=r: plan(r))
        slow = median_ms(lambda r=r: stepwise_plan(r), repeats=3)
        batches = [m.max_batch_size for m in plan(r).methods]
        label = f"{spec[0].split('/')[1]} {spec[2]}×{spec[1]} s{spec[3]}"
        print(f"{label:<42} {fast:>8.2f} ms {slow:>9.1f} ms  {batches}")


if __name__ == "__main__":
    main()
