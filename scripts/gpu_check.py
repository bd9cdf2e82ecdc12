"""Measure the allocator and outside-PyTorch terms on a real GPU, in one short run.

About a dozen single-GPU cases chosen to exercise what only a real GPU shows: small and large
vocabularies (GPT-2 50k, Llama 128k, Qwen2 152k, Gemma-2 256k), 16-bit and fp32, gradient
checkpointing on and off, and PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True on and off for
the same steps. Each case runs `llmem measure --device cuda --trace --json` in its own process
(three steps) and records torch.cuda.max_memory_allocated / max_memory_reserved, peak active
bytes, NVML's used bytes, memory_stats() and the allocation trace's replay through llmem's
allocator model; each line lands in tests/fixtures/reference/gpu/<model>.jsonl, with the
estimate llmem gives for the same plan beside it. On an H200 the whole set takes a few
minutes (budget: 10).

    bash scripts/gpu_check.sh               # on a machine with a GPU
    bash scripts/gpu_check.sh --dry-run     # no GPU: list the cases, check the writer on a
                                            # fake-device measurement of a tiny case
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmem_core import PlanSpec  # noqa: E402
from llmem_core.allocator import AllocatorConfig, replay  # noqa: E402
from llmem_core.estimate import estimate  # noqa: E402
from llmem_core.units import MiB  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "reference" / "gpu"
CLI = [sys.executable, "-m", "llmem_core.cli", "measure"]
BUDGET_S = 600
EXPANDABLE = "expandable_segments:True"

# (model, batch, seq, precision, checkpointing, expandable segments)
CASES: tuple[tuple[str, int, int, str, bool, bool], ...] = (
    ("openai-community/gpt2", 8, 1024, "amp-bf16", False, False),
    ("openai-community/gpt2", 8, 1024, "fp32", False, False),
    ("facebook/opt-350m", 8, 1024, "amp-bf16", False, False),
    ("facebook/opt-350m", 8, 1024, "amp-bf16", False, True),
    ("Qwen/Qwen2-0.5B", 4, 2048, "amp-bf16", False, False),
    ("Qwen/Qwen2-0.5B", 4, 2048, "amp-bf16", False, True),
    ("Qwen/Qwen2-0.5B", 8, 2048, "bf16", True, False),
    ("meta-llama/Llama-3.2-1B", 4, 2048, "amp-bf16", True, False),
    ("meta-llama/Llama-3.2-1B", 4, 2048, "amp-bf16", True, True),
    ("meta-llama/Llama-3.2-1B", 2, 1024, "fp32", False, False),
    ("google/gemma-2-2b", 2, 1024, "bf16", True, False),
    ("microsoft/Phi-3-mini-4k-instruct", 1, 2048, "amp-bf16", True, False),
)


def command(case: tuple[str, int, int, str, bool, bool], device: str) -> list[str]:
    model, batch, seq, precision, ckpt, _ = case
    argv = ["--model", model, "--batch-size", str(batch), "--seq-len", str(seq)]
    argv += ["--precision", precision, "--device", device, "--steps", "3", "--trace", "--json"]
    return [*argv, *(["--grad-checkpointing"] if ckpt else [])]


def environment(expandable: bool) -> dict[str, str]:
    env = dict(os.environ)
    if expandable:
        env["PYTORCH_CUDA_ALLOC_CONF"] = EXPANDABLE
    else:
        env.pop("PYTORCH_CUDA_ALLOC_CONF", None)
    return env


# Device names (torch.cuda.get_device_name) → catalog keys, for the GPU generation.
CATALOG_OF_NAME = (("H200", "h200-141gb"), ("H100", "h100-80gb"), ("A100", "a100-80gb"),
                   ("L40S", "l40s-48gb"), ("L4", "l4-24gb"), ("A10", "a10-24gb"),
                   ("V100", "v100-32gb"), ("T4", "t4-16gb"), ("B200", "b200-180gb"))  # fmt: skip


def catalog_key(device_name: str | None) -> str | None:
    for part, key in CATALOG_OF_NAME:
        if device_name and part in device_name:
            return key
    return None


def estimate_for(record: dict[str, Any], expandable: bool) -> dict[str, Any]:
    """llmem's estimate of the measured plan, on the GPU the record names (its memory)."""
    total = record.get("gpu_total_bytes") or 2**40
    spec = PlanSpec(
        model=record["model"],
        gpu=catalog_key(record.get("gpu")),
        gpu_memory_mib=max(1, total // MiB),
        batch_size=record["batch_size"],
        seq_len=record["seq_len"],
        precision=record["precision"],
        optimizer=record["optimizer"],
        grad_checkpointing=record["grad_checkpointing"],
        method="single",
        allocator="expandable-segments" if expandable else "default",
    )
    e = estimate(spec.request())
    return {
        "model_tensor_bytes": e.model_tensor_bytes,
        "tensor_peak_bytes": e.tensor_peak_bytes,
        "reserved_bytes": e.reserved_bytes,
        "device_bytes": e.device_bytes,
        "verdict": e.verdict.value,
    }


def fixture_line(record: dict[str, Any], expandable: bool) -> dict[str, Any]:
    """The committed line: the measurement without its trace, the replay, the estimate."""
    trace = record.pop("allocation_trace", None)
    if trace is not None:
        peaks = replay(trace, AllocatorConfig(expandable_segments=expandable)).steady()
        record["replay"] = {
            "allocated": peaks.allocated,
            "active": peaks.active,
            "reserved": peaks.reserved,
            "events": len(trace),
        }
    record["expandable_segments"] = expandable
    record["estimate"] = estimate_for(record, expandable)
    return record


def write(lines: list[dict[str, Any]], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for line in lines:
        path = out / f"{line['model'].replace('/', '__')}.jsonl"
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
        written.append(path)
    return sorted(set(written))


def run_case(case: tuple[str, int, int, str, bool, bool], device: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [*CLI, *command(case, device)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment(case[5]),
        timeout=BUDGET_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{case}: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    record = json.loads(done.stdout)
    record["case_seconds"] = round(time.perf_counter() - started, 1)
    return record


def dry_run() -> int:
    print(f"{len(CASES)} cases, each `llmem measure --device cuda …` in its own process:")
    for case in CASES:
        alloc = EXPANDABLE if case[5] else "default allocator"
        print(f"  [{alloc}] llmem measure {' '.join(command(case, 'cuda'))}")
    print("checking the fixture writer on a fake-device measurement of a tiny case …")
    tiny = ("facebook/opt-125m", 1, 64, "amp-bf16", False, False)
    record = run_case(tiny, "fake-cuda")
    with tempfile.TemporaryDirectory() as tmp:
        paths = write([fixture_line(record, tiny[5])], Path(tmp))
        line = json.loads(paths[0].read_text().splitlines()[0])
    print(f"  wrote {paths[0].name}: replay {line['replay']}, estimate {line['estimate']}")
    print("dry run done: nothing ran on a GPU")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="no GPU: list cases, test writer")
    args = ap.parse_args()
    if args.dry_run:
        return dry_run()
    started, lines = time.perf_counter(), []
    for case in CASES:
        if time.perf_counter() - started > BUDGET_S - 60:
            print(f"stopping: {BUDGET_S - 60} s spent", file=sys.stderr)
            break
        try:
            lines.append(fixture_line(run_case(case, "cuda"), case[5]))
        except (RuntimeError, subprocess.TimeoutExpired) as err:
            print(f"failed: {err}", file=sys.stderr)
            continue
        last = lines[-1]
        print(
            f"{case}: allocated {last.get('max_memory_allocated')} reserved "
            f"{last.get('max_memory_reserved')} nvml {last.get('nvml_used_peak_bytes')} "
            f"estimate {last['estimate']}"
        )
    for path in write(lines, OUT):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0 if lines else 1


if __name__ == "__main__":
    sys.exit(main())
