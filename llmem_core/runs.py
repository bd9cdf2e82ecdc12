"""`llmem-run/1`: one measured training run, and the importers that read it (issue #11).

    {"format": "llmem-run/1",
     "plan": {…the CLI's names and values: model, gpu, num_gpus, method, batch_size, …},
     "measured": {"max_memory_allocated": B, "max_memory_reserved": B, "device_used": B},
     "source": "free text: where and how it was measured"}

`plan` is a PlanSpec (spec.py), so it grows with the CLI; `model` is a preset id or an
embedded config.json object; `gpu` (a catalog key) and `method` are required, since a
calibration is per GPU type and method family. `measured` holds bytes, JSON integers only,
at least one of the three, allocated ≤ reserved ≤ device_used, each from MIN_FIGURE up to the
GPU's memory (+ CAPACITY_SLACK). The JSON that `llmem measure --json` writes on a GPU is read
as it is (`from_measure`). Every refusal is an InputError naming the field.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from llmem_core import safe_json
from llmem_core.errors import InputError, echo
from llmem_core.models import Frozen, Gpu
from llmem_core.presets import find_gpu, load_gpus
from llmem_core.request import Request
from llmem_core.spec import PlanSpec
from llmem_core.units import MiB

FORMAT = "llmem-run/1"
# Heuristic: no training step on a GPU reserves less than one 2 MiB allocator segment; a
# figure under 1 MiB is almost surely GiB or MiB written where bytes belong.
MIN_FIGURE = MiB
MAX_FIGURE = 2**50  # 1 PiB: a typo guard before the GPU's own capacity is known
# What a GPU reports as its total exceeds the catalog's usable figure by at most a few percent
# (catalog: "driver-reported MiB"); heuristic margin over it for "device_used".
CAPACITY_SLACK = 0.10
MAX_SOURCE = 2000
LEVELS = ("max_memory_allocated", "max_memory_reserved", "device_used")
MAX_RUNS_PER_FILE = 10_000  # heuristic: far more than a site measures, a bound on one file's work
# One measured level in bytes: a JSON integer only, None when the run did not measure it.
Figure = Annotated[int | None, Field(default=None, ge=MIN_FIGURE, le=MAX_FIGURE, strict=True)]


class Measured(Frozen):
    """What the GPU showed over the run's steady steps, in bytes: JSON integers only ("40 GiB",
    4.0e10 or true are refused)."""

    max_memory_allocated: Figure = Field(description="torch.cuda.max_memory_allocated")
    max_memory_reserved: Figure = Field(description="torch.cuda.max_memory_reserved")
    device_used: Figure = Field(description="NVML / nvidia-smi used bytes")

    @model_validator(mode="after")
    def _ordered(self) -> Measured:
        given = [(name, getattr(self, name)) for name in LEVELS if getattr(self, name)]
        for (low_name, low), (high_name, high) in pairwise(given):
            if low > high:
                raise InputError(
                    high_name, f"{high:,} bytes is below {low_name} ({low:,}): must be ≥ it"
                )
        return self

    def figures(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in LEVELS if getattr(self, name) is not None}


class RunFile(Frozen):
    """One measured run as a file holds it."""

    format: Literal["llmem-run/1"]
    plan: PlanSpec
    measured: Measured
    source: str = Field(default="", max_length=MAX_SOURCE, description="where and how")

    @model_validator(mode="after")
    def _measured_something(self) -> RunFile:
        if not self.measured.figures():
            raise InputError("measured", f"give at least one of {', '.join(LEVELS)} (bytes)")
        return self


class Run(Frozen):
    """A run checked against the estimator: its plan builds, its figures fit its GPU."""

    file: RunFile
    request: Request

    @property
    def gpu(self) -> str:
        return self.request.cluster.gpu_key or ""

    @property
    def model_name(self) -> str:
        """The plan's model as a listing shows it: its preset id, or that it was embedded."""
        model = self.file.plan.model
        return model if isinstance(model, str) else "(embedded config)"

    def document(self) -> dict[str, Any]:
        """The llmem-run/1 object (the plan as given, defaults left out)."""
        return self.file.model_dump(mode="json", exclude_none=True, exclude_defaults=False) | {
            "plan": self.file.plan.model_dump(mode="json", exclude_unset=True),
        }


def read(text: str) -> list[Run]:
    """Every run in one run file's text: one llmem-run/1 object, a list of them (what `llmem
    runs export` writes), or `llmem measure --json` output. The first problem is an InputError
    naming the field (with the item's index when the file holds a list)."""
    data = safe_json.loads(text, "file", "run file")
    items = data if isinstance(data, list) else [data]
    if len(items) > MAX_RUNS_PER_FILE:
        raise InputError("file", f"at most {MAX_RUNS_PER_FILE:,} runs per file")
    return [_item(i, item, len(items)) for i, item in enumerate(items)]


def _item(index: int, item: object, count: int) -> Run:
    try:
        return parse(item)
    except InputError as err:
        if count == 1:
            raise
        raise InputError(f"[{index}].{err.field}", err.message) from None


def parse(data: object) -> Run:
    """A run file's JSON value (llmem-run/1, or `llmem measure --json` output) → a Run."""
    if isinstance(data, dict) and "format" not in data and "peak_bytes_steady" in data:
        data = from_measure(data)
    if not isinstance(data, dict):
        raise InputError("format", f"expected a JSON object with format {FORMAT!r}")
    if data.get("format") != FORMAT:
        raise InputError("format", f"must be {FORMAT!r} (got {echo(data.get('format'))})")
    return checked(RunFile(**data))


def checked(file: RunFile) -> Run:
    """The plan builds a request (its model, GPU and layout known); the figures fit its GPU."""
    plan = file.plan
    for field in ("gpu", "method"):
        if getattr(plan, field) is None:
            raise InputError(
                f"plan.{field}", "required: a calibration is per GPU type and method family"
            )
    try:
        request = plan.request()
    except InputError as err:
        raise InputError(f"plan.{err.field}", err.message) from None
    _within_capacity(file.measured, find_gpu(plan.gpu or ""), plan)
    return Run.model_construct(file=file, request=request)


def _within_capacity(measured: Measured, gpu: Gpu, plan: PlanSpec) -> None:
    memory = plan.gpu_memory_mib * MiB if plan.gpu_memory_mib else gpu.memory_bytes
    limit = int(memory * (1 + CAPACITY_SLACK))
    for name, value in measured.figures().items():
        if value > limit:
            raise InputError(
                f"measured.{name}",
                f"{value:,} bytes is more than a {gpu.key} holds ({memory:,}); bytes, not "
                "KiB or bits?",
            )


# `llmem measure --json` output → llmem-run/1 (the measure header's fields by the CLI's names).
MEASURE_PLAN = ("batch_size", "seq_len", "precision", "optimizer", "num_gpus", "checkpointing")
LORA = ("lora_rank", "lora_alpha", "lora_dropout", "lora_targets")


def from_measure(result: dict[str, Any]) -> dict[str, Any]:
    """What `llmem measure --json` wrote on a GPU, as an llmem-run/1 object."""
    if result.get("device") != "cuda" or "max_memory_reserved" not in result:
        raise InputError(
            "device",
            f"a {echo(result.get('device'))} measurement has no GPU figures (no "
            "max_memory_reserved); calibrate from `llmem measure --device cuda --json`",
        )
    return {
        "format": FORMAT,
        "plan": _measure_plan(result),
        "measured": {
            "max_memory_allocated": result.get("max_memory_allocated"),
            "max_memory_reserved": result.get("max_memory_reserved"),
            "device_used": result.get("nvml_used_peak_bytes") or None,
        },
        "source": f"llmem measure on {result.get('gpu')!s:.80}: {result.get('command')!s:.1500}",
    }


def _measure_plan(result: dict[str, Any]) -> dict[str, Any]:
    plan = {k: result[k] for k in MEASURE_PLAN if result.get(k) is not None}
    plan["model"] = result.get("model")
    plan["gpu"] = gpu_key_of(str(result.get("gpu", "")), result.get("gpu_total_bytes"))
    plan["method"] = "zero1" if result.get("zero_redundancy") else result.get("method", "single")
    if result.get("zero_redundancy"):
        plan["zero_engine"] = "torch"
    if result.get("method") in ("tp", "dp+tp") and result.get("tp"):
        plan["tp"] = result["tp"]
    if result.get("method") in ("adp", "dp+tp"):
        plan["reshard_after_forward"] = result.get("reshard_after_forward", True)
    if result.get("cpu_offload"):
        plan["offload"] = "optimizer+params"
    if result.get("finetune") == "lora":
        plan |= {"finetune": "lora"} | {k: result[k] for k in LORA if k in result}
    if result.get("checkpointing") == "selective":
        plan["checkpoint_every"] = result.get("checkpoint_every")
    if result.get("loss") == "chunked":
        plan |= {"loss": "chunked", "loss_chunks": result.get("loss_chunks")}
    if "expandable_segments:true" in str(result.get("allocator_conf", "")).lower():
        plan["allocator"] = "expandable-segments"
    return plan


def _tokens(text: str) -> set[str]:
    """'NVIDIA GeForce RTX 4090' → {nvidia, geforce, rtx, 4090, nvidiageforce, rtx4090, …}."""
    words = [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]
    return set(words) | {a + b for a, b in pairwise(words)}


def gpu_key_of(name: str, total_bytes: object) -> str:
    """The catalog key of a GPU as torch names it (`torch.cuda.get_device_name()`) and its
    total memory: every word of the key's model part in the name; the most specific, then
    the closest memory."""
    words = _tokens(name)
    total = total_bytes if isinstance(total_bytes, int) and total_bytes > 0 else None
    found = []
    for gpu in load_gpus().values():
        model = re.sub(r"-\d+gb$", "", gpu.key).split("-")
        if all(w in words for w in model):
            gap = abs(gpu.memory_bytes - total) / total if total else 0.0
            found.append((-len(model), gap, gpu.key))
    if not found or (total and min(found)[1] > 0.25):
        raise InputError(
            "plan.gpu",
            f"cannot tell the catalog type of GPU {echo(name)}; write an {FORMAT} file with "
            "plan.gpu set (`llmem catalog`)",
        )
    return min(found)[2]
