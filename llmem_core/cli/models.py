"""`llmem models`: the model presets."""

from __future__ import annotations

import argparse

from llmem_core.cli.options import add_json
from llmem_core.cli.output import emit
from llmem_core.models import ModelPreset
from llmem_core.presets import load_models

NAME = "models"
HELP = "list the model presets"


def configure(p: argparse.ArgumentParser) -> None:
    add_json(p)


def run(args: argparse.Namespace) -> int:
    rows = [_row(k, v) for k, v in load_models().items()]
    return emit(args, rows, lambda: "\n".join(_line(r) for r in rows))


def _row(hf_id: str, preset: ModelPreset) -> dict:
    """`params` as transformers builds it; `active_params` for a mixture of experts (else
    null), counted as its authors count (presets/hf-model-configs.md); `multimodal` says what
    a multimodal checkpoint adds to the text model."""
    row = {
        "id": hf_id,
        "family": preset.architecture.family.value,
        "params": preset.params_exact,
        "active_params": preset.active_params if preset.architecture.moe else None,
    }
    return {**row, "multimodal": preset.multimodal} if preset.multimodal else row


def _line(r: dict) -> str:
    active = f"  {r['active_params'] / 1e9:>7.2f} B active" if r["active_params"] else ""
    text = "  (text model)" if "multimodal" in r else ""
    return f"{r['id']:<40} {r['family']:<12} {r['params'] / 1e9:>8.2f} B{active}{text}"
