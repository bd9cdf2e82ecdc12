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

from llmem_core import adapters
from llmem_core.components import (
    activations,
    allocator_slack,
    in_flight,
    lm_head,
    optimizer,
    runtime,
    transient,
    workspace,
)
from llmem_core.coverage import formula_only
from llmem_core.features import differences
from llmem_core.models import (
    Architecture,
    AttentionImpl,
    Checkpointing,
    Family,
    FineTune,
    Loss,
    Offload,
    Optimizer,
    Precision,
)
from llmem_core.parallelism import GPUS_PER_NODE, Engine, Parallelism
from llmem_core.params import Split, split
from llmem_core.presets import census_presets, load_models, recipe_choice
from llmem_core.profiles.pytorch_states import ZERO_ENGINES, States, pytorch_states
from llmem_core.request import Request
from llmem_core.results import Breakdown, Levels, Phase, Term
from llmem_core.units import GiB

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
    lay = req.parallel
    return _dtypes(req.training.precision, lay.sharded or lay.engine in ZERO_ENGINES)


@lru_cache(maxsize=16)
def _dtypes(precision: Precision, sixteen_bit_module: bool) -> Dtypes:
    pb, e, rb = PRECISION_BYTES[precision]
    amp = precision in (Precision.AMP_BF16, Precision.AMP_FP16)
    if sixteen_bit_module and amp:
        # FSDP2 mixed precision: bf16/fp16 parameters per unit, no autocast (reference notes);
        # DeepSpeed's bf16/fp16 engine casts the module to 16 bit likewise.
        return Dtypes(pb, 2, 2, "bf16", False)
    return Dtypes(pb, e, rb, precision.value, amp)


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
    dequantised: int = 0  # QLoRA: the largest linear dequantised during its matmul
    host: int = 0  # per rank in CPU memory, batch-independent (offloaded states, paged)
    cp: int = 1  # context parallelism: ranks one sequence is split over
    ring_per_sample: int = 0  # … and the all-gathered K and V of one layer, per sample

    def acts(self, tokens: int) -> Acts:
        """Kept activations, as each checkpointing mode keeps them. Autocast caches the 16-bit
        copies of trained weights until the end of forward; a frozen weight's copy is not
        cached (ATen's autocast caches only leaves that require grad) but autograd keeps it
        where the layer's activations are kept (its input's gradient needs it)."""
        training, arch = self.request.training, self.request.model
        layer, outside = self.layer.at(tokens), self.outside.at(tokens)
        loss, layers = self.loss.at(tokens), arch.num_layers
        if training.loss == Loss.FUSED_LINEAR:
            loss = 0  # Liger keeps no logits for backward (components/lm_head.py)
        cached = 0 if training.peft else layers * self.layer_copy
        mode = training.checkpointing
        if mode == Checkpointing.OFF:
            copies = layers * self.layer_copy + self.lm_copy
            acts = Acts(layers * layer + outside, layer, copies, copies, loss)
        else:
            redone = (
                layers
                if mode == Checkpointing.FULL
                else activations.selective_layers(arch, training.checkpoint_every)
            )
            kept = activations.checkpoint_bytes(arch, self.dt.rb, tokens) * redone // layers
            kept += (layers - redone) * layer + outside
            saved = (layers - redone) * self.layer_copy + self.lm_copy
            forward = max(cached + self.lm_copy, saved)
            acts = Acts(kept, layer + self.layer_copy, forward, saved, loss)
        return self._offloaded(acts, layer)

    def _offloaded(self, acts: Acts, layer: int) -> Acts:
        """torchtune's activation offloading (torchtune/training/_activation_offloading.py
        `OffloadActivations`): saved tensors go to pinned CPU memory as forward makes them and
        come back one layer ahead of backward; heuristic: two layers' worth stay on the GPU."""
        if not self.request.training.activation_offload:
            return acts
        return acts._replace(kept=min(acts.kept, 2 * layer + self.outside.at(0)))

    def host_bytes(self, batch: int) -> int:
        """CPU memory per node: offloaded states and pinned buffers of every rank on it, plus
        offloaded activations (a node holds up to NODE_SIZE of the job's GPUs)."""
        per_rank = self.host
        if self.request.training.activation_offload:
            tokens = batch * self.request.training.seq_len
            full = self.acts_on_gpu(tokens)
            per_rank += full.kept
        return per_rank * min(self.request.parallel.gpus, GPUS_PER_NODE)

    def acts_on_gpu(self, tokens: int) -> Acts:
        """The kept activations without offloading (what offloading moves to the host)."""
        training = self.request.training
        if not training.activation_offload:
            return self.acts(tokens)
        plain = self.request.training.model_copy(update={"activation_offload": False})
        twin = Prepared(**{**self.__dict__, "request": self.request.with_(training=plain)})
        return twin.acts(tokens)

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
        tokens = batch * self.seq // self.cp
        st, a, comm, part = self.states, self.acts(tokens), self.buffers, self.part
        v = self.logits(tokens)
        sharded, fl = self.lay.sharded, self.flight(tokens)
        ring = batch * self.ring_per_sample
        # Gradient accumulation: the earlier micro-batches' gradients stay through the next
        # forward and backward (set to None only after the step).
        acc_body, acc_lm = (st.grads_body, st.grads_lm) if self.accumulating else (0, 0)
        dq = self.dequantised
        backward = (
            part(
                st.body + acc_body,
                st.lm + acc_lm + a.loss_saved + v.backward_start,
                st.optimizer,
                a.kept + a.copies_backward,
                comm.backward + dq + ring,
                fl.forward,
            ),
            part(
                st.body + acc_body,
                st.lm + st.grads_lm + v.lm_head_grad,
                st.optimizer,
                a.kept + a.copies_backward,
                comm.backward + dq,
                fl.forward,
            ),
            part(
                st.body + st.grads_body,
                st.lm + (0 if sharded else st.grads_lm),
                st.optimizer,
                a.one_layer,
                comm.backward_bottom + dq,
                fl.backward,
                batch * self.attention_per_sample,
            ),
            _embedding_backward(st, v, sharded, part, comm.backward_end, fl.backward_end),
        )
        forward = part(
            st.body + acc_body,
            st.lm + acc_lm + a.loss_saved + v.forward_end,
            st.optimizer,
            a.kept + a.copies_forward,
            comm.forward + dq + ring,
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

    @property
    def accumulating(self) -> bool:
        training = self.request.training
        return training.grad_accumulation > 1 and not training.optimizer_in_backward

    def logits(self, tokens: int) -> lm_head.LogitTemporaries:
        """The logits' and loss's temporaries for the loss asked for (components/lm_head.py)."""
        arch, training, e, pb = self.request.model, self.request.training, self.dt.e, self.dt.pb
        trains = not training.peft
        if training.loss == Loss.CHUNKED:
            return lm_head.chunked_logit_temporaries(
                arch, tokens, e, pb, training.loss_chunks, trains
            )
        if training.loss == Loss.FUSED_LINEAR:
            return lm_head.fused_logit_temporaries(arch, tokens, e, pb, trains)
        v = lm_head.pytorch_logit_temporaries(arch, tokens, e, pb)
        return v if trains else v._replace(tied_extra=0)

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
    arch, lay, rt, training = req.model, req.parallel, req.runtime, req.training
    dt = dtypes(req)
    sp, seq = split(arch), training.seq_len
    states = pytorch_states(arch, training, lay, req.sharding.offload, dt.pb)
    layer, outside, loss = _activation_rates(req, dt)
    # Autocast's 16-bit weight copies: none of an NF4 base (bitsandbytes dequantises per matmul).
    copies = dt.amp and training.finetune != FineTune.QLORA
    arch_kind = runtime.arch_of(req.cluster.gpu_key)
    return Prepared(
        request=req,
        dt=dt,
        states=states,
        buffers=_buffers(req, dt, states),
        layer=layer,
        outside=outside,
        loss=loss,
        layer_copy=sp.layer_matmul * 2 // lay.tp if copies else 0,
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
        dequantised=_dequantised(req, dt),
        host=states.host + _paged(req, states),
        cp=req.sharding.context_parallel,
        ring_per_sample=_ring(req, dt),
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


def _ring(req: Request, dt: Dtypes) -> int:
    """Context parallelism (torch/distributed/tensor/experimental/_context_parallel/
    _attention.py): the default `_AllGatherRotater` all-gathers one layer's K and V over the
    context-parallel ranks, the whole sequence's, while that layer's attention runs (formula
    only: not measured here)."""
    if req.sharding.context_parallel == 1:
        return 0
    arch = req.model
    kv = max(arch.num_key_value_heads // req.parallel.tp, 1) * arch.head_dim
    return 2 * kv * req.training.seq_len * dt.e


def _activation_rates(req: Request, dt: Dtypes) -> tuple[activations.Rate, ...]:
    """(one layer, outside, loss) rates: the full fine-tuning census, or the LoRA census plus
    LoRA dropout's masks and dropped inputs."""
    arch, lay, training = req.model, req.parallel, req.training
    seq = training.seq_len // req.sharding.context_parallel  # each rank's part of a sequence
    if not training.peft:
        outside, loss = activations.outside_rates(arch, dt.recipe, seq)
        return activations.layer_rate(arch, dt.recipe, seq, lay.tp), outside, loss
    targets, rank = training.lora_targets, training.lora_rank
    layer = activations.lora_layer_rate(arch, dt.recipe, seq, lay.tp, targets, rank)
    if training.lora_dropout > 0:
        extra = activations.lora_dropout_per_token(arch, targets, lay.tp)
        layer = layer._replace(per_token=layer.per_token + extra)
    outside, loss = activations.lora_outside_rates(arch, dt.recipe, seq, targets)
    return layer, outside, loss


def _buffers(req: Request, dt: Dtypes, states: States) -> transient.Buffers:
    arch, lay, sharding, sp = req.model, req.parallel, req.sharding, split(req.model)
    if lay.engine in ZERO_ENGINES:
        w = 4 if dt.pb == 4 and not dt.amp else 2
        return transient.deepspeed_buffers(
            sp, lay, w, sharding.reduce_bucket, sharding.overlap_comm,
            sharding.prefetch_bucket, sharding.max_live_parameters, sp.body + sp.lm_matrix,
        )  # fmt: skip
    if req.training.peft:
        per_layer = states.trainable * (lay.dp if lay.sharded else 1) // arch.num_layers
        buffers = transient.peft_buffers(sp, lay, dt.e, per_layer, states.trainable)
    else:
        buffers = transient.pytorch_buffers(arch, sp, lay, dt.pb, dt.e)
    if lay.sharded and not sharding.reshard_after_forward:
        buffers = transient.kept_gathered(buffers, arch, sp, lay, dt.e)
    return buffers


def _dequantised(req: Request, dt: Dtypes) -> int:
    """QLoRA: bitsandbytes dequantises a 4-bit weight to the compute dtype for each matmul of
    more than a few tokens (bitsandbytes/backends/cuda/ops.py `gemm_4bit`: past the custom
    kernel's largest M, `_dequant_linear_fallback`), and always in backward (autograd/
    _functions.py `MatMul4Bit.backward`: `F.dequantize_4bit(B, ctx.state)`)."""
    if req.training.finetune != FineTune.QLORA:
        return 0
    return adapters.largest_linear(req.model) * dt.e // req.parallel.tp


def _paged(req: Request, states: States) -> int:
    """paged-adamw-8bit: bitsandbytes puts the states of tensors ≥ 1e5 elements in CUDA unified
    memory (optim/optimizer.py `get_state_buffer`), which the driver evicts to host memory
    under pressure: the host must hold them then. Counted on the GPU too (resident until
    evicted)."""
    if req.training.optimizer != Optimizer.PAGED_ADAMW_8BIT or states.optimizer == 0:
        return 0
    from llmem_core.profiles.pytorch_states import trainables

    train = trainables(req.model, req.training)
    share = states.trainable / max(train.total, 1)
    return round(optimizer.paged_bytes(train.numels) * share)


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
    out += architecture_notes(req)
    out += _feature_notes(req)
    return tuple(out)


def architecture_notes(req: Request) -> list[str]:
    """What the estimate assumes of a model's architecture (issue #13)."""
    arch, out = req.model, []
    if arch.family == Family.OTHER:
        out.append(
            f"model_type {arch.model_type} has no reader in llmem: read as a Llama-like decoder "
            "with the features its config declares (experts, latent attention, q/k norm, norms, "
            "biases, windows); its parameter count is not checked against transformers."
        )
    if arch.moe:
        out.append(
            f"Mixture of experts: every expert's weights, gradients and optimizer states "
            f"({arch.num_experts} per layer) are held; activations assume the "
            f"{arch.experts_per_token} experts of each token spread evenly (balanced routing)"
            + (f"; the {arch.dense_layers} dense first layers keep the MoE recipe's tensors at "
               "the dense width, without routing."
               if arch.dense_layers else ".")
        )  # fmt: skip
    if arch.checkpoint_quantization:
        how = DEQUANTISED_BY.get(arch.checkpoint_quantization, "")
        out.append(
            f"The published checkpoint stores weights in {arch.checkpoint_quantization}; "
            f"fine-tuning dequantises them{how}, so the estimate assumes the weights in "
            f"{req.training.precision}'s parameter dtype."
        )
    choice = recipe_choice(arch, dtypes(req).recipe)
    if choice.stand_in:
        out.append(_stand_in_note(arch, choice.family))
    return out


# How a published quantised checkpoint becomes trainable weights, by its quant_method.
DEQUANTISED_BY = {
    # transformers' integrations/mxfp4.py: training loads gpt-oss with dequantize=True
    "mxfp4": " (transformers loads gpt-oss with Mxfp4Config(dequantize=True) for training)",
    # github.com/deepseek-ai/DeepSeek-V3 inference/fp8_cast_bf16.py
    "fp8": " (DeepSeek's fp8_cast_bf16.py converts the FP8 blocks to bf16 first)",
}


def _stand_in_note(arch: Architecture, family: str) -> str:
    other = load_models()[census_presets()[family]].architecture
    differ = ", ".join(differences(arch, other)) or "none of the features llmem reads"
    return (
        f"No census of {arch.family} activations: the {family} recipe stands in (the nearest "
        f"measured family; they differ in {differ}); formula-only band."
    )


def _feature_notes(req: Request) -> list[str]:
    """What issue #12's features assume, and which of them no reference checks."""
    training, out = req.training, []
    only = formula_only(req)
    if only:
        out.append(
            "Formula only (from the engines' source, not measured here; wider band): "
            + "; ".join(only)
            + "."
        )
    if training.peft:
        out.append(
            f"{training.finetune.upper()}: frozen base, adapters (r={training.lora_rank}, "
            f"{training.lora_targets}) with fp32 weights, gradients and optimizer states, as "
            "peft keeps them; kept activations from the LoRA census (fit_lora_recipes.py)."
        )
        if not activations.has_lora_recipe(req.model, dtypes(req).recipe, training.lora_targets):
            out.append("No LoRA census for this family: full fine-tuning's activations are used.")
    if training.finetune == FineTune.QLORA:
        out.append(
            "QLoRA: decoder linears in NF4 with double-quantised absmax (bitsandbytes "
            "Params4bit: 0.516 bytes per weight); embeddings, norms and lm_head in the "
            "precision's parameter dtype (prepare_model_for_kbit_training upcasts them to fp32: "
            "choose amp-bf16); one linear dequantised at a time."
        )
    if training.optimizer == Optimizer.PAGED_ADAMW_8BIT:
        out.append(
            "Paged AdamW: states of tensors ≥ 100,000 elements sit in CUDA unified memory, "
            "counted on the GPU and, as the room they need when evicted, in host_bytes."
        )
    if training.grad_accumulation > 1:
        out.append(
            f"Gradient accumulation ({training.grad_accumulation} micro-batches): the "
            "gradients of earlier micro-batches stay through the next forward and backward, so "
            "the peak can rise above one micro-batch's; time and cost scale with the tokens."
        )
    out += _attention_note(req)
    out += _sharding_notes(req)
    return out


def _attention_note(req: Request) -> list[str]:
    from llmem_core.attention import Kernel, kernel, math_extra_bytes

    dt = dtypes(req)
    chosen = kernel(req.model, req.training.precision, dt.e == 2)
    text = f"Attention kernel a GPU takes here: {chosen}."
    if chosen == Kernel.MATH:
        tokens = req.training.batch_size * req.training.seq_len
        extra = math_extra_bytes(req.model, tokens, req.training.seq_len, dt.e)
        text += (
            f" torch 2.13 has no memory-efficient kernel for grouped-query heads in fp32, so it "
            f"keeps the S×S probabilities: about {extra / GiB:,.1f} GiB more than estimated "
            "(the references use the memory-efficient kernel); use amp-bf16 or bf16 for flash."
        )
    return [text]


def _sharding_notes(req: Request) -> list[str]:
    lay, sharding, out = req.parallel, req.sharding, []
    if lay.engine == Engine.TORCH_ZERO1:
        out.append(
            "ZeRO-1 on torch's ZeroRedundancyOptimizer: DDP as cdp, each parameter's optimizer "
            "state on one rank (largest first, to the least loaded): the most loaded rank's."
        )
    elif lay.zero_stage:
        out.append(
            f"DeepSpeed ZeRO-{lay.zero_stage}: 16-bit weights on every GPU, fp32 master and "
            "optimizer states ÷ GPUs"
            + (", gradients ÷ GPUs" if lay.zero_stage == 2 else ", gradients whole")
            + f"; reduce bucket {sharding.reduce_bucket:,} elements (allocated whole)."
        )
    if sharding.offload != Offload.NONE:
        out.append(
            f"Offload {sharding.offload}: host_bytes is the CPU memory per node (up to "
            f"{GPUS_PER_NODE} ranks) for the offloaded states, pinned; DeepSpeed's own "
            "estimator adds 1.5× for loading the model (additional_buffer_factor)."
        )
    if lay.gpus > 1 and req.training.peft and lay.tp > 1:
        out.append("LoRA under TP: adapters assumed sliced with their base layers.")
    return out


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
