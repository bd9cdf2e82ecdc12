"""The measurement, in a fresh process: ``python -m llmem_core.measure._worker SPEC_JSON``.

For fake-cuda the guard library path comes in ``LLMEM_FAKE_CUDA_GUARD`` and is loaded before torch
is imported (its static initialisers register the CUDA guard and hooks). Prints one JSON object.
"""

from __future__ import annotations

import ctypes
import json
import os
import platform
import sys
from typing import Any

GUARD_ENV = "LLMEM_FAKE_CUDA_GUARD"


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    fake = spec["request"]["device"] == "fake-cuda"
    if fake:
        ctypes.CDLL(os.environ[GUARD_ENV], mode=ctypes.RTLD_GLOBAL)  # before `import torch`
    if spec["request"].get("method", "single") == "single":
        from llmem_core.measure import _session as engine  # imports torch: after the guard
    else:  # one rank of several GPUs
        from llmem_core.measure import _distributed as engine
    result = engine.run(spec, fake=fake)
    result["versions"] = _versions()
    print(json.dumps(result))
    return 0


def _versions() -> dict[str, Any]:
    import torch
    import transformers

    return {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
