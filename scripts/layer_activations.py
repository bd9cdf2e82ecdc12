"""Activation bytes kept per decoder layer, by measurement: the same model with 2 and 4 layers,
difference of the activation category at the forward peak (steady step), halved; at batch 1 and 2,
so that the per-token slope separates from a per-layer constant (AMP's 16-bit weight copies).

Two and four (not one and two) so that alternating layer kinds (GPT-Neo global/local, Gemma-2
sliding/full) count once each. Writes tests/fixtures/reference/layer-activations.jsonl.

    python scripts/layer_activations.py --jobs 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ROOT / "llmem_core" / "presets" / "hf-model-configs.json"
OUT = ROOT / "tests" / "fixtures" / "reference" / "layer-activations.jsonl"
LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers")
MODELS = (
    "facebook/opt-125m", "openai-community/gpt2", "EleutherAI/gpt-neo-125m", "facebook/opt-350m",
    "Salesforce/codegen-350M-nl", "Qwen/Qwen2-0.5B", "bigscience/bloom-560m",
    "meta-llama/Llama-3.2-1B", "google/gemma-2-2b", "microsoft/Phi-3-mini-4k-instruct",
)  # fmt: skip
BATCHES, SEQ = (1, 2), 512


def with_layers(config: dict[str, Any], layers: int) -> dict[str, Any]:
    config = dict(config)
    for key in LAYER_KEYS:
        if key in config:
            config[key] = layers
    if "attention_types" in config:  # GPT-Neo lists its layer kinds explicitly
        config["attention_types"] = [[["global", "local"], layers // 2]]
    return config


def forward_activation(
    config: dict[str, Any], precision: str, batch: int, folder: Path
) -> dict[str, Any]:
    path = folder / "config.json"
    path.write_text(json.dumps(config))
    argv = [sys.executable, "-m", "llmem_core.cli", "measure", "--model", str(path),
            "--batch-size", str(batch), "--seq-len", str(SEQ), "--precision", precision,
            "--device", "fake-cuda", "--json"]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout)


def measure(model: str, precision: str, presets: dict[str, Any]) -> dict[str, Any]:
    config = presets[model]["config"]
    per_layer = {}
    for batch in BATCHES:
        acts = []
        for layers in (2, 4):
            with tempfile.TemporaryDirectory() as folder:
                config_n = with_layers(config, layers)
                result = forward_activation(config_n, precision, batch, Path(folder))
            acts.append(result["phase_breakdowns"]["steady"]["forward"]["activation"])
        per_layer[batch] = (acts[1] - acts[0]) / 2
    # per_layer(batch) = fixed + batch · SEQ · per_token
    per_token = (per_layer[2] - per_layer[1]) / SEQ
    hidden = config.get("hidden_size") or config.get("n_embd")
    return {
        "model": model, "precision": precision, "seq_len": SEQ, "batch_sizes": list(BATCHES),
        "attention_impl": result["attention_impl"],
        "per_layer_bytes_by_batch": per_layer,
        "bytes_per_token_per_layer": per_token,
        "bytes_per_token_per_layer_per_hidden": per_token / hidden,
        "bytes_per_layer_fixed": per_layer[1] - SEQ * per_token,
        "versions": result["versions"],
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    args = parser.parse_args()
    presets = json.loads(PRESETS.read_text())
    cases = [(m, p) for m in args.models for p in ("fp32", "amp-bf16", "bf16")]
    with ThreadPoolExecutor(max_workers=min(args.jobs, 2)) as pool:
        rows = list(pool.map(lambda case: measure(*case, presets), cases))
    OUT.write_text("".join(json.dumps(row) + "\n" for row in rows))
    for row in rows:
        print(f"{row['model']:34} {row['precision']:9} {row['bytes_per_token_per_layer']:10.0f} B "
              f"= {row['bytes_per_token_per_layer_per_hidden']:6.2f}·h per token, "
              f"{row['bytes_per_layer_fixed']:12.0f} B fixed")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
