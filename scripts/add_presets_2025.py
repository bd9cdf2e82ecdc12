"""Add the models of 2025 (issue #13) to llmem_core/presets/hf-model-configs.json.

Reads the team's model-configs-2025.json (each config as published, its source and the exact
parameter count transformers 5.24 builds), rebuilds every model on the meta device to record
what the preset records also hold (registered buffers, tensor count, the class and the default
attention), checks that the count agrees with the file's, and writes preset records in the
format of the other 43 (presets/hf-model-configs.md). Models whose family llmem does not read
yet are skipped and named.

Run: .venv/bin/python scripts/add_presets_2025.py /work/shared/data/model-configs-2025.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from llmem_core.measure.model_configs import trainable_config

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "llmem_core" / "presets" / "hf-model-configs.json"
SKIP = {"meta-llama/Llama-4-Scout-17B-16E": "llama4: chunked local attention not modelled yet"}
LOSS = {
    "upcast": True,
    "where": "shared loss: transformers/loss/loss_utils.py ForCausalLMLoss -> "
    "`logits = logits.float()` (every 2025 family calls self.loss_function)",
    "model_forward_casts": False,
    "shifted_copy": False,
    "detail": "Same loss path as the Llama family (checked in each modeling_*.py of 5.24).",
}


def build(config: dict) -> dict:
    """What transformers 5.24 builds from the (text) config on the meta device."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = trainable_config(config)  # the text model, no quantization_config (as measured)
    model_type = cfg.pop("model_type")
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.for_model(model_type, **cfg))
    buffers = [
        {
            "name": n,
            "dtype": str(b.dtype),
            "shape": list(b.shape),
            "bytes": b.numel() * b.element_size(),
        }
        for n, b in model.named_buffers()
    ]
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "tensors": len(list(model.parameters())),
        "buffers": {
            "count": len(buffers),
            "bytes": sum(b["bytes"] for b in buffers),
            "largest": sorted(buffers, key=lambda b: -b["bytes"])[:1],
        },
        "attention": model.config._attn_implementation,
        "class": type(model).__name__,
    }


def published(text: str, exact: int) -> tuple[dict, bool, str]:
    """The card's first figure ("30.5B …"): rounded to its printed digits, else nominal (5 %)."""
    number = re.match(r"\s*([\d.]+)B", text)
    value = float(number.group(1)) * 1e9
    digits = len(number.group(1).split(".")[1]) if "." in number.group(1) else None
    kind = "rounded" if digits else "nominal"
    if digits:  # rounded or truncated to the last printed digit (hf-model-configs.md)
        printed, scale = float(number.group(1)), 10**digits
        match = printed in (round(exact / 1e9, digits), int(exact / 1e9 * scale) / scale)
    else:
        match = abs(exact - value) <= 0.05 * value
    note = "Consistent." if match else f"{exact:,} against the printed {number.group(1)}B."
    return {"value": value, "text": text, "kind": kind, "source": "model card / paper as "
            "quoted in model-configs-2025.json"}, match, note  # fmt: skip


def source(rec: dict) -> dict:
    src = rec["source"]
    ref = src.get("url") or f"github:{src['repo']}/{src['path']}@{src['commit']}"
    return {
        "kind": src.get("kind") or "verbatim copy",
        "ref": ref,
        "note": " ".join(x for x in (src.get("detail"), rec.get("cross_check")) if x),
        "fields_from_knowledge": [],
    }


def breakdown(rec: dict, built: dict) -> dict:
    b = dict(rec["params_breakdown"])
    b["non_embedding_excl_lm_head"] = b.pop("non_embedding") - (
        0 if b["lm_head_tied_to_embedding"] else b["lm_head"]
    )
    b.setdefault("lm_head_bias", False)
    b["param_tensors"] = built["tensors"]
    return b


def record(hf_id: str, rec: dict) -> dict:
    built = build(rec["config"])
    exact = rec["params_transformers_5_24"]
    if built["params"] != exact:
        raise SystemExit(f"{hf_id}: built {built['params']:,}, file says {exact:,}")
    pub, match, note = published(rec["params_published"], exact)
    out = {
        "config": rec["config"],
        "source": source(rec),
        "params_exact": exact,
        "params_published": pub,
        "params_match": match,
        "params_note": note,
        "params_breakdown": breakdown(rec, built),
        "active_params": rec["active_params"],
        "buffers": built["buffers"],
        "logits_fp32_cast": LOSS,
        "attention_impl_default": built["attention"],
        "model_class": built["class"],
        "notes": rec["notes"],
        "transformers_version": rec["transformers_version"],
        "torch_version": rec["torch_version"],
    }
    if "params_full_model" in rec:
        out["multimodal"] = {
            "preset_is": "the text model (Gemma3ForCausalLM on text_config)",
            "full_model_class": rec["full_model_class"],
            "params_full_model": rec["params_full_model"],
            "vision_and_projector_params": rec["vision_and_projector_params"],
        }
    return out


def main() -> int:
    data = json.loads(Path(sys.argv[1]).read_text())
    presets = json.loads(OUT.read_text())
    for hf_id, rec in data.items():
        if hf_id in SKIP:
            print(f"skipped {hf_id}: {SKIP[hf_id]}")
            continue
        presets[hf_id] = record(hf_id, rec)
        print(f"{hf_id:<40} {rec['params_transformers_5_24']:>16,}")
    OUT.write_text(json.dumps(presets, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
