"""What the cost module returns: frozen models, numbers only (formatting is the front ends').

Hours are the time unit (prices are per GPU-hour); money is in `Currency.code`; None means
"unknown" (a price the catalog lacks) and never stands for zero.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from llmem_core.calibration import Calibration
from llmem_core.cost.inputs import CostBasis, Currency
from llmem_core.models import FloorKind, Frozen, MethodKind
from llmem_core.units import SECONDS_PER_HOUR


class UnitPrices(Frozen):
    """One GPU's effective figures after the user's edits, in the chosen currency."""

    gpu_key: str
    gpu_name: str
    currency: str
    cloud_per_gpu_hour_low: float | None
    cloud_per_gpu_hour_high: float | None
    purchase_per_gpu: float | None
    power_w: float | None
    bf16_tflops_dense: float | None
    cloud_source: str
    purchase_source: str
    as_of: str
    edited: tuple[str, ...] = Field(description="fields the user overrode")
    on_demand_per_gpu_hour_low: float | None = Field(
        default=None, description="lowest on-demand (not pre-emptible) listing"
    )
    on_demand_per_gpu_hour_high: float | None = Field(
        default=None, description="highest on-demand listing"
    )
    interruptible_per_gpu_hour: float | None = Field(
        default=None, description="cheapest interruptible or marketplace listing"
    )
    interruptible_kind: FloorKind | None = Field(
        default=None, description="interruptible (stated) or marketplace (kind not stated)"
    )
    kinds_source: str = Field(default="", description="why each listing is the kind it is")


class RunTime(Frozen):
    """Time of one run: D tokens × FLOPs per token ÷ the cluster's effective FLOP/s."""

    tokens: float
    flops_per_token: int = Field(description="executed (hardware) FLOPs per token")
    total_flops: float
    num_gpus: int
    peak_flops_per_gpu: float = Field(description="FLOP/s at the job's precision")
    utilisation: float
    comm_penalty: float
    effective_flops: float = Field(description="the cluster's sustained FLOP/s")
    hours: float

    @property
    def gpu_hours(self) -> float:
        return self.hours * self.num_gpus

    @property
    def tokens_per_second(self) -> float:
        """D ÷ the run's seconds: the cluster's training throughput."""
        return self.tokens / (self.hours * SECONDS_PER_HOUR)


class RunCost(Frozen):
    """Money for one run in the chosen currency; None where a price is unknown."""

    gpu_hours: float
    cloud_low: float | None
    cloud_high: float | None
    owned_amortisation: float | None = Field(description="purchase ÷ lifetime hours × hours")
    energy_kwh: float | None
    owned_energy: float | None = Field(description="energy_kwh × price per kWh")
    owned_total: float | None
    nodes: int = Field(default=1, description="servers of up to 8 GPUs the plan needs")
    purchase_gpus: float | None = Field(default=None, description="n × purchase per GPU")
    purchase_nodes: float | None = Field(default=None, description="nodes × a server's parts")
    purchase_total: float | None = Field(default=None, description="GPUs + servers")
    on_demand_low: float | None = Field(default=None, description="GPU-hours × on-demand low")
    on_demand_high: float | None = Field(default=None, description="GPU-hours × on-demand high")
    interruptible: float | None = Field(
        default=None, description="GPU-hours × the cheapest interruptible or marketplace price"
    )
    interruption_factor: float = Field(
        default=1.0, description="the run's time with interruptions ÷ without (interruption.py)"
    )

    @property
    def interruptible_expected(self) -> float | None:
        """The floor's expected cost: its listed cost × the time its interruptions add."""
        return None if self.interruptible is None else self.interruptible * self.interruption_factor


class BreakEvenStatus(StrEnum):
    OK = "ok"
    NO_PRICE = "no-price"  # a purchase or cloud price or the power is unknown
    NEVER = "never"  # electricity per run costs at least the rent: buying never pays off


class RentPrice(StrEnum):
    """The rent a break-even compares buying with: its named assumption."""

    CLOUD_LOW = "cloud-low"  # the lowest listing of any kind
    CLOUD_HIGH = "cloud-high"  # the highest listing of any kind
    ON_DEMAND_LOW = "on-demand-low"  # the cheapest on-demand listing: buying pays off last
    ON_DEMAND_HIGH = "on-demand-high"  # the dearest on-demand listing: buying pays off first
    # the cheapest interruptible or marketplace listing, its interruptions (lost work,
    # checkpoints, restarts; not waiting for capacity) counted unless turned off
    INTERRUPTIBLE = "interruptible"


class BreakEven(Frozen):
    """When buying the cluster beats renting it at one cloud price: the runs after which
    purchase ÷ (rent per run − electricity per run) is paid back, and the months those take
    at `runs_per_month` (owned GPUs running this job back to back, unless given)."""

    status: BreakEvenStatus
    runs: float | None = None
    months: float | None = None
    within_amortisation: bool | None = Field(default=None, description="months ≤ years × 12")
    against: RentPrice | None = Field(default=None, description="the rent compared with")
    rent_per_run: float | None = Field(default=None, description="that rent for one run")
    runs_per_month: float | None = Field(default=None, description="the months' assumption")


class CostRow(Frozen):
    """One plan: a GPU type × count, its method and batch, its time and money."""

    gpu_key: str
    gpu_name: str
    num_gpus: int
    method: MethodKind
    tp: int
    data_parallel: int
    batch_size: int = Field(description="per replica, the job's")
    max_batch_size: int = Field(description="largest that fits with this method")
    samples_per_step: int
    peak_bytes: int = Field(description="estimated peak per GPU at the job's batch")
    fabric: bool = Field(default=True, description="GPUs joined by a switched fabric, not PCIe")
    nodes: int = Field(default=1, description="servers of up to 8 GPUs")
    capacity_bytes: int
    calibration: Calibration | None = Field(
        default=None, description="the run store's fit the estimate carried (issue #11)"
    )
    time: RunTime
    cost: RunCost
    break_even_vs_cloud_low: BreakEven
    break_even_vs_cloud_high: BreakEven
    break_even_vs_on_demand_low: BreakEven
    break_even_vs_on_demand_high: BreakEven
    break_even_vs_interruptible: BreakEven
    prices: UnitPrices
    cheapest: bool = False
    fastest: bool = False

    @property
    def hours(self) -> float:
        return self.time.hours

    @property
    def interruptible_hours(self) -> float | None:
        """The run's expected hours on the floor's listing (None: no such listing)."""
        return (
            None if self.cost.interruptible is None else self.hours * self.cost.interruption_factor
        )


class SkipReason(StrEnum):
    NO_TFLOPS = "no-tflops"  # the catalog has no peak TFLOP/s for this GPU
    NO_FIT = "no-fit"  # the job's batch fits on no count up to max_gpus


class Skipped(Frozen):
    """A GPU type left out of the ranking, and why (`reason` says it in words)."""

    gpu_key: str
    kind: SkipReason
    batch_size: int
    max_gpus: int
    reason: str


class Ranking(Frozen):
    """Every plan that fits and passes the filters, cheapest first; what was left out, why."""

    rows: tuple[CostRow, ...]
    skipped: tuple[Skipped, ...]
    filtered_out: int = Field(description="plans that fit but miss the deadline or budget")
    currency: Currency
    cost_basis: CostBasis
    tokens: float
    flops_per_token: int
