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

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from llmem_core.components import (
    activations,
    allocator_slack,
    in_flight,
    lm_head,
    optimizer,
    runtime,
    transient,
    weights,
    workspace,
)
from llmem_core.models import Architecture, AttentionImpl, Optimizer, Precision
from llmem_core.parallelism import Parallelism
from llmem_core.params import Split, split
from llmem_core.request import Request
from llmem_core.results import Breakdown, Levels, Phase, Term

# Bytes of (parameters, compute, residual stream) per element for each precision.
# amp: fp32 weights and residual stream, matmuls in 16 bit (torch.autocast); bf16: everything.
PRECISION_BYTES = {
    Precision.FP32: (4, 4, 4),
    Precision.AMP_BF16: (4, 2, 4),
    Precision.AMP_FP16: (4, 2, 4),
    Precision.BF16: (2, 2, 2),
}


class Dtypes(NamedTuple):
    pb: int  # parameter (and gradient, optimizer-state) bytes
    e: int  # compute (activation, logits) bytes
    rb: int  # residual-stream bytes
    recipe: str  # which census recipe of activations applies
    amp: bool  # torch.autocast: 16-bit copies of the matmul weights


def dtypes(req: Request) -> Dtypes:
    return _dtypes(req.training.precision, req.parallel.sharded)


@lru_cache(maxsize=16)
def _dtypes(precision: Precision, sharded: bool) -> Dtypes:
    pb, e, rb = PRECISION_BYTES[precision]
    amp = precision in (Precision.AMP_BF16, Precision.AMP_FP16)
    if sharded and amp:
        # FSDP2 mixed precision: bf16/fp16 parameters per unit, no autocast (reference notes).
        return Dtypes(pb, 2, 2, "bf16", False)
    return Dtypes(pb, e, rb, precision.value, amp)


class States(NamedTuple):
    body: int  # transformer parameters + buffers
    lm: int  # the V·E matrix
    grads_body: int
    grads_lm: int
    optimizer: int
    temp: int


@lru_cache(maxsize=1024)
def _states(arch: Architecture, kind: Optimizer, lay: Parallelism, pb: int) -> States:
    body, lm = weights.pytorch_shard(arch, split(arch), lay)
    return States(
        body=body * pb + arch.buffer_bytes,
        lm=lm * pb,
        grads_body=body * pb,
        grads_lm=lm * pb,
        optimizer=optimizer.pytorch_state_bytes(body + lm, pb),
        temp=optimizer.pytorch_step_temporary(kind, _largest_group(arch, lay, body + lm), pb),
    )


def _largest_group(arch: Architecture, lay: Parallelism, local: int) -> int:
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


class Parts(NamedTuple):
    """One phase's bytes, by bar segment (Breakdown's fields, without pydantic)."""

    transformer: int
    lm_head: int
    optimizer: int
    activations: int
    transient: int
    runtime: int
    workspace: int
    in_flight: int
    allocator_slack: int

    @property
    def model_tensors(self) -> int:
        return self.transformer + self.lm_head + self.optimizer + self.activations + self.transient


@dataclass(frozen=True)
class Prepared:
    """Everything about a request that does not depend on the batch, computed once; `peak(b)`
    and `evaluate(b)` then cost a few additions per phase (the batch search's fast path)."""

    request: Request
    dt: Dtypes
    states: States
    buffers: transient.Buffers
    layer: activations.Rate  # one decoder layer
    outside: activations.Rate  # embedding, final norm, lm_head input
    loss: activations.Rate  # the log-probabilities the loss keeps
    layer_copy: int  # autocast 16-bit copy of one layer's matmul weights
    lm_copy: int  # … of the V·E matrix
    base: int  # outside PyTorch: CUDA context + NCCL buffers
    workspace: int  # cuBLAS/cuBLASLt workspaces, from the first matmul on
    attention_per_sample: int  # flash attention's backward workspace per sample
    comm_lag: int  # collectives in flight
    reduce_bytes: int  # FSDP2's reduce dtype
    slack: allocator_slack.Slack  # fractions of the active bytes
    # Read once (pydantic attribute access is slow on the batch search's hot path):
    lay: Parallelism
    arch: Architecture
    seq: int
    checkpointing: bool
    user_slack: float
    flight_fixed: in_flight.InFlight | None  # FSDP2's in-flight bytes (batch-independent)
    split: Split

    def acts(self, tokens: int) -> Acts:
        arch = self.arch
        layer, outside = self.layer.at(tokens), self.outside.at(tokens)
        loss, layers = self.loss.at(tokens), arch.num_layers
        if self.checkpointing:
            kept = activations.checkpoint_bytes(arch, self.dt.rb, tokens) + outside
            copies = layers * self.layer_copy + self.lm_copy
            return Acts(kept, layer + self.layer_copy, copies, self.lm_copy, loss)
        copies = layers * self.layer_copy + self.lm_copy
        return Acts(layers * layer + outside, layer, copies, copies, loss)

    def part(
        self, transformer: int, lm: int, opt: int, act: int, comm: int, flight: int, ws: int = 0
    ) -> Parts:
        """One phase's parts; `ws` is a workspace alive in that phase only."""
        ws += self.workspace
        active = transformer + lm + opt + act + comm + ws + flight
        slack = round(active * (self.user_slack or self.slack.spare))
        return Parts(transformer, lm, opt, act, comm, self.base, ws, flight, slack)

    def flight(self, tokens: int) -> in_flight.InFlight:
        if self.flight_fixed is not None:
            return self.flight_fixed
        arch, dt = self.arch, self.dt
        return in_flight.pytorch_in_flight(
            self.split,
            self.lay,
            dt.e,
            self.reduce_bytes,
            self.comm_lag,
            tokens * arch.hidden_size * dt.e,
        )

    def phases(self, batch: int) -> dict[Phase, Parts]:
        """Each phase's parts at this micro-batch (the module docstring's table); backward is
        its largest moment at the device level."""
        forward, backward, optimizer = self.moments(batch)
        return {
            Phase.FORWARD: forward,
            Phase.BACKWARD: max(backward, key=sum),
            Phase.OPTIMIZER: optimizer,
        }

    def moments(self, batch: int) -> tuple[Parts, tuple[Parts, ...], Parts]:
        """(end of forward, the four moments of backward, optimizer step)."""
        tokens = batch * self.seq
        st, a, comm, part = self.states, self.acts(tokens), self.buffers, self.part
        v = lm_head.pytorch_logit_temporaries(self.arch, tokens, self.dt.e, self.dt.pb)
        sharded, fl = self.lay.sharded, self.flight(tokens)
        backward = (
            part(
                st.body,
                st.lm + a.loss_saved + v.backward_start,
                st.optimizer,
                a.kept + a.copies_backward,
                comm.backward,
                fl.forward,
            ),
            part(
                st.body,
                st.lm + st.grads_lm + v.lm_head_grad,
                st.optimizer,
                a.kept + a.copies_backward,
                comm.backward,
                fl.forward,
            ),
            part(
                st.body + st.grads_body,
                st.lm + (0 if sharded else st.grads_lm),
                st.optimizer,
                a.one_layer,
                comm.backward_bottom,
                fl.backward,
                batch * self.attention_per_sample,
            ),
            _embedding_backward(st, v, sharded, part, comm.backward_end, fl.backward_end),
        )
        forward = part(
            st.body,
            st.lm + a.loss_saved + v.forward_end,
            st.optimizer,
            a.kept + a.copies_forward,
            comm.forward,
            fl.forward,
        )
        optimizer = part(
            st.body + st.grads_body,
            st.lm + st.grads_lm,
            st.optimizer + st.temp,
            0,
            comm.optimizer,
            fl.optimizer,
        )
        return forward, backward, optimizer

    def peak(self, batch: int) -> int:
        """The peak alone (no result objects built)."""
        return max(sum(parts) for parts in self.phases(batch).values())

    def levels(
        self, batch: int, moments: tuple[Parts, tuple[Parts, ...], Parts] | None = None
    ) -> Levels:
        """The fake-device figure, each level a GPU reports, and the least the step needs:
        each the largest over every moment of the step (one loop: the batch search's path)."""
        need, worst = 1 + self.slack.required, 1 + (self.user_slack or self.slack.spare_max)
        forward, backward, optimizer = moments or self.moments(batch)
        top = [0, 0, 0, 0, 0, 0, 0]
        for p in (forward, *backward, optimizer):
            model = p.transformer + p.lm_head + p.optimizer + p.activations + p.transient
            allocated = model + p.workspace
            active = allocated + p.in_flight
            reserved = active + p.allocator_slack
            row = (model, allocated, active, reserved, reserved + p.runtime)
            for i, value in enumerate(row):
                if value > top[i]:
                    top[i] = value
            top[5] = max(top[5], round(allocated * need) + p.runtime)
            top[6] = max(top[6], round(active * worst) + p.runtime)
        device = top[4]
        return Levels(*top[:4], device, min(device, top[5]), max(device, top[6]))

    def evaluate(self, batch: int) -> tuple[Breakdown, Phase, dict[Phase, int]]:
        """The peak phase's parts, which phase it is, and every phase's total."""
        return self.evaluate_all(batch)[:3]  # type: ignore[return-value]

    def evaluate_all(self, batch: int) -> tuple[Breakdown, Phase, dict[Phase, int], Levels]:
        """evaluate() and levels() from one pass over the phases."""
        moments = self.moments(batch)
        forward, backward, optimizer = moments
        phases = {
            Phase.FORWARD: forward,
            Phase.BACKWARD: max(backward, key=sum),
            Phase.OPTIMIZER: optimizer,
        }
        totals = {p: sum(parts) for p, parts in phases.items()}
        peak = max(totals, key=totals.__getitem__)
        parts = Breakdown.model_construct(**phases[peak]._asdict())
        return parts, peak, totals, self.levels(batch, moments)


def prepare(req: Request) -> Prepared:
    """The batch-independent part of a request (its batch size is not read)."""
    arch, lay, rt = req.model, req.parallel, req.runtime
    dt = _dtypes(req.training.precision, lay.sharded)
    sp, seq = split(arch), req.training.seq_len
    outside, loss = activations.outside_rates(arch, dt.recipe, seq)
    arch_kind = runtime.arch_of(req.cluster.gpu_key)
    return Prepared(
        request=req,
        dt=dt,
        states=_states(arch, req.training.optimizer, lay, dt.pb),
        buffers=transient.pytorch_buffers(arch, sp, lay, dt.pb, dt.e),
        layer=activations.layer_rate(arch, dt.recipe, seq, lay.tp),
        outside=outside,
        loss=loss,
        layer_copy=sp.layer_matmul * 2 // lay.tp if dt.amp else 0,
        lm_copy=sp.lm_matrix * 2 if dt.amp else 0,
        base=runtime.outside_bytes(rt, req.cluster.gpu_key, lay.gpus).total,
        workspace=workspace.workspaces(
            arch_kind == runtime.Arch.HOPPER, rt.cublas_workspace_bytes, 0
        ).persistent,
        attention_per_sample=_flash_workspace(arch, seq, dt.e, lay.tp),
        comm_lag=in_flight.comm_lag(lay, rt.comm_lag),
        reduce_bytes=4 if dt.pb == 4 else 2,
        slack=allocator_slack.fractions(
            lay.engine, req.training.precision, req.training.grad_checkpointing, rt.allocator
        ),
        lay=lay,
        arch=arch,
        seq=seq,
        checkpointing=req.training.grad_checkpointing,
        user_slack=rt.allocator_slack,
        flight_fixed=_fixed_flight(sp, lay, dt, in_flight.comm_lag(lay, rt.comm_lag)),
        split=sp,
    )


def _fixed_flight(sp: Split, lay: Parallelism, dt: Dtypes, lag: int) -> in_flight.InFlight | None:
    """In-flight bytes that do not depend on the batch (all but tensor parallelism's)."""
    if lag == 0 or lay.gpus == 1 or lay.sharded:
        return in_flight.pytorch_in_flight(sp, lay, dt.e, 4 if dt.pb == 4 else 2, lag, 0)
    return None


def _flash_workspace(arch: Architecture, seq: int, e: int, tp: int) -> int:
    """Flash attention's backward workspace per sample, where the flash kernel runs: SDPA in
    16 bit, head_dim ≤ 256 (the harness's routing, measure/_fake_cuda.py)."""
    flash = arch.attention_impl == AttentionImpl.SDPA and e == 2 and arch.head_dim <= 256
    return workspace.flash_backward_bytes(arch, 1, seq, e, tp) if flash else 0


def _embedding_backward(
    st: States,
    v: lm_head.LogitTemporaries,
    sharded: bool,
    part: Callable[..., Parts],
    comm: int,
    flight: int,
) -> Parts:
    """The last moment of backward, the embedding's gradient. Unsharded, a tied V·E gradient is
    accumulated in place (v.tied_extra); under FSDP2 the root's gradients are still unsharded
    (in `comm`) and its shard of them not yet written."""
    if sharded:
        return part(st.body + st.grads_body, st.lm, st.optimizer, 0, comm, flight)
    lm = st.lm + st.grads_lm + v.tied_extra
    return part(st.body + st.grads_body, lm, st.optimizer, 0, comm, flight)


def notes(req: Request) -> tuple[str, ...]:
    out = []
    if req.parallel.gpus > 1:
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
        (
            "transformer",
            "weights (+ gradients after backward) of every parameter but V·E",
            "P_body·pb (+ P_body·gb) + buffers, ÷ shards per method",
        ),
        (
            "lm_head",
            "V·E weight (+ gradient) and the logits and loss temporaries",
            "V·E·pb + t·V·4 saved log-probs + 2·t·V·4 gradients at backward start",
        ),
        (
            "optimizer",
            "AdamW momentum and variance, + foreach's temporary at the step",
            "2·P·sb (+ P·sb during optimizer.step with foreach)",
        ),
        (
            "activations",
            "tensors autograd keeps for backward (census recipe per family)",
            "layers·t·Σ c·size + outside; checkpointing: layers·t·h·residual bytes",
        ),
        (
            "transient",
            "DDP gradient bucket, FSDP gathered root unit and layer",
            "DDP: P·gb; FSDP2: (P_root + P_layer)·compute bytes",
        ),
    ]
    terms = [Term(component=c, name=n, formula=f, source=SOURCE) for c, n, f in rows]
    gpu_side = [
        (
            "workspace",
            "cuBLAS + cuBLASLt workspaces per (handle, stream); flash attention's backward",
            "2 handles · (8.1 MiB, 32 MiB on Hopper, + 1 MiB); + b·heads·s·(d+1)·4 in backward",
            "torch CublasHandlePool.cpp parseChosenWorkspaceSize; flash_api.cpp mha_bwd",
        ),
        (
            "in_flight",
            "freed collective buffers kept by recordStream until the collective has run",
            "comm_lag · (one layer all-gathered in compute dtype | reduce-scattered in reduce "
            "dtype); FSDP2 lag 6 (heuristic), 0 with TORCH_NCCL_AVOID_RECORD_STREAMS=1",
            "ProcessGroupNCCL.cpp collective; fsdp/_fully_shard/_fsdp_param_group.py",
        ),
        (
            "allocator_slack",
            "reserved beyond active blocks: segment rounding, splits, per-stream pools",
            "active · slack fraction (replays of recorded traces; presets/allocator-terms.json)",
            "c10/cuda/CUDACachingAllocator.cpp (model: llmem_core/allocator)",
        ),
        (
            "runtime",
            "outside PyTorch: CUDA context + NCCL communicator buffers",
            "context (512 MiB) + NCCL (0 on one GPU; 1 GiB, 2 GiB on Hopper/Blackwell)",
            "heuristics from published measurements: components/runtime.py",
        ),
    ]
    terms += [Term(component=c, name=n, formula=f, source=src) for c, n, f, src in gpu_side]
    return tuple(terms)


def terms(req: Request, parts: Breakdown) -> tuple[Term, ...]:
    return _terms()
