"""Generate the committed reference measurements under tests/fixtures/reference/.

Each case runs ``python -m llmem_core.cli measure … --json`` in its own process (at most 2 at a
time) and appends the JSON line to ``<model>.jsonl``. Resumable: cases already in a file are
skipped; failures go to ``failures.jsonl`` with their last error line.

    python scripts/make_fixtures.py --stage seq512 --jobs 2
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "reference"
CLI = [sys.executable, "-m", "llmem_core.cli", "measure"]

MODELS = (
    "facebook/opt-125m",
    "openai-community/gpt2",
    "EleutherAI/gpt-neo-125m",
    "facebook/opt-350m",
    "Salesforce/codegen-350M-nl",
    "Qwen/Qwen2-0.5B",
    "bigscience/bloom-560m",
    "meta-llama/Llama-3.2-1B",
    "google/gemma-2-2b",
    "microsoft/Phi-3-mini-4k-instruct",
)
PRECISIONS = ("fp32", "amp-bf16", "bf16")
# Extra cases beyond the grid: fused AdamW and fp16 autocast on the small models.
EXTRAS = tuple(
    (model, batch, 512, precision, optimizer, False)
    for model in ("facebook/opt-125m", "openai-community/gpt2", "Qwen/Qwen2-0.5B")
    for batch in (1, 8)
    for precision, optimizer in (("amp-bf16", "adamw-fused"), ("bf16", "adamw-fused"),
                                 ("amp-fp16", "adamw-foreach"))
)  # fmt: skip

Case = tuple[
    str, int, int, str, str, bool
]  # model, batch, seq, precision, optimizer, checkpointing


def grid(seq_len: int, models: tuple[str, ...]) -> list[Case]:
    return [
        (model, batch, seq_len, precision, "adamw-foreach", checkpointing)
        for model, precision, checkpointing, batch in itertools.product(
            models, PRECISIONS, (False, True), (1, 8)
        )
    ]


def fixture_path(model: str) -> Path:
    return OUT / f"{model.replace('/', '__')}.jsonl"


def done_cases() -> set[Case]:
    seen: set[Case] = set()
    for path in OUT.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            if "peak_bytes_steady" not in r:  # failures, layer-activations.jsonl
                continue
            seen.add((r["model"], r["batch_size"], r["seq_len"], r["precision"], r["optimizer"],
                      r["grad_checkpointing"]))  # fmt: skip
    return seen


def forget_failures(retried: set[Case], out: Path = OUT) -> None:
    """Drop the failure lines of cases about to be retried."""
    path = out / "failures.jsonl"
    if path.exists():
        kept = [line for line in path.read_text().splitlines()
                if tuple(json.loads(line)["case"]) not in retried]  # fmt: skip
        path.write_text("".join(f"{line}\n" for line in kept))


def argv_of(case: Case) -> list[str]:
    model, batch, seq, precision, optimizer, checkpointing = case
    argv = ["--model", model, "--batch-size", str(batch), "--seq-len", str(seq),
            "--precision", precision, "--optimizer", optimizer,
            "--device", "fake-cuda", "--json"]  # fmt: skip
    return [*argv, "--grad-checkpointing"] if checkpointing else argv


def run_case(case: Case, timeout_s: float, argv=None) -> dict[str, Any]:
    """One measurement in its own process (`argv` turns a case into CLI flags; shared with
    make_dist_fixtures.py)."""
    started = time.perf_counter()
    try:
        done = subprocess.run([*CLI, *(argv or argv_of)(case)], capture_output=True, text=True,
                              cwd=ROOT, timeout=timeout_s, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"case": case, "error": f"timeout after {timeout_s:.0f} s"}
    seconds = round(time.perf_counter() - started, 1)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"case": case, "error": last, "seconds": seconds}
    result = json.loads(done.stdout)
    result["case_seconds"] = seconds  # the whole process: start, import, build, steps
    return result


def record(
    result: dict[str, Any], out: Path = OUT, path: Path | None = None, label: object = None
) -> None:
    """Append a result to its model's fixture file, or a failure to failures.jsonl."""
    if "error" in result:
        path, label = out / "failures.jsonl", result["case"]
    else:
        path, label = path or fixture_path(result["model"]), label or result["model"]
    with path.open("a") as file:
        file.write(json.dumps(result) + "\n")
    print(f"{label}: {result.get('error') or result['peak_bytes_steady']} "
          f"({result.get('case_seconds', result.get('seconds'))} s)", flush=True)  # fmt: skip


def run_all(todo: list, jobs: int, timeout_s: float, run=None, keep=None) -> None:
    """Run the cases at most two at a time (2 cores) and record each as it finishes."""
    print(f"{len(todo)} cases to run", flush=True)
    with ThreadPoolExecutor(max_workers=min(jobs, 2)) as pool:
        futures = [pool.submit(run or run_case, case, timeout_s) for case in todo]
        for future in as_completed(futures):
            (keep or record)(future.result())


def cases_for(stage: str, models: tuple[str, ...]) -> list[Case]:
    if stage == "seq512":
        return grid(512, models)
    if stage == "seq2048":
        return grid(2048, models)
    if stage == "extras":
        return [c for c in EXTRAS if c[0] in models]
    raise SystemExit(f"unknown stage {stage}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=("seq512", "seq2048", "extras"), required=True)
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    parser.add_argument("--jobs", type=int, default=2, help="parallel cases (2 cores: 2)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per case")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    todo = [c for c in cases_for(args.stage, tuple(args.models)) if c not in done_cases()]
    forget_failures(set(todo))  # they are retried now
    run_all(todo, args.jobs, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
