"""Profile `pytorch`: eager PyTorch + Hugging Face transformers, as users fine-tune today.

The peak is the largest of the step's phases in the steady state (Adam's states exist), not a
sum (shared/docs/reference-measurement.md). With P parameters, pb/gb/sb bytes per parameter,
gradient and optimizer-state element, A the kept activations and t·V the logits:
    forward end     S + A + logits (compute dtype) + fp32 upcast + log-probabilities
    backward start  S + A + 3·t·V·4   (saved log-probabilities, their gradient, the logits')
    lm_head grad    S + A + logits gradient + V·E·gb + t·E
    backward end    S + P·gb + one layer's activations (+ a tied embedding's second gradient)
    optimizer step  S + P·gb + temporary (foreach AdamW: one copy of the states, P·sb)
where S = P·pb + 2·P·sb + buffers. Activations come from census recipes per family and
precision (components/activations.py). Multi-GPU layouts: DDP adds one gradient bucket; FSDP2
shards parameters, gradients and states and gathers the root unit and one layer; DTensor TP
shards the matmul weights and the heads/MLP activations, and replicates the rest. All are
checked against rank-0 references (tests/fixtures/reference/distributed).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from llmem_core.components import activations, lm_head, optimizer, runtime, transient, weights
from llmem_core.models import (
    Architecture,
    Breakdown,
    MethodKind,
    Optimizer,
    Phase,
    Precision,
    Request,
    Term,
)
from llmem_core.params import split
from llmem_core.profiles.layout import Layout, layout

# Bytes of (parameters, compute, residual stream) per element for each precision.
# amp: fp32 weights and residual stream, matmuls in 16 bit (torch.autocast); bf16: everything.
PRECISION_BYTES = {
    Precision.FP32: (4, 4, 4),
    Precision.AMP_BF16: (4, 2, 4),
    Precision.AMP_FP16: (4, 2, 4),
    Precision.BF16: (2, 2, 2),
}


class Setup(NamedTuple):
    lay: Layout
    tokens: int
    pb: int  # parameter bytes
    e: int  # compute (activation) bytes
    rb: int  # residual-stream bytes
    recipe_precision: str
    amp: bool


def setup(req: Request) -> Setup:
    lay = layout(req)
    pb, e, rb = PRECISION_BYTES[req.training.precision]
    recipe = req.training.precision.value
    amp = req.training.precision in (Precision.AMP_BF16, Precision.AMP_FP16)
    if lay.sharded and amp:
        # FSDP2 mixed precision: bf16/fp16 parameters per unit, no autocast (reference notes).
        e, rb, recipe, amp = 2, 2, "bf16", False
    return Setup(lay, req.training.batch_size * req.training.seq_len, pb, e, rb, recipe, amp)


class States(NamedTuple):
    body: int  # transformer parameters + buffers
    lm: int  # the V·E matrix
    grads_body: int
    grads_lm: int
    optimizer: int
    temp: int


def states(req: Request, s: Setup) -> States:
    return _static(req.model, req.training, s).states


class Static(NamedTuple):
    """Everything about a request that does not depend on the batch (computed once)."""

    states: States
    buffers: transient.Buffers
    layer: activations.Rate  # one decoder layer
    outside: activations.Rate  # embedding, final norm, lm_head input
    loss: activations.Rate  # the log-probabilities the loss keeps
    layer_copy: int  # autocast 16-bit copy of one layer's matmul weights
    lm_copy: int  # … of the V·E matrix


def _static(arch: Architecture, training, s: Setup) -> Static:
    return _static_cached(arch, training.optimizer, training.seq_len, s.lay, s.pb, s.e,
                          s.recipe_precision, s.amp)


@lru_cache(maxsize=4096)
def _static_cached(arch: Architecture, kind: Optimizer, seq: int, lay: Layout, pb: int, e: int,
                   recipe: str, amp: bool) -> Static:
    sp = split(arch)
    return Static(
        states=_states(arch, kind, lay, pb),
        buffers=transient.pytorch_buffers(arch, sp, lay, pb, e),
        layer=activations.layer_rate(arch, recipe, seq, lay.tp),
        outside=activations.outside_rates(arch, recipe, seq)[0],
        loss=activations.outside_rates(arch, recipe, seq)[1],
        layer_copy=sp.layer_matmul * 2 // lay.tp if amp else 0,
        lm_copy=sp.lm_matrix * 2 if amp else 0,
    )


@lru_cache(maxsize=1024)
def _states(arch: Architecture, kind: Optimizer, lay: Layout, pb: int) -> States:
    body, lm = weights.pytorch_shard(arch, split(arch), lay)
    return States(
        body=body * pb + arch.buffer_bytes,
        lm=lm * pb,
        grads_body=body * pb,
        grads_lm=lm * pb,
        optimizer=optimizer.pytorch_state_bytes(body + lm, pb),
        temp=optimizer.pytorch_step_temporary(kind, _largest_group(arch, lay, body + lm), pb),
    )


def _largest_group(arch: Architecture, lay: Layout, local: int) -> int:
    """Parameters in the largest optimizer group. foreach/fused AdamW refuse to mix DTensor and
    plain tensors, so under tensor parallelism (without FSDP) the sharded matmul weights and
    the replicated rest are two groups, stepped one after the other (reference notes)."""
    if lay.tp == 1 or lay.sharded:
        return local
    sharded = -(-arch.num_layers * split(arch).layer_matmul // lay.tp)
    return max(sharded, local - sharded)


class Acts(NamedTuple):
    kept: int  # all layers (or their checkpointed inputs) + outside, no loss part
    one_layer: int  # one layer's full activations (recomputed or last to be freed)
    copies_forward: int  # autocast 16-bit weight copies alive at the end of forward
    copies_backward: int  # those still alive when backward starts
    loss_saved: int  # the log-probabilities the loss keeps (t·V·4)


def acts(req: Request, s: Setup) -> Acts:
    arch, t, static = req.model, s.tokens, _static(req.model, req.training, s)
    layer, outside, loss = static.layer.at(t), static.outside.at(t), static.loss.at(t)
    layer_copy, lm_copy = static.layer_copy, static.lm_copy
    if req.training.grad_checkpointing:
        kept = activations.checkpoint_bytes(arch, s.rb, s.tokens) + outside
        return Acts(kept, layer + layer_copy, arch.num_layers * layer_copy + lm_copy, lm_copy,
                    loss)
    all_copies = arch.num_layers * layer_copy + lm_copy
    return Acts(arch.num_layers * layer + outside, layer, all_copies, all_copies, loss)


Parts = tuple[int, int, int, int, int, int]  # Breakdown's fields, in order, without pydantic
FIELDS = tuple(Breakdown.model_fields)


def _phases(req: Request, s: Setup) -> dict[Phase, Parts]:
    st, a = states(req, s), acts(req, s)
    v_logits = lm_head.pytorch_logit_temporaries(req.model, s.tokens, s.e, s.pb)
    comm = _static(req.model, req.training, s).buffers
    base = runtime.cuda_context_bytes(req.runtime)

    def part(transformer: int, lm: int, opt: int, act: int, comm_bytes: int) -> Parts:
        tensors = transformer + lm + opt + act + comm_bytes
        slack = runtime.allocator_slack_bytes(req.runtime, tensors)
        return (transformer, lm, opt, act, comm_bytes, base + slack)

    backward = (
        part(st.body, st.lm + a.loss_saved + v_logits.backward_start, st.optimizer,
             a.kept + a.copies_backward, comm.backward),
        part(st.body, st.lm + st.grads_lm + v_logits.lm_head_grad, st.optimizer,
             a.kept + a.copies_backward, comm.backward),
        part(st.body + st.grads_body, st.lm + (0 if s.lay.sharded else st.grads_lm),
             st.optimizer, a.one_layer, comm.backward_bottom),
        _embedding_backward(st, v_logits, s.lay, part, comm.backward_end),
    )
    return {
        Phase.FORWARD: part(st.body, st.lm + a.loss_saved + v_logits.forward_end,
                            st.optimizer, a.kept + a.copies_forward, comm.forward),
        Phase.BACKWARD: max(backward, key=sum),
        Phase.OPTIMIZER: part(st.body + st.grads_body, st.lm + st.grads_lm,
                              st.optimizer + st.temp, 0, comm.optimizer),
    }


def _embedding_backward(st: States, v: lm_head.LogitTemporaries, lay: Layout, part,
                        comm: int) -> Parts:
    """The last moment of backward, the embedding's gradient. Unsharded, a tied V·E gradient is
    accumulated in place (v.tied_extra); under FSDP2 the root's gradients are still unsharded
    (in `comm`) and its shard of them not yet written."""
    if lay.sharded:
        return part(st.body + st.grads_body, st.lm, st.optimizer, 0, comm)
    return part(st.body + st.grads_body, st.lm + st.grads_lm + v.tied_extra, st.optimizer, 0,
                comm)


def evaluate(req: Request) -> tuple[Breakdown, Phase, dict[Phase, int]]:
    """The peak phase's parts, which phase it is, and every phase's total."""
    phases = _phases(req, setup(req))
    totals = {p: sum(parts) for p, parts in phases.items()}
    peak = max(totals, key=totals.__getitem__)
    return Breakdown.model_construct(**dict(zip(FIELDS, phases[peak], strict=True))), peak, totals


def peak_total(req: Request) -> int:
    """The peak alone: the batch search's fast path (no result objects built)."""
    return max(sum(parts) for parts in _phases(req, setup(req)).values())


def breakdown(req: Request) -> Breakdown:
    return evaluate(req)[0]


def notes(req: Request) -> tuple[str, ...]:
    out = []
    if req.method.kind not in (MethodKind.SINGLE, MethodKind.CDP) or req.cluster.num_gpus > 1:
        out.append(
            "Several GPUs: DDP, FSDP2 and DTensor TP layouts checked against rank-0 references "
            "measured with a fake process group (NCCL's own buffers not included); the "
            "estimate is for the most loaded rank."
        )
    if req.model.num_experts > 1:
        out.append("Mixture of experts: activations assume tokens spread evenly over experts.")
    return tuple(out)


SOURCE = "llmem pytorch profile (checked against fake-CUDA PyTorch fixtures)"


@lru_cache(maxsize=1)
def _terms() -> tuple[Term, ...]:
    rows = [
        ("transformer", "weights (+ gradients after backward) of every parameter but V·E",
         "P_body·pb (+ P_body·gb) + buffers, ÷ shards per method"),
        ("lm_head", "V·E weight (+ gradient) and the logits and loss temporaries",
         "V·E·pb + t·V·4 saved log-probs + 2·t·V·4 gradients at backward start"),
        ("optimizer", "AdamW momentum and variance, + foreach's temporary at the step",
         "2·P·sb (+ P·sb during optimizer.step with foreach)"),
        ("activations", "tensors autograd keeps for backward (census recipe per family)",
         "layers·t·Σ c·size + outside; checkpointing: layers·t·h·residual bytes"),
        ("transient", "DDP gradient bucket, FSDP gathered root unit and layer",
         "DDP: P·gb; FSDP2: (P_root + P_layer)·compute bytes"),
    ]
    terms = [Term(component=c, name=n, formula=f, source=SOURCE) for c, n, f in rows]
    base = Term(component="runtime", name="CUDA context + caching-allocator slack",
                formula="context (default 512 MiB) + slack·tensor peak (default 0)",
                source="heuristics: shared/docs/llmem-method.md §7")
    return (*terms, base)


def terms(req: Request, parts: Breakdown) -> tuple[Term, ...]:
    return _terms()
