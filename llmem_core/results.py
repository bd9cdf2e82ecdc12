"""What the estimator returns: frozen models of numbers (formatting is the front ends')."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from pydantic import Field

from llmem_core.calibration import Calibration
from llmem_core.models import Frozen, Method, MethodKind
from llmem_core.parallelism import Parallelism
from llmem_core.request import Job, Request
from llmem_core.verdict import Band, Verdict


class Phase(StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"
    OPTIMIZER = "optimizer-step"


class Breakdown(Frozen):
    """Bytes per GPU by part; one field per bar segment. The parts sum to the peak.

    Layers, as a GPU reports them: the first five are the model's tensors (what the fake
    device measures); + workspace = max_memory_allocated; + in_flight = peak active bytes;
    + allocator_slack = max_memory_reserved; + runtime = what nvidia-smi shows."""

    transformer: int = Field(ge=0, description="body weights, gradients and fp32 master copy")
    lm_head: int = Field(ge=0, description="lm_head weight states, logits, loss temporaries")
    optimizer: int = Field(ge=0, description="optimizer states and step temporaries")
    activations: int = Field(ge=0, description="activations kept for the backward pass")
    transient: int = Field(ge=0, description="all-gathered parameters, TP backward all-gathers")
    runtime: int = Field(ge=0, description="outside PyTorch: CUDA context, NCCL buffers")
    workspace: int = Field(default=0, ge=0, description="cuBLAS/cuBLASLt, attention workspaces")
    in_flight: int = Field(default=0, ge=0, description="freed buffers of running collectives")
    allocator_slack: int = Field(default=0, ge=0, description="reserved beyond active blocks")

    @property
    def model_tensors(self) -> int:
        """The model's tensors: what a fake-device reference measures."""
        return self.transformer + self.lm_head + self.optimizer + self.activations + self.transient

    @property
    def allocated(self) -> int:
        return self.model_tensors + self.workspace

    @property
    def active(self) -> int:
        return self.allocated + self.in_flight

    @property
    def reserved(self) -> int:
        return self.active + self.allocator_slack

    @property
    def total(self) -> int:
        return self.reserved + self.runtime


class Levels(NamedTuple):
    """What a GPU would report at a batch: each figure's peak over the step's phases."""

    model_tensors: int  # the fake device's figure
    allocated: int  # torch.cuda.max_memory_allocated
    active: int  # peak active bytes (memory_stats "active_bytes.all.peak")
    reserved: int  # torch.cuda.max_memory_reserved
    device: int  # nvidia-smi with memory to spare (the estimate's peak)
    need: int  # the least memory the step runs in (free-and-retry)
    device_high: int = 0  # the device figure with the largest replayed allocator slack


class Term(Frozen):
    """How one component is computed, for the assumptions panel and the hover text; its bytes
    are `Estimate.components.<component>`."""

    component: str
    name: str
    formula: str
    source: str


class Estimate(Frozen):
    request: Request
    peak_bytes: int = Field(description="= device_bytes: what nvidia-smi would show")
    tensor_peak_bytes: int = Field(description="what torch.cuda.max_memory_allocated shows")
    components: Breakdown
    phase: Phase
    phase_peaks: dict[Phase, int]
    capacity_bytes: int
    fits: bool = Field(description="True only for the verdict `fits`")
    headroom_bytes: int
    terms: tuple[Term, ...]
    notes: tuple[str, ...] = ()
    model_tensor_bytes: int = Field(default=0, description="the model's tensors (fake device)")
    active_bytes: int = Field(default=0, description="peak active: + buffers in flight")
    reserved_bytes: int = Field(default=0, description="what max_memory_reserved shows")
    device_bytes: int = Field(default=0, description="reserved + memory outside PyTorch")
    need_bytes: int = Field(default=0, description="the least memory the step runs in")
    band: Band | None = None
    verdict: Verdict = Verdict.FITS
    usable_bytes: int = Field(default=0, description="capacity × (1 − margin)")
    host_bytes: int = Field(
        default=0, ge=0, description="CPU memory per node the plan needs (offload, pinned)"
    )
    calibration: Calibration | None = Field(
        default=None, description="the fit from measured runs applied (issue #11), or None"
    )

    @property
    def parallel(self) -> Parallelism:
        return self.request.parallel

    @property
    def range_bytes(self) -> tuple[int, int]:
        """(low, high): the band, or the peak alone where the estimate has none."""
        return (self.band.low, self.band.high) if self.band else (self.peak_bytes,) * 2

    @property
    def judged_bytes(self) -> int:
        """What the verdict is judged against: the usable capacity (less the margin), or the
        whole capacity where no margin was set (usable_bytes 0)."""
        return self.usable_bytes or self.capacity_bytes


class MethodPlan(Frozen):
    """One method's row of Algorithm 1: its largest batch and score, or why it cannot run."""

    method: Method = Field(description="as resolved: the tensor-parallel degree filled in")
    applicable: bool = Field(description="False: the method cannot run this job at all")
    reason: str = Field(default="", description="why not applicable (the refusal's message)")
    max_batch_size: int = Field(ge=0, description="0 when even batch 1 does not fit")
    score: float
    peak_bytes_at_max: int | None = None
    samples_per_step: int = 0
    max_batch_at_risk: int = Field(
        default=0, ge=0, description="largest batch whose verdict is not `oom`"
    )
    calibration: Calibration | None = Field(
        default=None, description="the fit from measured runs applied (issue #11), or None"
    )

    @property
    def kind(self) -> MethodKind:
        return self.method.kind

    @property
    def fits(self) -> bool:
        return self.max_batch_size > 0


class Plan(Frozen):
    """Algorithm 1 for one job: every candidate method, keyed by its kind, and the choice
    (None when no method fits batch 1: offload to CPU)."""

    job: Job
    choice: MethodKind | None
    methods: dict[MethodKind, MethodPlan]
    reason: str

    @property
    def chosen(self) -> MethodPlan | None:
        """The chosen method's row; None when nothing fits."""
        return None if self.choice is None else self.methods[self.choice]

    @property
    def offload(self) -> bool:
        return self.choice is None
