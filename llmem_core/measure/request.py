"""What to measure: a validated, frozen request, shared by the CLI, the runner and the worker."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

Precision = Literal["fp32", "amp-bf16", "amp-fp16", "bf16"]
Optimizer = Literal["adamw-foreach", "adamw-fused"]
Device = Literal["cuda", "fake-cuda"]
Method = Literal["single", "cdp", "adp", "tp", "dp+tp"]

PRECISIONS: tuple[str, ...] = get_args(Precision)
OPTIMIZERS: tuple[str, ...] = get_args(Optimizer)
DEVICES: tuple[str, ...] = get_args(Device)
METHODS: tuple[str, ...] = get_args(Method)

# Bounds that keep a request meaningful; the fake device has no memory limit of its own.
MAX_BATCH_SIZE = 4096
MAX_SEQ_LEN = 1_048_576
MAX_STEPS = 100
MAX_GPUS = 4096


class MeasureInputError(ValueError):
    """A bad request; the message names the field and what it accepts (shown to users as is)."""


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
    tp: int | None = None  # tensor-parallel degree: tp → num_gpus; dp+tp → required
    reshard_after_forward: bool = True  # adp / dp+tp (FSDP2)

    def __post_init__(self) -> None:
        _check_choice("precision", self.precision, PRECISIONS)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("device", self.device, DEVICES)
        _check_range("batch_size", self.batch_size, 1, MAX_BATCH_SIZE)
        _check_range("seq_len", self.seq_len, 1, MAX_SEQ_LEN)
        _check_range("steps", self.steps, 2, MAX_STEPS)
        _check_choice("method", self.method, METHODS)
        _check_range("num_gpus", self.num_gpus, 1, MAX_GPUS)
        _check_parallel_layout(self)
        if not self.model.strip():
            raise MeasureInputError("model: must be a Hugging Face id from the presets or a path")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_parallel_layout(request: MeasureRequest) -> None:
    method, world, tp = request.method, request.num_gpus, request.tp
    if method == "single" and world != 1:
        raise MeasureInputError(
            f"num_gpus: got {world} with method single; use --method cdp|adp|tp|dp+tp"
        )
    if method in ("cdp", "adp") and tp not in (None, 1):
        raise MeasureInputError(f"tp: got {tp}, but method {method} has no tensor parallelism")
    if method == "tp" and tp is None:
        object.__setattr__(request, "tp", world)
    elif method == "tp" and tp != world:
        raise MeasureInputError(f"tp: got {tp}, expected num_gpus ({world}) for method tp")
    if method == "dp+tp":
        if tp is None:
            raise MeasureInputError("tp: method dp+tp needs --tp T (a divisor of --num-gpus)")
        _check_range("tp", tp, 2, MAX_GPUS)
        if world % tp or world // tp < 2:
            raise MeasureInputError(
                f"tp: got {tp}, expected a divisor of num_gpus ({world}) leaving a dp size ≥ 2"
            )


def _check_choice(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise MeasureInputError(f"{field}: got {value!r}, expected one of {', '.join(allowed)}")


def _check_range(field: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MeasureInputError(f"{field}: got {value!r}, expected an integer in [{low}, {high}]")
