"""Cost module: an independent check of the FLOPs formula and the speed of a full ranking.

    .venv/bin/python bench/bench_cost.py

1. PaLM 540B (Chowdhery et al. 2022, Table 3): 238.3K tokens/s on 6,144 TPU v4 chips at
   275 TFLOP/s bf16 is 46.2 % MFU; our FLOPs per token must give the same.
2. rank_plans over the whole catalog (26 GPUs) for three model sizes, counts up to 16 and 64.
"""

from __future__ import annotations

import time

from llmem_core.cost import RankOptions, Run, model_flops_per_token, rank_plans
from llmem_core.models import Architecture, Training
from llmem_core.presets import find_model, load_gpus

PALM = Architecture(
    name="palm-540b", family="llama", num_layers=118, hidden_size=18432,
    num_attention_heads=48, num_key_value_heads=1, head_dim=256, intermediate_size=73728,
    mlp_kind="gated", activation="silu", vocab_size=256000, embedding_dim=18432,
    tie_word_embeddings=True, position_embedding="rotary", learned_positions=0,
    norm_kind="rmsnorm", norms_per_layer=1, final_norm=True, qkv_bias=False, o_bias=False,
    mlp_bias=False,
)  # fmt: skip


def palm_check() -> None:
    mfu = 238.3e3 * model_flops_per_token(PALM, 2048) / (6144 * 275e12)
    print(f"PaLM 540B MFU: expected 46.2 %, computed {100 * mfu:.2f} %")


def ranking_speed() -> None:
    gpus = load_gpus()
    print(f"{'model':<28} {'max gpus':>8} {'plans':>6} {'skipped':>8} {'seconds':>8}")
    for hf_id in ("Qwen/Qwen2.5-0.5B", "meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-70B"):
        arch = find_model(hf_id).architecture
        run = Run(model=arch, training=Training(batch_size=4, seq_len=2048), dataset_tokens=10**8)
        for max_gpus in (16, 64):
            start = time.perf_counter()
            r = rank_plans(run, gpus, options=RankOptions(max_gpus=max_gpus))
            took = time.perf_counter() - start
            print(f"{hf_id:<28} {max_gpus:>8} {len(r.rows):>6} {len(r.skipped):>8} {took:>8.3f}")


if __name__ == "__main__":
    palm_check()
    ranking_speed()
