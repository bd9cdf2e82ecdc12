"""Census of the tensors autograd saves for backward, per decoder layer, on the fake CUDA device.

A tool for deriving the `pytorch` profile's activation recipes from what transformers' modeling
code really keeps (not a reference for accuracy: the whole-step fixtures are). Each saved
tensor is grouped by its size per token (numel / (batch·seq)) and dtype, deduplicated by storage.

Run: .venv/bin/python scripts/activation_census.py FAMILY PRECISION [--ckpt]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Tiny shapes with distinct per-token sizes: h 96, f 224, heads 4 × d 32 (q 128), kv 2 (64).
TINY = {"hidden_size": 96, "intermediate_size": 224, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 32, "num_hidden_layers": 2, "vocab_size": 1000}
ALIASES = {"n_embd": "hidden_size", "n_embed": "hidden_size", "n_inner": "intermediate_size",
           "ffn_dim": "intermediate_size", "n_head": "num_attention_heads",
           "num_heads": "num_attention_heads", "n_layer": "num_hidden_layers",
           "num_layers": "num_hidden_layers", "word_embed_proj_dim": "hidden_size"}

CHILD = r'''
import ctypes, json, os, sys
ctypes.CDLL(os.environ["LLMEM_FAKE_CUDA_GUARD"], mode=ctypes.RTLD_GLOBAL)
import torch
from collections import defaultdict
from llmem_core.measure import _fake_cuda
from torch._subclasses.fake_tensor import FakeTensorMode
from transformers import AutoConfig, AutoModelForCausalLM
spec = json.loads(sys.argv[1])
_fake_cuda.install()
cfg = dict(spec["config"]); mt = cfg.pop("model_type")
B, S = 2, 64
dtype = {"fp32": torch.float32, "amp-bf16": torch.float32, "bf16": torch.bfloat16}[spec["precision"]]
with FakeTensorMode(), torch.device("cuda"):
    config = AutoConfig.for_model(mt, **cfg); config.use_cache = False
    kw = {"dtype": dtype}
    if spec["attn"]: kw["attn_implementation"] = spec["attn"]
    model = AutoModelForCausalLM.from_config(config, **kw).train()
    if spec["ckpt"]:
        model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False, "preserve_rng_state": False})
    import re
    layers = [m for n, m in model.named_modules() if re.search(r"\.(layers|h)\.\d+$", n)]
    shapes = {tuple(p.shape) for p in model.parameters() if p.dim() >= 2}
    where = ["outside"]
    for i, layer in enumerate(layers):
        layer.register_forward_pre_hook(lambda m, a, i=i: where.__setitem__(0, f"layer{i}"))
        layer.register_forward_hook(lambda m, a, o: where.__setitem__(0, "outside"))
    seen, rows = set(), defaultdict(int)
    params = {p.untyped_storage()._cdata for p in model.parameters()}
    def pack(t):
        st = t.untyped_storage()
        key = st._cdata
        if key not in seen and key not in params:
            seen.add(key)
            per_tok = st.nbytes() / (B * S)
            kind = "wcopy:" if tuple(t.shape) in shapes and t.dim() >= 2 and t.shape[0] != B else ""
            rows[(kind + where[0], str(t.dtype).replace("torch.", ""), per_tok)] += 1
        return t
    ids = torch.randint(0, 1000, (B, S))
    ac = torch.autocast("cuda", dtype=torch.bfloat16) if spec["precision"] == "amp-bf16" else torch.autocast("cuda", enabled=False)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), ac:
        loss = model(input_ids=ids, labels=ids).loss
print(json.dumps([[w, d, b, n] for (w, d, b), n in sorted(rows.items())]))
'''


def tiny_config(hf_id: str) -> tuple[dict, str | None]:
    rec = json.loads((ROOT / "presets" / "hf-model-configs.json").read_text())[hf_id]
    cfg = dict(rec["config"])
    for key in list(cfg):
        target = ALIASES.get(key, key)
        if target in TINY and key != "head_dim" or key in TINY:
            cfg[key] = TINY[target]
    for key in ("num_key_value_heads", "head_dim"):
        if key not in rec["config"]:
            cfg.pop(key, None)
    if "n_inner" in cfg or cfg.get("model_type") in ("gpt2", "codegen", "gpt_bigcode"):
        cfg["n_inner"] = TINY["intermediate_size"]
    if cfg.get("model_type") == "gpt_neo":
        cfg["attention_types"] = [[["global"], 2]]
        cfg["intermediate_size"] = TINY["intermediate_size"]
    if cfg.get("model_type") == "codegen":
        cfg["rotary_dim"] = 16
    return cfg, rec["attention_impl_default"]


def main() -> int:
    from llmem_core.measure.guard import guard_library

    hf_id, precision = sys.argv[1], sys.argv[2]
    cfg, attn = tiny_config(hf_id)
    spec = {"config": cfg, "precision": precision, "ckpt": "--ckpt" in sys.argv, "attn": attn}
    env = {**os.environ, "LLMEM_FAKE_CUDA_GUARD": str(guard_library())}
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(spec)], env=env,
                         capture_output=True, text=True, check=False)
    if out.returncode:
        print(out.stderr[-3000:])
        return 1
    rows = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{hf_id} {precision} ckpt={'--ckpt' in sys.argv} cfg h/f/q/kv = 96/224/128/64 "
          f"(per-token sizes in bytes; /2 or /4 for elements)")
    for where, dtype, per_tok, n in rows:
        if where.split(":")[-1] in ("layer0", "outside"):
            print(f"  {where:<8} {dtype:<9} {per_tok:>10.2f} B/token  × {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
