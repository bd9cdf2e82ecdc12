"""Run one measurement in a fresh worker process and return its JSON result.

A fresh process because the fake-CUDA guard must be loaded before torch is imported, and because
it must never share a process with a real GPU.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from llmem_core.measure.guard import guard_library
from llmem_core.measure.model_configs import load_model_config
from llmem_core.measure.request import MeasureRequest

WORKER = "llmem_core.measure._worker"
# The directory holding llmem_core, so the worker imports this very copy whatever its cwd.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


class MeasureRunError(RuntimeError):
    """The worker failed; the message is its last error line."""


def default_device() -> str:
    """``cuda`` when a GPU is visible (checked in a subprocess, to keep torch out), else fake."""
    probe = "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"
    try:
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=False)
    except OSError:
        return "fake-cuda"
    return "cuda" if done.returncode == 0 else "fake-cuda"


def measure(
    request: MeasureRequest, command: str, timeout_s: float | None = None
) -> dict[str, Any]:
    model = load_model_config(request.model)
    spec = {
        "request": request.to_dict(),
        "config": model.config,
        "attention_impl_default": model.attention_impl_default,
    }
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
    if request.device == "fake-cuda":
        env["LLMEM_FAKE_CUDA_GUARD"] = str(guard_library())
    else:
        env.pop("LLMEM_FAKE_CUDA_GUARD", None)
    worker_output = _run_worker(spec, env, timeout_s)
    return {**_header(request, model.name, command), **worker_output}


def _run_worker(spec: dict[str, Any], env: dict[str, str], timeout_s: float | None) -> Any:
    argv = [sys.executable, "-m", WORKER, json.dumps(spec)]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise MeasureRunError(f"measurement timed out after {timeout_s} s") from error
    if done.returncode != 0:
        raise MeasureRunError(f"measurement failed: {_error_line(done.stderr, done.returncode)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _error_line(stderr: str, returncode: int) -> str:
    """The exception line of a traceback (its message may run on for lines), else the last line."""
    lines = stderr.strip().splitlines()
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    return (errors or lines or [f"exit status {returncode}"])[-1][:500]


def _header(request: MeasureRequest, model_name: str, command: str) -> dict[str, Any]:
    fields = request.to_dict()
    fields["model"] = model_name
    return {**fields, "command": command}


__all__ = ["MeasureRunError", "default_device", "measure"]
