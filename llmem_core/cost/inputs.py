"""What a cost question is made of: the job, the assumptions, the price edits, the ranking
options. Frozen pydantic models with bounds, so a bad value fails at the boundary with a message
that names the field and its range.

Money: every amount a user types (price edits, power price, budget) and every amount the core
returns is in `CostAssumptions.currency`. The catalog quotes USD; its prices are converted at
the user's rate (`Currency.per_usd`) when they enter a calculation.

Every default below is either cited or a named heuristic; docs/cost.md gives the reasoning.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from llmem_core.cost.interruption import slowdown
from llmem_core.errors import InputError
from llmem_core.models import (
    MAX_GPUS,
    Architecture,
    Cluster,
    Frozen,
    Gpu,
    MethodKind,
    Runtime,
    Training,
)
from llmem_core.request import Job, check_workload

# ---- heuristics (named, documented in docs/cost.md, every one an input) ----------------------

# Hardware FLOPs utilisation (HFU: all FLOPs executed, recomputation included, ÷ dense peak).
# Anchors: PaLM 540B 57.8 % HFU / 46.2 % MFU (Chowdhery et al. 2022, Table 3); Megatron 530B on
# A100 42.1 % MFU with full recomputation ≈ 56 % HFU (Korthikanti et al. 2022, abstract).
# Those are tuned pre-training stacks at scale; fine-tuning with stock PyTorch / HF Trainer on a
# few GPUs reaches less, so the defaults are team heuristics below those anchors. TP splits every
# matrix multiply into narrower ones, which run less efficiently: a lower default.
HEURISTIC_HFU = {
    MethodKind.SINGLE: 0.40,
    MethodKind.CDP: 0.40,
    MethodKind.ADP: 0.40,
    MethodKind.TP: 0.35,
    MethodKind.DP_TP: 0.35,
    MethodKind.ZERO1: 0.40,  # DeepSpeed ZeRO-1/2: data parallel, full-width matmuls (as CDP)
    MethodKind.ZERO2: 0.40,
}

# Fraction of step time lost to communication not hidden behind compute (heuristic).
# CDP: DDP overlaps its bucketed gradient all-reduce with the backward pass (Li et al., PyTorch
# Distributed, VLDB 2020), little stays exposed. ADP: ZeRO-3 moves 1.5× the traffic of data
# parallelism (Rajbhandari et al., ZeRO, SC 2020; the factor LLMem §5 uses), so 1.5 × CDP's.
# TP and DP+TP: Megatron TP's all-reduces sit on the critical path of every layer, forward and
# backward (Shoeybi et al. 2019 §3), and cannot be overlapped.
HEURISTIC_COMM_PENALTY = {
    MethodKind.SINGLE: 0.0,
    MethodKind.CDP: 0.05,
    MethodKind.ADP: 0.075,
    MethodKind.TP: 0.15,
    MethodKind.DP_TP: 0.15,
    # ZeRO-1/2 move the traffic of data parallelism (2Ψ per step: reduce-scatter of gradients,
    # all-gather of weights; Rajbhandari et al., ZeRO, SC 2020 §7): CDP's penalty.
    MethodKind.ZERO1: 0.05,
    MethodKind.ZERO2: 0.05,
}

# fp32 training runs its matrix multiplies as TF32 on tensor cores: half the dense bf16 rate on
# A100 (156 vs 312 TFLOP/s) and H100 SXM (494.7 vs 989.4), NVIDIA datasheets. GPUs without TF32
# (V100, T4) are far slower in fp32; lower this factor for them.
TF32_TO_BF16_DENSE = 0.5

HEURISTIC_AMORTISATION_YEARS = 3.0  # a GPU generation's useful life for training (heuristic)
HOURS_PER_MONTH = 730.5  # 365.25 days × 24 h ÷ 12
HEURISTIC_OWNED_HOURS_PER_MONTH = HOURS_PER_MONTH / 2  # owned GPUs busy half the time
# Electricity: of the order of US commercial rates (EIA Electric Power Monthly); a heuristic.
HEURISTIC_POWER_USD_PER_KWH = 0.15
PUE_GPU_ONLY = 1.0  # GPU board power only; data centres average ≈ 1.5–1.6 (Uptime Institute)

# Everything of an 8-GPU server except its GPUs (CPUs, memory, NICs and transceivers, storage,
# NVSwitch baseboard, chassis, power supplies): 32,010 USD in SemiAnalysis's DGX H100 bill of
# materials, as summed by Epoch AI (github.com/epoch-research/training-cost-trends, "Production
# cost of a DGX H100 server"). A bill of materials, not a sale price, so a floor for a
# data-centre node (a workstation for consumer cards costs less): a heuristic, an input.
HEURISTIC_NODE_USD = 32_010.0
# Multipliers on the communication penalty (interconnect.py gives the bandwidths): PCIe
# instead of a switched fabric, and more than one node. Heuristics, inputs.
HEURISTIC_PCIE_COMM_FACTOR = 2.0
HEURISTIC_MULTI_NODE_COMM_FACTOR = 2.0
MAX_COMM_PENALTY = 0.9  # the bound of a stated penalty; factors never push c past it
# Interruptions of an interruptible or marketplace listing (interruption.py), per server.
# Heuristics, inputs, unmeasured here. About one a day: the AWS Spot Instance Advisor puts
# H100 (p5) instances in its 10–20 % monthly interruption band and A100 (p4d) in 5–10 %
# (read on 2025-05-01 by thundercompute.com, "GPU Spot Instance Interruption Rates"), where
# "above 10 % … expect at least one cut-off during a day-long training run".
HEURISTIC_HOURS_BETWEEN_INTERRUPTIONS = 24.0
# One checkpoint: a server's share of weights and optimizer states (about 130 GB for an 8B
# full fine-tune: bf16 weights, fp32 master and Adam) at about 1 GB/s to storage.
HEURISTIC_CHECKPOINT_MINUTES = 2.0
# A restart: get GPUs again (AWS gives 2 minutes' notice), start the container, load the model
# and the checkpoint. Waiting for capacity to come back is not counted.
HEURISTIC_RESTART_MINUTES = 10.0
MAX_INTERRUPTION_MINUTES = 600  # 10 hours: a bound that catches typos, not a real limit

MAX_MONEY = 1e12  # bounds that catch typos, not real limits
MAX_TOKENS = 10**15


# Per-method values, keyed by the method; a partial table is completed from the defaults.
Utilisation = Annotated[float, Field(gt=0, le=1, description="fraction of the dense peak")]
CommPenalty = Annotated[
    float, Field(ge=0, le=MAX_COMM_PENALTY, description="fraction of step time")
]


class Currency(Frozen):
    """The currency of every amount in and out; `per_usd` units of it buy one US dollar."""

    code: str = Field(default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. JPY")
    per_usd: float = Field(default=1.0, gt=0, le=1e6, description="exchange rate, units per USD")

    @model_validator(mode="after")
    def _usd_is_one(self) -> Currency:
        if self.code == "USD" and self.per_usd != 1.0:
            raise InputError("per_usd", f"must be 1 for USD (got {self.per_usd:g})")
        return self

    def from_usd(self, usd: float | None) -> float | None:
        return None if usd is None else usd * self.per_usd


class CostAssumptions(Frozen):
    """The knobs of time and money; each default is cited or a named heuristic."""

    utilisation: dict[MethodKind, Utilisation] = Field(
        default_factory=lambda: dict(HEURISTIC_HFU),
        description="hardware FLOPs utilisation per method (missing methods: the default)",
    )
    comm_penalty: dict[MethodKind, CommPenalty] = Field(
        default_factory=lambda: dict(HEURISTIC_COMM_PENALTY),
        description="step time lost to exposed communication per method",
    )
    fp32_peak_fraction: float = Field(
        default=TF32_TO_BF16_DENSE, gt=0, le=1, description="fp32 (TF32) peak ÷ bf16 dense peak"
    )
    amortisation_years: float = Field(default=HEURISTIC_AMORTISATION_YEARS, gt=0, le=30)
    owned_hours_per_month: float = Field(
        default=HEURISTIC_OWNED_HOURS_PER_MONTH,
        gt=0,
        le=744,
        description="hours a month owned GPUs run (744 = a 31-day month, non-stop)",
    )
    runs_per_month: float | None = Field(
        default=None, gt=0, le=1e5, description="None: owned GPUs run this job back to back"
    )
    power_price_per_kwh: float | None = Field(
        default=None, ge=0, le=1e6, description="in `currency`; None: the heuristic 0.15 USD"
    )
    pue: float = Field(default=PUE_GPU_ONLY, ge=1, le=3, description="facility power ÷ GPU power")
    node_price: float | None = Field(
        default=None,
        ge=0,
        le=MAX_MONEY,
        description="a server's parts other than its GPUs, per node of 8, in `currency`; "
        "None: the heuristic 32,010 USD (a DGX H100's bill of materials)",
    )
    pcie_comm_factor: float = Field(
        default=HEURISTIC_PCIE_COMM_FACTOR, ge=1, le=10, description="c × this over PCIe"
    )
    multi_node_comm_factor: float = Field(
        default=HEURISTIC_MULTI_NODE_COMM_FACTOR, ge=1, le=10, description="c × this past a node"
    )
    count_interruptions: bool = Field(
        default=True, description="the floor's cost counts its interruptions (interruption.py)"
    )
    hours_between_interruptions: float = Field(
        default=HEURISTIC_HOURS_BETWEEN_INTERRUPTIONS,
        ge=1,
        le=1e5,
        description="a server's mean time between interruptions on the floor's listing",
    )
    checkpoint_minutes: float = Field(
        default=HEURISTIC_CHECKPOINT_MINUTES, ge=0, le=MAX_INTERRUPTION_MINUTES
    )
    restart_minutes: float = Field(
        default=HEURISTIC_RESTART_MINUTES, ge=0, le=MAX_INTERRUPTION_MINUTES
    )
    currency: Currency = Currency()

    @model_validator(mode="after")
    def _complete(self) -> Self:
        """Every method has a value: the user's, else the default."""
        for given, default in (
            (self.utilisation, HEURISTIC_HFU),
            (self.comm_penalty, HEURISTIC_COMM_PENALTY),
        ):
            for kind, value in default.items():
                given.setdefault(kind, value)
        return self

    def interruptions(self, hours: float, servers: int) -> float:
        """How many times its own time a run of `hours` on `servers` servers takes on the
        floor's listing (1 when interruptions are not counted)."""
        if not self.count_interruptions:
            return 1.0
        return slowdown(
            hours,
            servers,
            self.hours_between_interruptions,
            self.checkpoint_minutes,
            self.restart_minutes,
        )

    def comm(self, kind: MethodKind, fabric: bool = True, nodes: int = 1) -> float:
        """c of a method on this interconnect: the stated penalty (one node, a fabric), times
        the PCIe factor off a fabric and the multi-node factor past one node, capped."""
        c = self.comm_penalty[kind]
        c *= 1.0 if fabric else self.pcie_comm_factor
        c *= 1.0 if nodes <= 1 else self.multi_node_comm_factor
        return min(c, MAX_COMM_PENALTY)

    def speed(self, kind: MethodKind, fabric: bool = True, nodes: int = 1) -> float:
        """u · (1 − c): the sustained fraction of the peak a method reaches."""
        return self.utilisation[kind] * (1 - self.comm(kind, fabric, nodes))

    def node_cost(self) -> float:
        """A server's non-GPU parts in `currency`."""
        if self.node_price is not None:
            return self.node_price
        return HEURISTIC_NODE_USD * self.currency.per_usd

    def power_price(self) -> float:
        """Price of one kWh in `currency`."""
        if self.power_price_per_kwh is not None:
            return self.power_price_per_kwh
        return HEURISTIC_POWER_USD_PER_KWH * self.currency.per_usd


class PriceOverride(Frozen):
    """A user's edit of one catalog GPU; None keeps the catalog's figure. Money in `currency`."""

    cloud_per_gpu_hour_low: float | None = Field(default=None, gt=0, le=MAX_MONEY)
    cloud_per_gpu_hour_high: float | None = Field(default=None, gt=0, le=MAX_MONEY)
    purchase_per_gpu: float | None = Field(default=None, gt=0, le=MAX_MONEY)
    power_w: float | None = Field(default=None, gt=0, le=100_000)
    bf16_tflops_dense: float | None = Field(default=None, gt=0, le=1e6)
    on_demand_per_gpu_hour_low: float | None = Field(default=None, gt=0, le=MAX_MONEY)
    on_demand_per_gpu_hour_high: float | None = Field(default=None, gt=0, le=MAX_MONEY)
    interruptible_per_gpu_hour: float | None = Field(
        default=None, gt=0, le=MAX_MONEY, description="cheapest interruptible or marketplace"
    )

    @model_validator(mode="after")
    def _ordered(self) -> PriceOverride:
        for low_field, high_field in ORDERED_PRICES:
            low, high = getattr(self, low_field), getattr(self, high_field)
            if low is not None and high is not None and low > high:
                raise InputError(
                    low_field, f"must be at most the high price ({high:g}); got {low:g}"
                )
        return self


# (low, high) pairs of PriceOverride (and UnitPrices) that must stay ordered.
ORDERED_PRICES = (
    ("cloud_per_gpu_hour_low", "cloud_per_gpu_hour_high"),
    ("on_demand_per_gpu_hour_low", "on_demand_per_gpu_hour_high"),
)


class Run(Frozen):
    """One fine-tuning run: the model and its training settings, the data and the epochs.

    Give the data as tokens (packed) or as samples, each `training.seq_len` tokens long (padded
    or truncated, so samples × seq_len is what the GPUs compute)."""

    model: Architecture
    training: Training
    runtime: Runtime = Runtime()
    dataset_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    dataset_samples: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    epochs: float = Field(default=1.0, gt=0, le=10_000)

    @model_validator(mode="after")
    def _one_size(self) -> Run:
        if (self.dataset_tokens is None) == (self.dataset_samples is None):
            raise InputError(
                "dataset_tokens", "give exactly one of dataset_tokens and dataset_samples"
            )
        check_workload(self.model, self.training, self.runtime)
        return self

    @classmethod
    def of(cls, job: Job, **data: int | float | None) -> Run:
        """The run of a job (its model, training and runtime; its GPUs are the ranking's to
        choose) over a data set."""
        return cls(model=job.model, training=job.training, runtime=job.runtime, **data)

    def job(self, gpu: Gpu, num_gpus: int) -> Job:
        """The estimator's job for this run on num_gpus GPUs of this type."""
        cluster = Cluster(gpu_key=gpu.key, memory_bytes=gpu.memory_bytes, num_gpus=num_gpus)
        return Job(model=self.model, training=self.training, cluster=cluster, runtime=self.runtime)

    @property
    def tokens_per_epoch(self) -> int:
        if self.dataset_tokens is not None:
            return self.dataset_tokens
        return int(self.dataset_samples or 0) * self.training.seq_len

    @property
    def total_tokens(self) -> float:
        """D: tokens processed over all epochs."""
        return self.tokens_per_epoch * self.epochs


class CostBasis(StrEnum):
    """Which price decides 'cheapest' and the budget filter."""

    CLOUD_LOW = "cloud-low"  # the lowest listed rental price (often marketplace / spot)
    CLOUD_HIGH = "cloud-high"  # the highest listed (typically a hyperscaler's on-demand)
    ON_DEMAND = "on-demand"  # the lowest on-demand (not pre-emptible) listing
    OWNED = "owned"  # purchase amortised plus electricity


class RankOptions(Frozen):
    """Which plans to consider and which to keep."""

    gpu_keys: tuple[str, ...] = Field(default=(), description="catalog keys; empty = all")
    max_gpus: int = Field(default=16, ge=1, le=MAX_GPUS)
    all_counts: bool = Field(
        default=True,
        description="every count that fits up to max_gpus; False: per GPU type, the fewest "
        "GPUs that fit and pass the deadline and budget",
    )
    deadline_hours: float | None = Field(default=None, gt=0, le=1e7)
    budget: float | None = Field(default=None, gt=0, le=MAX_MONEY, description="per run")
    cost_basis: CostBasis = CostBasis.CLOUD_LOW
