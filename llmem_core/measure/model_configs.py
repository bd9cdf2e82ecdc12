"""Find a model's config: by Hugging Face id in the committed presets, or from a config.json path.

Only JSON is read: no download, no ``trust_remote_code``, no pickle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmem_core.measure.request import MeasureInputError

PRESETS_PATH = Path(__file__).resolve().parents[2] / "presets" / "hf-model-configs.json"


@dataclass(frozen=True)
class ModelConfig:
    """A config dict that rebuilds with ``AutoConfig.for_model(config["model_type"], **config)``."""

    name: str
    config: dict[str, Any]
    # The presets record it; None for a user's config.json (transformers then picks its default).
    attention_impl_default: str | None
    params_exact: int | None


def load_model_config(model: str, presets_path: Path = PRESETS_PATH) -> ModelConfig:
    path = Path(model).expanduser()
    if path.is_dir():
        path = path / "config.json"
    if path.is_file():
        return _from_config_file(path)
    presets = _read_json(presets_path, "presets")
    if model not in presets:
        raise MeasureInputError(
            f"model: {model!r} is neither a config.json path nor one of the {len(presets)} "
            f"preset ids in {presets_path.name} (e.g. facebook/opt-125m)"
        )
    record = presets[model]
    return ModelConfig(
        name=model,
        config=dict(record["config"]),
        attention_impl_default=record.get("attention_impl_default"),
        params_exact=record.get("params_exact"),
    )


def _from_config_file(path: Path) -> ModelConfig:
    config = _read_json(path, "model")
    if not isinstance(config, dict) or "model_type" not in config:
        raise MeasureInputError(
            f"model: {path} has no 'model_type' key, so it is not a HF config.json"
        )
    return ModelConfig(
        name=str(path), config=config, attention_impl_default=None, params_exact=None
    )


def _read_json(path: Path, field: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise MeasureInputError(f"{field}: cannot read {path}: {error}") from error
