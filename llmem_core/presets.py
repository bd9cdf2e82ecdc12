"""Loading the data in presets/: model presets (Hugging Face configs) and the GPU catalog.

The only module of the core that reads files; nothing is read at import time, and each file
is read once (lru_cache). A user's own config.json goes through hf_config.read_config_text.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from llmem_core.errors import InputError
from llmem_core.hf_config import architecture_from_config, read_config_text
from llmem_core.models import Architecture, Gpu, ModelPreset


def presets_dir() -> Path:
    """presets/ beside the package (source checkout or editable install), or $LLMEM_PRESETS."""
    override = os.environ.get("LLMEM_PRESETS")
    path = Path(override) if override else Path(__file__).resolve().parent.parent / "presets"
    if not (path / "gpus.json").is_file():
        raise InputError(f"presets directory not found at {path} (set LLMEM_PRESETS)")
    return path


def _short_name(hf_id: str) -> str:
    return hf_id.split("/")[-1]


@lru_cache(maxsize=1)
def load_models() -> dict[str, ModelPreset]:
    """Every preset model keyed by its Hugging Face id."""
    raw = json.loads((presets_dir() / "hf-model-configs.json").read_text())
    out = {}
    for hf_id, rec in raw.items():
        arch = architecture_from_config(rec["config"], hf_id, rec["buffers"]["bytes"])
        src = rec["source"]
        out[hf_id] = ModelPreset(
            hf_id=hf_id,
            architecture=arch,
            params_exact=rec["params_exact"],
            params_published=rec["params_published"]["text"],
            source=f"{src['kind']}: {src['ref']}",
        )
    return out


@lru_cache(maxsize=1)
def load_activation_recipes() -> dict[str, Any]:
    """Per-family activation recipes of the pytorch profile (scripts/fit_activation_recipes.py)."""
    return json.loads((presets_dir() / "activation-recipes.json").read_text())["recipes"]


@lru_cache(maxsize=1)
def load_gpus() -> dict[str, Gpu]:
    raw = json.loads((presets_dir() / "gpus.json").read_text())
    return {g["key"]: Gpu(**g) for g in raw["gpus"]}


def find_model(name: str) -> ModelPreset:
    """A preset by HF id, case-insensitively, or by its short name (after the '/')."""
    models = load_models()
    by_lower = {k.lower(): v for k, v in models.items()}
    by_short = {_short_name(k).lower(): v for k, v in models.items()}
    hit = by_lower.get(name.lower()) or by_short.get(name.lower())
    if hit is None:
        close = [k for k in models if name.lower() in k.lower()][:5]
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `llmem models`"
        raise InputError(f"model: unknown preset {name!r}{hint}")
    return hit


def resolve_model(ref: str) -> Architecture:
    """--model ID|PATH: a preset id, or the path of a config.json file."""
    path = Path(ref)
    if ref.endswith(".json") or path.is_file():
        if not path.is_file():
            raise InputError(f"model: no such config file {ref!r}")
        return read_config_text(path.read_text(errors="replace"), path.stem)
    return find_model(ref).architecture


def find_gpu(key: str) -> Gpu:
    gpus = load_gpus()
    if key.lower() not in gpus:
        raise InputError(f"gpu: unknown key {key!r}; known: {', '.join(gpus)}")
    return gpus[key.lower()]
