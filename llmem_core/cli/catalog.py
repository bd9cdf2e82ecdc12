"""`llmem catalog`: the GPU catalog, with prices, sources and dates."""

from __future__ import annotations

import argparse

from llmem_core.cli.options import add_json
from llmem_core.cli.output import emit
from llmem_core.presets import load_gpus
from llmem_core.units import GiB

NAME = "catalog"
HELP = "list the GPU catalog"


def configure(p: argparse.ArgumentParser) -> None:
    add_json(p)


def run(args: argparse.Namespace) -> int:
    gpus = [g.model_dump() for g in load_gpus().values()]
    return emit(
        args,
        gpus,
        lambda: "\n".join(
            f"{g['key']:<18} {g['memory_bytes'] / GiB:>8.1f} GiB  {g['name']}" for g in gpus
        ),
    )
