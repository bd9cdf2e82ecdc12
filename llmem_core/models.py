"""The estimator's inputs: frozen pydantic models and nothing else (a request built from them:
request.py; what comes out: results.py).

Every categorical input is a StrEnum, so an unknown value is rejected at the boundary with a
message that lists the allowed ones; every size has bounds, so an absurd value never reaches a
formula. Every model raises InputError(field, message) on bad input, never pydantic's own error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from llmem_core.calibration import Calibrations
from llmem_core.errors import InputError
from llmem_core.validation import input_error


class Frozen(BaseModel):
    """Base of every llmem model: immutable, hashable, unknown fields rejected; bad input is an
    InputError naming the field and its allowed range; copies are validated like originals."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise input_error(err, type(self)) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:  # type: ignore[override]
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as err:
            raise input_error(err, cls) from None

    def values(self) -> dict[str, Any]:
        """The fields as they are (nested models stay models): the input of a validated copy."""
        return {name: getattr(self, name) for name in type(self).model_fields}

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self:
        """A validated copy: the same checks as the constructor (pydantic's own skips them)."""
        return type(self)(**{**self.values(), **(update or {})})


# Bounds. Far beyond any real model or run; their purpose is to stop typos (a batch of
# 10**12) from producing a silently absurd number.
MAX_LAYERS = 1_000
MAX_HIDDEN = 1_048_576
MAX_VOCAB = 16_777_216
MAX_BATCH = 1_000_000
MAX_SEQ = 16_777_216
MAX_NAME_CHARS = 64  # heuristic bound on a config's names (activation, model_type, quant_method)
MAX_GPUS = 4_096  # GPUs in one job; also the most `gpus` and `cost` search

Count = Annotated[int, Field(ge=1)]


class Family(StrEnum):
    """Model family: decides which Hugging Face config keys are read."""

    OPT = "opt"
    BLOOM = "bloom"
    CODEGEN = "codegen"
    BIOGPT = "biogpt"
    GPT_BIGCODE = "gpt_bigcode"
    GPT_NEO = "gpt_neo"
    GPT2 = "gpt2"
    LLAMA = "llama"
    MISTRAL = "mistral"
    MIXTRAL = "mixtral"
    QWEN2 = "qwen2"
    GEMMA2 = "gemma2"
    PHI3 = "phi3"
    # Issue #13: the families of 2025 (transformers 5.24 model_type; Gemma 3's text model).
    QWEN3 = "qwen3"  # Llama-like with a per-head RMSNorm on q and k
    QWEN3_MOE = "qwen3_moe"  # Qwen3 attention, every MLP a routed mixture of experts
    GEMMA3 = "gemma3"  # Gemma 2's four norms, q/k norm, 5 local : 1 global layers
    GPT_OSS = "gpt_oss"  # MoE with biases, attention sinks, alternating 128-token windows
    DEEPSEEK_V2 = "deepseek_v2"  # multi-head latent attention, shared + routed experts
    DEEPSEEK_V3 = "deepseek_v3"  # the same with a low-rank query and sigmoid routing
    OLMO2 = "olmo2"  # post-norms and a q/k RMSNorm over all heads
    SMOLLM3 = "smollm3"  # Llama-like, rotary left out of every 4th layer (NoPE)
    OTHER = "other"  # a model_type llmem has no reader for, read by features (hf_config._generic)


class MlpKind(StrEnum):
    PLAIN = "plain"  # two matrices with an activation between (GPT-2, OPT, BLOOM …)
    GATED = "gated"  # gate, up and down matrices (SwiGLU, GeGLU: Llama, Gemma …)


class PositionKind(StrEnum):
    LEARNED = "learned"  # a position table of learned_positions rows: the longest sequence
    ROTARY = "rotary"
    ALIBI = "alibi"


class NormKind(StrEnum):
    LAYERNORM = "layernorm"  # weight and bias: 2·h parameters
    RMSNORM = "rmsnorm"  # weight only: h parameters


class QkNorm(StrEnum):
    """A norm on the queries and keys before attention (its weights are parameters)."""

    NONE = "none"
    HEAD = "head"  # RMSNorm(head_dim) shared by the heads: Qwen3, Gemma 3
    FULL = "full"  # RMSNorm over all heads' width (heads·head_dim, kv·head_dim): OLMo 2


class Mla(Frozen):
    """DeepSeek's multi-head latent attention (DeepseekV2/V3Attention): keys and values come
    from one compressed latent of kv_lora_rank, plus a shared rotary key of qk_rope_head_dim;
    queries from h directly (q_lora_rank 0) or through a q_lora_rank latent."""

    q_lora_rank: int = Field(ge=0, le=MAX_HIDDEN, description="0: q_proj straight from h")
    kv_lora_rank: int = Field(ge=1, le=MAX_HIDDEN)
    qk_nope_head_dim: int = Field(ge=1, le=MAX_HIDDEN)
    qk_rope_head_dim: int = Field(ge=1, le=MAX_HIDDEN)
    v_head_dim: int = Field(ge=1, le=MAX_HIDDEN)

    @property
    def qk_head_dim(self) -> int:
        return self.qk_nope_head_dim + self.qk_rope_head_dim


class AttentionImpl(StrEnum):
    SDPA = "sdpa"  # torch scaled_dot_product_attention (flash / memory-efficient kernels)
    EAGER = "eager"  # explicit softmax(QKᵀ) matrices (BLOOM, GPT-Neo, Gemma-2 default)


class Architecture(Frozen):
    """Shapes of a decoder-only transformer: everything the estimator needs of a model."""

    name: str = Field(min_length=1, max_length=200)
    family: Family
    num_layers: int = Field(ge=1, le=MAX_LAYERS)
    hidden_size: int = Field(ge=1, le=MAX_HIDDEN)
    num_attention_heads: int = Field(ge=1, le=MAX_HIDDEN)
    num_key_value_heads: int = Field(ge=1, le=MAX_HIDDEN)
    head_dim: int = Field(ge=1, le=MAX_HIDDEN)
    intermediate_size: int = Field(ge=1, le=16 * MAX_HIDDEN)
    mlp_kind: MlpKind
    activation: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    vocab_size: int = Field(ge=1, le=MAX_VOCAB)
    embedding_dim: int = Field(ge=1, le=MAX_HIDDEN, description="token embedding width")
    tie_word_embeddings: bool
    position_embedding: PositionKind
    learned_positions: int = Field(ge=0, le=MAX_SEQ, description="rows of a learned table")
    position_offset: int = Field(
        default=0, ge=0, le=16, description="rows before position 0 (OPT, BioGPT: 2)"
    )
    norm_kind: NormKind
    norms_per_layer: int = Field(ge=0, le=8)
    final_norm: bool
    embedding_norm: bool = False
    qkv_bias: bool
    o_bias: bool
    mlp_bias: bool
    lm_head_bias: bool = False
    fused_qkv: bool = False
    fused_gate_up: bool = False
    num_experts: int = Field(default=1, ge=1, le=4096)
    experts_per_token: int = Field(default=1, ge=1, le=4096)
    moe_intermediate_size: int = Field(
        default=0, ge=0, le=16 * MAX_HIDDEN, description="one expert's width; 0: intermediate_size"
    )
    shared_expert_size: int = Field(
        default=0, ge=0, le=16 * MAX_HIDDEN, description="width of the always-on shared experts"
    )
    dense_layers: int = Field(
        default=0, ge=0, le=MAX_LAYERS, description="leading layers with a dense MLP (DeepSeek)"
    )
    moe_bias: bool = Field(default=False, description="router and experts have biases (gpt-oss)")
    qk_norm: QkNorm = QkNorm.NONE
    attention_sinks: bool = Field(default=False, description="a learned sink logit per head")
    mla: Mla | None = None
    sliding_window: int = Field(default=0, ge=0, le=MAX_SEQ, description="local layers' window")
    sliding_layers: int = Field(default=0, ge=0, le=MAX_LAYERS, description="layers that are local")
    nope_layers: int = Field(default=0, ge=0, le=MAX_LAYERS, description="layers without rotary")
    model_type: str = Field(
        default="",
        max_length=MAX_NAME_CHARS,
        description="config.json's model_type where family is other",
    )
    checkpoint_quantization: str = Field(
        default="",
        max_length=MAX_NAME_CHARS,
        description="quant_method of the published weights (mxfp4, fp8)",
    )
    logits_fp32: bool = Field(
        default=True, description="the loss casts logits to fp32 (transformers ≥ 4.46 always)"
    )
    attention_impl: AttentionImpl = AttentionImpl.SDPA
    hidden_dropout: float = Field(default=0.0, ge=0.0, le=1.0)
    attention_dropout: float = Field(default=0.0, ge=0.0, le=1.0)
    buffer_bytes: int = Field(default=0, ge=0, description="registered non-parameter tensors")

    @model_validator(mode="after")
    def _consistent(self) -> Architecture:
        if self.num_attention_heads % self.num_key_value_heads:
            raise InputError(
                "num_key_value_heads",
                f"must divide num_attention_heads ({self.num_attention_heads:,}); "
                f"got {self.num_key_value_heads:,}",
            )
        if self.experts_per_token > self.num_experts:
            raise InputError(
                "experts_per_token",
                f"must be at most num_experts ({self.num_experts:,}); "
                f"got {self.experts_per_token:,}",
            )
        self._check_positions()
        self._check_layers()
        return self

    def _check_layers(self) -> None:
        for name in ("dense_layers", "sliding_layers", "nope_layers"):
            value = getattr(self, name)
            if value > self.num_layers:
                raise InputError(
                    name, f"must be at most num_layers ({self.num_layers:,}); got {value:,}"
                )

    @property
    def moe(self) -> bool:
        return self.num_experts > 1

    @property
    def expert_size(self) -> int:
        """A routed expert's width (Mixtral: intermediate_size; Qwen3-MoE, DeepSeek: their own)."""
        return self.moe_intermediate_size or self.intermediate_size

    @property
    def moe_layers(self) -> int:
        return self.num_layers - self.dense_layers if self.moe else 0

    def _check_positions(self) -> None:
        learned = self.position_embedding == PositionKind.LEARNED
        if not learned and (self.learned_positions or self.position_offset):
            raise InputError("learned_positions", "must be 0 unless position_embedding is learned")
        if learned and self.learned_positions <= self.position_offset:
            raise InputError(
                "learned_positions",
                f"must exceed position_offset ({self.position_offset}); "
                f"got {self.learned_positions:,}",
            )

    @property
    def max_seq_len(self) -> int | None:
        """The longest sequence the model can take: a learned position table has one row per
        position (after its offset); rotary and ALiBi models have no table, so no such limit."""
        if self.position_embedding != PositionKind.LEARNED:
            return None
        return self.learned_positions - self.position_offset

    def with_vocab(self, vocab_size: int) -> Architecture:
        """The same model with another vocabulary (the what-if of the paper's lm_head point)."""
        return self.model_copy(update={"vocab_size": vocab_size})


class Precision(StrEnum):
    FP32 = "fp32"
    AMP_BF16 = "amp-bf16"  # fp32 weights and states, torch.autocast to bf16
    AMP_FP16 = "amp-fp16"  # the same with fp16 (the paper's setting)
    BF16 = "bf16"  # weights, gradients and optimizer states all in bf16


class Optimizer(StrEnum):
    ADAMW_FOREACH = "adamw-foreach"  # torch default on GPU: a temporary of one parameter copy
    ADAMW_FUSED = "adamw-fused"  # no temporary
    ADAMW_8BIT = "adamw-8bit"  # bitsandbytes AdamW8bit: blockwise 8-bit states (formula only)
    PAGED_ADAMW_8BIT = "paged-adamw-8bit"  # the same in CUDA unified (pageable) memory
    ADAFACTOR = "adafactor"  # torch.optim.Adafactor: factored second moment, no momentum
    SGD = "sgd"  # torch.optim.SGD with momentum (foreach): one momentum buffer


class FineTune(StrEnum):
    """Which weights train."""

    FULL = "full"  # every parameter: gradients and optimizer states for all
    LORA = "lora"  # peft LoRA: frozen base in its precision, trained low-rank adapters
    QLORA = "qlora"  # LoRA over a 4-bit NF4 base (bitsandbytes; formula only)


class Checkpointing(StrEnum):
    """Activation checkpointing (torch.utils.checkpoint, non-reentrant)."""

    OFF = "off"  # every activation of every layer is kept
    FULL = "full"  # every decoder layer recomputed: only its input is kept
    SELECTIVE = "selective"  # every k-th layer (torchtitan's `selective` with an int frequency)


class Loss(StrEnum):
    """How the loss meets the logits."""

    STANDARD = "standard"  # transformers ForCausalLMLoss: all fp32 logits at once
    CHUNKED = "chunked"  # torchtune CEWithChunkedOutputLoss: lm_head and fp32 upcast per chunk
    FUSED_LINEAR = "fused-linear"  # Liger fused linear cross-entropy: no logits kept (formula)


MAX_LORA_RANK = 65_536
LORA_ATTN = "attn"
LORA_ALL_LINEAR = "all-linear"


class Training(Frozen):
    batch_size: int = Field(ge=1, le=MAX_BATCH, description="micro-batch per data-parallel rank")
    seq_len: int = Field(ge=1, le=MAX_SEQ)
    precision: Precision = Precision.AMP_BF16
    optimizer: Optimizer = Optimizer.ADAMW_FOREACH
    grad_checkpointing: bool = True
    checkpointing: Checkpointing = Field(
        default=Checkpointing.FULL,
        description="off | full | selective; given alone it sets grad_checkpointing "
        "(full and selective: on), and grad_checkpointing alone sets it (on: full)",
    )
    checkpoint_every: int = Field(
        default=2, ge=1, le=MAX_LAYERS, description="selective: checkpoint every k-th layer"
    )
    finetune: FineTune = FineTune.FULL
    lora_rank: int = Field(default=16, ge=1, le=MAX_LORA_RANK, description="LoRA r")
    lora_alpha: float = Field(
        default=32.0, gt=0.0, le=1e6, description="LoRA scale α (no memory effect)"
    )
    lora_dropout: float = Field(default=0.0, ge=0.0, lt=1.0, description="LoRA dropout p")
    lora_targets: str = Field(
        default=LORA_ATTN,
        min_length=1,
        max_length=400,
        description="attn | all-linear | a comma list of module names (q_proj, v_proj, …)",
    )
    optimizer_in_backward: bool = Field(
        default=False, description="each parameter stepped as its gradient is ready (torchtune)"
    )
    loss: Loss = Loss.STANDARD
    loss_chunks: int = Field(default=8, ge=1, le=4096, description="chunked loss: chunks")
    activation_offload: bool = Field(
        default=False, description="kept activations copied to pinned CPU memory (torchtune)"
    )
    grad_accumulation: int = Field(
        default=1, ge=1, le=MAX_BATCH, description="micro-batches per optimizer step"
    )

    @model_validator(mode="before")
    @classmethod
    def _checkpointing_pair(cls, data: Any) -> Any:
        """grad_checkpointing (kept: full or off) and checkpointing say one thing."""
        if not isinstance(data, dict):
            return data
        flag, mode = data.get("grad_checkpointing"), data.get("checkpointing")
        if mode is None:
            on = True if flag is None else flag
            return {**data, "checkpointing": Checkpointing.FULL if on else Checkpointing.OFF}
        try:
            mode = Checkpointing(mode)
        except ValueError:
            return data  # the field's own check names the allowed values
        if flag is not None and bool(flag) != (mode != Checkpointing.OFF):
            raise InputError(
                "checkpointing",
                f"{mode} contradicts grad_checkpointing={bool(flag)} (give one of the two)",
            )
        return {**data, "grad_checkpointing": mode != Checkpointing.OFF}

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self:
        """A validated copy; changing one of grad_checkpointing / checkpointing changes both."""
        update = dict(update or {})
        values = self.values()
        if ("grad_checkpointing" in update) != ("checkpointing" in update):
            values.pop("checkpointing" if "grad_checkpointing" in update else "grad_checkpointing")
        return type(self)(**{**values, **update})

    @property
    def peft(self) -> bool:
        """Only adapters train (LoRA or QLoRA)."""
        return self.finetune != FineTune.FULL


class MethodKind(StrEnum):
    """The one name of each way of spreading the job (core, cost, CLI and dashboard)."""

    SINGLE = "single"  # one GPU
    CDP = "cdp"  # conventional data parallel: the full model on every GPU (DDP)
    ADP = "adp"  # advanced data parallel: ZeRO-3 / FSDP, states sharded
    TP = "tp"  # 1-D tensor parallel over all GPUs
    DP_TP = "dp+tp"  # data parallel groups of tensor-parallel GPUs
    ZERO1 = "zero1"  # DeepSpeed ZeRO-1: optimizer states partitioned, weights and grads whole
    ZERO2 = "zero2"  # DeepSpeed ZeRO-2: optimizer states and gradients partitioned


class Method(Frozen):
    kind: MethodKind
    tp: int | None = Field(
        default=None,
        ge=1,
        le=MAX_GPUS,
        description="tensor-parallel degree; None: the method's own (tp: every GPU; dp+tp: "
        "the largest divisor of the GPU count up to its square root)",
    )


class Offload(StrEnum):
    """What lives in CPU memory instead of the GPU's."""

    NONE = "none"
    OPTIMIZER = "optimizer"  # DeepSpeed offload_optimizer: fp32 master and states, step on CPU
    OPTIMIZER_PARAMS = "optimizer+params"  # + parameters (FSDP2 CPUOffloadPolicy, DS ZeRO-3)


class Zero3Engine(StrEnum):
    """What `adp` (ZeRO-3) runs on in the pytorch profile."""

    FSDP2 = "fsdp2"  # torch fully_shard per decoder layer, then the root
    DEEPSPEED = "deepspeed"  # DeepSpeed ZeRO-3 (prefetch bucket, live-parameter limit)


class ZeroEngine(StrEnum):
    """What `zero1` runs on in the pytorch profile."""

    DEEPSPEED = "deepspeed"  # DeepSpeed ZeRO-1 (16-bit weights, fp32 master partition)
    TORCH = "torch"  # DDP + torch's ZeroRedundancyOptimizer (parameters whole, states split)


# DeepSpeed's defaults (deepspeed/runtime/zero/config.py, DeepSpeedZeroConfig), in elements.
DS_REDUCE_BUCKET = 500_000_000
DS_ALLGATHER_BUCKET = 500_000_000
DS_PREFETCH_BUCKET = 50_000_000
DS_MAX_LIVE_PARAMETERS = 1_000_000_000
MAX_BUCKET = 2**40  # heuristic bound for input checking: far past any real bucket (2^40 elements)


class Sharding(Frozen):
    """How the data-parallel engines hold and move states (ZeRO stages, FSDP2, offload)."""

    offload: Offload = Offload.NONE
    zero3_engine: Zero3Engine = Zero3Engine.FSDP2
    zero_engine: ZeroEngine = ZeroEngine.DEEPSPEED
    reshard_after_forward: bool = Field(
        default=True, description="FSDP2: False keeps each unit gathered from forward to backward"
    )
    reduce_bucket: int = Field(
        default=DS_REDUCE_BUCKET, ge=1, le=MAX_BUCKET, description="DeepSpeed reduce_bucket_size"
    )
    allgather_bucket: int = Field(
        default=DS_ALLGATHER_BUCKET,
        ge=1,
        le=MAX_BUCKET,
        description="DeepSpeed allgather_bucket_size (ZeRO-1/2)",
    )
    prefetch_bucket: int = Field(
        default=DS_PREFETCH_BUCKET,
        ge=0,
        le=MAX_BUCKET,
        description="DeepSpeed stage3_prefetch_bucket_size",
    )
    max_live_parameters: int = Field(
        default=DS_MAX_LIVE_PARAMETERS,
        ge=0,
        le=MAX_BUCKET,
        description="DeepSpeed stage3_max_live_parameters",
    )
    context_parallel: int = Field(
        default=1,
        ge=1,
        le=MAX_GPUS,
        description="adp: ranks one sequence is split over (torch context_parallel, ring "
        "attention, as torchtitan runs it with FSDP2)",
    )
    overlap_comm: bool = Field(
        default=False,
        description="DeepSpeed overlap_comm: two reduce buckets; off by default for ZeRO-1/2 "
        "(deepspeed/runtime/zero/config.py `overlap_comm_valid`)",
    )


class Cluster(Frozen):
    gpu_key: str | None = Field(default=None, description="catalog key, or None for custom")
    memory_bytes: int = Field(ge=1, le=2**50, description="memory per GPU, as the driver reports")
    num_gpus: int = Field(ge=1, le=MAX_GPUS)


class ProfileName(StrEnum):
    PAPER = "paper"  # LLMem's equations for Colossal-AI Gemini (2023)
    PYTORCH = "pytorch"  # eager PyTorch + Hugging Face transformers, checked against PyTorch


class AllocatorMode(StrEnum):
    """PyTorch's caching allocator setting (PYTORCH_CUDA_ALLOC_CONF)."""

    DEFAULT = "default"  # cudaMalloc'd segments: 2 MiB small, 20 MiB or request-sized large
    EXPANDABLE = "expandable-segments"  # expandable_segments:True: one growing segment per stream


class Runtime(Frozen):
    """Terms that no tensor-level reference sees; named inputs with documented defaults."""

    profile: ProfileName = ProfileName.PYTORCH
    cuda_context_bytes: int = Field(
        default=0,
        ge=0,
        le=2**40,
        description="CUDA context and library handles (m_base); 0 = the profile's default",
    )
    allocator_slack: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="reserved memory beyond the active bytes, as a fraction of them; "
        "0 = the allocator model's (replays of recorded allocation traces)",
    )
    chunk_size: int = Field(
        default=0,
        ge=0,
        le=2**34,
        description="Gemini chunk size in elements; 0 = search it as Gemini does",
    )
    allocator: AllocatorMode = AllocatorMode.DEFAULT
    comm_lag: int | None = Field(
        default=None,
        ge=0,
        le=64,
        description="collectives a GPU runs behind the CPU, whose buffers stay in flight "
        "(ProcessGroupNCCL recordStream); None = the engine's default; 0 = "
        "TORCH_NCCL_AVOID_RECORD_STREAMS=1",
    )
    nccl_bytes: int | None = Field(
        default=None, ge=0, le=2**40, description="NCCL buffers per GPU; None = by GPUs and type"
    )
    cublas_workspace_bytes: int | None = Field(
        default=None,
        ge=0,
        le=2**34,
        description="cuBLAS + cuBLASLt workspace per handle and stream; None = torch's default",
    )
    margin: float = Field(
        default=0.0,
        ge=0.0,
        le=0.5,
        description="fraction of GPU memory to keep free: the verdict and the batch search "
        "use capacity × (1 − margin)",
    )
    calibration: Calibrations | None = Field(
        default=None,
        description="fits from the user's measured runs (issue #11), applied to the GPU type "
        "and method family they were measured on; None = uncalibrated",
    )


class FloorKind(StrEnum):
    """What the catalog's cheapest non-on-demand listing of a GPU is (docs/cost.md)."""

    INTERRUPTIBLE = "interruptible"  # the source calls it spot or interruptible
    # a marketplace's lowest offer (Vast.ai) whose source does not say whether it is an
    # on-demand or an interruptible offer: the class is "interruptible or marketplace"
    MARKETPLACE = "marketplace"


class Gpu(Frozen):
    """One catalog GPU (presets/gpus.json); every figure carries its source and date.

    Cloud prices per GPU-hour: `cloud_usd_per_hour_low/high` span every listing the source
    names; the split takes the same listings by kind: on-demand (not pre-emptible: list
    prices, RunPod Community and Secure Pods) low and high, and the cheapest interruptible
    or marketplace listing (`cloud_interruptible_kind` says which). None: the source names
    no listing of that kind (`cloud_kinds_source` says so, and why each listing is its kind).
    """

    key: str = Field(pattern=r"^[a-z0-9-]+$")
    catalog_key: str
    name: str
    note: str = ""
    vendor: str
    memory_bytes: int = Field(ge=1)
    memory_source: str
    memory_gb_sold: float
    bandwidth_tb_s: float | None = None
    bf16_tflops_dense: float | None = None
    tdp_w: float | None = None
    interconnect: str = ""
    purchase_usd: float | None = Field(default=None, gt=0)
    purchase_source: str = ""
    cloud_usd_per_hour_low: float | None = Field(default=None, gt=0)
    cloud_usd_per_hour_high: float | None = Field(default=None, gt=0)
    cloud_source: str = ""
    cloud_on_demand_usd_per_hour_low: float | None = Field(default=None, gt=0)
    cloud_on_demand_usd_per_hour_high: float | None = Field(default=None, gt=0)
    cloud_interruptible_usd_per_hour: float | None = Field(default=None, gt=0)
    cloud_interruptible_kind: FloorKind | None = None
    cloud_kinds_source: str = ""
    as_of: str = "unknown"

    @model_validator(mode="after")
    def _split_is_consistent(self) -> Self:
        """A floor has its kind; on-demand low ≤ high; each split price within the overall
        range (the catalog's own check: a row built by hand that breaks these is a typo)."""
        floor = self.cloud_interruptible_usd_per_hour
        if (floor is None) != (self.cloud_interruptible_kind is None):
            raise ValueError(f"{self.key}: an interruptible price needs its kind, and only it")
        low, high = self.cloud_on_demand_usd_per_hour_low, self.cloud_on_demand_usd_per_hour_high
        if (low is None) != (high is None) or (low is not None and high is not None and low > high):
            raise ValueError(f"{self.key}: on-demand low and high go together, low ≤ high")
        split = [x for x in (low, high, floor) if x is not None]
        overall = (self.cloud_usd_per_hour_low, self.cloud_usd_per_hour_high)
        if split and (None in overall or not all(overall[0] <= x <= overall[1] for x in split)):
            raise ValueError(f"{self.key}: split prices must lie in the overall cloud range")
        return self


class ModelPreset(Frozen):
    """A preset model: its architecture plus where the numbers came from."""

    hf_id: str
    architecture: Architecture
    params_exact: int
    params_published: str
    source: str
    active_params: int | None = Field(
        default=None,
        description="MoE: parameters a token uses (total less the unused experts), as the "
        "authors count them: Qwen and Mistral with the input embedding, OpenAI and DeepSeek "
        "without",
    )
    multimodal: str = Field(default="", description="what a multimodal checkpoint adds")
