"""CostSpec: a cost question by the names of `llmem cost`'s flags, with the core's bounds.

`--years` is amortisation_years, `--usd-rate` the currency's per_usd, `--price KEY.FIELD=V`
one PriceOverride per GPU. The CLI and the dashboard both state a cost question this way;
`assumptions()`, `options()` and `run(job)` build the cost module's inputs, and every error
names a field of this spec.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from llmem_core.cost.inputs import (
    CommPenalty,
    CostAssumptions,
    CostBasis,
    Currency,
    PriceOverride,
    RankOptions,
    Run,
    Utilisation,
)
from llmem_core.errors import InputError
from llmem_core.models import Frozen, MethodKind
from llmem_core.request import Job
from llmem_core.spec import PlanSpec
from llmem_core.validation import same_bounds

# spec field → (core model, its field): the one table that renames.
ASSUMPTION_FIELDS = {
    "fp32_fraction": "fp32_peak_fraction",
    "years": "amortisation_years",
    "hours_per_month": "owned_hours_per_month",
    "runs_per_month": "runs_per_month",
    "power_price": "power_price_per_kwh",
    "pue": "pue",
    "count_interruptions": "count_interruptions",
    "hours_between_interruptions": "hours_between_interruptions",
    "checkpoint_minutes": "checkpoint_minutes",
    "restart_minutes": "restart_minutes",
}
OPTION_FIELDS = ("max_gpus", "all_counts", "deadline_hours", "budget", "cost_basis")


class CostSpec(Frozen):
    """One cost question; None = the core's default (a cited figure or a named heuristic)."""

    dataset_tokens: int | None = same_bounds(Run, "dataset_tokens")
    dataset_samples: int | None = same_bounds(Run, "dataset_samples")
    epochs: float = same_bounds(Run, "epochs", 1.0)
    currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$", description="ISO 4217")
    usd_rate: float | None = same_bounds(Currency, "per_usd")
    utilisation: dict[MethodKind, Utilisation] = Field(default_factory=dict)
    comm_penalty: dict[MethodKind, CommPenalty] = Field(default_factory=dict)
    fp32_fraction: float | None = same_bounds(CostAssumptions, "fp32_peak_fraction")
    years: float | None = same_bounds(CostAssumptions, "amortisation_years")
    hours_per_month: float | None = same_bounds(CostAssumptions, "owned_hours_per_month")
    runs_per_month: float | None = same_bounds(CostAssumptions, "runs_per_month")
    power_price: float | None = same_bounds(CostAssumptions, "power_price_per_kwh")
    pue: float | None = same_bounds(CostAssumptions, "pue")
    count_interruptions: bool | None = same_bounds(CostAssumptions, "count_interruptions")
    hours_between_interruptions: float | None = same_bounds(
        CostAssumptions, "hours_between_interruptions"
    )
    checkpoint_minutes: float | None = same_bounds(CostAssumptions, "checkpoint_minutes")
    restart_minutes: float | None = same_bounds(CostAssumptions, "restart_minutes")
    price: dict[str, PriceOverride] = Field(default_factory=dict, description="by GPU key")
    gpu: tuple[str, ...] = Field(default=(), description="catalog keys; empty: all")
    max_gpus: int = same_bounds(RankOptions, "max_gpus", 16)
    all_counts: bool = False
    deadline_hours: float | None = same_bounds(RankOptions, "deadline_hours")
    budget: float | None = same_bounds(RankOptions, "budget")
    cost_basis: CostBasis = CostBasis.CLOUD_LOW

    def currency_(self) -> Currency:
        code = self.currency.upper()
        if code != "USD" and self.usd_rate is None:
            raise InputError(
                "usd_rate", f"give the exchange rate for {code} (units per USD, above 0)"
            )
        rate = 1.0 if self.usd_rate is None else self.usd_rate
        try:
            return Currency(code=code, per_usd=rate)
        except InputError as err:
            raise InputError("usd_rate", err.message) from None

    def assumptions(self) -> CostAssumptions:
        given: dict[str, Any] = {
            core: getattr(self, mine)
            for mine, core in ASSUMPTION_FIELDS.items()
            if getattr(self, mine) is not None
        }
        return CostAssumptions(
            utilisation=self.utilisation,
            comm_penalty=self.comm_penalty,
            currency=self.currency_(),
            **given,
        )

    def options(self) -> RankOptions:
        return RankOptions(gpu_keys=self.gpu, **{f: getattr(self, f) for f in OPTION_FIELDS})

    def edits(self) -> dict[str, PriceOverride]:
        return {key.lower(): edit for key, edit in self.price.items()}

    def run(self, plan: PlanSpec | Job) -> Run:
        """The run of a plan's model, training and runtime (its GPUs are ranked, not read)."""
        data = {
            "dataset_tokens": self.dataset_tokens,
            "dataset_samples": self.dataset_samples,
            "epochs": self.epochs,
        }
        if isinstance(plan, Job):
            return Run.of(plan, **data)
        return Run(
            model=plan.architecture(), training=plan.training(), runtime=plan.runtime(), **data
        )
