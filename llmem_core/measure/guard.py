"""Build (once, cached) the fake-CUDA guard library from ``fake_cuda_guard.cpp`` with g++.

The library must be compiled against the exact torch in use, so the cache is keyed by the torch
version and the C++ ABI. This module does not import torch: the build facts come from a short
subprocess, and only on a cache miss.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from llmem_core.errors import InputError

SOURCE = Path(__file__).with_name("fake_cuda_guard.cpp")

_BUILD_FACTS = (
    "import json, os, torch; d = os.path.dirname(torch.__file__); "
    "print(json.dumps({'include': os.path.join(d, 'include'), 'lib': os.path.join(d, 'lib'), "
    "'abi': int(torch.compiled_with_cxx11_abi()), 'version': torch.__version__}))"
)


def cache_dir() -> Path:
    root = os.environ.get("LLMEM_CACHE") or Path.home() / ".cache" / "llmem"
    return Path(root)


def guard_library(python: str = sys.executable) -> Path:
    """Path to the compiled library for the torch that ``python`` imports; builds it if missing."""
    try:
        torch_version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError as error:
        raise InputError("device", "fake-cuda needs torch (pip install torch==2.13.0)") from error
    # The library links to this torch's lib/ by rpath: key the cache by where torch is installed
    # too, so a venv that was moved or deleted never hands its stale library to another.
    spec = importlib.util.find_spec("torch")
    where = str(Path(spec.origin).parent) if spec and spec.origin else ""
    source_hash = hashlib.sha256(SOURCE.read_bytes() + where.encode()).hexdigest()[:12]
    target = cache_dir() / f"fake_cuda_guard-torch{torch_version}-{source_hash}.so"
    if not target.exists():
        _compile(target, _build_facts(python))
    return target


def _build_facts(python: str) -> dict[str, str | int]:
    done = subprocess.run([python, "-c", _BUILD_FACTS], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InputError("device", f"cannot import torch to build the fake device: {done.stderr}")
    return json.loads(done.stdout)


def _compile(target: Path, facts: dict[str, str | int]) -> None:
    compiler = shutil.which(os.environ.get("CXX", "g++"))
    if compiler is None:
        raise InputError(
            "device", "fake-cuda needs a C++ compiler (g++ on PATH, or $CXX): apt-get install g++"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    command = [
        compiler, "-O1", "-shared", "-fPIC", "-std=c++20", "-w",
        f"-D_GLIBCXX_USE_CXX11_ABI={facts['abi']}", f"-I{facts['include']}",
        "-o", str(partial), str(SOURCE),
        f"-L{facts['lib']}", "-lc10", "-ltorch_cpu", f"-Wl,-rpath,{facts['lib']}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError("device", f"compiling the fake-CUDA guard failed: {last}")
    partial.replace(target)  # atomic: parallel runs never load a half-written library
