"""Derive the estimator's allocator terms from replays of recorded allocation traces.

For each case it runs ``llmem measure … --trace --json`` on the fake CUDA device (a fresh
process, at most --jobs at a time), replays the trace through llmem_core.allocator's model of
PyTorch's caching allocator (default and expandable segments; FSDP2 also with its collectives
comm_lag behind the CPU) and writes:

- tests/fixtures/reference/allocator/replays.jsonl: one row per case and allocator mode with
  the replay's steady peaks (allocated, active, reserved) and the least budget the step runs in
  (free-and-retry, `required_budget`), plus the command that recorded the trace;
- llmem_core/presets/allocator-terms.json: per group (engine, precision, checkpointing, mode)
  the median and the largest reserved/active − 1 (the slack fraction) and required/active − 1.

Traces themselves are cached under artifacts/traces/ (not committed; a 7B step is ~1 MB).

    python scripts/allocator_terms.py --jobs 2            # all cases (about 20 min on 2 cores)
    python scripts/allocator_terms.py --only gpt2 --jobs 1
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmem_core.allocator import AllocatorConfig, replay  # noqa: E402
from llmem_core.allocator.trace import required_budget  # noqa: E402

TRACES = ROOT / "artifacts" / "traces"
ROWS = ROOT / "tests" / "fixtures" / "reference" / "allocator" / "replays.jsonl"
TERMS = ROOT / "llmem_core" / "presets" / "allocator-terms.json"
CLI = [sys.executable, "-m", "llmem_core.cli", "measure"]
# FSDP2's collectives behind the CPU in the replay (components/in_flight.py, DEFAULT_COMM_LAG).
FSDP_COMM_LAG = 6

SMALL = (
    "facebook/opt-125m",
    "openai-community/gpt2",
    "EleutherAI/gpt-neo-125m",
    "Salesforce/codegen-350M-nl",
    "Qwen/Qwen2-0.5B",
    "bigscience/bloom-560m",
    "meta-llama/Llama-3.2-1B",
    "google/gemma-2-2b",
    "microsoft/Phi-3-mini-4k-instruct",
)
# (model, method, gpus, batch, seq, precision, checkpointing)
Case = tuple[str, str, int, int, int, str, bool]


def cases() -> list[Case]:
    out: list[Case] = []
    for model in SMALL:
        for precision in ("fp32", "amp-bf16", "bf16"):
            for ckpt in (False, True):
                out.append((model, "single", 1, 2, 512, precision, ckpt))
    for model in ("facebook/opt-125m", "Qwen/Qwen2-0.5B", "meta-llama/Llama-3.2-1B"):
        for batch, seq in ((8, 1024), (1, 2048)):
            out.append((model, "single", 1, batch, seq, "amp-bf16", True))
            out.append((model, "single", 1, batch, seq, "amp-bf16", False))
    for model in ("facebook/opt-350m", "Qwen/Qwen2-0.5B", "meta-llama/Llama-3.2-1B"):
        for precision in ("amp-bf16", "bf16"):
            for ckpt in (False, True):
                out.append((model, "adp", 8, 2, 1024, precision, ckpt))
            out.append((model, "cdp", 2, 2, 1024, precision, True))
    out.append(("meta-llama/Llama-2-7b-hf", "adp", 8, 8, 2048, "amp-bf16", True))
    out.append(("meta-llama/Llama-2-7b-hf", "adp", 8, 2, 2048, "amp-bf16", False))
    return out


def key(c: Case) -> str:
    model, method, gpus, batch, seq, precision, ckpt = c
    return f"{model.replace('/', '__')}-{method}{gpus}-b{batch}-s{seq}-{precision}-ck{int(ckpt)}"


def command(c: Case) -> list[str]:
    model, method, gpus, batch, seq, precision, ckpt = c
    argv = ["--model", model, "--batch-size", str(batch), "--seq-len", str(seq)]
    argv += ["--precision", precision, "--device", "fake-cuda", "--steps", "3", "--trace"]
    if method != "single":
        argv += ["--method", method, "--num-gpus", str(gpus)]
    return [*argv, *(["--grad-checkpointing"] if ckpt else []), "--json"]


def trace_of(c: Case) -> dict[str, Any]:
    path = TRACES / f"{key(c)}.json"
    if not path.exists():
        TRACES.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        done = subprocess.run([*CLI, *command(c)], capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"{key(c)}: {done.stderr.strip().splitlines()[-1:]}")
        record = json.loads(done.stdout)
        record["case_seconds"] = round(time.perf_counter() - started, 1)
        path.write_text(json.dumps(record))
    return json.loads(path.read_text())


def rows_for(c: Case) -> list[dict[str, Any]]:
    record = trace_of(c)
    events = record.pop("allocation_trace")
    lags = (0, FSDP_COMM_LAG) if c[1] in ("adp", "dp+tp") else (0,)
    out = []
    for mode, expandable in (("default", False), ("expandable-segments", True)):
        for lag in lags:
            config = AllocatorConfig(expandable_segments=expandable)
            peaks = replay(events, config, comm_lag=lag).steady()
            out.append(
                {
                    "model": c[0],
                    "method": c[1],
                    "num_gpus": c[2],
                    "batch_size": c[3],
                    "seq_len": c[4],
                    "precision": c[5],
                    "grad_checkpointing": c[6],
                    "allocator": mode,
                    "comm_lag": lag,
                    "tracker_peak_bytes": record["peak_bytes_steady"],
                    "allocated_bytes": peaks.allocated,
                    "active_bytes": peaks.active,
                    "reserved_bytes": peaks.reserved,
                    "required_bytes": required_budget(events, config, lag),
                    "trace_events": len(events),
                    "command": "llmem measure " + " ".join(command(c)),
                    "versions": record["versions"],
                }
            )
    return out


def group_of(row: dict[str, Any]) -> str:
    engine = {"single": "one-gpu", "cdp": "ddp", "adp": "fsdp2", "tp": "dtensor-tp"}
    precision = row["precision"].replace("-fp16", "-bf16")
    precision = "16-bit" if precision == "bf16" else precision
    ckpt = "ckpt" if row["grad_checkpointing"] else "no-ckpt"
    return f"{engine[row['method']]}/{precision}/{ckpt}/{row['allocator']}"


def terms(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per group: slack from the rows the estimator mirrors (FSDP2 with its collectives
    comm_lag behind, so reserved is over active incl. in flight); required from the rows
    without lag (under pressure in-flight blocks are synchronised and freed), over allocated."""
    spare: dict[str, list[float]] = {}
    need: dict[str, list[float]] = {}
    for row in rows:
        name = group_of(row)
        fsdp = row["method"] in ("adp", "dp+tp")
        if not fsdp or row["comm_lag"] == FSDP_COMM_LAG:
            spare.setdefault(name, []).append(row["reserved_bytes"] / row["active_bytes"] - 1)
        if row["comm_lag"] == 0:
            extra = row["required_bytes"] / row["allocated_bytes"] - 1
            need.setdefault(name, []).append(max(extra, 0.0))
    return {
        name: {
            "cases": len(spare[name]),
            "slack_median": round(statistics.median(spare[name]), 4),
            "slack_max": round(max(spare[name]), 4),
            "required_median": round(statistics.median(need[name]), 4),
            "required_max": round(max(need[name]), 4),
        }
        for name in sorted(spare)
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="", help="substring of the case key")
    args = ap.parse_args()
    todo = [c for c in cases() if args.only in key(c)]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(_safe_rows, todo))
    rows = [r for batch in results for r in batch]
    if not args.only:
        ROWS.parent.mkdir(parents=True, exist_ok=True)
        ROWS.write_text("".join(json.dumps(r) + "\n" for r in rows))
        TERMS.write_text(json.dumps(_document(rows), indent=1) + "\n")
    for name, t in terms(rows).items():
        print(f"{name:<44} {t}")
    return 0


def _safe_rows(c: Case) -> list[dict[str, Any]]:
    try:
        return rows_for(c)
    except RuntimeError as err:
        print(f"failed: {err}", file=sys.stderr)
        return []


def _document(rows: list[dict[str, Any]]) -> dict[str, Any]:
    versions = rows[0]["versions"] if rows else {}
    return {
        "source": (
            "scripts/allocator_terms.py: replays of fake-device allocation traces "
            "(llmem measure --trace) through llmem_core.allocator (PyTorch's caching allocator, "
            "c10/cuda/CUDACachingAllocator.cpp at 001074d2); rows in "
            "tests/fixtures/reference/allocator/replays.jsonl"
        ),
        "versions": versions,
        "fsdp_comm_lag": FSDP_COMM_LAG,
        "meaning": {
            "slack": "reserved / active - 1 at the steady peak, with memory to spare",
            "required": "least allocator budget / active - 1 (free-and-retry under pressure)",
        },
        "groups": terms(rows),
    }


if __name__ == "__main__":
    sys.exit(main())
