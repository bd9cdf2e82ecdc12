"""What to measure: a validated, frozen request, shared by the CLI, the runner and the worker.

The layout rules (which method runs on how many GPUs with which tensor-parallel degree) are the
estimator's own (llmem_core.parallelism), so a measurement and an estimate of the same plan are
refused, or resolved, alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from llmem_core.errors import InputError, echo

Precision = Literal["fp32", "amp-bf16", "amp-fp16", "bf16"]
Optimizer = Literal["adamw-foreach", "adamw-fused", "adafactor", "sgd"]
FineTune = Literal["full", "lora"]
Checkpointing = Literal["off", "full", "selective"]
Loss = Literal["standard", "chunked"]
Device = Literal["cuda", "fake-cuda"]
Method = Literal["single", "cdp", "adp", "tp", "dp+tp"]

PRECISIONS: tuple[str, ...] = get_args(Precision)
OPTIMIZERS: tuple[str, ...] = get_args(Optimizer)
FINETUNES: tuple[str, ...] = get_args(FineTune)
CHECKPOINTINGS: tuple[str, ...] = get_args(Checkpointing)
LOSSES: tuple[str, ...] = get_args(Loss)
DEVICES: tuple[str, ...] = get_args(Device)
METHODS: tuple[str, ...] = get_args(Method)

# Bounds that keep a request meaningful; the fake device has no memory limit of its own.
MAX_BATCH_SIZE = 4096
MAX_SEQ_LEN = 1_048_576
MAX_STEPS = 100
MAX_GPUS = 4096


@dataclass(frozen=True)
class MeasureRequest:
    """One measurement: a model (preset HF id, or a config.json path) and a training setup.

    ``steps`` counts whole training steps (forward, backward, optimizer step); step 1 creates the
    optimizer state, so at least 2 are needed for a steady-state figure.
    """

    model: str
    batch_size: int
    seq_len: int
    precision: Precision = "fp32"
    optimizer: Optimizer = "adamw-foreach"
    grad_checkpointing: bool = False
    device: Device = "fake-cuda"
    steps: int = 2
    # Several GPUs: the measurement is of one rank (rank 0 on the fake device) of num_gpus.
    method: Method = "single"
    num_gpus: int = 1
    tp: int | None = None  # tensor-parallel degree: tp → num_gpus; dp+tp → given or default
    reshard_after_forward: bool = True  # adp / dp+tp (FSDP2)
    # Issue #12: what trains, which layers are checkpointed, how the loss meets the logits.
    # (bitsandbytes' 8-bit optimizers and QLoRA need its CUDA kernels: not measurable here.)
    finetune: FineTune = "full"
    lora_rank: int = 16
    lora_alpha: float = 32.0
    lora_dropout: float = 0.0
    lora_targets: str = "attn"
    checkpointing: Checkpointing | None = None  # None: from grad_checkpointing (on: full)
    checkpoint_every: int = 2  # selective: layers 0, k, 2k, … (torchtitan's ac_freq)
    loss: Loss = "standard"
    loss_chunks: int = 8
    zero_redundancy: bool = False  # cdp: torch ZeroRedundancyOptimizer (PyTorch's ZeRO-1)
    cpu_offload: bool = False  # adp: FSDP2 CPUOffloadPolicy
    # Record every allocation and free (llmem_core.allocator.trace) into "allocation_trace".
    trace: bool = False

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise InputError("model", "must be a Hugging Face id from the presets or a path")
        _check_choice("precision", self.precision, PRECISIONS)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("device", self.device, DEVICES)
        _check_range("batch_size", self.batch_size, 1, MAX_BATCH_SIZE)
        _check_range("seq_len", self.seq_len, 1, MAX_SEQ_LEN)
        _check_range("steps", self.steps, 2, MAX_STEPS)
        _check_choice("method", self.method, METHODS)
        _check_range("num_gpus", self.num_gpus, 1, MAX_GPUS)
        if self.tp is not None:
            _check_range("tp", self.tp, 1, MAX_GPUS)
        _check_choice("finetune", self.finetune, FINETUNES)
        _check_choice("loss", self.loss, LOSSES)
        if self.checkpointing is None:
            mode = "full" if self.grad_checkpointing else "off"
            object.__setattr__(self, "checkpointing", mode)
        _check_choice("checkpointing", self.checkpointing, CHECKPOINTINGS)
        object.__setattr__(self, "grad_checkpointing", self.checkpointing != "off")
        object.__setattr__(self, "tp", _resolved_tp(self))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _resolved_tp(request: MeasureRequest) -> int | None:
    """The estimator's own layout of this plan: refuses what it refuses (tp on a method without
    tensor parallelism, a degree not dividing the GPUs or the heads, a sequence past a learned
    position table) and fills in the degree of tp and dp+tp."""
    from llmem_core.models import Method as CoreMethod
    from llmem_core.models import MethodKind
    from llmem_core.spec import MAX_GPU_MEMORY_MIB, PlanSpec

    spec = PlanSpec(
        model=request.model,
        gpu_memory_mib=MAX_GPU_MEMORY_MIB,
        num_gpus=request.num_gpus,
        batch_size=request.batch_size,
        seq_len=request.seq_len,
        precision=request.precision,
        optimizer=request.optimizer,
        grad_checkpointing=request.grad_checkpointing,
        checkpointing=request.checkpointing,
        checkpoint_every=request.checkpoint_every,
        finetune=request.finetune,
        lora_rank=request.lora_rank,
        lora_alpha=request.lora_alpha,
        lora_dropout=request.lora_dropout,
        lora_targets=request.lora_targets,
        loss=request.loss,
        loss_chunks=request.loss_chunks,
    )
    method = CoreMethod(kind=MethodKind(request.method), tp=request.tp)
    parallel = spec.job().request(method).parallel
    return parallel.tp if request.method in ("tp", "dp+tp") else None


def _check_choice(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InputError(field, f"must be one of {', '.join(allowed)} (got {echo(value)})")


def _check_range(field: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(
            field, f"must be a whole number from {low:,} to {high:,} (got {echo(value)})"
        )
