"""Generate the multi-GPU reference measurements under tests/fixtures/reference/distributed/.

Each case runs ``python -m llmem_core.cli measure … --method M --num-gpus N --json`` in its own
process on the fake CUDA device (one process plays rank 0 of N; at most 2 at a time) and appends
the JSON line to ``<model>.jsonl``. Resumable: cases already in a file are skipped; failures go to
``failures.jsonl`` with their last error line and are retried on the next run.

    python scripts/make_dist_fixtures.py --stage adp cdp tp dp+tp adp-subset cdp-subset --jobs 2
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import make_fixtures  # beside this script: the shared single-measurement runner

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "reference" / "distributed"
CLI = [sys.executable, "-m", "llmem_core.cli", "measure"]
SEQ = 512

STAGES = ("adp", "cdp", "tp", "dp+tp", "adp-subset", "cdp-subset")
# model, method, num_gpus, tp, batch, precision, checkpointing
Case = tuple[str, str, int, int | None, int, str, bool]

DP_MODELS = (
    "facebook/opt-125m",
    "openai-community/gpt2",
    "Qwen/Qwen2-0.5B",
    "meta-llama/Llama-3.2-1B",
)
SUBSET_MODELS = ("facebook/opt-125m", "meta-llama/Llama-3.2-1B")
# Tensor parallelism needs nn.Linear projections (not GPT-2's fused Conv1D) and a TP degree that
# divides the attention and key-value heads: Qwen2-0.5B (14/2) only 2, OPT-125m and GPT-Neo-125m
# (12) 2 and 4; the 16-head OPT-350m / GPT-Neo-1.3B stand in for their architectures at 8.
TP_MODELS = {
    2: ("facebook/opt-125m", "Qwen/Qwen2-0.5B", "meta-llama/Llama-3.2-1B", "microsoft/biogpt"),
    4: ("facebook/opt-125m", "meta-llama/Llama-3.2-1B", "microsoft/biogpt",
        "EleutherAI/gpt-neo-125m"),
    8: ("facebook/opt-350m", "meta-llama/Llama-3.2-1B", "microsoft/biogpt",
        "EleutherAI/gpt-neo-1.3B"),
}  # fmt: skip
DPTP_MODELS = ("facebook/opt-125m", "Qwen/Qwen2-0.5B", "meta-llama/Llama-3.2-1B",
               "microsoft/biogpt")  # fmt: skip


def cases_for(stage: str) -> list[Case]:
    if stage in ("adp", "cdp"):
        return [
            (model, stage, n, None, batch, "amp-bf16", False)
            for model in DP_MODELS
            for n in (2, 4, 8)
            for batch in (1, 8)
        ]
    if stage in ("adp-subset", "cdp-subset"):  # bf16, and checkpointing on
        return [
            (model, stage.split("-")[0], n, None, 8, precision, checkpointing)
            for model in SUBSET_MODELS
            for n in (2, 8)
            for precision, checkpointing in (("bf16", False), ("amp-bf16", True))
        ]
    if stage == "tp":
        return [
            (model, "tp", n, n, batch, "amp-bf16", False)
            for n, models in TP_MODELS.items()
            for model in models
            for batch in (1, 8)
        ]
    if stage == "dp+tp":
        return [
            (model, "dp+tp", n, 2, batch, "amp-bf16", False)
            for n in (4, 8)
            for model in DPTP_MODELS
            for batch in (1, 8)
        ]
    raise SystemExit(f"unknown stage {stage}")


def case_of(r: dict[str, Any]) -> Case:
    return (r["model"], r["method"], r["num_gpus"], r["tp"], r["batch_size"], r["precision"],
            r["grad_checkpointing"])  # fmt: skip


def fixture_path(model: str) -> Path:
    return OUT / f"{model.replace('/', '__')}.jsonl"


def done_cases() -> set[Case]:
    return {
        case_of(json.loads(line))
        for path in OUT.glob("*.jsonl")
        if path.name != "failures.jsonl"
        for line in path.read_text().splitlines()
        if line.strip()
    }


def argv_of(case: Case) -> list[str]:
    model, method, n, tp, batch, precision, checkpointing = case
    argv = ["--model", model, "--batch-size", str(batch), "--seq-len", str(SEQ),
            "--precision", precision, "--optimizer", "adamw-foreach", "--device", "fake-cuda",
            "--method", method, "--num-gpus", str(n), "--json"]  # fmt: skip
    if method == "dp+tp":
        argv += ["--tp", str(tp)]
    return [*argv, "--grad-checkpointing"] if checkpointing else argv


def run_case(case: Case, timeout_s: float) -> dict[str, Any]:
    return make_fixtures.run_case(case, timeout_s, argv_of)


def record(result: dict[str, Any]) -> None:
    if "error" in result:
        make_fixtures.record(result, OUT)
    else:
        make_fixtures.record(result, OUT, fixture_path(result["model"]), case_of(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", nargs="+", choices=STAGES, required=True)
    parser.add_argument("--jobs", type=int, default=2, help="parallel cases (2 cores: 2)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per case")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    done = done_cases()
    todo = [c for stage in args.stage for c in cases_for(stage) if c not in done]
    make_fixtures.forget_failures(set(todo), OUT)
    make_fixtures.run_all(todo, args.jobs, args.timeout, run_case, record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
