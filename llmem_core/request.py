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
    Cluster,
    Frozen,
    Method,
    Precision,
    ProfileName,
    Runtime,
    Training,
)
from llmem_core.parallelism import Parallelism, layout

# What each profile models; a request outside it is refused when built (LLMem §5: fp16 AMP
# with gradient checkpointing on Colossal-AI Gemini).
PROFILE_PRECISIONS: dict[ProfileName, tuple[Precision, ...]] = {
    ProfileName.PYTORCH: tuple(Precision),
    ProfileName.PAPER: (Precision.AMP_FP16, Precision.AMP_BF16),
}
PROFILE_NEEDS_CHECKPOINTING = {ProfileName.PYTORCH: False, ProfileName.PAPER: True}

# Fields of the parts, by leaf name, for with_().
_PARTS: dict[str, type[Frozen]] = {"training": Training, "cluster": Cluster, "runtime": Runtime}
_LEAF_PART = {leaf: part for part, cls in _PARTS.items() for leaf in cls.model_fields}


class Job(Frozen):
    """This model, trained so, on this cluster, under this profile (no method yet)."""

    model: Architecture
    training: Training
    cluster: Cluster
    runtime: Runtime = Runtime()

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
        self._parallel = layout(
            self.method, self.cluster.num_gpus, self.model, self.runtime.profile
        )
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
