"""Make the repository root importable, so ``llmem_core`` resolves without an install.

Redundant once the package is installed (``pip install -e .``) or pytest's ``pythonpath = ["."]``
is set in pyproject.toml; harmless then.
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
