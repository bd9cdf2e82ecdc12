"""Derive the `pytorch` profile's activation recipes from a census of what autograd saves.

For each family and precision, tiny models of several shapes run one forward pass on the fake
CUDA device (llmem_core.measure) with `saved_tensors_hooks` recording every tensor saved for
backward (deduplicated by storage; parameters and their autocast copies excluded, which the
profile counts from the weights). The bytes saved per decoder layer, and outside the layers, are
then solved exactly as a linear combination of per-token sizes:
    layer   = t·(c_h·h + c_f·f + c_q·q + c_kv·kv + c_a·a + c_d·d + c_as·a·S + c_s·S + c_t) + c_1
    outside = t·(c_h·h + c_v·V + c_d·d + c_s·S + c_t) + c_1
(t = batch·seq tokens, d = head_dim, q = heads·d, kv = kv_heads·head_dim, a = heads, S = seq, V =
vocabulary). The result, llmem_core/presets/activation-recipes.json, is data the profile reads;
the whole-step fixtures under tests/fixtures/reference (measured independently with MemTracker
at real sizes) are what the profile is checked against.

Run: .venv/bin/python scripts/fit_activation_recipes.py [FAMILY …]  (all: ~10 min on 2 cores)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "llmem_core" / "presets" / "activation-recipes.json"
FAMILIES = {  # family → preset whose config is shrunk (Mixtral: routing is data-dependent)
    "opt": "facebook/opt-125m", "bloom": "bigscience/bloom-560m",
    "codegen": "Salesforce/codegen-350M-nl", "biogpt": "microsoft/biogpt",
    "gpt_bigcode": "bigcode/gpt_bigcode-santacoder", "gpt_neo": "EleutherAI/gpt-neo-125m",
    "gpt2": "openai-community/gpt2", "llama": "meta-llama/Llama-3.2-1B",
    "mistral": "mistralai/Mistral-7B-v0.3", "qwen2": "Qwen/Qwen2-0.5B",
    "gemma2": "google/gemma-2-2b", "phi3": "microsoft/Phi-3-mini-4k-instruct",
    # issue #13
    "qwen3": "Qwen/Qwen3-0.6B", "qwen3_moe": "Qwen/Qwen3-30B-A3B",
    "gemma3": "google/gemma-3-1b-pt", "olmo2": "allenai/OLMo-2-1124-7B",
    "smollm3": "HuggingFaceTB/SmolLM3-3B", "gpt_oss": "openai/gpt-oss-20b",
    "deepseek_v2": "deepseek-ai/DeepSeek-V2-Lite", "deepseek_v3": "deepseek-ai/DeepSeek-V3",
}  # fmt: skip
PRECISIONS = ("fp32", "amp-bf16", "bf16")
BATCH = 2
# (h, f, heads, kv_heads, head_dim, seq, vocab): the base, then one or two sizes changed. Where a
# family has no free head_dim (q = h), head_dim is set to h / heads.
# Sequence lengths are multiples of 32: the memory-efficient kernel (fp32) pads its saved
# log-sum-exp to that, as it does at real lengths (512, 2048 …). No width equals a token count
# (64, 128, 192, 256), so a 2-D tensor's first dimension tells activations from weight copies.
BASE = (120, 232, 4, 2, 30, 64, 1000)
CHANGES = [
    {},
    {0: 136},
    {0: 168},
    {1: 328},
    {1: 296},
    {2: 6},
    {2: 8},
    {3: 4},
    {3: 1},
    {4: 38},
    {4: 26},
    {5: 32},
    {5: 96},
    {5: 128},
    {6: 1400},
    {0: 104, 1: 296, 5: 96},
    {2: 6, 4: 38},
    {2: 8, 3: 4, 4: 26},
    {2: 6, 5: 96},
    {2: 8, 5: 32},
]
EXPLICIT_HEAD_DIM = {"llama", "mistral", "qwen2", "gemma2", "phi3"}
EXPLICIT_HEAD_DIM |= {"qwen3", "qwen3_moe", "gemma3", "olmo2", "smollm3", "gpt_oss"}
# DeepSeek: the nope width (d here) is free, and even (DeepSeek-V2's rotary views q_pe as
# complex pairs: an odd nope + rope width makes the fp32 view fail).
EXPLICIT_HEAD_DIM |= {"deepseek_v2", "deepseek_v3"}
GQA = EXPLICIT_HEAD_DIM
# Issue #13: mixtures of experts and DeepSeek's latent attention add sizes of their own, varied
# one at a time around a base: experts E, experts per token k, the kv latent, the query latent
# (DeepSeek-V3) and the rotary key width. Columns: t·E (router logits and their softmax),
# t·k (top-k weights), t·k·h (each token's copies for its k experts), t·f_shared (shared
# experts), t·kv_lora, t·q_lora, t·rope, t·a·rope; f is then k·f_expert.
MOE = {"qwen3_moe", "gpt_oss", "deepseek_v2", "deepseek_v3"}
FAMILIES_2025 = MOE | {"qwen3", "gemma3", "olmo2", "smollm3"}
MLA = {"deepseek_v2", "deepseek_v3"}
EXTRA_BASE = (8, 2, 40, 56, 8)  # E, k, kv_lora_rank, q_lora_rank, qk_rope_head_dim
# E = 16 would give each expert 256 / 16 = 16 pairs, and its [16, h] input the router's [E, h]
# shape, which the census would take for a weight copy: 12 instead.
EXTRA_CHANGES = [{7: 4}, {7: 12}, {8: 1}, {8: 3}, {9: 24}, {9: 72}, {10: 40}, {10: 88},
                 {11: 16}, {11: 4}, {0: 104, 7: 4, 8: 3}, {2: 6, 9: 24, 11: 16}]  # fmt: skip
EXTRA_NAMES = ["experts", "topk", "topk_h", "shared_f", "latent", "q_latent", "rope",
               "heads_x_rope"]  # fmt: skip

CHILD = r"""
import ctypes, json, os, re, sys, weakref
ctypes.CDLL(os.environ["LLMEM_FAKE_CUDA_GUARD"], mode=ctypes.RTLD_GLOBAL)
import torch
from llmem_core.measure import _fake_cuda
from torch._subclasses.fake_tensor import FakeTensorMode
from transformers import AutoConfig, AutoModelForCausalLM
job = json.loads(sys.argv[1]); _fake_cuda.install()
THROUGH = {"SelectBackward0", "TBackward0", "ViewBackward0", "TransposeBackward0",
           "UnsafeViewBackward0", "AliasBackward0", "PermuteBackward0"}
def from_param(t):
    # autocast's copy of a weight (or of one expert's slice of it): through views and selects
    # to one ToCopy, and through views and selects from there to a parameter
    fn, casts = t.grad_fn, 0
    while fn is not None and (fn.name() in THROUGH or fn.name() == "ToCopyBackward0"):
        casts += fn.name() == "ToCopyBackward0"
        fn = fn.next_functions[0][0]
    if casts != 1:
        return False
    return fn is not None and "AccumulateGrad" in fn.name()
dtype = {"fp32": torch.float32, "amp-bf16": torch.float32, "bf16": torch.bfloat16}[job["precision"]]
results = []
for cfg, seq in job["configs"]:
    cfg = dict(cfg); model_type = cfg.pop("model_type")
    with FakeTensorMode(), torch.device("cuda"):
        config = AutoConfig.for_model(model_type, **cfg); config.use_cache = False
        kw = {"dtype": dtype}
        if job["attn"]:
            kw["attn_implementation"] = job["attn"]
        from llmem_core.measure import _moe
        kw |= _moe.build_kwargs(config, dtype, True)
        model = AutoModelForCausalLM.from_config(config, **kw).train()
        layers = [m for n, m in model.named_modules() if re.search(r"\.(layers|h)\.\d+$", n)]
        where = ["outside"]
        for i, layer in enumerate(layers):
            layer.register_forward_pre_hook(lambda m, a, i=i: where.__setitem__(0, i))
            layer.register_forward_hook(lambda m, a, o: where.__setitem__(0, "outside"))
        params = {p.untyped_storage()._cdata for p in model.parameters()}
        params |= {b.untyped_storage()._cdata for b in model.buffers()}  # counted as buffers
        tokens = 2 * seq
        shapes = {tuple(p.shape) for p in model.parameters() if p.dim() == 2}
        shapes |= {tuple(p.shape[1:]) for p in model.parameters() if p.dim() == 3}  # an expert
        seen, saved = set(), {"layer0": 0, "layer1": 0, "outside": 0, "copies": 0}
        records = []  # alive_only: (weakref to what autograd holds, storage, bytes, bucket)
        def pack(t):
            st = t.untyped_storage(); key = st._cdata
            if key in params or (key in seen and not job.get("alive_only")):
                return t
            seen.add(key)
            shape = tuple(t.shape)
            weight_like = shape in shapes or shape[::-1] in shapes
            if job.get("alive_only"):  # by provenance, not shape: a cast of a parameter
                weight_like, shape = t.dtype != dtype and from_param(t), (0,)
            two_d = t.dim() == 2 or job.get("alive_only")
            if two_d and weight_like and shape[0] not in (2, tokens) and t.dtype != dtype:
                bucket = "copies"  # autocast's 16-bit copy of a weight
            else:
                bucket = "outside" if where[0] == "outside" else f"layer{where[0]}"
            if job.get("alive_only"):
                records.append((weakref.ref(t), key, st.nbytes(), bucket))
            else:
                saved[bucket] += st.nbytes()
            return t
        ids = torch.randint(0, cfg["vocab_size"], (2, seq))
        amp = job["precision"] == "amp-bf16"
        ac = torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp)
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), ac:
            out = model(input_ids=ids, labels=ids)
        # alive_only: what the graph still holds at the end of forward, once per storage (a
        # branch whose output feeds no gradient, e.g. routing masks, is freed at once and its
        # storage address may be reused: counting by address alone would then skip tensors)
        counted = set()
        for ref, key, nbytes, bucket in records:
            if ref() is not None and key not in counted:
                counted.add(key)
                saved[bucket] += nbytes
        del out
    results.append(saved)
print(json.dumps(results))
"""


def shapes(family: str) -> list[tuple]:
    out = []
    extra = family in MOE or family in MLA
    for change in CHANGES + (EXTRA_CHANGES if extra else []):
        h, f, a, g, d, s, v = (change.get(i, x) for i, x in enumerate(BASE))
        if family not in EXPLICIT_HEAD_DIM:
            if h % a or 4 in change:
                continue
            d = h // a
        if family == "bloom":  # BLOOM's MLP is always 4·h wide
            f = 4 * h
        if family == "codegen" and a % 4:  # CodeGen splits heads into mp_num = 4 groups
            continue
        # Gemma 3's local layers pass a mask, so SDPA takes the memory-efficient kernel with
        # k and v repeated to every head: a copy for 1 < kv < heads, a view for kv = 1 (an
        # expand), none for kv = heads. The census keeps to the first (the 4B–27B models);
        # Gemma 3 1B (kv = 1) is then over-estimated by its k and v copies (README).
        if family == "gemma3" and (g == 1 or g == a):
            continue
        shape = (h, f, a, g, d, s, v)
        if extra:
            shape += tuple(change.get(i + 7, x) for i, x in enumerate(EXTRA_BASE))
        if shape not in out:
            out.append(shape)
    return out


def shrink_2025(family: str, shape: tuple) -> dict:
    """Issue #13's families at a census shape: the keys each config class reads."""
    _, f, a, _, d, *_ = shape
    e, k, kv_lora, q_lora, rope = shape[7:] if len(shape) > 7 else EXTRA_BASE
    if family == "qwen3_moe":
        return {"num_experts": e, "num_experts_per_tok": k, "moe_intermediate_size": f}
    if family == "gpt_oss":  # layer 1, "the" layer, local as half the layers are
        return {"num_local_experts": e, "num_experts_per_tok": k, "sliding_window": 16,
                "layer_types": ["full_attention", "sliding_attention"]}  # fmt: skip
    if family == "gemma3":  # both local (5 of 6 layers are), so the shared mask falls in layer 0
        return {"sliding_window": 16, "layer_types": ["sliding_attention"] * 2}
    if family == "smollm3":  # layer 1 with rotary, as 3 of 4 layers are
        return {"no_rope_layers": [0, 1], "layer_types": ["full_attention"] * 2}
    if family in MLA:
        mla = {"kv_lora_rank": kv_lora, "qk_nope_head_dim": d, "qk_rope_head_dim": rope,
               "v_head_dim": d, "num_key_value_heads": a, "head_dim": rope,
               "q_lora_rank": q_lora if family == "deepseek_v3" else None}  # fmt: skip
        moe = {"n_routed_experts": e, "num_experts_per_tok": k, "moe_intermediate_size": f,
               "n_shared_experts": 1, "first_k_dense_replace": 0, "n_group": 1,
               "topk_group": 1}  # fmt: skip
        return mla | moe
    return {}


def shrink(family: str, base: dict, shape: tuple) -> dict | None:
    """The family's config at this shape (None where the family cannot take it)."""
    h, f, a, g, d, _, vocab = shape[:7]
    if family not in EXPLICIT_HEAD_DIM and g != 2:
        return None  # no grouped heads in this family: kv_heads changes nothing
    cfg = {**base, "vocab_size": vocab}
    sizes = {
        "opt": {
            "hidden_size": h,
            "ffn_dim": f,
            "num_attention_heads": a,
            "num_hidden_layers": 2,
            "word_embed_proj_dim": h,
        },
        "bloom": {"hidden_size": h, "n_head": a, "n_layer": 2},
        "codegen": {
            "n_embd": h,
            "n_inner": f,
            "n_head": a,
            "n_layer": 2,
            "rotary_dim": 2 * (d // 4),
        },
        "biogpt": {
            "hidden_size": h,
            "intermediate_size": f,
            "num_attention_heads": a,
            "num_hidden_layers": 2,
        },
        "gpt_bigcode": {"n_embd": h, "n_inner": f, "n_head": a, "n_layer": 2},
        "gpt_neo": {
            "hidden_size": h,
            "intermediate_size": f,
            "num_heads": a,
            "num_layers": 2,
            "attention_types": [[["global", "local"], 1]],
            "window_size": 16,
        },
        "gpt2": {"n_embd": h, "n_inner": f, "n_head": a, "n_layer": 2},
    }.get(
        family,
        {
            "hidden_size": h,
            "intermediate_size": f,
            "num_attention_heads": a,
            "num_key_value_heads": g,
            "head_dim": d,
            "num_hidden_layers": 2,
        },
    )
    if family == "bloom" and f != 4 * h:
        return None
    if family == "gemma2":
        sizes |= {"sliding_window": 16, "layer_types": ["sliding_attention", "full_attention"]}
    sizes |= shrink_2025(family, shape)
    if family in FAMILIES_2025:  # token ids of the real vocabulary fall outside the census's
        sizes |= {"pad_token_id": None, "bos_token_id": None, "eos_token_id": None}
    if family in ("deepseek_v2", "deepseek_v3"):
        cfg.pop("quantization_config", None)
        cfg.pop("auto_map", None)
        cfg.pop("rope_scaling", None)  # yarn's mscale changes no saved tensor's size
    cfg.pop("quantization_config", None)  # gpt-oss: MXFP4 applies to loading, not from_config
    if family == "phi3":
        sizes |= {
            "original_max_position_embeddings": 4096,
            "pad_token_id": 0,
            "eos_token_id": 1,
            "bos_token_id": 1,
        }
    return cfg | sizes


def columns(family: str, shape: tuple) -> tuple[list[float], list[float]]:
    h, f, a, g, d, s, vocab = shape[:7]
    t = BATCH * s
    q = a * d if family in EXPLICIT_HEAD_DIM else h
    kv = g * d if family in GQA else (d if family == "gpt_bigcode" else h)
    if family in MLA:  # q and k: heads·(nope + rope); v and the output: heads·v_head_dim
        q, kv = a * (d + shape[11]), a * d
    if family in MOE:  # each token visits k experts of width f
        f = f * shape[8]
    layer = [t * h, t * f, t * q, t * kv, t * a, t * d, t * a * s, t * s, t, 1.0]
    return layer, [t * h, t * vocab, t * d, t * s, t, 1.0]


def extra_columns(family: str, shape: tuple) -> list[float]:
    """t·E, t·k, t·k·h, t·f_shared, t·kv_lora, t·q_lora, t·rope, t·a·rope (MoE and MLA)."""
    if family not in MOE and family not in MLA:
        return []
    h, f, a, _, _, s = shape[:6]
    e, k, kv_lora, q_lora, rope = shape[7:]
    t = BATCH * s
    mla = family in MLA
    shared = f if mla else 0
    latent = [t * kv_lora, t * q_lora * (family == "deepseek_v3"), t * rope, t * a * rope]
    return [t * e, t * k, t * k * h, t * shared, *(latent if mla else [0.0] * 4)]


def census_runs(family: str) -> tuple[dict, list[tuple[tuple, dict]]]:
    """The family's preset record and its shrunk configs, one per census shape that exists."""
    rec = json.loads((ROOT / "llmem_core" / "presets" / "hf-model-configs.json").read_text())[
        FAMILIES[family]
    ]
    runs = [(s, shrink(family, rec["config"], s)) for s in shapes(family)]
    return rec, [(s, c) for s, c in runs if c is not None]


def run_child(child: str, job: dict, label: str) -> list:
    """Run a census child on the guarded fake device; what its last line reports, per config."""
    from llmem_core.measure.guard import guard_library

    env = {**os.environ, "LLMEM_FAKE_CUDA_GUARD": str(guard_library()), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", child, json.dumps(job)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{label}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def measure(family: str, precision: str) -> list[tuple[tuple, dict]]:
    rec, runs = census_runs(family)
    job = {
        "precision": precision,
        "attn": rec["attention_impl_default"],
        "configs": [[c, s[5]] for s, c in runs],
        "alive_only": family in FAMILIES_2025,
    }
    saved = run_child(CHILD, job, f"{family} {precision}")
    return [(s, r) for (s, _), r in zip(runs, saved, strict=True)]


def solve(rows: list[list[float]], values: list[float], names: list[str]) -> dict:
    coef, *_ = np.linalg.lstsq(np.array(rows), np.array(values, dtype=float), rcond=None)
    fitted = np.array(rows) @ coef
    worst = float(np.max(np.abs(fitted - values)))
    return {
        "coefficients": dict(zip(names, [round(float(c), 4) for c in coef], strict=True)),
        "max_residual_bytes": round(worst, 1),
        "runs": len(values),
    }


# Families whose attention width always equals the hidden size (q = kv = h): the census cannot
# tell attention-internal tensors from the residual stream by size, yet tensor parallelism
# shards only the former. Structural assumption, as the census shows where it can tell
# (Llama-like families, GPTBigCode): attention keeps q and its output (2 tensors of q) and k
# and v (2 of kv) in the compute dtype; the rest of the h-sized bytes is the residual stream.
# Checked against the DTensor TP references (tests/test_accuracy_distributed.py).
Q_EQUALS_H = frozenset({"opt", "bloom", "codegen", "biogpt", "gpt_neo", "gpt2"})
COMPUTE_BYTES = {"fp32": 4, "amp-bf16": 2, "bf16": 2}


def split_attention(family: str, precision: str, layer: dict) -> dict:
    """The layer recipe with its h-sized bytes split into attention (q, kv) and residual (h)."""
    if family not in Q_EQUALS_H:
        return layer
    c, e = dict(layer["coefficients"]), COMPUTE_BYTES[precision]
    width = c["h"] + c["q"] + c["kv"]  # bytes per element of h, however lstsq split it
    c |= {"q": 2 * e, "kv": 2 * e, "h": round(width - 4 * e, 4)}
    return {
        **layer,
        "coefficients": c,
        "attention_split": "structural: q and kv = 2 compute-dtype tensors each",
    }


def recipe(family: str, precision: str) -> dict:
    data = measure(family, precision)
    layer = [extra_columns(family, s) + columns(family, s)[0] for s, _ in data]
    names = EXTRA_NAMES if family in MOE or family in MLA else []
    outside = [columns(family, s)[1] for s, _ in data]
    # The second layer is "the" layer: tensors every layer shares (rotary cos/sin, masks) were
    # first saved in layer 0, so they are counted once, with the outside part.
    total = [r["layer0"] + r["layer1"] + r["outside"] for _, r in data]
    fitted = solve(
        layer,
        [r["layer1"] for _, r in data],
        [*names, "h", "f", "q", "kv", "heads", "head_dim", "heads_x_seq", "seq", "one", "const"],
    )
    return {
        "layer": split_attention(family, precision, fitted),
        "outside": solve(
            outside,
            [x - 2 * r["layer1"] for x, (_, r) in zip(total, data, strict=True)],
            ["h", "vocab", "head_dim", "seq", "one", "const"],
        ),
    }


def main() -> int:
    only = sys.argv[1:]  # optional family names: refit those, keep the others from the file
    jobs = [(f, p) for f in FAMILIES for p in PRECISIONS if not only or f in only]

    def attempt(job: tuple[str, str]) -> dict:
        try:
            return recipe(*job)
        except RuntimeError as err:  # keep the others; the failure is printed and recorded
            print(err, file=sys.stderr)
            return {"error": str(err)[-500:]}

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(attempt, jobs))
    out: dict = {
        "source": "scripts/fit_activation_recipes.py: census of tensors saved for backward "
        "(torch 2.13.0, transformers 5.24.0, fake CUDA device), solved per token",
        "units": "bytes; layer = t·Σ c·size + const per decoder layer, outside = embedding, "
        "final norm, lm_head input and loss",
        "recipes": json.loads(OUT.read_text())["recipes"] if only and OUT.exists() else {},
        "census_presets": FAMILIES,  # whose features stand for each family (features.py)
    }
    previous = json.loads(OUT.read_text())["recipes"] if OUT.exists() else {}
    for (family, precision), result in zip(jobs, results, strict=True):
        kept = previous.get(family, {}).get(precision, {})
        if "derived" in kept.get("layer", {}):  # a hand-derived recipe (see its note) stays
            result["layer"] = kept["layer"]
        out["recipes"].setdefault(family, {})[precision] = result
        if "error" in result:
            continue
        worst = max(result["layer"]["max_residual_bytes"], result["outside"]["max_residual_bytes"])
        print(
            f"{family:<12} {precision:<9} layer {result['layer']['coefficients']} "
            f"(worst residual {worst:.0f} B)"
        )
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
