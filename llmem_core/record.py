"""Record an `llmem-run/1` file from your own training job (issue #11).

Hugging Face Trainer / TRL (steady peaks over `steps` steps after `warmup` steps):

    from llmem_core.record import LlmemCallback
    trainer = Trainer(..., callbacks=[LlmemCallback("run.json", gpu="h100-80gb")])

A custom loop:

    from llmem_core import record
    record.watch(model)                 # sees batch × sequence of every forward
    for step, batch in enumerate(loader):
        ...                             # forward, backward, optimizer.step()
        if step == 1:
            record.start_steady()       # peaks from here on (step 1 created the states)
    record.write_run("run.json", model, optimizer, precision="amp-bf16")

The plan comes from what the job shows: the model's config (a preset id when its
`_name_or_path` is one, else the config embedded), the world size, the parameters' dtype, the
batch and sequence of the forwards watched, gradient checkpointing, the optimizer's class and
flags, peft's LoRA settings. What cannot be seen is given: autocast (`precision`), the GPU type
when its name is ambiguous (`gpu`), the method on several GPUs (`method`). The measured figures
are torch.cuda's peaks since `start_steady()` and the device's used bytes (NVML through
`torch.cuda.mem_get_info`); on a CPU the file holds the plan and says no GPU figures exist,
and `llmem runs add` refuses it. torch and transformers are imported only when called.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from llmem_core.errors import InputError
from llmem_core.presets import preset_id
from llmem_core.runs import FORMAT, gpu_key_of
from llmem_core.spec import PlanSpec

NO_GPU = "recorded without a GPU: no GPU figures exist (max_memory_* and device_used need CUDA)"
SHAPE = "_llmem_shape"  # the largest (batch, sequence) a watched model's forward saw


def watch(model: Any) -> Any:
    """Keep the largest batch × sequence the model's forward is called with (a pre-hook)."""

    def seen(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        ids = kwargs.get("input_ids", args[0] if args else None)
        shape = tuple(getattr(ids, "shape", ()))
        if len(shape) == 2:
            old = getattr(module, SHAPE, (0, 0))
            setattr(module, SHAPE, max(old, (int(shape[0]), int(shape[1]))))

    return model.register_forward_pre_hook(seen, with_kwargs=True)


def start_steady() -> None:
    """Peaks from now on: call after the first step (which creates the optimizer states)."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def optimizer_name(optimizer: Any) -> str:
    """The CLI's name of a torch / bitsandbytes optimizer, from its class and flags."""
    name = type(optimizer).__name__.lower()
    flags = getattr(optimizer, "defaults", {})
    if "paged" in name and "8bit" in name:
        return "paged-adamw-8bit"
    if "8bit" in name:
        return "adamw-8bit"
    if name in ("adamw", "adam"):
        return "adamw-fused" if flags.get("fused") else "adamw-foreach"
    if name in ("sgd", "adafactor"):
        return name
    raise InputError("optimizer", f"cannot tell {type(optimizer).__name__}; give optimizer=…")


def _precision(model: Any) -> str:
    import torch

    dtypes = {p.dtype for p in model.parameters() if p.requires_grad}
    if dtypes == {torch.bfloat16}:
        return "bf16"
    return "fp32"  # fp32 weights: fp32, or AMP (autocast is not visible afterwards: give it)


def _model_ref(config: Any) -> str | dict[str, Any]:
    name = getattr(config, "_name_or_path", "") or ""
    if name and preset_id(name) is not None:
        return name
    data = config.to_dict()
    return json.loads(json.dumps(data, default=str))  # plain JSON values only


def _world() -> int:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def _lora(model: Any) -> dict[str, Any]:
    config = (getattr(model, "peft_config", None) or {}).get("default")
    if config is None:
        return {}
    targets = config.target_modules
    names = targets if isinstance(targets, str) else ",".join(sorted(targets or ()))
    return {
        "finetune": "lora",
        "lora_rank": config.r,
        "lora_alpha": float(config.lora_alpha),
        "lora_dropout": float(config.lora_dropout),
        "lora_targets": names or "attn",
    }


def _config(model: Any) -> Any:
    for candidate in (model, getattr(model, "module", None), getattr(model, "base_model", None)):
        config = getattr(candidate, "config", None)
        if config is not None and hasattr(config, "to_dict"):
            return config
    raise InputError("model", "the model has no Hugging Face config (model.config)")


def _checkpointing(model: Any) -> bool:
    """transformers 5 names it activation checkpointing; 4 gradient checkpointing."""
    for name in ("is_activation_checkpointing", "is_gradient_checkpointing"):
        if hasattr(type(model), name) or hasattr(model, name):
            return bool(getattr(model, name))
    return False


def plan_of(
    model: Any,
    optimizer: Any,
    *,
    batch_size: int | None = None,
    seq_len: int | None = None,
    **given: Any,
) -> dict[str, Any]:
    """The plan of a training job, by the CLI's names; `given` (gpu, method, precision, …)
    wins over what is seen."""
    seen_batch, seen_seq = getattr(model, SHAPE, (None, None))
    world = _world()
    plan: dict[str, Any] = {
        "model": _model_ref(_config(model)),
        "num_gpus": world,
        "method": "single" if world == 1 else None,
        "batch_size": batch_size or seen_batch,
        "seq_len": seq_len or seen_seq,
        "precision": _precision(model),
        "optimizer": optimizer_name(optimizer),
        "grad_checkpointing": _checkpointing(model),
        **_lora(model),
        **{k: v for k, v in given.items() if v is not None},
    }
    for field in ("batch_size", "seq_len", "method"):
        if plan.get(field) is None:
            raise InputError(field, f"cannot be seen here; give {field}=…")
    PlanSpec(**plan)  # every value by the CLI's rules, before anything is written
    return plan


def measured_now() -> tuple[dict[str, int], str | None]:
    """torch.cuda's peaks since start_steady() and the device's used bytes; ({}, None) on a
    CPU. The second value is the GPU's name."""
    import torch

    if not torch.cuda.is_available():
        return {}, None
    torch.cuda.synchronize()
    free, total = torch.cuda.mem_get_info()
    figures = {
        "max_memory_allocated": int(torch.cuda.max_memory_allocated()),
        "max_memory_reserved": int(torch.cuda.max_memory_reserved()),
        "device_used": int(total - free),
    }
    if figures["device_used"] < figures["max_memory_reserved"]:
        figures.pop("device_used")  # another reading than the peaks: leave it out
    return figures, torch.cuda.get_device_name()


def run_document(
    model: Any, optimizer: Any, source: str = "", **plan_fields: Any
) -> dict[str, Any]:
    """The llmem-run/1 object of a job now (see the module's docstring)."""
    measured, gpu_name = measured_now()
    if gpu_name is not None and plan_fields.get("gpu") is None:
        import torch

        total = torch.cuda.get_device_properties(0).total_memory
        plan_fields["gpu"] = gpu_key_of(gpu_name, total)
    plan = plan_of(model, optimizer, **plan_fields)
    where = f"recorded on {gpu_name}" if gpu_name else NO_GPU
    return {
        "format": FORMAT,
        "plan": plan,
        "measured": measured,
        "source": f"{where}; {source}".strip("; ")[:2000],
    }


def write_run(
    path: str | os.PathLike[str],
    model: Any,
    optimizer: Any,
    *,
    batch_size: int | None = None,
    seq_len: int | None = None,
    source: str = "llmem_core.record.write_run",
    **plan_fields: Any,
) -> dict[str, Any]:
    """Write the job's llmem-run/1 file (see the module's docstring); returns its object."""
    document = run_document(
        model, optimizer, source, batch_size=batch_size, seq_len=seq_len, **plan_fields
    )
    Path(path).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return document


def _trainer_precision(args: Any, model: Any) -> str:
    if _precision(model) == "bf16":
        return "bf16"
    return "amp-bf16" if args.bf16 else "amp-fp16" if args.fp16 else "fp32"


@cache  # one class: `record.LlmemCallback` twice is the same type (isinstance, pickling)
def _callback_class() -> type:
    """LlmemCallback, built on first use (transformers is imported then, not before)."""
    from transformers import TrainerCallback

    class LlmemCallback(TrainerCallback):  # type: ignore[misc]
        """Writes `path` after `warmup` + `steps` optimizer steps (peaks over the last
        `steps`), or at the end of training if it is shorter; on rank 0 only. A problem is
        logged as a warning: recording never stops the training."""

        def __init__(self, path: str, warmup: int = 2, steps: int = 3, **plan: Any) -> None:
            self.path, self.warmup, self.steps, self.plan = path, warmup, steps, plan
            self.written = False

        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if kw.get("model") is not None:
                watch(kw["model"])

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if state.global_step == self.warmup:
                start_steady()
            if state.global_step == self.warmup + self.steps:
                self._write(args, state, kw)

        def on_train_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            self._write(args, state, kw)

        def _write(self, args: Any, state: Any, kw: dict[str, Any]) -> None:
            if self.written or not state.is_world_process_zero:
                return
            model, optimizer = kw.get("model"), kw.get("optimizer")
            optimizer = getattr(optimizer, "optimizer", optimizer)  # accelerate's wrapper
            seen = {
                "batch_size": args.per_device_train_batch_size,
                "precision": _trainer_precision(args, model),
                "grad_accumulation": args.gradient_accumulation_steps,
                "grad_checkpointing": _checkpointing(model) or None,
            }
            try:
                write_run(self.path, model, optimizer, source="LlmemCallback", **seen | self.plan)
                self.written = True
            except InputError as err:
                import logging

                logging.getLogger("llmem").warning("llmem run not recorded: %s", err)

    return LlmemCallback


def __getattr__(name: str) -> Any:
    if name == "LlmemCallback":
        return _callback_class()
    raise AttributeError(name)
