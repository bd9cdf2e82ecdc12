"""Bad input to the cost models fails at the boundary, naming the field and its range."""

from __future__ import annotations

import pytest

from llmem_core.cost import (
    CostAssumptions,
    CostSpec,
    Currency,
    PriceOverride,
    RankOptions,
    Run,
)
from llmem_core.errors import InputError
from llmem_core.models import MethodKind, Training
from llmem_core.presets import find_model

ARCH = find_model("facebook/opt-125m").architecture
TRAIN = Training(batch_size=1, seq_len=128)


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
    with pytest.raises(InputError, match="above 0") as err:
        PriceOverride(**{field: value})
    assert err.value.field == field


def test_cloud_range_must_be_ordered():
    with pytest.raises(InputError, match="at most the high price") as err:
        PriceOverride(cloud_per_gpu_hour_low=3.0, cloud_per_gpu_hour_high=2.0)
    assert err.value.field == "cloud_per_gpu_hour_low"


@pytest.mark.parametrize(
    ("fields", "where", "allowed"),
    [
        ({"amortisation_years": -1}, "amortisation_years", "above 0 and at most 30"),
        ({"amortisation_years": 0}, "amortisation_years", "above 0 and at most 30"),
        ({"owned_hours_per_month": 0}, "owned_hours_per_month", "above 0 and at most 744"),
        ({"owned_hours_per_month": 745}, "owned_hours_per_month", "at most 744"),
        ({"runs_per_month": 0}, "runs_per_month", "above 0"),
        ({"power_price_per_kwh": -0.1}, "power_price_per_kwh", "from 0 to"),
        ({"pue": 0.9}, "pue", "from 1 to 3"),
        ({"fp32_peak_fraction": 0}, "fp32_peak_fraction", "above 0 and at most 1"),
        ({"utilisation": {"tp": 0}}, "utilisation.tp", "above 0 and at most 1"),
        ({"utilisation": {"cdp": 1.01}}, "utilisation.cdp", "at most 1"),
        ({"comm_penalty": {"adp": -0.1}}, "comm_penalty.adp", "from 0 to 0.9"),
        ({"comm_penalty": {"dp+tp": 0.95}}, "comm_penalty.dp+tp", "from 0 to 0.9"),
        ({"currency": {"code": "JPY", "per_usd": 0}}, "currency.per_usd", "above 0"),
        ({"currency": {"code": "JPY", "per_usd": -150}}, "currency.per_usd", "above 0"),
        ({"currency": {"code": "yen", "per_usd": 150}}, "currency.code", "text"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_assumptions_name_their_field_and_range(fields, where, allowed):
    with pytest.raises(InputError) as err:
        CostAssumptions.model_validate(fields)
    assert err.value.field == where
    assert allowed in err.value.message


def test_an_unknown_method_in_a_per_method_table_is_named():
    with pytest.raises(InputError, match="'dp_tp' is not allowed") as err:
        CostAssumptions.model_validate({"comm_penalty": {"dp_tp": 0.1}})
    assert err.value.field == "comm_penalty"
    assert "dp+tp" in err.value.message  # the allowed keys are listed


def test_usd_rate_must_be_one():
    with pytest.raises(InputError, match="must be 1 for USD") as err:
        Currency(code="USD", per_usd=150)
    assert err.value.field == "per_usd"


def test_zero_power_price_is_allowed_as_electricity_included():
    assert CostAssumptions(power_price_per_kwh=0).power_price() == 0


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        ({}, "dataset_tokens", "exactly one of dataset_tokens and dataset_samples"),
        ({"dataset_tokens": 10, "dataset_samples": 10}, "dataset_tokens", "exactly one of"),
        ({"dataset_tokens": 0}, "dataset_tokens", "from 1 to"),
        ({"dataset_samples": -5}, "dataset_samples", "from 1 to"),
        ({"dataset_tokens": 10, "epochs": 0}, "epochs", "above 0"),
    ],
    ids=["no-size", "both-sizes", "zero-tokens", "negative-samples", "zero-epochs"],
)
def test_bad_run(fields, where, message):
    with pytest.raises(InputError, match=message) as err:
        Run(model=ARCH, training=TRAIN, **fields)
    assert err.value.field == where


def test_a_run_obeys_the_jobs_rules():
    """The same rules as an estimate: OPT-125m's position table holds 2,048 tokens."""
    with pytest.raises(InputError, match="at most 2,048") as err:
        Run(model=ARCH, training=Training(batch_size=1, seq_len=4096), dataset_tokens=10)
    assert err.value.field == "seq_len"


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"budget": 0}, "budget"),
        ({"deadline_hours": -1}, "deadline_hours"),
        ({"max_gpus": 0}, "max_gpus"),
        ({"max_gpus": 10**12}, "max_gpus"),
        ({"cost_basis": "cheap"}, "cost_basis"),
    ],
    ids=["zero-budget", "negative-deadline", "no-gpus", "too-many-gpus", "unknown-basis"],
)
def test_bad_rank_options(fields, where):
    with pytest.raises(InputError) as err:
        RankOptions(**fields)
    assert err.value.field == where


def test_defaults_are_the_documented_heuristics():
    a = CostAssumptions()
    assert [a.utilisation[k] for k in MethodKind] == [0.40, 0.40, 0.40, 0.35, 0.35, 0.40, 0.40]
    assert [a.comm_penalty[k] for k in MethodKind] == [0.0, 0.05, 0.075, 0.15, 0.15, 0.05, 0.05]
    assert a.comm_penalty[MethodKind.ADP] == pytest.approx(1.5 * a.comm_penalty[MethodKind.CDP])


def test_a_partial_table_keeps_the_other_defaults():
    a = CostAssumptions.model_validate({"utilisation": {"tp": 0.9}})
    assert a.utilisation[MethodKind.TP] == 0.9
    assert a.utilisation[MethodKind.ADP] == 0.40


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"years": 0}, "years"),
        ({"hours_per_month": 1000}, "hours_per_month"),
        ({"usd_rate": -1, "currency": "JPY"}, "usd_rate"),
        ({"currency": "JPY"}, "usd_rate"),
        ({"usd_rate": 150}, "usd_rate"),
        ({"pue": "x"}, "pue"),
    ],
    ids=["years", "hours", "negative-rate", "no-rate", "rate-for-usd", "not-a-number"],
)
def test_the_cost_spec_names_its_own_fields(fields, where):
    """The CLI's names, not the core's (amortisation_years, per_usd)."""
    with pytest.raises(InputError) as err:
        CostSpec(**fields).assumptions()
    assert err.value.field == where


def test_the_cost_spec_builds_the_cores_inputs():
    spec = CostSpec(
        years=5,
        currency="jpy",
        usd_rate=150,
        utilisation={"tp": 0.5},
        dataset_tokens=10,
        max_gpus=8,
        budget=100,
    )
    a = spec.assumptions()
    assert a.amortisation_years == 5 and a.currency.code == "JPY" and a.currency.per_usd == 150
    assert a.utilisation[MethodKind.TP] == 0.5
    assert spec.options().max_gpus == 8 and spec.options().budget == 100
