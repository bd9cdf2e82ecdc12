"""The page's state and its link: every plan survives the round trip; a link value is accepted
exactly when the core accepts it; every bad parameter is reported (with the allowed range),
never raised."""

from __future__ import annotations

import typing
from types import NoneType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmem_core import InputError, MethodKind, PlanSpec, Runtime
from llmem_core.cost import CostAssumptions, CostSpec, PriceOverride
from llmem_core.cost.inputs import ORDERED_PRICES
from llmem_core.models import MAX_BATCH, MAX_GPUS, MAX_SEQ, MAX_VOCAB
from llmem_core.spec import MAX_CHUNK, MAX_CONTEXT_MIB, MAX_GPU_MEMORY_MIB
from llmem_dashboard import state
from llmem_dashboard.state import (
    CUSTOM_GPU,
    DEFAULT,
    PRICE_FIELDS,
    CostInputs,
    PlanInputs,
    from_query,
    to_query,
)

MODELS = ["meta-llama/Llama-3.1-8B", "facebook/opt-1.3b"]
GPUS = ["a100-80gb", "v100-16gb"]


# ---- strategies: every field over its whole range (bounds read from the field) -------------


def _number(model: type, name: str) -> st.SearchStrategy:
    kind = state._value_type(model, name)
    b = state.bounds(model, name)
    low, high = b.get("ge", b.get("gt")), b.get("le", b.get("lt"))
    if kind is int:
        return st.integers(low + ("gt" in b), high - ("lt" in b))
    return st.floats(
        low,
        high,
        exclude_min="gt" in b,
        exclude_max="lt" in b,
        allow_nan=False,
        allow_subnormal=False,
    )


@st.composite
def _price_edit(draw) -> PriceOverride:
    figures = {f: draw(st.none() | _number(PriceOverride, f)) for f in PRICE_FIELDS}
    for low_field, high_field in ORDERED_PRICES:  # the pairs PriceOverride keeps ordered
        low, high = figures[low_field], figures[high_field]
        if low is not None and high is not None and low > high:
            figures[low_field], figures[high_field] = high, low
    return PriceOverride(**figures)


def _values(model: type, name: str) -> st.SearchStrategy:
    special = {
        "model": st.sampled_from(MODELS),
        "gpu": st.sampled_from([*GPUS, CUSTOM_GPU]),
        "currency": st.from_regex(r"[A-Z]{3}", fullmatch=True),
        "price": st.dictionaries(st.sampled_from(GPUS), _price_edit(), max_size=2),
    }
    if name in special:
        return special[name]
    annotation = model.model_fields[name].annotation
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is dict:
        return st.fixed_dictionaries({kind: _number(model, name) for kind in MethodKind})
    if typing.get_origin(annotation) is typing.Literal:
        return st.sampled_from(args)
    inner = next((a for a in args if a is not NoneType), annotation)
    values = (
        st.booleans()
        if inner is bool
        else st.sampled_from(list(inner))
        if isinstance(inner, type) and issubclass(inner, str)
        else _number(model, name)
    )
    return st.none() | values if NoneType in args else values


def _inputs(model: type, skip: tuple[str, ...] = ()) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {n: _values(model, n) for n in model.model_fields if n not in skip}
    )


@st.composite
def costs(draw) -> CostInputs:
    values = draw(_inputs(CostInputs))
    if values["currency"] == "USD":
        values["usd_rate"] = 1.0  # the core's rule: a US dollar is worth one US dollar
    return CostInputs(**values)


plans = st.builds(
    lambda values, cost: PlanInputs(**values, cost=cost),
    _inputs(PlanInputs, skip=("cost",)),
    costs(),
)


@settings(max_examples=300, deadline=None)
@given(plans)
def test_every_plan_round_trips_through_the_link(plan):
    back, problems = from_query(to_query(plan), MODELS, GPUS)
    assert problems == []
    assert back == plan


def test_an_empty_link_is_the_default_plan():
    assert from_query({}, MODELS, GPUS) == (DEFAULT, [])


def test_the_vocabulary_is_in_the_link_only_when_changed():
    assert "vocab" not in to_query(DEFAULT)
    assert to_query(DEFAULT.with_(vocab_size=32_000))["vocab"] == "32000"


def test_links_written_before_the_spec_names_still_open():
    old = {
        "gpus": "8",
        "batch": "6",
        "seq": "4096",
        "ckpt": "0",
        "vocab": "32000",
        "context_mib": "512",
        "chunk": "1048576",
        "rate": "150",
        "currency": "JPY",
        "hours_pm": "200",
        "kwh": "30",
        "deadline": "12",
        "basis": "owned",
        "prices": "a100-80gb:1.5::20000:",
        "util_pct": "50,40,40,35,35",
    }
    plan, problems = from_query(old, MODELS, GPUS)
    assert problems == []
    assert (plan.num_gpus, plan.batch_size, plan.seq_len, plan.grad_checkpointing) == (
        8,
        6,
        4096,
        False,
    )
    assert (plan.vocab_size, plan.cuda_context_mib, plan.chunk_size) == (32_000, 512, 2**20)
    c = plan.cost
    assert (c.currency, c.usd_rate, c.hours_per_month, c.power_price, c.deadline_hours) == (
        "JPY",
        150.0,
        200.0,
        30.0,
        12.0,
    )
    assert c.price["a100-80gb"] == PriceOverride(
        cloud_per_gpu_hour_low=1.5, purchase_per_gpu=20_000
    )
    assert c.util_pct[MethodKind.SINGLE] == 50.0 and c.cost_basis == "owned"
    assert to_query(plan)["gpus"] == "8"  # and the link keeps its short names


def test_the_fields_own_names_are_read_too():
    plan, problems = from_query({"num_gpus": "8", "batch_size": "2"}, MODELS, GPUS)
    assert problems == [] and (plan.num_gpus, plan.batch_size) == (8, 2)


# ---- a link value is accepted exactly when the core accepts it ------------------------------


def _core_accepts(build) -> bool:
    try:
        build()
    except InputError:
        return False
    return True


def _spec(**fields):
    return lambda: PlanSpec(model="x", seq_len=fields.pop("seq_len", 1), **fields)


BOUNDARIES = [  # (link parameter, values around the core's bounds, the core's own check)
    ("gpus", [0, 1, MAX_GPUS, MAX_GPUS + 1], lambda v: _spec(num_gpus=v)),
    ("batch", [0, 1, MAX_BATCH, MAX_BATCH + 1], lambda v: _spec(batch_size=v)),
    ("seq", [0, 1, MAX_SEQ, MAX_SEQ + 1], lambda v: _spec(seq_len=v)),
    ("vocab", [0, 1, MAX_VOCAB, MAX_VOCAB + 1], lambda v: _spec(vocab_size=v)),
    (
        "context_mib",
        [-1, 0, MAX_CONTEXT_MIB, MAX_CONTEXT_MIB + 1],
        lambda v: _spec(cuda_context_mib=v),
    ),
    ("chunk", [-1, 0, MAX_CHUNK, MAX_CHUNK + 1], lambda v: _spec(chunk_size=v)),
    ("tp", [1, MAX_GPUS, MAX_GPUS + 1], lambda v: _spec(tp=v)),
    (
        "gpu_gib",
        [1 / 1024, 0.5, MAX_GPU_MEMORY_MIB / 1024, MAX_GPU_MEMORY_MIB / 1024 + 1],
        lambda v: _spec(gpu_memory_mib=v * 1024),
    ),
    ("slack_pct", [-0.5, 0, 100, 100.5], lambda v: lambda: Runtime(allocator_slack=v / 100)),
    (
        "util_pct",
        [0, 0.5, 100, 101],
        lambda v: lambda: CostAssumptions(utilisation={MethodKind.ADP: v / 100}),
    ),
    (
        "comm_pct",
        [-1, 0, 90, 91],
        lambda v: lambda: CostAssumptions(comm_penalty={MethodKind.ADP: v / 100}),
    ),
    ("epochs", [0, 1e-6, 10_000, 10_001], lambda v: lambda: CostSpec(epochs=v)),
    ("years", [0, 0.5, 30, 31], lambda v: lambda: CostSpec(years=v)),
    ("pue", [0.99, 1, 3, 3.01], lambda v: lambda: CostSpec(pue=v)),
    ("deadline", [0, 1e-3, 1e7, 1.01e7], lambda v: lambda: CostSpec(deadline_hours=v)),
    ("data", [0, 1, 10**15, 10**15 + 1], lambda v: lambda: CostSpec(dataset_tokens=v)),
]


def _link_value(param: str, value: float) -> str:
    if param in ("util_pct", "comm_pct"):  # one value per method, ADP's varied
        parts = {kind: "10" for kind in MethodKind} | {MethodKind.ADP: f"{value:g}"}
        return ",".join(parts[kind] for kind in MethodKind)  # in MethodKind's order
    return f"{value:.17g}"


@pytest.mark.parametrize(
    ("param", "value", "core"),
    [(p, v, c) for p, vs, c in BOUNDARIES for v in vs],
    ids=lambda x: str(x) if not callable(x) else "",
)
def test_a_link_value_is_accepted_exactly_when_the_core_accepts_it(param, value, core):
    _, problems = from_query({param: _link_value(param, value)}, MODELS, GPUS)
    assert (problems == []) == _core_accepts(core(value))


def test_a_refused_value_says_the_allowed_range():
    _, problems = from_query({"gpus": "0", "slack_pct": "150", "epochs": "0"}, MODELS, GPUS)
    details = {p.param: p.detail for p in problems}
    assert details == {
        "gpus": f"a whole number from 1 to {MAX_GPUS:,}",
        "slack_pct": "a number from 0 to 100",  # the core's 0–1, in %
        "epochs": "a number above 0 and at most 10,000",
    }


# ---- bad parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value", "field"),
    [
        ("model", "no/such-model", "model"),
        ("gpu", "a999", "gpu"),
        ("gpus", "four", "num_gpus"),
        ("batch", "-3", "batch_size"),
        ("batch", "1e9", "batch_size"),
        ("seq", "99999999999", "seq_len"),
        ("gpu_gib", "nan", "gpu_gib"),
        ("gpu_gib", "inf", "gpu_gib"),
        ("precision", "fp8", "precision"),
        ("ckpt", "maybe", "grad_checkpointing"),
        ("method", "zero-7", "method"),
        ("lang", "fr", "lang"),
        ("vocab", "0", "vocab_size"),
        ("view", "slides", "view"),
    ],
    ids=lambda v: str(v),
)
def test_a_bad_parameter_keeps_its_default_and_is_reported(param, value, field):
    others = {"seq": "512"} if param != "seq" else {"batch": "8"}
    plan, problems = from_query({param: value, **others}, MODELS, GPUS)
    assert [p.param for p in problems] == [param]
    assert problems[0].reason == "link_bad_value" and problems[0].detail
    assert getattr(plan, field) == getattr(DEFAULT, field)
    assert plan.seq_len == 512 or plan.batch_size == 8  # the good parameters still apply


def test_a_catalog_value_lists_what_is_allowed():
    _, problems = from_query({"model": "no/such"}, MODELS, GPUS)
    assert problems[0].detail == "one of " + ", ".join(MODELS)


def test_an_unknown_parameter_is_reported():
    plan, problems = from_query({"utm_source": "mail", "cost": "1"}, MODELS, GPUS)
    assert plan == DEFAULT
    assert [p.reason for p in problems] == ["link_unknown_param"] * 2


def test_repeated_parameters_take_the_last():
    plan, _ = from_query({"batch": ["2", "6"]}, MODELS, GPUS)
    assert plan.batch_size == 6


def test_cost_defaults_stay_out_of_the_link():
    cost_params = {info.alias or name for name, info in CostInputs.model_fields.items()}
    assert not set(to_query(DEFAULT)) & cost_params
    link = to_query(
        DEFAULT.with_(cost=DEFAULT.cost.with_(currency="JPY", usd_rate=150.0, deadline_hours=12.0))
    )
    assert {k: link[k] for k in ("currency", "rate", "deadline")} == {
        "currency": "JPY",
        "rate": "150",
        "deadline": "12",
    }
    assert "util_pct" not in link and "prices" not in link


@pytest.mark.parametrize(
    ("param", "value", "field"),
    [
        ("data", "0", "data"),
        ("data", "1e8", "data"),
        ("unit", "words", "unit"),
        ("epochs", "-1", "epochs"),
        ("currency", "yen", "currency"),
        ("rate", "0", "usd_rate"),
        ("util_pct", "40,40,40", "util_pct"),
        ("util_pct", "0,40,40,35,35", "util_pct"),
        ("comm_pct", "0,5,7.5,15,95", "comm_pct"),
        ("pue", "0.5", "pue"),
        ("prices", "h100:1:2::", "price"),
        ("prices", "a100-80gb:5:2::", "price"),
        ("prices", "a100-80gb:-1:::", "price"),
        ("prices", "a100-80gb:1:2", "price"),
        ("deadline", "soon", "deadline_hours"),
        ("budget", "-5", "budget"),
        ("basis", "cheap", "cost_basis"),
        ("gpu_set", "some", "gpu_set"),
    ],
    ids=lambda v: str(v),
)
def test_a_bad_cost_parameter_keeps_its_default_and_is_reported(param, value, field):
    others = {"epochs": "2"} if param != "epochs" else {"data": "5"}
    plan, problems = from_query({param: value, **others}, MODELS, GPUS)
    assert [p.param for p in problems] == [param]
    assert problems[0].detail
    assert getattr(plan.cost, field) == getattr(DEFAULT.cost, field)
    assert plan.cost.epochs == 2.0 or plan.cost.data == 5


def test_a_price_edit_the_core_refuses_says_why():
    _, problems = from_query({"prices": "a100-80gb:5:2::"}, MODELS, GPUS)
    assert "at most the high price" in problems[0].detail  # PriceOverride's own check


def test_a_rate_for_dollars_must_be_one():
    plan, problems = from_query({"rate": "150"}, MODELS, GPUS)
    assert plan.cost.usd_rate == 1.0 and [p.param for p in problems] == ["rate"]
    assert "USD" in problems[0].detail  # the core's rule, in its words


# ---- the state in the core's units ---------------------------------------------------------


def test_display_units_reach_the_core_in_its_own():
    plan = DEFAULT.with_(gpu=CUSTOM_GPU, gpu_gib=23.5, slack_pct=2.5)
    spec = plan.spec()
    assert spec.gpu is None and spec.gpu_memory_mib == 23.5 * 1024
    assert spec.allocator_slack == pytest.approx(0.025, rel=1e-12)
    cost = DEFAULT.cost.with_(util_pct={MethodKind.TP: 20.0}).spec((), 16)
    assert cost.utilisation[MethodKind.TP] == pytest.approx(0.2, rel=1e-12)
    assert cost.utilisation[MethodKind.ADP] == pytest.approx(
        CostAssumptions().utilisation[MethodKind.ADP], rel=1e-12
    )  # the core's default


def test_the_tp_degree_applies_to_dp_tp_only():
    assert DEFAULT.with_(tp=2).spec().tp == 2  # comparing all: dp+tp's degree
    assert DEFAULT.with_(tp=2, method="dp+tp").spec().tp == 2
    assert DEFAULT.with_(tp=2, method="tp").spec().tp is None
    assert DEFAULT.spec().tp is None  # 0: the core's default
