"""Which linear layers LoRA adapts, and what the adapters and a 4-bit base weigh (elements).

`--lora-targets` is `attn` (every attention projection), `all-linear` (peft's own value: every
nn.Linear of the decoder layers; peft leaves the output layer out, peft/tuners/tuners_utils.py
`_maybe_include_all_linear_layers`) or a comma list of Hugging Face module names, matched as
peft matches them: by the last part of the module's name (`c_proj` in GPT-2 is both the
attention output and the MLP's down projection, and peft adapts both). Names are mapped to
roles for every family alike (`fc1` is an MLP's first linear wherever it is used), so a name a
model does not have is taken for its role there: peft itself would refuse it.

An adapter on a linear of n_in → n_out weighs r·(n_in + n_out) (lora_A: r × n_in, lora_B:
n_out × r; peft/tuners/lora/layer.py `LoraLayer.update_layer`).

QLoRA's base (bitsandbytes `Params4bit`, `quantize_4bit`, bitsandbytes/functional.py): 4-bit
NF4 codes, two per byte, plus one absmax per block of 64 weights; double quantisation
(`compress_statistics=True`, the QLoRA default) stores those absmax as 8-bit codes in blocks of
256 with one fp32 absmax per block, plus their mean (offset) and a 256-entry fp32 code book.
Only the decoder layers' linears are quantised (transformers' bitsandbytes integration skips
the output layer: `get_keys_to_not_convert`); embeddings, norms and lm_head keep their dtype.
"""

from __future__ import annotations

from functools import lru_cache

from llmem_core.errors import InputError, echo
from llmem_core.models import LORA_ALL_LINEAR, LORA_ATTN, Architecture, Family
from llmem_core.params import Tensor, layer_tensors

# Our canonical linear roles (params.py names a layer's tensors `…attn.q`, `…mlp.up` …).
ATTN_ROLES = frozenset({"q", "k", "v", "o", "qkv", "q_a", "q_b", "kv_a", "kv_b"})  # + MLA's
MLP_ROLES = frozenset({"gate", "up", "down", "gate_up"})

# Hugging Face module names → roles (every family llmem knows; a name used by several families
# for the same job appears once). GPT-2 and GPTBigCode share `c_proj` between attention and MLP.
HF_NAMES: dict[str, frozenset[str]] = {
    "q_proj": frozenset({"q"}),
    "k_proj": frozenset({"k"}),
    "v_proj": frozenset({"v"}),
    "o_proj": frozenset({"o"}),
    "out_proj": frozenset({"o"}),
    "dense": frozenset({"o"}),  # BLOOM's self_attention.dense
    "qkv_proj": frozenset({"qkv"}),
    "query_key_value": frozenset({"qkv"}),
    "c_attn": frozenset({"qkv"}),
    "c_proj": frozenset({"o", "down"}),
    "gate_proj": frozenset({"gate"}),
    "up_proj": frozenset({"up"}),
    "down_proj": frozenset({"down"}),
    "gate_up_proj": frozenset({"gate_up"}),
    "q_a_proj": frozenset({"q_a"}),  # DeepSeek's latent attention
    "q_b_proj": frozenset({"q_b"}),
    "kv_a_proj_with_mqa": frozenset({"kv_a"}),
    "kv_b_proj": frozenset({"kv_b"}),
    "fc1": frozenset({"up"}),
    "fc2": frozenset({"down"}),
    "c_fc": frozenset({"up"}),
    "dense_h_to_4h": frozenset({"up"}),
    "dense_4h_to_h": frozenset({"down"}),
    **{role: frozenset({role}) for role in ATTN_ROLES | MLP_ROLES},
}

# The attention projections' module names per family (for peft's target_modules in `measure`).
ATTN_MODULES: dict[Family, tuple[str, ...]] = {
    Family.OPT: ("q_proj", "k_proj", "v_proj", "out_proj"),
    Family.BIOGPT: ("q_proj", "k_proj", "v_proj", "out_proj"),
    Family.GPT_NEO: ("q_proj", "k_proj", "v_proj", "out_proj"),
    Family.BLOOM: ("query_key_value", "self_attention.dense"),
    Family.CODEGEN: ("qkv_proj", "out_proj"),
    Family.GPT2: ("attn.c_attn", "attn.c_proj"),
    Family.GPT_BIGCODE: ("attn.c_attn", "attn.c_proj"),
    Family.PHI3: ("qkv_proj", "o_proj"),
    **dict.fromkeys(
        (Family.DEEPSEEK_V2, Family.DEEPSEEK_V3),
        ("q_proj", "q_a_proj", "q_b_proj", "kv_a_proj_with_mqa", "kv_b_proj", "o_proj"),
    ),
}
LLAMA_ATTN = ("q_proj", "k_proj", "v_proj", "o_proj")


def roles(targets: str) -> frozenset[str]:
    """The linear roles a --lora-targets value adapts; InputError naming lora_targets."""
    if targets == LORA_ATTN:
        return ATTN_ROLES
    if targets == LORA_ALL_LINEAR:
        return ATTN_ROLES | MLP_ROLES
    found: set[str] = set()
    for name in (n.strip() for n in targets.split(",")):
        leaf = name.rsplit(".", 1)[-1]
        if leaf not in HF_NAMES:
            raise InputError(
                "lora_targets",
                f"{echo(name)} is not a linear llmem knows; give attn, all-linear or a comma "
                f"list of {', '.join(sorted(HF_NAMES))}",
            )
        found |= HF_NAMES[leaf]
    return frozenset(found)


def peft_target_modules(family: Family, targets: str) -> str | list[str]:
    """peft's `target_modules` for a --lora-targets value (used by `llmem measure`)."""
    if targets == LORA_ALL_LINEAR:
        return LORA_ALL_LINEAR
    if targets == LORA_ATTN:
        return list(ATTN_MODULES.get(family, LLAMA_ATTN))
    return [n.strip() for n in targets.split(",")]


def _role(tensor: Tensor) -> str | None:
    """'layers.3.attn.q.weight' → 'q'; None for biases, norms and expert tensors."""
    if tensor.kind != "linear" or not tensor.name.endswith(".weight"):
        return None
    return tensor.name.removesuffix(".weight").rsplit(".", 1)[-1]


def adapted(arch: Architecture, targets: frozenset[str]) -> tuple[tuple[int, int], ...]:
    """(n_in, n_out) of each adapted linear of one decoder layer."""
    return tuple(shape for role, shape in _linears(arch) if role in targets)


@lru_cache(maxsize=256)
def _linears(arch: Architecture) -> tuple[tuple[str, tuple[int, int]], ...]:
    """(role, (n_in, n_out)) of one decoder layer's linear weights, from params.py's shapes."""
    h, f, q = arch.hidden_size, arch.intermediate_size, arch.num_attention_heads * arch.head_dim
    if arch.mla is not None:  # o_proj takes every head's value (DeepseekV2/V3Attention)
        q = arch.num_attention_heads * arch.mla.v_head_dim
    if arch.moe:  # a MoE layer's linears: attention and shared experts (the experts are 3-D
        f = arch.shared_expert_size or f  # parameters, not nn.Linear; the router is no target)
    inputs = {"q": h, "k": h, "v": h, "qkv": h, "o": q, "gate": h, "up": h, "gate_up": h, "down": f}
    if arch.mla is not None:
        inputs |= {"q_a": h, "q_b": arch.mla.q_lora_rank, "kv_a": h, "kv_b": arch.mla.kv_lora_rank}
    out = []
    for t in layer_tensors(arch, arch.num_layers - 1):  # DeepSeek: a MoE layer, as most are
        role = _role(t)
        if role in inputs and ".experts." not in t.name and ".router." not in t.name:
            out.append((role, (inputs[role], t.numel // inputs[role])))
    return tuple(out)


def adapter_params(arch: Architecture, targets: frozenset[str], rank: int) -> int:
    """Trainable elements of all adapters: layers · Σ r·(n_in + n_out)."""
    per_layer = sum(rank * (n_in + n_out) for n_in, n_out in adapted(arch, targets))
    return arch.num_layers * per_layer


def quantised_linear_params(arch: Architecture) -> int:
    """Elements of the decoder layers' linear weights (what bitsandbytes quantises)."""
    return arch.num_layers * sum(n_in * n_out for _, (n_in, n_out) in _linears(arch))


def largest_linear(arch: Architecture) -> int:
    """Elements of the largest linear weight of a layer (the one dequantised at a time)."""
    return max((a * b for _, (a, b) in _linears(arch)), default=0)


# bitsandbytes 4-bit storage (bitsandbytes/functional.py quantize_4bit; nn/modules.py
# Params4bit: blocksize 64, compress_statistics=True for QLoRA; quantize_blockwise: 256).
NF4_BLOCK = 64
NF4_NESTED_BLOCK = 256
NF4_CODE_BOOK = 256 * 4  # the double quantisation's fp32 code book, per tensor


def nf4_bytes(numel: int, double_quant: bool = True) -> int:
    """Bytes of one weight stored as NF4: codes, absmax (8-bit + fp32 per 256 when nested)."""
    blocks = -(-numel // NF4_BLOCK)
    codes = -(-numel // 2)
    if not double_quant:
        return codes + 4 * blocks
    nested = -(-blocks // NF4_NESTED_BLOCK)
    return codes + blocks + 4 * nested + 4 + NF4_CODE_BOOK  # + offset (one fp32)
