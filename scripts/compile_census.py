"""What torch.compile saves for backward, against eager, on the fake CUDA device (issue #12).

MemTracker is a TorchDispatchMode, and Dynamo does not compile a frame while a dispatch mode is
active (it runs it eagerly), so a tracked `llmem measure` step cannot see compiled graphs through
it. What the min-cut partitioner changes is what autograd keeps, and that is visible without a
dispatch mode: AOTAutograd's compiled function saves its tensors with save_for_backward, which
`saved_tensors_hooks` see. This script counts the bytes saved for backward by one forward
(deduplicated by storage, parameters excluded), eager and through
`torch.compile(backend="aot_eager_decomp_partition")` (AOTAutograd's partitioner, ops run
eagerly, so the fake device can run it), and writes
tests/fixtures/reference/features/compile-saved.jsonl.

    .venv/bin/python scripts/compile_census.py [MODEL …]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "reference" / "features" / "compile-saved.jsonl"
CASES = [  # model, batch, seq, precision
    ("openai-community/gpt2", 4, 512, "bf16"),
    ("Qwen/Qwen2-0.5B", 2, 512, "bf16"),
    ("meta-llama/Llama-3.2-1B", 2, 512, "bf16"),
]

CHILD = r"""
import ctypes, json, os, sys, time
ctypes.CDLL(os.environ["LLMEM_FAKE_CUDA_GUARD"], mode=ctypes.RTLD_GLOBAL)
import torch, transformers
from llmem_core.measure import _fake_cuda, _session
from llmem_core.measure.model_configs import load_model_config
model_id, batch, seq, precision, compiled = json.loads(sys.argv[1])
_fake_cuda.install()
mc = load_model_config(model_id)
spec = {"request": {"grad_checkpointing": False}, "config": mc.config,
        "attention_impl_default": mc.attention_impl_default}
dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[precision]
started = time.perf_counter()
with _session._device_context(True):
    model = _session._build_model(spec, dtype, False, True)
    run = torch.compile(model, backend="aot_eager_decomp_partition") if compiled else model
    params = {p.untyped_storage()._cdata for p in model.parameters()}
    seen, saved = set(), [0]
    def pack(t):
        st = t.untyped_storage()
        if st._cdata not in seen and st._cdata not in params:
            seen.add(st._cdata)
            saved[0] += st.nbytes()
        return t
    ids = torch.randint(0, model.config.vocab_size, (batch, seq))
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        run(input_ids=ids, labels=ids)
from torch._dynamo.utils import counters
print(json.dumps({"saved_bytes": saved[0], "frames": dict(counters["frames"]),
                  "seconds": round(time.perf_counter() - started, 1),
                  "versions": {"torch": torch.__version__,
                               "transformers": transformers.__version__}}))
"""


def measure(case: tuple, compiled: bool) -> dict:
    from llmem_core.measure.guard import guard_library

    env = {**os.environ, "LLMEM_FAKE_CUDA_GUARD": str(guard_library()), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([*case, compiled])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    only = sys.argv[1:]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        if only and case[0] not in only:
            continue
        eager, compiled = measure(case, False), measure(case, True)
        model, batch, seq, precision = case
        record = {"model": model, "batch_size": batch, "seq_len": seq, "precision": precision,
                  "eager": eager, "compiled": compiled,
                  "command": "python scripts/compile_census.py"}  # fmt: skip
        with OUT.open("a") as f:
            f.write(json.dumps(record) + "\n")
        print(model, eager.get("saved_bytes"), compiled.get("saved_bytes"), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
