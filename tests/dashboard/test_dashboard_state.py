"""The URL codec: every input round-trips; every bad parameter is reported, never raised."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmem_dashboard.state import DEFAULT, CostInputs, PlanInputs, from_query, to_query
from llmem_core import MethodKind, Optimizer, Precision, ProfileName

MODELS = ["meta-llama/Llama-3.1-8B", "facebook/opt-1.3b"]
GPUS = ["a100-80gb", "v100-16gb"]

plans = st.builds(
    PlanInputs,
    lang=st.sampled_from(["en", "ja"]),
    model=st.sampled_from(MODELS),
    vocab=st.none() | st.integers(1, 1_000_000),
    gpu=st.sampled_from([*GPUS, "custom"]),
    gpu_gib=st.sampled_from([0.5, 16.0, 23.5, 80.0, 141.0]),
    gpus=st.integers(1, 4096),
    method=st.sampled_from(["all", *(m.value for m in MethodKind)]),
    tp=st.integers(0, 64),
    batch=st.integers(1, 1_000_000),
    seq=st.integers(1, 1_000_000),
    precision=st.sampled_from([p.value for p in Precision]),
    optimizer=st.sampled_from([o.value for o in Optimizer]),
    ckpt=st.booleans(),
    profile=st.sampled_from([p.value for p in ProfileName]),
    context_mib=st.integers(0, 65_536),
    slack_pct=st.sampled_from([0.0, 2.5, 10.0]),
    chunk=st.integers(0, 2**34),
    view=st.sampled_from(["full", "present"]),
)


@settings(max_examples=200, deadline=None)
@given(plans)
def test_every_plan_round_trips_through_the_url(plan):
    back, problems = from_query(to_query(plan), MODELS, GPUS)
    assert problems == []
    assert back == plan


def test_an_empty_link_is_the_default_plan():
    assert from_query({}, MODELS, GPUS) == (DEFAULT, [])


def test_the_vocabulary_is_in_the_link_only_when_changed():
    assert "vocab" not in to_query(DEFAULT)
    assert to_query(replace(DEFAULT, vocab=32_000))["vocab"] == "32000"


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("model", "no/such-model"),
        ("gpu", "a999"),
        ("gpus", "0"),
        ("gpus", "four"),
        ("batch", "-3"),
        ("batch", "1e9"),
        ("seq", "99999999999"),
        ("gpu_gib", "nan"),
        ("precision", "fp8"),
        ("ckpt", "maybe"),
        ("method", "zero-7"),
        ("lang", "fr"),
        ("vocab", "0"),
    ],
    ids=lambda v: str(v),
)
def test_a_bad_parameter_keeps_its_default_and_is_reported(param, value):
    plan, problems = from_query({param: value, "batch": "8"} if param != "batch"
                                else {param: value}, MODELS, GPUS)
    assert [p.param for p in problems] == [param]
    assert problems[0].reason == "link_bad_value"
    assert getattr(plan, param) == getattr(DEFAULT, param)
    if param != "batch":
        assert plan.batch == 8  # the good parameters still apply


def test_an_unknown_parameter_is_reported():
    plan, problems = from_query({"utm_source": "mail"}, MODELS, GPUS)
    assert plan == DEFAULT
    assert problems[0].reason == "link_unknown_param"


def test_repeated_parameters_take_the_last():
    plan, _ = from_query({"batch": ["2", "6"]}, MODELS, GPUS)
    assert plan.batch == 6


costs = st.builds(
    CostInputs,
    data=st.integers(1, 10**15),
    unit=st.sampled_from(["tokens", "samples"]),
    epochs=st.sampled_from([0.5, 1.0, 3.0, 2.25]),
    currency=st.sampled_from(["JPY", "EUR", "CHF"]),
    rate=st.sampled_from([150.0, 0.9, 1e-3, 1400.5]),
    util_pct=st.tuples(*[st.sampled_from([10.0, 40.0, 35.5, 100.0])] * 5),
    comm_pct=st.tuples(*[st.sampled_from([0.0, 5.0, 7.5, 90.0])] * 5),
    years=st.sampled_from([1.0, 3.0, 4.5]),
    hours_pm=st.sampled_from([100.0, 365.25, 744.0]),
    kwh=st.none() | st.sampled_from([0.0, 0.15, 25.0]),
    pue=st.sampled_from([1.0, 1.5]),
    prices=st.sampled_from([(), (("a100-80gb", (1.5, None, 11500.0, None)),),
                            (("a100-80gb", (None, 4.0, None, 400.0)),
                             ("v100-16gb", (0.5, 0.5, None, None)))]),
    deadline=st.none() | st.sampled_from([0.5, 12.0, 1e6]),
    budget=st.none() | st.sampled_from([100.0, 2.5e6]),
    basis=st.sampled_from(["cloud-low", "cloud-high", "owned"]),
    gpu_set=st.sampled_from(["short", "all"]),
    counts=st.sampled_from(["fewest", "all"]),
)


@settings(max_examples=150, deadline=None)
@given(costs)
def test_every_cost_input_round_trips_through_the_url(cost):
    plan = replace(DEFAULT, cost=cost)
    back, problems = from_query(to_query(plan), MODELS, GPUS)
    assert problems == []
    assert back == plan


def test_cost_defaults_stay_out_of_the_link():
    assert not set(to_query(DEFAULT)) & set(CostInputs.__annotations__)
    link = to_query(replace(DEFAULT, cost=replace(DEFAULT.cost, currency="JPY", rate=150.0,
                                                  deadline=12.0)))
    assert {k: link[k] for k in ("currency", "rate", "deadline")} == {
        "currency": "JPY", "rate": "150", "deadline": "12"}
    assert "util_pct" not in link and "prices" not in link


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("data", "0"),
        ("data", "1e8"),
        ("unit", "words"),
        ("epochs", "-1"),
        ("currency", "yen"),
        ("rate", "0"),
        ("util_pct", "40,40,40"),
        ("util_pct", "0,40,40,35,35"),
        ("comm_pct", "0,5,7.5,15,95"),
        ("pue", "0.5"),
        ("prices", "h100:1:2::"),
        ("prices", "a100-80gb:5:2::"),
        ("prices", "a100-80gb:-1:::"),
        ("prices", "a100-80gb:1:2"),
        ("deadline", "soon"),
        ("budget", "-5"),
        ("basis", "cheap"),
        ("gpu_set", "some"),
    ],
    ids=lambda v: str(v),
)
def test_a_bad_cost_parameter_keeps_its_default_and_is_reported(param, value):
    plan, problems = from_query({param: value, "epochs": "2"} if param != "epochs"
                                else {param: value}, MODELS, GPUS)
    assert [p.param for p in problems] == [param]
    assert getattr(plan.cost, param) == getattr(DEFAULT.cost, param)
    if param != "epochs":
        assert plan.cost.epochs == 2.0


def test_a_rate_for_dollars_must_be_one():
    plan, problems = from_query({"rate": "150"}, MODELS, GPUS)
    assert plan.cost.rate == 1.0 and [p.param for p in problems] == ["rate"]
