"""Find a model's config: by Hugging Face id in the committed presets, or from a config.json path.

Only JSON is read: no download, no ``trust_remote_code``, no pickle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmem_core import safe_json
from llmem_core.errors import InputError
from llmem_core.presets import model_records, preset_id


@dataclass(frozen=True)
class ModelConfig:
    """A config dict that rebuilds with ``AutoConfig.for_model(config["model_type"], **config)``."""

    name: str
    config: dict[str, Any]
    # The presets record it; None for a user's config.json (transformers then picks its default).
    attention_impl_default: str | None
    params_exact: int | None


def load_model_config(model: str) -> ModelConfig:
    hf_id = preset_id(model)
    if hf_id is None:
        path = Path(model).expanduser()
        return _from_config_file(path / "config.json" if path.is_dir() else path)
    record = model_records()[hf_id]
    return ModelConfig(
        name=hf_id,
        config=trainable_config(record["config"]),
        attention_impl_default=record.get("attention_impl_default"),
        params_exact=record.get("params_exact"),
    )


def trainable_config(config: dict[str, Any]) -> dict[str, Any]:
    """What fine-tuning builds from a published config (issue #13): a multimodal Gemma 3's text
    model (its text_config, as the preset counts it), and no quantization_config (gpt-oss's
    MXFP4, DeepSeek-V3's FP8: fine-tuning dequantises; from_config would not quantise anyway)."""
    out = {k: v for k, v in config.items() if k != "quantization_config"}
    text = out.get("text_config")
    if out.get("model_type") == "gemma3" and isinstance(text, dict):
        return {"model_type": "gemma3_text", **text}
    return out


def _from_config_file(path: Path) -> ModelConfig:
    config = safe_json.loads(safe_json.read_file(str(path), "model"), "model")
    if not isinstance(config, dict) or "model_type" not in config:
        raise InputError("model", f"{path} has no 'model_type' key, so it is not a HF config.json")
    return ModelConfig(
        name=str(path), config=config, attention_impl_default=None, params_exact=None
    )
