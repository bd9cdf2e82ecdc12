"""PlanSpec: a plan as a user states it, by the CLI's own names; the one builder of requests.

Its fields are the flags of `llmem estimate | plan | gpus` (`--num-gpus` → num_gpus), each
with the core's bounds, so the CLI, the dashboard's link, a run file and the Python API all
state a plan the same way and get the same messages. `job()` and `request()` resolve the
model and the GPU and build the core's Job / Request, where every rule that ties fields
together is checked (request.py, parallelism.py); errors name these same fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from llmem_core.errors import InputError
from llmem_core.models import (
    MAX_BATCH,
    MAX_GPUS,
    MAX_LAYERS,
    MAX_LORA_RANK,
    MAX_SEQ,
    MAX_VOCAB,
    AllocatorMode,
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
from llmem_core.presets import MAX_REF_CHARS, config_architecture, find_gpu, resolve_model
from llmem_core.request import Job, Request
from llmem_core.units import MiB

MAX_GPU_MEMORY_MIB = 2**30  # 1 PiB per GPU: a typo guard (Cluster's 2**50 bytes)
MAX_CONTEXT_MIB = 2**20  # 1 TiB (Runtime's 2**40 bytes)
MAX_CHUNK = 2**34  # Gemini chunk elements (Runtime's bound)


# PlanSpec fields that go to Training / Sharding under the same names (issue #12).
TRAINING_EXTRAS = (
    "checkpointing",
    "checkpoint_every",
    "finetune",
    "lora_rank",
    "lora_alpha",
    "lora_dropout",
    "lora_targets",
    "optimizer_in_backward",
    "loss",
    "loss_chunks",
    "activation_offload",
    "grad_accumulation",
)
SHARDING = (
    "offload",
    "zero3_engine",
    "zero_engine",
    "reshard_after_forward",
    "reduce_bucket",
    "allgather_bucket",
    "prefetch_bucket",
    "max_live_parameters",
    "context_parallel",
)


class PlanSpec(Frozen):
    """One plan by the CLI's names; None = the core's default for that field."""

    model: str | dict[str, Any] = Field(
        description="a preset id (or its short name), the path of a config.json, or an "
        "embedded config.json object",
    )
    gpu: str | None = Field(default=None, max_length=64, description="catalog key")
    gpu_memory_mib: int | None = Field(
        default=None, ge=1, le=MAX_GPU_MEMORY_MIB, description="custom memory per GPU"
    )
    num_gpus: int = Field(default=1, ge=1, le=MAX_GPUS)
    method: MethodKind | None = Field(default=None, description="estimate's method")
    tp: int | None = Field(default=None, ge=1, le=MAX_GPUS, description="tp / dp+tp degree")
    batch_size: int = Field(default=1, ge=1, le=MAX_BATCH, description="per replica")
    seq_len: int = Field(ge=1, le=MAX_SEQ)
    precision: Precision | None = None
    optimizer: Optimizer | None = None
    grad_checkpointing: bool | None = None
    profile: ProfileName = ProfileName.PYTORCH
    vocab_size: int | None = Field(default=None, ge=1, le=MAX_VOCAB, description="what-if")
    cuda_context_mib: int | None = Field(
        default=None, ge=0, le=MAX_CONTEXT_MIB, description="m_base per GPU; 0/None: default"
    )
    allocator_slack: float = Field(default=0.0, ge=0.0, le=1.0)
    chunk_size: int = Field(default=0, ge=0, le=MAX_CHUNK, description="Gemini; 0: searched")
    allocator: AllocatorMode = AllocatorMode.DEFAULT
    comm_lag: int | None = Field(
        default=None, ge=0, le=64, description="collectives in flight; None: the engine's"
    )
    nccl_mib: int | None = Field(
        default=None, ge=0, le=MAX_CONTEXT_MIB, description="NCCL buffers per GPU; None: default"
    )
    cublas_workspace_mib: int | None = Field(
        default=None, ge=0, le=16_384, description="per cuBLAS handle; None: torch's default"
    )
    margin: float = Field(default=0.0, ge=0.0, le=0.5, description="capacity kept free")
    # Issue #12: fine-tuning as people do it today (None = the core's default).
    checkpointing: Checkpointing | None = None
    checkpoint_every: int | None = Field(default=None, ge=1, le=MAX_LAYERS)
    finetune: FineTune | None = None
    lora_rank: int | None = Field(default=None, ge=1, le=MAX_LORA_RANK)
    lora_alpha: float | None = Field(default=None, gt=0.0, le=1e6)
    lora_dropout: float | None = Field(default=None, ge=0.0, lt=1.0)
    lora_targets: str | None = Field(default=None, min_length=1, max_length=400)
    optimizer_in_backward: bool | None = None
    loss: Loss | None = None
    loss_chunks: int | None = Field(default=None, ge=1, le=4096)
    activation_offload: bool | None = None
    grad_accumulation: int | None = Field(default=None, ge=1, le=MAX_BATCH)
    offload: Offload | None = None
    zero3_engine: Zero3Engine | None = None
    zero_engine: ZeroEngine | None = None
    reshard_after_forward: bool | None = None
    reduce_bucket: int | None = Field(default=None, ge=1, le=2**40)
    allgather_bucket: int | None = Field(default=None, ge=1, le=2**40)
    prefetch_bucket: int | None = Field(default=None, ge=0, le=2**40)
    max_live_parameters: int | None = Field(default=None, ge=0, le=2**40)
    context_parallel: int | None = Field(default=None, ge=1, le=MAX_GPUS)

    def architecture(self) -> Architecture:
        if isinstance(self.model, dict):
            arch = config_architecture(self.model)
        elif len(self.model) > MAX_REF_CHARS:
            raise InputError("model", f"at most {MAX_REF_CHARS:,} characters")
        else:
            arch = resolve_model(self.model)
        return arch if self.vocab_size is None else arch.with_vocab(self.vocab_size)

    def cluster(self) -> Cluster:
        """The GPUs: a catalog type, or custom memory (optionally labelled with a type)."""
        gpu = None if self.gpu is None else find_gpu(self.gpu)
        if self.gpu_memory_mib is not None:
            memory = self.gpu_memory_mib * MiB
        elif gpu is not None:
            memory = gpu.memory_bytes
        else:
            raise InputError("gpu", "give a catalog key (`llmem catalog`) or gpu_memory_mib")
        return Cluster(
            gpu_key=gpu.key if gpu else None, memory_bytes=memory, num_gpus=self.num_gpus
        )

    def training(self) -> Training:
        given = {
            "precision": self.precision,
            "optimizer": self.optimizer,
            "grad_checkpointing": self.grad_checkpointing,
            **{name: getattr(self, name) for name in TRAINING_EXTRAS},
        }
        return Training(
            batch_size=self.batch_size,
            seq_len=self.seq_len,
            **{k: v for k, v in given.items() if v is not None},
        )

    def sharding(self) -> Sharding:
        given = {name: getattr(self, name) for name in Sharding.model_fields if name in SHARDING}
        return Sharding(**{k: v for k, v in given.items() if v is not None})

    def runtime(self) -> Runtime:
        return Runtime(
            profile=self.profile,
            cuda_context_bytes=(self.cuda_context_mib or 0) * MiB,
            allocator_slack=self.allocator_slack,
            chunk_size=self.chunk_size,
            allocator=self.allocator,
            comm_lag=self.comm_lag,
            nccl_bytes=None if self.nccl_mib is None else self.nccl_mib * MiB,
            cublas_workspace_bytes=(
                None if self.cublas_workspace_mib is None else self.cublas_workspace_mib * MiB
            ),
            margin=self.margin,
        )

    def job(self, architecture: Architecture | None = None) -> Job:
        """The job (every field but the method); `architecture` replaces the model's (an
        upload already read)."""
        if architecture is not None and self.vocab_size is not None:
            architecture = architecture.with_vocab(self.vocab_size)
        return Job(
            model=architecture or self.architecture(),
            training=self.training(),
            cluster=self.cluster(),
            runtime=self.runtime(),
            sharding=self.sharding(),
        )

    def request(self, architecture: Architecture | None = None) -> Request:
        if self.method is None:
            raise InputError("method", "required; one of " + ", ".join(MethodKind))
        return self.job(architecture).request(Method(kind=self.method, tp=self.tp))
