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

from dataclasses import dataclass
from functools import lru_cache

from llmem_core.components import activations, lm_head, optimizer, runtime, transient, weights
from llmem_core.parallelism import Parallelism
from llmem_core.request import Request
from llmem_core.results import Breakdown, Levels, Phase, Term


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _model_states(req: Request, lay: Parallelism) -> tuple[int, int]:
    """(resident model states, all-gathered beyond the shard) per GPU."""
    arch, cs = req.model, req.runtime.chunk_size
    if not lay.sharded:
        return _ceil_div(weights.paper_model_state_bytes(arch, cs), lay.tp), 0
    p16, p32 = weights.paper_fp16_bytes(arch, cs), weights.paper_fp32_bytes(arch, cs)
    own = _ceil_div(p16, lay.gpus) + _ceil_div(p32, lay.gpus)
    return own, transient.gathered_beyond_shard(p16, lay.tp, lay.gpus)


@dataclass(frozen=True)
class Prepared:
    """The batch-independent terms (model states, optimizer states, m_base), computed once."""

    request: Request
    states: int
    gathered: int
    optimizer: int
    base: int

    def breakdown(self, batch: int) -> Breakdown:
        req, seq = self.request, self.request.training.seq_len
        arch, tp = req.model, req.parallel.tp
        return Breakdown.model_construct(
            transformer=self.states,
            lm_head=lm_head.paper_lm_head_bytes(arch, batch, seq),
            optimizer=self.optimizer,
            activations=activations.paper_activation_bytes(arch, batch, seq),
            transient=self.gathered + transient.paper_tp_backward_bytes(arch, batch, seq, tp),
            runtime=self.base,
        )

    def peak(self, batch: int) -> int:
        return self.breakdown(batch).total

    def levels(self, batch: int) -> Levels:
        """Gemini's figures: no allocator model; device = the paper's m_peak (m_base incl.)."""
        parts = self.breakdown(batch)
        tensors = parts.total - parts.runtime
        return Levels(tensors, tensors, tensors, tensors, parts.total, parts.total, parts.total)

    def evaluate_all(self, batch: int) -> tuple[Breakdown, Phase, dict[Phase, int], Levels]:
        return (*self.evaluate(batch), self.levels(batch))

    def evaluate(self, batch: int) -> tuple[Breakdown, Phase, dict[Phase, int]]:
        """The paper sums every term as coexisting: one phase, the backward of a steady step."""
        parts = self.breakdown(batch)
        return parts, Phase.BACKWARD, {Phase.BACKWARD: parts.total}


def prepare(req: Request) -> Prepared:
    lay = req.parallel
    states, gathered = _model_states(req, lay)
    shards = lay.gpus if (lay.sharded or lay.tp > 1) else 1
    return Prepared(
        request=req,
        states=states,
        gathered=gathered,
        optimizer=_ceil_div(optimizer.paper_optimizer_bytes(req.model), shards),
        base=runtime.cuda_context_bytes(req.runtime),
    )


def notes(req: Request) -> tuple[str, ...]:
    return ("The paper's equations describe Colossal-AI Gemini (2023), not eager PyTorch.",)


SOURCE = "LLMem (Kim et al., IJCAI 2024)"


@lru_cache(maxsize=1)
def _terms() -> tuple[Term, ...]:
    rows = [
        (
            "transformer",
            "m_p: fp16 params (+ grads in place) and fp32 master, Gemini chunks",
            "⌈(embed_p + ⌈other_p/cs⌉·cs)·2⌉_p + ⌈…·4⌉_p, sharded per method",
            "§3",
        ),
        (
            "lm_head",
            "m_lm: logits, two shifted copies, fp16 lm_head weight",
            "⌈bs·sl·V·B⌉_p + 2·⌈bs·(sl−1)·V·B⌉_p + lm_p·2",
            "§3",
        ),
        (
            "optimizer",
            "m_os: Adam momentum and variance, fp32",
            "Σ_t 2·⌈4·t_p⌉_p over Embedding/Linear weights, ÷ gpu_n when sharded",
            "§3",
        ),
        (
            "activations",
            "m_out: layer outputs kept by gradient checkpointing",
            "⌈(e_n + l_n)·bs·sl·o_n·2⌉_p",
            "§3",
        ),
        (
            "transient",
            "all-gathered fp16 params beyond the shard + TP backward all-gather",
            "m_p16/tp_n − m_p16/gpu_n + ⌈l_n·bs·sl·o_n·(tp_n−1)/tp_n·2⌉_p",
            "§4",
        ),
    ]
    terms = [Term(component=c, name=n, formula=f, source=f"{SOURCE} {s}") for c, n, f, s in rows]
    base = Term(
        component="runtime",
        name="m_base: CUDA context before any tensor",
        formula="input (default 512 MiB, heuristic)",
        source="shared/docs/llmem-method.md §7",
    )
    return (*terms, base)


def terms(req: Request, parts: Breakdown) -> tuple[Term, ...]:
    return _terms()
