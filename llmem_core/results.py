"""What the estimator returns: frozen models of numbers (formatting is the front ends')."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from llmem_core.models import Frozen, Method, MethodKind
from llmem_core.parallelism import Parallelism
from llmem_core.request import Job, Request


class Phase(StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"
    OPTIMIZER = "optimizer-step"


class Breakdown(Frozen):
    """Bytes per GPU by part; one field per bar segment. The parts sum to the peak."""

    transformer: int = Field(ge=0, description="body weights, gradients and fp32 master copy")
    lm_head: int = Field(ge=0, description="lm_head weight states, logits, loss temporaries")
    optimizer: int = Field(ge=0, description="optimizer states and step temporaries")
    activations: int = Field(ge=0, description="activations kept for the backward pass")
    transient: int = Field(ge=0, description="all-gathered parameters, TP backward all-gathers")
    runtime: int = Field(ge=0, description="CUDA context, allocator slack, workspaces")

    @property
    def total(self) -> int:
        return (
            self.transformer
            + self.lm_head
            + self.optimizer
            + self.activations
            + self.transient
            + self.runtime
        )


class Term(Frozen):
    """How one component is computed, for the assumptions panel and the hover text; its bytes
    are `Estimate.components.<component>`."""

    component: str
    name: str
    formula: str
    source: str


class Estimate(Frozen):
    request: Request
    peak_bytes: int
    tensor_peak_bytes: int = Field(description="tensor allocations alone (runtime excluded)")
    components: Breakdown
    phase: Phase
    phase_peaks: dict[Phase, int]
    capacity_bytes: int
    fits: bool
    headroom_bytes: int
    terms: tuple[Term, ...]
    notes: tuple[str, ...] = ()

    @property
    def parallel(self) -> Parallelism:
        return self.request.parallel


class MethodPlan(Frozen):
    """One method's row of Algorithm 1: its largest batch and score, or why it cannot run."""

    method: Method = Field(description="as resolved: the tensor-parallel degree filled in")
    applicable: bool = Field(description="False: the method cannot run this job at all")
    reason: str = Field(default="", description="why not applicable (the refusal's message)")
    max_batch_size: int = Field(ge=0, description="0 when even batch 1 does not fit")
    score: float
    peak_bytes_at_max: int | None = None
    samples_per_step: int = 0

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
