"""The headline accuracy table: llmem and today's rules of thumb against PyTorch itself.

For every reference case (tests/fixtures/reference/*.jsonl, measured with `llmem measure` on
the fake CUDA device, and shared-reference-peaks.csv) it prints the measured steady-state
tensor peak and, with their errors side by side:
  pytorch   llmem's default profile
  paper     llmem's LLMem-paper profile (only where the paper's setting applies: amp,
            checkpointing on)
  16B/P     16 bytes per parameter (ZeRO paper, Rajbhandari et al. 2020, §3: mixed-precision
            Adam model states 2+2+12)
  accel     HF accelerate `estimate-memory`: the maximum over its stages, model ×4 in the
            training dtype (weights, gradients, two Adam states): 16 B/P fp32, 8 B/P 16-bit
  ds-zero   DeepSpeed estimate_zero2_model_states_mem_needs, one GPU: 4·P + 16·P
  34sbh     model states 16·P + Korthikanti et al. 2022 activations per layer: 34·s·b·h
            (2·s·b·h with full recomputation), flash attention (no 5·a·s²·b term)
then the median and maximum |error| per method. Run: .venv/bin/python bench/accuracy.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from llmem_core import InputError
from llmem_core.accuracy import (
    Case,
    load_feature_cases,
    load_fixture_cases,
    load_shared_cases,
    relative_error,
    split_cases,
)
from llmem_core.params import counts
from llmem_core.presets import find_model

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "reference"


def rules_of_thumb(case: Case) -> dict[str, float]:
    arch = find_model(case.model).architecture
    p = counts(arch).total
    b, s, h, layers = case.batch_size, case.seq_len, arch.hidden_size, arch.num_layers
    sixteen_bit = case.precision != "fp32"
    per_layer = 2 if case.grad_checkpointing else 34
    return {
        "16B/P": 16 * p,
        "accel": 4 * p * (2 if sixteen_bit else 4),
        "ds-zero": 4 * p + 16 * p,
        "34sbh": 16 * p + layers * per_layer * s * b * h,
    }


def paper_error(case: Case) -> float | None:
    try:
        return relative_error(case, "paper")
    except InputError:  # outside the paper's setting (fp32, pure bf16, checkpointing off)
        return None


def rows(cases: list[Case]) -> list[dict]:
    out = []
    for case in cases:
        errors = {"pytorch": relative_error(case), "paper": paper_error(case)}
        for name, value in rules_of_thumb(case).items():
            errors[name] = (value - case.measured) / case.measured
        out.append({"case": case, "errors": errors})
    return out


def _fmt(err: float | None) -> str:
    return "     n/a" if err is None else f"{err * 100:+7.1f}%"


def main() -> int:
    cases, aside = split_cases(
        load_fixture_cases(FIXTURES) + load_shared_cases(FIXTURES / "shared-reference-peaks.csv")
    )
    table = rows(cases)
    methods = list(table[0]["errors"])
    print(
        f"{'model':<28} {'prec':<8} {'ckpt':<4} {'b':>3} {'s':>5} {'measured GiB':>12} "
        + " ".join(f"{m:>8}" for m in methods)
    )
    for row in table:
        c = row["case"]
        ckpt = "on" if c.grad_checkpointing else "off"
        print(
            f"{c.model.split('/')[-1]:<28} {c.precision:<8} {ckpt:<4} "
            f"{c.batch_size:>3} {c.seq_len:>5} {c.measured / 2**30:>12.3f} "
            + " ".join(_fmt(row["errors"][m]) for m in methods)
        )
    print(f"\n{'method':<10} {'cases':>6} {'median |err|':>13} {'max |err|':>10}")
    for m in methods:
        errs = [abs(r["errors"][m]) for r in table if r["errors"][m] is not None]
        print(
            f"{m:<10} {len(errs):>6} {statistics.median(errs) * 100:>12.1f}% "
            f"{max(errs) * 100:>9.1f}%"
        )
    print(f"\nset aside (a plan no GPU can run, refused by the estimator): {len(aside)}")
    for reason in sorted({why for _, why in aside}):
        n = sum(why == reason for _, why in aside)
        print(f"  {n:>3} × {reason}")
    several_gpus()
    features()
    return 0


def several_gpus() -> None:
    """Rank-0 references of DDP / FSDP2 / DTensor TP / FSDP2 × TP against the pytorch profile,
    and the paper's formulas where its setting applies (amp with checkpointing)."""
    cases = load_fixture_cases(FIXTURES / "distributed")
    print(f"\nseveral GPUs (rank 0 of N): {len(cases)} cases")
    print(
        f"{'model':<22} {'method':<6} {'N':>2} {'tp':>3} {'prec':<8} {'ckpt':<4} {'b':>3} "
        f"{'measured GiB':>12} {'pytorch':>8} {'paper':>8}"
    )
    by_method: dict[str, list[float]] = {}
    for c in cases:
        err = relative_error(c)
        by_method.setdefault(c.method, []).append(abs(err))
        ckpt = "on" if c.grad_checkpointing else "off"
        print(
            f"{c.model.split('/')[-1]:<22} {c.method:<6} {c.num_gpus:>2} {'':>3} "
            f"{c.precision:<8} {ckpt:<4} {c.batch_size:>3} {c.measured / 2**30:>12.3f} "
            f"{_fmt(err)} {_fmt(paper_error(c))}"
        )
    print(f"\n{'method':<8} {'cases':>6} {'median |err|':>13} {'max |err|':>10}")
    for method, errs in sorted(by_method.items()):
        print(
            f"{method:<8} {len(errs):>6} {statistics.median(errs) * 100:>12.2f}% "
            f"{max(errs) * 100:>9.2f}%"
        )


FORMULA_ONLY = (  # issue #12 features no reference runs here (llmem_core.coverage)
    "QLoRA: bitsandbytes NF4 storage, double quantisation, dequantised weight per matmul",
    "adamw-8bit / paged-adamw-8bit: bitsandbytes Optimizer2State (uint8 states, absmax/256)",
    "zero1 / zero2 and adp --zero3-engine deepspeed: DeepSpeed's engine (stage_1_and_2.py, "
    "stage3.py; reduce and prefetch buckets)",
    "--offload optimizer: DeepSpeed offload_optimizer (18 bytes per parameter on the host)",
    "--loss fused-linear: Liger's Triton kernel",
    "--activation-offload, --optimizer-in-backward (torchtune), --grad-accumulation",
    "LoRA under tensor parallelism; LoRA on a custom module list (the nearer census; "
    "q_proj,v_proj is measured, within 1 %)",
)


def features() -> None:
    """Issue #12: each feature the fake device runs, against its references
    (tests/fixtures/reference/features), and what is formula-only."""
    cases = load_feature_cases(FIXTURES / "features")
    print(f"\nissue #12 features (fake CUDA device): {len(cases)} cases")
    by_feature: dict[str, list[float]] = {}
    for feature, c in cases:
        err = relative_error(c)
        by_feature.setdefault(feature, []).append(abs(err))
        extras = " ".join(f"{k}={v}" for k, v in c.extras)
        print(
            f"{feature:<22} {c.model.split('/')[-1]:<14} {c.method:<6} {c.num_gpus:>2} "
            f"{c.precision:<8} b{c.batch_size:<3} s{c.seq_len:<6} {c.measured / 2**30:>8.3f} "
            f"{_fmt(err)}  {extras}"
        )
    print(f"\n{'feature':<24} {'cases':>6} {'median |err|':>13} {'max |err|':>10}")
    for feature, errs in sorted(by_feature.items()):
        print(
            f"{feature:<24} {len(errs):>6} {statistics.median(errs) * 100:>12.2f}% "
            f"{max(errs) * 100:>9.2f}%"
        )
    print("\nformula only (engine source cited, not measured; band 20 %):")
    for line in FORMULA_ONLY:
        print(f"  - {line}")


if __name__ == "__main__":
    sys.exit(main())
