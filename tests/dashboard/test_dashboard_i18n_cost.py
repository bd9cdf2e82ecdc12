"""Issue #14: the cost section's refusals on the Japanese page — the core's cost error shown
above the table (views.cost_error) and the price editor's refusal of an edit
(inputs._price_changed) — are said in Japanese, keeping the figures the core gave."""

from __future__ import annotations

import pytest

from llmem_dashboard.safe import plain
from llmem_dashboard.state import PRICE_FIELDS
from tests.dashboard.page import on_tab
from tests.dashboard.test_dashboard_i18n_refusals import CODE, ENGLISH, assert_japanese

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _link_price(gpu: str, **figures: str) -> str:
    """A link's `prices` value: GPU_KEY then every PRICE_FIELDS figure (empty: the catalog's)."""
    return ":".join([gpu, *(figures.get(f, "") for f in PRICE_FIELDS)])


def _errors(at) -> list[str]:
    return [plain(e.value) for e in at.error]


def _no_english(texts: list[str]) -> None:
    assert not [t for t in texts if ENGLISH.search(CODE.sub("", t))], texts


@pytest.mark.parametrize(
    "text",
    [
        "must be at most the on-demand high price (5.07 USD per GPU-hour); got 999",
        "must be at most the cloud high price (1e+03 JPY per GPU-hour); got 2e+03",
        "must be at most the high price (1); got 5",
        "a100-80gb has no peak TFLOP/s; give one",
    ],
)
def test_every_cost_refusal_shape_is_said_in_japanese(text):
    assert_japanese(text)


def test_a_cost_error_from_a_link_is_said_in_japanese(app):
    """An on-demand low price of 999 USD against the catalog's high one: the core's money
    module refuses it when it prices the comparison (not the link's own check)."""
    on_demand = _link_price("a100-80gb", on_demand_per_gpu_hour_low="999")
    app.query_params.update({"lang": "ja", "prices": on_demand})
    on_tab(app, "cost")
    at = app.run()
    assert not at.exception, at.exception
    errors = _errors(at)
    assert any("オンデマンドの高い方の価格" in e and "999" in e for e in errors), errors
    _no_english(errors)


def test_a_refused_price_edit_is_said_in_japanese(app):
    app.query_params["lang"] = "ja"
    on_tab(app, "cost")
    at = app.run()
    gpu = at.selectbox(key="c_price_gpu").value
    low, high = (PRICE_FIELDS.index(f) for f in PRICE_FIELDS[4:6])  # on-demand low, high
    at.number_input(key=f"c_px.{gpu}.USD.{high}").set_value(100.0).run()
    at = at.number_input(key=f"c_px.{gpu}.USD.{low}").set_value(200.0).run()  # above high
    assert not at.exception, at.exception
    errors = _errors(at)
    assert any("高い方の価格（100）以下である必要があります（指定値：200）" in e for e in errors), (
        errors
    )
    _no_english(errors)
