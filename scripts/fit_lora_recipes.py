"""Derive the `pytorch` profile's LoRA activation recipes from a census of what autograd saves.

The same census as scripts/fit_activation_recipes.py (tiny models of several shapes, one forward
on the fake CUDA device, every tensor saved for backward recorded once by storage; parameters
and 16-bit weight copies excluded), but with the model wrapped by peft's LoRA (dropout 0,
targets `attn` or `all-linear`): the base is frozen, so a frozen linear keeps nothing for its
weight's gradient, while each adapter keeps its input and its r-wide middle. The rank varies
between shapes (4, 8, 12), so the fit has one more size, t·r:
    layer = t·(c_h·h + c_f·f + c_q·q + c_kv·kv + c_a·a + c_d·d + c_as·a·S + c_s·S
               + c_r·r + c_t) + c_1
LoRA dropout (p > 0) adds, per adapted linear, its 1-byte mask and the dropped input: the
profile adds that analytically and the whole-step fixtures check it.

Writes llmem_core/presets/lora-recipes.json. Run: .venv/bin/python scripts/fit_lora_recipes.py
[FAMILY …] (all: ~15 min on 2 cores).
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import fit_activation_recipes as fit

from llmem_core.models import (  # beside this script: the shared census and its fit
    LORA_ALL_LINEAR,
    LORA_ATTN,
)

OUT = fit.ROOT / "llmem_core" / "presets" / "lora-recipes.json"
TARGETS = (LORA_ATTN, LORA_ALL_LINEAR)  # the two censuses
RANKS = (4, 8, 12)

CHILD = fit.CHILD.replace(
    "        model = AutoModelForCausalLM.from_config(config, **kw).train()\n",
    "        model = AutoModelForCausalLM.from_config(config, **kw).train()\n"
    "        from peft import LoraConfig, get_peft_model\n"
    "        from llmem_core.adapters import peft_target_modules\n"
    "        from llmem_core.measure._session import _adapters_made_in_place\n"
    "        from llmem_core.models import Family\n"
    "        lcfg = LoraConfig(r=job['ranks'][len(results)], lora_alpha=16, lora_dropout=0.0,\n"
    "            target_modules=peft_target_modules(Family(model_type), job['targets']),\n"
    "            task_type='CAUSAL_LM')\n"
    "        with _adapters_made_in_place():\n"
    "            model = get_peft_model(model, lcfg).train()\n",
)
assert "get_peft_model" in CHILD


def measure(family: str, precision: str, targets: str) -> list[tuple[tuple, int, dict]]:
    rec, runs = fit.census_runs(family)
    ranks = [RANKS[i % len(RANKS)] for i in range(len(runs))]
    job = {
        "precision": precision,
        "attn": rec["attention_impl_default"],
        "configs": [[c, s[5]] for s, c in runs],
        "ranks": ranks,
        "targets": targets,
    }
    saved = fit.run_child(CHILD, job, f"{family} {precision} {targets}")
    return [(s, r, out) for (s, _), r, out in zip(runs, ranks, saved, strict=True)]


def recipe(family: str, precision: str, targets: str) -> dict:
    data = measure(family, precision, targets)
    layer = []
    for s, r, _ in data:
        base = fit.columns(family, s)[0]
        layer.append([*base[:-2], fit.BATCH * s[5] * r, *base[-2:]])  # t·r before t and 1
    outside = [fit.columns(family, s)[1] for s, _, _ in data]
    total = [o["layer0"] + o["layer1"] + o["outside"] for _, _, o in data]
    names = ["h", "f", "q", "kv", "heads", "head_dim", "heads_x_seq", "seq", "rank", "one"]
    fitted = fit.solve(layer, [o["layer1"] for _, _, o in data], [*names, "const"])
    return {
        "layer": fit.split_attention(family, precision, fitted),
        "outside": fit.solve(
            outside,
            [x - 2 * o["layer1"] for x, (_, _, o) in zip(total, data, strict=True)],
            ["h", "vocab", "head_dim", "seq", "one", "const"],
        ),
    }


def main() -> int:
    only = sys.argv[1:]
    jobs = [
        (f, p, t)
        for f in fit.FAMILIES
        for p in fit.PRECISIONS
        for t in TARGETS
        if not only or f in only
    ]

    def attempt(job: tuple[str, str, str]) -> dict:
        try:
            return recipe(*job)
        except RuntimeError as err:
            print(err, file=sys.stderr)
            return {"error": str(err)[-500:]}

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(attempt, jobs))
    previous = json.loads(OUT.read_text())["recipes"] if OUT.exists() else {}
    out: dict = {
        "source": "scripts/fit_lora_recipes.py: census of tensors saved for backward under "
        "peft LoRA (dropout 0; torch 2.13.0, transformers 5.24.0, peft 0.21.2, fake CUDA "
        "device), solved per token; `rank` multiplies t·r",
        "units": "bytes; layer = t·Σ c·size + const per decoder layer, outside = embedding, "
        "final norm, lm_head input and loss",
        "recipes": previous if only else {},
    }
    for (family, precision, targets), result in zip(jobs, results, strict=True):
        out["recipes"].setdefault(family, {}).setdefault(targets, {})[precision] = result
        if "error" not in result:
            print(f"{family:<12} {precision:<9} {targets:<10} {result['layer']['coefficients']}")
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
