"""`llmem models`: the model presets."""

from __future__ import annotations

import argparse

from llmem_core.cli.options import add_json
from llmem_core.cli.output import emit
from llmem_core.presets import load_models

NAME = "models"
HELP = "list the model presets"


def configure(p: argparse.ArgumentParser) -> None:
    add_json(p)


def run(args: argparse.Namespace) -> int:
    rows = [
        {"id": k, "family": v.architecture.family.value, "params": v.params_exact}
        for k, v in load_models().items()
    ]
    return emit(
        args,
        rows,
        lambda: "\n".join(
            f"{r['id']:<40} {r['family']:<12} {r['params'] / 1e9:>8.2f} B" for r in rows
        ),
    )
