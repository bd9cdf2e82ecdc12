"""The data beside this module: model presets (Hugging Face configs), the GPU catalog and the
activation recipes, each number with its source (hf-model-configs.md, gpus-source.csv).

They travel as package data and are read with importlib.resources, so an installed wheel finds
them wherever it lives; $LLMEM_PRESETS points at another folder with the same files. The only
module of the core that reads files; nothing is read at import time, and each file once.
A user's own config.json goes through safe_json and hf_config.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from llmem_core import hub, safe_json
from llmem_core.errors import InputError, echo
from llmem_core.features import nearest
from llmem_core.hf_config import architecture_from_config, read_config_text
from llmem_core.models import Architecture, Gpu, ModelPreset

MODEL_FILE = "hf-model-configs.json"
GPU_FILE = "gpus.json"
RECIPE_FILE = "activation-recipes.json"
ALLOCATOR_FILE = "allocator-terms.json"
ACCURACY_FILE = "real-gpu-accuracy.json"
MAX_REF_CHARS = 4096  # a preset id or a path; past this, neither


def presets_dir() -> Traversable:
    """This package's data, or $LLMEM_PRESETS when set."""
    override = os.environ.get("LLMEM_PRESETS")
    if not override:
        return resources.files(__name__)
    path = Path(override)
    if not (path / GPU_FILE).is_file():
        raise InputError("presets", f"LLMEM_PRESETS={echo(override)} holds no {GPU_FILE}")
    return path


def _read(name: str) -> Any:
    return json.loads((presets_dir() / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def model_records() -> dict[str, dict[str, Any]]:
    """The raw records of hf-model-configs.json (config, source, counts), by HF id."""
    return _read(MODEL_FILE)


@lru_cache(maxsize=1)
def load_models() -> dict[str, ModelPreset]:
    """Every preset model keyed by its Hugging Face id."""
    out = {}
    for hf_id, rec in model_records().items():
        arch = architecture_from_config(rec["config"], hf_id, rec["buffers"]["bytes"])
        src = rec["source"]
        out[hf_id] = ModelPreset(
            hf_id=hf_id,
            architecture=arch,
            params_exact=rec["params_exact"],
            params_published=rec["params_published"]["text"],
            source=f"{src['kind']}: {src['ref']}",
            active_params=rec.get("active_params")
            or rec["params_breakdown"].get("active_per_token"),
            multimodal=_multimodal(rec),
        )
    return out


def _multimodal(rec: dict[str, Any]) -> str:
    """Gemma 3 ≥ 4B: the preset is the text model; what the vision tower would add."""
    mm = rec.get("multimodal")
    if not mm:
        return ""
    return (
        f"The preset is the text model; the full checkpoint ({mm['full_model_class']}, "
        f"{mm['params_full_model']:,} parameters) adds {mm['vision_and_projector_params']:,} "
        "for the SigLIP vision tower and projector, which the estimate leaves out."
    )


@lru_cache(maxsize=1)
def load_activation_recipes() -> dict[str, Any]:
    """Per-family activation recipes of the pytorch profile (scripts/fit_activation_recipes.py)."""
    return _read(RECIPE_FILE)["recipes"]


@lru_cache(maxsize=1)
def census_presets() -> dict[str, str]:
    """The preset each family's census was shrunk from (its features stand for the family's)."""
    return _read(RECIPE_FILE)["census_presets"]


# amp-fp16 saves what amp-bf16 saves.
RECIPE_PRECISION = {"fp32": "fp32", "amp-bf16": "amp-bf16", "amp-fp16": "amp-bf16", "bf16": "bf16"}
# Mixtral's census predates MoE routing on fake tensors; its attention is Mistral's.
RECIPE_ALIASES = {"mixtral": "mistral"}


class RecipeChoice(NamedTuple):
    family: str  # whose recipe the activations use
    stand_in: bool  # True: no census of this model's own family (features.nearest chose)


@lru_cache(maxsize=8)  # one per precision: every estimate asks, and the presets do not change
def measured_families(precision: str) -> MappingProxyType[str, Architecture]:
    """Families with a census recipe at this precision, each by its census preset's shapes."""
    recipes, models = load_activation_recipes(), load_models()
    return MappingProxyType(
        {
            family: models[hf_id].architecture
            for family, hf_id in census_presets().items()
            if "error" not in recipes.get(family, {}).get(precision, {"error": "none"})
        }
    )


def recipe_choice(arch: Architecture, precision: str) -> RecipeChoice:
    """The family whose census recipe applies at this precision (a training precision or a
    recipe's, RECIPE_PRECISION): the model's own, else the nearest by features."""
    own = RECIPE_ALIASES.get(str(arch.family), str(arch.family))
    measured = measured_families(RECIPE_PRECISION[precision])
    if own in measured:
        return RecipeChoice(own, False)
    return RecipeChoice(nearest(arch, measured), True)


LORA_RECIPE_FILE = "lora-recipes.json"


@lru_cache(maxsize=1)
def load_lora_recipes() -> dict[str, Any]:
    """Per-family LoRA activation recipes by targets, then precision (fit_lora_recipes.py)."""
    return _read(LORA_RECIPE_FILE)["recipes"]


@lru_cache(maxsize=1)
def load_allocator_terms() -> dict[str, Any]:
    """Allocator slack fractions per group (scripts/allocator_terms.py)."""
    return _read(ALLOCATOR_FILE)


@lru_cache(maxsize=1)
def load_real_gpu_accuracy() -> dict[str, Any]:
    """The estimate's measured error against published real-GPU figures (bench/published.py)."""
    return _read(ACCURACY_FILE)


@lru_cache(maxsize=1)
def load_gpus() -> dict[str, Gpu]:
    return {g["key"]: Gpu(**g) for g in _read(GPU_FILE)["gpus"]}


def _short_name(hf_id: str) -> str:
    return hf_id.split("/")[-1]


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Lower-case HF id and short name → HF id."""
    ids = list(load_models())
    return {**{_short_name(k).lower(): k for k in ids}, **{k.lower(): k for k in ids}}


def preset_id(name: str) -> str | None:
    """The HF id a name stands for (case-insensitive, or the short name after the '/')."""
    return _index().get(name.lower())


def find_model(name: str) -> ModelPreset:
    """A preset by HF id, case-insensitively, or by its short name (after the '/')."""
    hit = preset_id(name)
    if hit is None:
        models = load_models()
        close = [k for k in models if name.lower() in k.lower()][:5] if len(name) < 200 else []
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `llmem models`"
        raise InputError("model", f"unknown preset {echo(name)}{hint}")
    return load_models()[hit]


def resolve_model(ref: str) -> Architecture:
    """--model ID|PATH: a preset id, the path of a config.json file, or a Hub id (ORG/NAME)
    whose config.json is fetched (hub.py)."""
    if not ref.strip() or len(ref) > MAX_REF_CHARS:
        raise InputError(
            "model",
            f"give a preset id (`llmem models`) or the path of a "
            f"config.json of at most {MAX_REF_CHARS:,} characters",
        )
    if preset_id(ref) is not None:
        return find_model(ref).architecture
    if ref.endswith(".json") or ("/" in ref and _exists(ref)):
        path = Path(ref) / "config.json" if _is_dir(ref) else Path(ref)
        return read_config_text(safe_json.read_file(str(path), "model"), _name(path))
    if hub.looks_like_hub_id(ref):  # ORG/NAME, neither a preset nor a file: the Hub's config
        return read_config_text(hub.config_text(ref), ref)
    return find_model(ref).architecture


def config_architecture(config: dict[str, Any], name: str = "") -> Architecture:
    """An embedded config.json (already parsed, e.g. from a run file or an upload)."""
    return architecture_from_config(config, name or _embedded_name(config))


def _embedded_name(config: dict[str, Any]) -> str:
    given = config.get("_name_or_path")
    return given[:200] if isinstance(given, str) and given.strip() else "config.json"


def _name(path: Path) -> str:
    """A model's display name from its file: the folder of a config.json, else the file."""
    name = path.parent.name if path.stem == "config" and path.parent.name else path.stem
    return name[:200] or "config.json"


def _exists(ref: str) -> bool:
    try:
        return Path(ref).exists()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def _is_dir(ref: str) -> bool:
    try:
        return Path(ref).is_dir()
    except (OSError, ValueError):
        return False


def find_gpu(key: str) -> Gpu:
    gpus = load_gpus()
    if key.lower() not in gpus:
        raise InputError("gpu", f"unknown key {echo(key)}; known: {', '.join(gpus)}")
    return gpus[key.lower()]
