"""``python -m llmem_core.measure.cli …``: `llmem measure` for launchers that start a module
(torchrun on real GPUs). The command itself is llmem_core/cli/measure.py."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from llmem_core.cli import main as llmem

    return llmem(["measure", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
