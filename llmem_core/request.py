"""A question for the estimator, valid by construction.

`Job`: a model, trained so, on this cluster, under this runtime profile: everything but the
distribution method (what `plan` and `gpus_needed` compare methods for). `Request`: a job with
its method, and the method's `Parallelism` derived when it is built. Every rule that ties
fields together lives here, so a Job or Request that exists is one the profiles can evaluate:

- the profile models the precision and checkpointing asked for (`paper`: fp16 mixed precision
  with checkpointing on, the paper's setting);
- the sequence fits the model's learned position table, where it has one;
- the method can run on the GPU count and the model's heads (parallelism.layout).

Vary a job or request with `with_(batch_size=…, num_gpus=…, method=…)`: a validated copy.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import PrivateAttr, model_validator

from llmem_core.errors import InputError
from llmem_core.models import (
    Architecture,
    Checkpointing,
    Cluster,
    FineTune,
    Frozen,
    Loss,
    Method,
    MethodKind,
    Offload,
    Optimizer,
    Precision,
    ProfileName,
    Runtime,
    Sharding,
    Training,
    Zero3Engine,
    ZeroEngine,
)
from llmem_core.parallelism import Engine, Parallelism, layout

# What each profile models; a request outside it is refused when built (LLMem §5: fp16 AMP
# with gradient checkpointing on Colossal-AI Gemini).
PROFILE_PRECISIONS: dict[ProfileName, tuple[Precision, ...]] = {
    ProfileName.PYTORCH: tuple(Precision),
    ProfileName.PAPER: (Precision.AMP_FP16, Precision.AMP_BF16),
}
PROFILE_NEEDS_CHECKPOINTING = {ProfileName.PYTORCH: False, ProfileName.PAPER: True}

# Fields of the parts, by leaf name, for with_().
_PARTS: dict[str, type[Frozen]] = {
    "training": Training,
    "cluster": Cluster,
    "runtime": Runtime,
    "sharding": Sharding,
}
_LEAF_PART = {leaf: part for part, cls in _PARTS.items() for leaf in cls.model_fields}


class Job(Frozen):
    """This model, trained so, on this cluster, under this profile (no method yet)."""

    model: Architecture
    training: Training
    cluster: Cluster
    runtime: Runtime = Runtime()
    sharding: Sharding = Sharding()  # ZeRO stages, FSDP2 variants, offload (issue #12)

    @model_validator(mode="after")
    def _in_scope(self) -> Self:
        check_workload(self.model, self.training, self.runtime)
        return self

    def with_(self, **changes: Any) -> Self:
        """A validated copy with fields changed by their leaf names (batch_size, seq_len,
        precision, num_gpus, memory_bytes, profile, …), whole parts (model, training, cluster,
        runtime, method), or vocab_size (the model's vocabulary what-if)."""
        fields = self.values()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in changes.items():
            if key in fields:
                fields[key] = value
            elif key == "vocab_size":
                fields["model"] = fields["model"].with_vocab(value)
            elif key in _LEAF_PART:
                nested.setdefault(_LEAF_PART[key], {})[key] = value
            else:
                raise TypeError(f"with_(): {type(self).__name__} has no field {key!r}")
        for part, update in nested.items():
            fields[part] = fields[part].model_copy(update=update)
        return type(self)(**fields)

    def request(self, method: Method) -> Request:
        """This job with a method: InputError if the method cannot run here."""
        return Request(**{name: getattr(self, name) for name in Job.model_fields}, method=method)


class Request(Job):
    """One question: this job, spread over the cluster with this method."""

    method: Method
    _parallel: Parallelism = PrivateAttr()

    @model_validator(mode="after")
    def _layout(self) -> Self:
        parallel = layout(self.method, self.cluster.num_gpus, self.model, self.runtime.profile)
        self._parallel = check_sharding(parallel, self.sharding, self.runtime.profile)
        _check_sequence_split(self)
        return self

    @property
    def parallel(self) -> Parallelism:
        """The method's degrees and engine, derived when the request was built."""
        return self._parallel

    @property
    def job(self) -> Job:
        return Job(**{name: getattr(self, name) for name in Job.model_fields})


def check_workload(model: Architecture, training: Training, runtime: Runtime) -> None:
    """The rules of a model trained so under a runtime profile (Job's; also cost's Run)."""
    _check_profile(training, runtime.profile)
    _check_sequence(model, training.seq_len)
    if runtime.profile == ProfileName.PAPER:
        _check_paper_training(training)
    _check_targets(model, training)


def _check_profile(training: Training, profile: ProfileName) -> None:
    allowed = PROFILE_PRECISIONS[profile]
    if training.precision not in allowed:
        raise InputError(
            "precision",
            f"profile {profile} models {' or '.join(allowed)} only (got {training.precision}); "
            "use profile pytorch",
        )
    if PROFILE_NEEDS_CHECKPOINTING[profile] and not training.grad_checkpointing:
        raise InputError(
            "grad_checkpointing",
            f"profile {profile} assumes it on (the paper's setting); use profile pytorch for "
            "checkpointing off",
        )


def _check_sequence(arch: Architecture, seq_len: int) -> None:
    limit = arch.max_seq_len
    if limit is not None and seq_len > limit:
        raise InputError(
            "seq_len",
            f"must be at most {limit:,}, the size of {arch.name}'s learned position table "
            f"(got {seq_len:,})",
        )


# ---- issue #12: what the paper profile does not model, and which engine offloads what ----------

PAPER_OPTIMIZERS = (Optimizer.ADAMW_FOREACH, Optimizer.ADAMW_FUSED)


def _check_sequence_split(req: Request) -> None:
    """torch's context parallelism splits each sequence into 2·cp load-balanced chunks, and
    runs on SDPA (its ring replaces scaled_dot_product_attention)."""
    cp = req.sharding.context_parallel
    if cp == 1:
        return
    if req.training.seq_len % (2 * cp):
        raise InputError(
            "seq_len",
            f"context parallelism over {cp:,} GPUs needs a multiple of {2 * cp:,} tokens "
            f"(got {req.training.seq_len:,})",
        )
    if req.model.attention_impl != "sdpa":
        raise InputError(
            "context_parallel", f"needs SDPA attention; {req.model.name} uses eager attention"
        )


def _check_context_parallel(parallel: Parallelism, sharding: Sharding, deepspeed3: bool) -> None:
    """Context parallelism as torchtitan runs it: FSDP2 over every rank, each sequence split
    over `context_parallel` of them (torch.distributed.tensor.experimental.context_parallel)."""
    cp = sharding.context_parallel
    if cp == 1:
        return
    if parallel.method.kind != MethodKind.ADP or deepspeed3:
        raise InputError("context_parallel", "needs method adp on FSDP2 (torchtitan's layout)")
    if parallel.gpus % cp:
        raise InputError(
            "context_parallel", f"must divide num_gpus ({parallel.gpus:,}); got {cp:,}"
        )


def _zero_engine(kind: MethodKind, sharding: Sharding, engine: Engine) -> Engine:
    """zero1 on torch's ZeroRedundancyOptimizer (PyTorch's ZeRO-1 analogue) when asked."""
    if sharding.zero_engine != ZeroEngine.TORCH:
        return engine
    if kind != MethodKind.ZERO1:
        raise InputError(
            "zero_engine",
            f"torch applies to zero1 only (ZeroRedundancyOptimizer); got method {kind}",
        )
    if sharding.offload != Offload.NONE:
        raise InputError("offload", "ZeroRedundancyOptimizer does not offload (use deepspeed)")
    return Engine.TORCH_ZERO1


OFFLOAD_KINDS = (MethodKind.ZERO1, MethodKind.ZERO2, MethodKind.ADP)


def _check_paper_training(training: Training) -> None:
    """LLMem's setting: full fine-tuning with Adam, every layer checkpointed, HF's loss."""
    rules = (
        ("finetune", training.finetune == FineTune.FULL, "full fine-tuning"),
        ("optimizer", training.optimizer in PAPER_OPTIMIZERS, "AdamW"),
        ("checkpointing", training.checkpointing == Checkpointing.FULL, "full checkpointing"),
        ("loss", training.loss == Loss.STANDARD, "the standard loss"),
        ("optimizer_in_backward", not training.optimizer_in_backward, "a separate step"),
        ("activation_offload", not training.activation_offload, "activations on the GPU"),
    )
    for field, ok, what in rules:
        if not ok:
            raise InputError(field, f"profile paper models {what} only; use profile pytorch")


def _check_targets(model: Architecture, training: Training) -> None:
    from llmem_core.adapters import MLP_ROLES, adapted, roles  # (adapters: no cycle)

    if training.peft and not adapted(model, roles(training.lora_targets)):
        raise InputError(
            "lora_targets",
            f"{training.lora_targets!r} adapts no linear of {model.name}'s decoder layers",
        )
    if training.peft and model.moe and roles(training.lora_targets) & MLP_ROLES:
        # peft 0.21's all-linear also wraps the experts' 3-D parameters (ParamWrapper) and the
        # router, which llmem does not model yet: refused rather than under-counted.
        raise InputError(
            "lora_targets",
            f"LoRA on the MLP of a mixture of experts ({model.name}) is not modelled yet (peft "
            "adapts the experts' 3-D parameters too); give attn or attention module names",
        )


def check_sharding(parallel: Parallelism, sharding: Sharding, profile: ProfileName) -> Parallelism:
    """Offload and the ZeRO-3 variants exist only where an engine has them (DeepSpeed:
    offload_optimizer for stages 1–3, offload_param for stage 3; FSDP2: CPUOffloadPolicy,
    parameters with their gradients and optimizer states). Returns the layout with adp's
    engine set to DeepSpeed ZeRO-3 when asked for."""
    kind = parallel.method.kind
    engine = parallel.engine
    if sharding.offload != Offload.NONE and kind not in OFFLOAD_KINDS:
        raise InputError(
            "offload", f"needs method zero1, zero2 or adp (their engines offload); got {kind}"
        )
    deepspeed3 = kind == MethodKind.ADP and sharding.zero3_engine == Zero3Engine.DEEPSPEED
    if sharding.zero3_engine == Zero3Engine.DEEPSPEED and kind != MethodKind.ADP:
        raise InputError("zero3_engine", f"applies to adp only (got method {kind})")
    if deepspeed3 and profile != ProfileName.PYTORCH:
        raise InputError("zero3_engine", f"profile {profile} models Colossal-AI Gemini for adp")
    if (
        kind in (MethodKind.ZERO1, MethodKind.ZERO2)
        and sharding.offload == Offload.OPTIMIZER_PARAMS
    ):
        raise InputError(
            "offload", "DeepSpeed offloads parameters at ZeRO-3 only (offload_param): use adp"
        )
    if kind == MethodKind.ADP and sharding.offload == Offload.OPTIMIZER and not deepspeed3:
        raise InputError(
            "offload",
            "FSDP2's CPUOffloadPolicy moves parameters, gradients and optimizer states together "
            "(optimizer+params); optimizer alone is DeepSpeed's (zero3_engine deepspeed)",
        )
    if not sharding.reshard_after_forward and (
        deepspeed3 or kind not in (MethodKind.ADP, MethodKind.DP_TP)
    ):
        raise InputError("reshard_after_forward", "is FSDP2's (adp with zero3_engine fsdp2, dp+tp)")
    _check_context_parallel(parallel, sharding, deepspeed3)
    if deepspeed3 and parallel.gpus > 1:
        engine = Engine.DS_ZERO3
    engine = _zero_engine(kind, sharding, engine)
    if engine == parallel.engine:
        return parallel
    return parallel.model_copy(update={"engine": engine})
