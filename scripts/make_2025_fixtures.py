"""Fake-device references of issue #13's families, on shrunken configs (seconds each, 2 cores).

Each family's preset config is cut down (few layers, small widths) keeping what makes it that
family: Gemma 3's 5 local : 1 global layers, gpt-oss's alternating windows, sinks and biased
experts, Qwen3-MoE's routed experts, DeepSeek's latent attention, shared experts and dense first
layer, OLMo 2's full-width q/k norm, SmolLM3's NoPE layer. The configs are written to
tests/fixtures/reference/families-2025/configs/ and measured with `llmem measure --model
<config.json> --device fake-cuda` (whole steps, MemTracker; MoE routing as _moe.py says), one
JSON line per case in <family>.jsonl. tests/test_accuracy_2025.py holds the estimate to the
single-GPU gates on them.

    python scripts/make_2025_fixtures.py [FAMILY …]
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_fixtures as mf  # the shared runner: one process per case, 2 at a time

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "reference" / "families-2025"
CONFIGS = OUT / "configs"
PRESETS = json.loads((ROOT / "llmem_core" / "presets" / "hf-model-configs.json").read_text())

DENSE = {"hidden_size": 256, "intermediate_size": 688, "num_attention_heads": 4,
         "num_key_value_heads": 2, "head_dim": 64, "vocab_size": 8192,
         "num_hidden_layers": 4}  # fmt: skip
NO_TOKENS = {"pad_token_id": None, "bos_token_id": None, "eos_token_id": None}
MOE = {"moe_intermediate_size": 128, "num_experts_per_tok": 2}
WINDOW = 128
SHRUNK = {
    "qwen3": ("Qwen/Qwen3-0.6B", {}),
    "olmo2": ("allenai/OLMo-2-1124-7B", {}),
    "smollm3": ("HuggingFaceTB/SmolLM3-3B",
                {"no_rope_layers": [1, 1, 1, 0], "layer_types": ["full_attention"] * 4}),
    "gemma3": ("google/gemma-3-1b-pt",
               {"num_hidden_layers": 6, "sliding_window": WINDOW, "sliding_window_pattern": 6}),
    "qwen3_moe": ("Qwen/Qwen3-30B-A3B", {**MOE, "num_experts": 8}),
    "gpt_oss": ("openai/gpt-oss-20b",
                {"num_local_experts": 8, "num_experts_per_tok": 2, "intermediate_size": 128,
                 "sliding_window": WINDOW,
                 "layer_types": ["sliding_attention", "full_attention"] * 2}),
    "deepseek_v2": ("deepseek-ai/DeepSeek-V2-Lite",
                    {**MOE, "n_routed_experts": 8, "n_shared_experts": 2,
                     "first_k_dense_replace": 1, "kv_lora_rank": 64, "q_lora_rank": None,
                     "qk_nope_head_dim": 32, "qk_rope_head_dim": 16, "v_head_dim": 32,
                     "num_key_value_heads": 4, "n_group": 1, "topk_group": 1, "head_dim": 16}),
    "deepseek_v3": ("deepseek-ai/DeepSeek-V3",
                    {**MOE, "n_routed_experts": 8, "n_shared_experts": 1,
                     "first_k_dense_replace": 1, "kv_lora_rank": 64, "q_lora_rank": 96,
                     "qk_nope_head_dim": 32, "qk_rope_head_dim": 16, "v_head_dim": 32,
                     "num_key_value_heads": 4, "n_group": 1, "topk_group": 1, "head_dim": 16}),
}  # fmt: skip
DROP = ("quantization_config", "auto_map", "rope_scaling", "text_config", "vision_config")
PRECISIONS = ("fp32", "amp-bf16", "bf16")
SEQS = (512,)


def shrunk(family: str) -> dict:
    hf_id, changes = SHRUNK[family]
    base = dict(PRESETS[hf_id]["config"])
    base = {k: v for k, v in base.items() if k not in DROP}
    if base["model_type"] == "gemma3_text":
        base.pop("layer_types", None)
    return {**base, **DENSE, **NO_TOKENS, **changes, "_name_or_path": f"{family}-tiny"}


def config_path(family: str) -> Path:
    return CONFIGS / f"{family}-tiny.json"


def cases(family: str) -> list[mf.Case]:
    model = str(config_path(family).relative_to(ROOT))
    return [
        (model, batch, seq, precision, "adamw-foreach", ckpt)
        for precision, ckpt, batch, seq in itertools.product(
            PRECISIONS, (False, True), (1, 4), SEQS
        )
    ]


def main() -> int:
    families = sys.argv[1:] or list(SHRUNK)
    CONFIGS.mkdir(parents=True, exist_ok=True)
    todo = []
    for family in families:
        config_path(family).write_text(json.dumps(shrunk(family), indent=1) + "\n")
        done = OUT / f"{family}.jsonl"
        lines = done.read_text().splitlines() if done.exists() else []
        seen = {json.loads(x)["case_key"] for x in lines}
        todo += [c for c in cases(family) if json.dumps(c) not in seen]

    def keep(result: dict) -> None:
        if "error" in result:
            print(f"FAILED {result['case']}: {result['error']}", flush=True)
            return
        family = Path(result["model"]).name.removesuffix("-tiny.json")
        case = [result["model"], result["batch_size"], result["seq_len"], result["precision"],
                result["optimizer"], result["grad_checkpointing"]]  # fmt: skip
        result["case_key"] = json.dumps(case)
        with (OUT / f"{family}.jsonl").open("a") as file:
            file.write(json.dumps(result) + "\n")
        print(f"{family} {case[1:]}: {result['peak_bytes_steady']:,}", flush=True)

    mf.run_all(todo, 2, 600.0, keep=keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
