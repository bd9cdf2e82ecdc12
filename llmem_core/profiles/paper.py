"""Profile `paper`: LLMem's equations (Kim et al., IJCAI 2024, §3–4) for Colossal-AI Gemini.

    single, CDP: m_base + m_p + m_os + m_out + m_lm
    ADP:         m_base + m_p16 + (m_p32 + m_os)/gpu_n + m_out + m_lm
    TP:          m_base + (m_p + m_os)/gpu_n + m_out + m_lm + m_back
    DP+TP:       m_base + m_p16/tp_n + (m_p32 + m_os)/gpu_n + m_out + m_lm + m_back
The last is the general form: Gemini gathers the whole of its (tensor-parallel) shard of the
fp16 model, m_p16/tp_n; for the paper's one case (4 GPUs, tp_n = 2) it equals
m_peak(adp) − m_p16·tp_n/gpu_n + m_back as printed. The paper sums every term as if all
coexist; its peak phase is the backward pass of a steady-state step.
"""

from __future__ import annotations

from functools import lru_cache

from llmem_core.components import activations, lm_head, optimizer, runtime, transient, weights
from llmem_core.errors import InputError
from llmem_core.models import Breakdown, Phase, Precision, Request, Term
from llmem_core.profiles.layout import Layout, layout

PAPER_PRECISIONS = (Precision.AMP_FP16, Precision.AMP_BF16)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def check(req: Request) -> None:
    """The paper models fp16 mixed precision with checkpointing on; refuse anything else."""
    t = req.training
    if t.precision not in PAPER_PRECISIONS:
        raise InputError(
            f"precision: profile 'paper' models amp-fp16/amp-bf16 only (got {t.precision}); "
            "use --profile pytorch"
        )
    if not t.grad_checkpointing:
        raise InputError(
            "grad_checkpointing: profile 'paper' assumes it on (the paper's setting); "
            "use --profile pytorch for checkpointing off"
        )


def _model_states(req: Request, lay: Layout) -> tuple[int, int]:
    """(resident model states, all-gathered beyond the shard) per GPU."""
    arch, cs = req.model, req.runtime.chunk_size
    if not lay.sharded:
        return _ceil_div(weights.paper_model_state_bytes(arch, cs), lay.tp), 0
    p16, p32 = weights.paper_fp16_bytes(arch, cs), weights.paper_fp32_bytes(arch, cs)
    own = _ceil_div(p16, lay.gpus) + _ceil_div(p32, lay.gpus)
    return own, transient.gathered_beyond_shard(p16, lay.tp, lay.gpus)


def breakdown(req: Request) -> Breakdown:
    check(req)
    lay = layout(req)
    arch, b, s = req.model, req.training.batch_size, req.training.seq_len
    states, gathered = _model_states(req, lay)
    shards = lay.gpus if (lay.sharded or lay.tp > 1) else 1
    return Breakdown.model_construct(
        transformer=states,
        lm_head=lm_head.paper_lm_head_bytes(arch, b, s),
        optimizer=_ceil_div(optimizer.paper_optimizer_bytes(arch), shards),
        activations=activations.paper_activation_bytes(arch, b, s),
        transient=gathered + transient.paper_tp_backward_bytes(arch, b, s, lay.tp),
        runtime=runtime.cuda_context_bytes(req.runtime),
    )


def evaluate(req: Request) -> tuple[Breakdown, Phase, dict[Phase, int]]:
    """The paper sums every term as coexisting: one phase, the backward of a steady step."""
    parts = breakdown(req)
    return parts, Phase.BACKWARD, {Phase.BACKWARD: parts.total}


def peak_total(req: Request) -> int:
    return breakdown(req).total


def notes(req: Request) -> tuple[str, ...]:
    return ("The paper's equations describe Colossal-AI Gemini (2023), not eager PyTorch.",)


SOURCE = "LLMem (Kim et al., IJCAI 2024)"


@lru_cache(maxsize=1)
def _terms() -> tuple[Term, ...]:
    rows = [
        ("transformer", "m_p: fp16 params (+ grads in place) and fp32 master, Gemini chunks",
         "⌈(embed_p + ⌈other_p/cs⌉·cs)·2⌉_p + ⌈…·4⌉_p, sharded per method", "§3"),
        ("lm_head", "m_lm: logits, two shifted copies, fp16 lm_head weight",
         "⌈bs·sl·V·B⌉_p + 2·⌈bs·(sl−1)·V·B⌉_p + lm_p·2", "§3"),
        ("optimizer", "m_os: Adam momentum and variance, fp32",
         "Σ_t 2·⌈4·t_p⌉_p over Embedding/Linear weights, ÷ gpu_n when sharded", "§3"),
        ("activations", "m_out: layer outputs kept by gradient checkpointing",
         "⌈(e_n + l_n)·bs·sl·o_n·2⌉_p", "§3"),
        ("transient", "all-gathered fp16 params beyond the shard + TP backward all-gather",
         "m_p16/tp_n − m_p16/gpu_n + ⌈l_n·bs·sl·o_n·(tp_n−1)/tp_n·2⌉_p", "§4"),
    ]
    terms = [Term(component=c, name=n, formula=f, source=f"{SOURCE} {s}") for c, n, f, s in rows]
    base = Term(component="runtime", name="m_base: CUDA context before any tensor",
                formula="input (default 512 MiB, heuristic)",
                source="shared/docs/llmem-method.md §7")
    return (*terms, base)


def terms(req: Request, parts: Breakdown) -> tuple[Term, ...]:
    return _terms()
