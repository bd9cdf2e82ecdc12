"""Profile `paper`: LLMem (Kim et al., IJCAI 2024, §3–4) as the authors' code computes it, for
Colossal-AI Gemini (github.com/taehokim20/LLMem @ 3d289b4; docs/paper-profile.md lists every
place the code and the printed equations differ, and what this profile does).

    single, CDP: m_base + m_p + m_os + m_out + m_lm
    ADP:         m_base + m_p/gpu_n + m_p16·(gpu_n−1)/gpu_n + m_os/gpu_n + m_out + m_lm
    TP:          m_base + m_p(tp shard) + m_os/gpu_n + m_out + m_lm + m_back
    DP+TP:       m_base + m_p/gpu_n + m_p16·(1/tp_n − 1/gpu_n) + m_os/gpu_n + m_out + m_lm + m_back
m_p is what the code measures in its base after wrapping the model: Gemini's fp16 and fp32
chunks per GPU (components/gemini.py); the other terms are size_estimator.py's, rounded per
tensor as it rounds them (components/paper_walk.py). The paper sums every term as if all
coexist; its peak phase is the backward pass of a steady-state step. Its batch search raises bs
by one until the sum exceeds the GPU (size_estimator.py bs_search); the sum only grows with bs,
so plan.py's bisection finds the same batch (tests/test_paper_tables.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from llmem_core.components import activations, lm_head, optimizer, runtime, transient, weights
from llmem_core.request import Request
from llmem_core.results import Breakdown, Levels, Phase, Term


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

    def host_bytes(self, batch: int) -> int:
        """The paper sizes GPU memory only: no CPU memory is modelled (0)."""
        return 0

    def evaluate(self, batch: int) -> tuple[Breakdown, Phase, dict[Phase, int]]:
        """The paper sums every term as coexisting: one phase, the backward of a steady step."""
        parts = self.breakdown(batch)
        return parts, Phase.BACKWARD, {Phase.BACKWARD: parts.total}


def prepare(req: Request) -> Prepared:
    lay, arch = req.parallel, req.model
    shards = lay.gpus if (lay.sharded or lay.tp > 1) else 1
    return Prepared(
        request=req,
        states=weights.paper_model_state_bytes(arch, lay, req.runtime.chunk_size),
        gathered=transient.paper_gathered_bytes(arch, lay),
        optimizer=optimizer.paper_optimizer_bytes(arch, shards),
        base=runtime.paper_base_bytes(req.runtime),
    )


def notes(req: Request) -> tuple[str, ...]:
    return (
        "The paper profile follows the LLMem authors' code for Colossal-AI Gemini (2023), "
        "not eager PyTorch.",
        "m_base is measured on the machine in the paper (it prints no value): set "
        "--cuda-context-mib to yours; the default is llmem's 512 MiB heuristic.",
    )


SOURCE = "LLMem (Kim et al., IJCAI 2024)"
CODE = "github.com/taehokim20/LLMem@3d289b4"


@lru_cache(maxsize=1)
def _terms() -> tuple[Term, ...]:
    rows = [
        (
            "transformer",
            "m_p: Gemini's fp16 (+ grads in place) and fp32 chunks held per GPU, and buffers",
            "Σ_chunks ⌈shard·2⌉_p + ⌈shard·4⌉_p, chunks as search_chunk_configuration sizes them",
            f"{SOURCE} §3; {CODE} (measured in its m_base), colossalai/zero/gemini/chunk",
        ),
        (
            "lm_head",
            "m_lm: logits, two shifted copies, lm_p (last walked parameter, fp16)",
            "⌈bs·sl·V·B⌉_p + 2·⌈bs·(sl−1)·V·B⌉_p + ⌈2·lm_p⌉_p",
            f"{SOURCE} §3; {CODE} size_estimator.py L184-205",
        ),
        (
            "optimizer",
            "m_os: Adam momentum and variance, fp32, per Embedding/Linear parameter",
            "Σ_{t ≠ last} 2·⌈4·t_p / gpu_n⌉_p (gpu_n = 1 on one GPU and under CDP)",
            f"{SOURCE} §3; {CODE} size_estimator.py L141-148",
        ),
        (
            "activations",
            "m_out: block-boundary tensors kept by gradient checkpointing, probe token ids",
            "Σ_{l_n + 2 boundaries} ⌈bs·sl·o·2⌉_p + ⌈2·sl·8⌉_p",
            f"{SOURCE} §3; {CODE} size_estimator.py L27-101, L153-172",
        ),
        (
            "transient",
            "fp16 parameters gathered beyond the shard + TP backward all-gather",
            "Σ_t ⌈⌈2·t_p⌉_p·f⌉_p (ADP f = 1 − 1/gpu_n; DP+TP 1/tp_n − 1/gpu_n)"
            " + Σ_{l_n − 1} ⌈bs·sl·o·2·(tp_n−1)/tp_n⌉_p",
            f"{SOURCE} §4; {CODE} size_estimator.py L128-140, L174-182",
        ),
    ]
    terms = [Term(component=c, name=n, formula=f, source=s) for c, n, f, s in rows]
    base = Term(
        component="runtime",
        name="m_base: memory in use before the model's chunks (measured in the paper)",
        formula="input (default 512 MiB, heuristic: the paper prints no value)",
        source=f"{CODE} dp_real.py L266-274, L360-363",
    )
    return (*terms, base)


def terms(req: Request, parts: Breakdown) -> tuple[Term, ...]:
    return _terms()
