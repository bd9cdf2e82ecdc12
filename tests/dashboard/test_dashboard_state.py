"""The URL codec: every input round-trips; every bad parameter is reported, never raised."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.state import DEFAULT, PlanInputs, from_query, to_query
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
