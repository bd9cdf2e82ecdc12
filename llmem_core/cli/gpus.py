"""`llmem gpus`: how many GPUs of a type a job needs for its batch."""

from __future__ import annotations

import argparse

from pydantic import Field

from llmem_core.cli.calibration import store_calibrations
from llmem_core.cli.options import add_json, add_plan, given, plan_spec
from llmem_core.cli.output import emit
from llmem_core.cli.plan import plan_json, plan_text
from llmem_core.models import MAX_GPUS, Frozen
from llmem_core.plan import BATCH_RULE, gpus_needed

NAME = "gpus"
HELP = "how many GPUs of a type a job needs"


class GpusOptions(Frozen):
    max_gpus: int = Field(default=1024, ge=1, le=MAX_GPUS, description="largest count tried")


def configure(p: argparse.ArgumentParser) -> None:
    add_plan(p)
    p.add_argument("--max-gpus", help=f"largest count tried (1–{MAX_GPUS:,}; default 1,024)")
    add_json(p)


def run(args: argparse.Namespace) -> int:
    spec = plan_spec(args, "batch_size", "seq_len")
    options = GpusOptions(**given(args, GpusOptions))
    job = spec.job().with_(calibration=store_calibrations(args))
    found = gpus_needed(job, max_gpus=options.max_gpus)
    needed = None if found is None else found.job.cluster.num_gpus
    data = {
        "batch_size": spec.batch_size,
        "max_gpus": options.max_gpus,
        "gpus_needed": needed,
        "rule": "the fewest GPUs (1–8, then whole nodes of 8) on which some method's largest "
        "batch with the verdict `fits` reaches the batch; " + BATCH_RULE,
        "plan": None if found is None else plan_json(found),
        "calibration": None if found is None else plan_json(found)["calibration"],
    }

    def text() -> str:
        if found is None:
            return f"no count up to {options.max_gpus:,} GPUs fits batch {spec.batch_size}"
        return f"{needed} GPU(s) fit batch {spec.batch_size} per replica\n{plan_text(found)}"

    return emit(args, data, text)
