"""Speed of the core: single estimates per second, building a request, and a full `plan` (four
methods with batch search) by bisection next to the paper's step-by-one search on the same
plans.

Targets (issues #2 and #9, on the 2-core dev machine): estimate ≤ 50 µs (≥ 20,000 /s); a full
plan ≤ 5 ms. Issue #10 (the levels a real GPU reports, the band and the verdict on top of the
tensors) allows estimate() ≤ 100 µs; the batch search now bisects twice per method (the
largest `fits` batch and the largest not `oom`). The `paper` profile's plans (issue #15) are
timed warm, and cold: the first plan of a model, when Gemini's chunk search runs (then cached
per model and layout).
Run: .venv/bin/python bench/bench_core.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from llmem_core import Job, PlanSpec, Request, peak_bytes, plan
from llmem_core.estimate import estimate
from llmem_core.plan import candidate_methods, max_batch_size_stepwise, plan_method

PLANS = [  # (model, gpu, gpus, seq)
    ("facebook/opt-1.3b", "v100-16gb", 4, 512),
    ("facebook/opt-125m", "v100-16gb", 4, 512),
    ("bigscience/bloom-560m", "v100-16gb", 4, 512),
    ("meta-llama/Llama-3.1-8B", "a100-80gb", 4, 2048),
    ("Qwen/Qwen2.5-7B", "h100-80gb", 8, 4096),
]


PAPER_PLANS = [  # the paper's method-selection setting (Table 3)
    ("facebook/opt-1.3b", "v100-16gb", 4, 512),
    ("bigscience/bloom-3b", "v100-16gb", 4, 512),
    ("huggyllama/llama-7b", "v100-16gb", 4, 512),
]


def job(model: str, gpu: str, gpus: int, seq: int, profile: str = "pytorch") -> Job:
    return PlanSpec(
        model=model, gpu=gpu, num_gpus=gpus, batch_size=4, seq_len=seq, profile=profile
    ).job()


def clear_paper_caches() -> None:
    """Forget the paper profile's per-model work (Gemini's chunks, the estimator's walk)."""
    from llmem_core.components import gemini, optimizer, paper_walk

    for fn in (
        gemini.rank_chunks,
        gemini._search,
        gemini.parameter_order,
        paper_walk.module_params,
    ):
        fn.cache_clear()
    optimizer.paper_optimizer_bytes.cache_clear()


def cold_ms(j: Job, repeats: int = 5) -> float:
    def first_plan() -> None:
        clear_paper_caches()
        plan(j)

    return median_ms(first_plan, repeats)


def request(model: str, gpu: str, gpus: int, seq: int, method: str = "adp") -> Request:
    return PlanSpec(
        model=model, gpu=gpu, num_gpus=gpus, batch_size=4, seq_len=seq, method=method
    ).request()


def per_second(fn: Callable[[], object], seconds: float = 1.0) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(200):
            fn()
        n += 200
    return n / (time.perf_counter() - start)


def median_ms(fn: Callable[[], object], repeats: int = 30) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def stepwise_plan(j: Job) -> None:
    for m in candidate_methods(j.cluster.num_gpus):
        row = plan_method(j, m)
        if row.applicable:  # e.g. a TP degree not dividing the heads: not applicable
            max_batch_size_stepwise(j.request(m))


def main() -> None:
    req = request(*PLANS[0])
    plan(req.job)  # warm the per-architecture caches once, as a long-lived process would
    for label, fn in (
        ("estimate() (full result, terms)", lambda: estimate(req)),
        ("peak_bytes() (one batch)", lambda: peak_bytes(req)),
        ("req.with_(batch_size=…) (validated)", lambda: req.with_(batch_size=5)),
        ("PlanSpec(…).request() (from the CLI's names)", lambda: request(*PLANS[0])),
    ):
        rate = per_second(fn)
        print(f"{label:<46} {rate:>10,.0f} /s  {1e6 / rate:>7.1f} µs")
    print(f"\n{'plan':<42} {'bisection':>10} {'step-by-one':>12}  batches")
    for spec in PLANS:
        j = job(*spec)
        plan(j)
        fast = median_ms(lambda j=j: plan(j))
        slow = median_ms(lambda j=j: stepwise_plan(j), repeats=3)
        batches = [m.max_batch_size for m in plan(j).methods.values()]
        label = f"{spec[0].split('/')[1]} {spec[2]}×{spec[1]} s{spec[3]}"
        print(f"{label:<42} {fast:>8.2f} ms {slow:>9.1f} ms  {batches}")
    print(f"\n{'plan, profile paper':<42} {'warm':>10} {'cold':>12}  batches")
    for spec in PAPER_PLANS:
        j = job(*spec, profile="paper")
        plan(j)
        warm = median_ms(lambda j=j: plan(j))
        batches = [m.max_batch_size for m in plan(j).methods.values()]
        label = f"{spec[0].split('/')[1]} {spec[2]}×{spec[1]} s{spec[3]}"
        print(f"{label:<42} {warm:>8.2f} ms {cold_ms(j):>9.1f} ms  {batches}")


if __name__ == "__main__":
    main()
