"""Bad input to the cost models fails at the boundary, naming the field and its range."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from llmem_core.cost import (
    CostAssumptions,
    Currency,
    Job,
    PerMethodCommPenalty,
    PerMethodUtilisation,
    PriceOverride,
    RankOptions,
)
from llmem_core.models import MethodKind, Training
from llmem_core.presets import find_model

ARCH = find_model("facebook/opt-125m").architecture
TRAIN = Training(batch_size=1, seq_len=128)


def field_of(err: pytest.ExceptionInfo[ValidationError]) -> str:
    return ".".join(str(p) for p in err.value.errors()[0]["loc"])


@pytest.mark.parametrize(
    "field",
    [
        "cloud_per_gpu_hour_low",
        "cloud_per_gpu_hour_high",
        "purchase_per_gpu",
        "power_w",
        "bf16_tflops_dense",
    ],
)
@pytest.mark.parametrize("value", [0.0, -1.0], ids=["zero", "negative"])
def test_zero_or_negative_prices_are_rejected(field, value):
    with pytest.raises(ValidationError, match="greater than 0") as err:
        PriceOverride(**{field: value})
    assert field_of(err) == field


def test_cloud_range_must_be_ordered():
    with pytest.raises(ValidationError, match="must be ≤ the high"):
        PriceOverride(cloud_per_gpu_hour_low=3.0, cloud_per_gpu_hour_high=2.0)


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"amortisation_years": -1}, "amortisation_years"),
        ({"amortisation_years": 0}, "amortisation_years"),
        ({"owned_hours_per_month": 0}, "owned_hours_per_month"),
        ({"owned_hours_per_month": 745}, "owned_hours_per_month"),
        ({"runs_per_month": 0}, "runs_per_month"),
        ({"power_price_per_kwh": -0.1}, "power_price_per_kwh"),
        ({"pue": 0.9}, "pue"),
        ({"fp32_peak_fraction": 0}, "fp32_peak_fraction"),
        ({"utilisation": {"tp": 0}}, "utilisation.tp"),
        ({"utilisation": {"cdp": 1.01}}, "utilisation.cdp"),
        ({"comm_penalty": {"adp": -0.1}}, "comm_penalty.adp"),
        ({"comm_penalty": {"dp_tp": 0.95}}, "comm_penalty.dp_tp"),
        ({"currency": {"code": "JPY", "per_usd": 0}}, "currency.per_usd"),
        ({"currency": {"code": "JPY", "per_usd": -150}}, "currency.per_usd"),
        ({"currency": {"code": "yen", "per_usd": 150}}, "currency.code"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_assumptions_name_their_field(fields, where):
    with pytest.raises(ValidationError) as err:
        CostAssumptions.model_validate(fields)
    assert field_of(err) == where


def test_usd_rate_must_be_one():
    with pytest.raises(ValidationError, match="per_usd must be 1 for USD"):
        Currency(code="USD", per_usd=150)


def test_zero_power_price_is_allowed_as_electricity_included():
    assert CostAssumptions(power_price_per_kwh=0).power_price() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "exactly one of dataset_tokens and dataset_samples"),
        ({"dataset_tokens": 10, "dataset_samples": 10}, "exactly one of"),
        ({"dataset_tokens": 0}, "greater than or equal to 1"),
        ({"dataset_samples": -5}, "greater than or equal to 1"),
        ({"dataset_tokens": 10, "epochs": 0}, "greater than 0"),
    ],
    ids=["no-size", "both-sizes", "zero-tokens", "negative-samples", "zero-epochs"],
)
def test_bad_job(fields, message):
    with pytest.raises(ValidationError, match=message):
        Job(model=ARCH, training=TRAIN, **fields)


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"budget": 0}, "budget"),
        ({"deadline_hours": -1}, "deadline_hours"),
        ({"max_gpus": 0}, "max_gpus"),
        ({"cost_basis": "cheap"}, "cost_basis"),
    ],
    ids=["zero-budget", "negative-deadline", "no-gpus", "unknown-basis"],
)
def test_bad_rank_options(fields, where):
    with pytest.raises(ValidationError) as err:
        RankOptions(**fields)
    assert field_of(err) == where


def test_defaults_are_the_documented_heuristics():
    u, c = PerMethodUtilisation(), PerMethodCommPenalty()
    assert [u.of(k) for k in MethodKind] == [0.40, 0.40, 0.40, 0.35, 0.35]
    assert [c.of(k) for k in MethodKind] == [0.0, 0.05, 0.075, 0.15, 0.15]
    assert c.adp == pytest.approx(1.5 * c.cdp)  # ZeRO-3: 1.5× data-parallel traffic
