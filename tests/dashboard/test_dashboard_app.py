"""The page's main flows under streamlit.testing (no browser): every flow ends without an
exception or an unexpected error, and the numbers shown are the core's."""

from __future__ import annotations

import json
import re

import pytest

from llmem_dashboard.i18n import fmt_gib, method_short
from llmem_dashboard.safe import plain
from llmem_dashboard.state import DEFAULT, to_query
from tests.dashboard.page import (
    TINY_LLAMA,
    metric_value,
    on_tab,
    upload,
    verdict_text,
    widget_before,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _ok(at) -> None:
    assert not at.exception, at.exception
    problems = [e.value for e in at.error]
    assert not problems, problems


def _nothing_went_wrong(at) -> None:
    assert not at.exception, at.exception
    assert not [e for e in at.error if "Something went wrong" in plain(e.value)]


def _memory_spec(at) -> dict:
    charts = at.get("plotly_chart")
    return json.loads(charts[0].proto.spec)


def _bar_total(spec: dict, component: str, index: int) -> float:
    return next(tr["x"][index] for tr in spec["data"] if tr.get("name") == component)


def test_the_default_plan_opens_on_a_verdict(app, default_results):
    at = app.run()
    _ok(at)
    assert "Fits" in verdict_text(at)
    assert "meta-llama/Llama-3.1-8B" in verdict_text(at)
    peak = default_results.focus.estimate.peak_bytes  # the page shows the core's number
    assert metric_value(at, "Peak per GPU (nvidia-smi)") == fmt_gib(peak, "en")
    chosen = default_results.plan.chosen  # Algorithm 1's choice for the demo plan
    assert metric_value(at, "Recommended") == method_short(chosen.method, 4, "en")[0]
    assert [c.key for c in at.get("plotly_chart")] == ["chart_memory"]  # the plan tab: a table
    assert any("Algorithm 1" in h.value for h in at.subheader)
    assert at.query_params["model"] == [DEFAULT.model] or at.query_params["model"] == DEFAULT.model


def test_changing_the_model_changes_the_numbers(app):
    at = app.run()
    before = metric_value(at, "Peak per GPU (nvidia-smi)")
    at.selectbox(key="model.en").set_value("meta-llama/Llama-3.2-1B").run()
    _ok(at)
    assert metric_value(at, "Peak per GPU (nvidia-smi)") != before
    assert "Llama-3.2-1B" in verdict_text(at)


def test_changing_the_gpu_can_turn_the_verdict_red(app):
    at = app.run()
    at.selectbox(key="gpu.en").set_value("t4-16gb").run()
    _ok(at)
    assert "Out of memory" in verdict_text(at)
    assert "T4" in verdict_text(at)


def test_a_custom_gpu_memory(app):
    at = app.run()
    at.selectbox(key="gpu.en").set_value("custom").run()
    at.number_input(key="gpu_gib").set_value(200.0).run()
    _ok(at)
    assert "200.0 GiB" in verdict_text(at)


def test_one_method_shows_one_bar(app):
    at = app.run()
    at.selectbox(key="method.en").set_value("tp").run()
    _ok(at)
    spec = _memory_spec(at)
    assert spec["data"][0]["y"] == ["TP ×4"]
    assert "TP ×4" in verdict_text(at)


def test_the_vocabulary_what_if_grows_the_lm_head_bar(app):
    at = app.run()
    lm_before = _bar_total(_memory_spec(at), "lm_head + logits", 1)
    at.toggle(key="vocab_on").set_value(True).run()
    assert at.number_input(key="vocab_size").value == 128_256  # starts at the model's own
    at.number_input(key="vocab_size").set_value(256_000).run()
    _ok(at)
    assert _bar_total(_memory_spec(at), "lm_head + logits", 1) > 1.5 * lm_before
    assert at.query_params["vocab"] in ("256000", ["256000"])


def test_a_link_reopens_the_same_plan(app):
    at = app.run()
    at.selectbox(key="gpu.en").set_value("h100-80gb")
    at.number_input(key="num_gpus").set_value(8)
    at.number_input(key="batch_size").set_value(6).run()
    _ok(at)
    link = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert link["gpu"] == "h100-80gb" and link["gpus"] == "8" and link["batch"] == "6"
    peak = metric_value(at, "Peak per GPU (nvidia-smi)")

    from streamlit.testing.v1 import AppTest

    reopened = AppTest.from_file(app._script_path, default_timeout=60)
    for key, value in link.items():
        reopened.query_params[key] = value
    reopened.run()
    _ok(reopened)
    assert reopened.selectbox(key="gpu.en").value == "h100-80gb"
    assert reopened.number_input(key="num_gpus").value == 8
    assert metric_value(reopened, "Peak per GPU (nvidia-smi)") == peak


def test_a_bad_link_gives_a_message_and_the_defaults(app):
    for key, value in {"model": "no/such", "batch": "-1", "gpus": "lots", "x": "1"}.items():
        app.query_params[key] = value
    at = app.run()
    _ok(at)
    warning = plain(at.warning[0].value)
    assert "no/such" in warning and "batch=-1" in warning and "“x”" in warning
    assert "a whole number from 1 to 1,000,000" in warning  # the allowed range, the core's
    assert at.selectbox(key="model.en").value == DEFAULT.model
    assert at.number_input(key="batch_size").value == DEFAULT.batch_size


def test_a_link_in_japanese(app, default_results):
    for key, value in to_query(DEFAULT).items():
        app.query_params[key] = value
    app.query_params["lang"] = "ja"
    at = app.run()
    _ok(at)
    assert "収まります" in verdict_text(at)
    peak = default_results.focus.estimate.peak_bytes
    assert metric_value(at, "GPUあたりのピーク（nvidia-smi）") == fmt_gib(peak, "ja")


def test_switching_language_keeps_the_plan(app):
    at = app.run()
    at.number_input(key="batch_size").set_value(8)
    at.selectbox(key="gpu.en").set_value("h100-80gb").run()
    at.segmented_control(key="lang").set_value("ja").run()
    _ok(at)
    assert at.number_input(key="batch_size").value == 8
    assert at.selectbox(key="gpu.ja").value == "h100-80gb"
    assert at.selectbox(key="method.ja").options[0] == "すべて比較（アルゴリズム1が選択）"
    assert "バッチ8" in verdict_text(at)
    at.selectbox(key="gpu.ja").set_value("a100-80gb").run()
    at.segmented_control(key="lang").set_value("en").run()
    assert at.selectbox(key="gpu.en").value == "a100-80gb"  # not the stale English value


def test_an_unsupported_precision_is_reported_next_to_it(app):
    at = app.run()
    at.selectbox(key="profile").set_value("paper").run()  # the paper models amp + checkpointing
    at.selectbox(key="precision").set_value("fp32").run()
    assert not at.exception
    errors = list(at.sidebar.error)
    assert len(errors) == 1 and "profile paper models" in plain(errors[0].value)
    assert widget_before(at, errors[0]) == "precision"
    assert not at.get("plotly_chart")  # no half-drawn page


def test_a_bad_config_upload_is_reported_next_to_the_uploader(app):
    at = app.run()
    at.radio(key="model_source.en").set_value("upload").run()
    at.file_uploader(key="config_file").upload(
        "broken.json", b'{"model_type": "llama",', "application/json"
    ).run()
    assert not at.exception
    messages = [plain(e.value) for e in at.sidebar.error]
    assert any("not valid JSON" in m for m in messages), messages
    assert "Llama-3.1-8B" in verdict_text(at)  # the preset still shows


def test_an_uploaded_config_is_estimated(app):
    at = upload(app, "tiny-llama.json", TINY_LLAMA)
    _ok(at)
    assert "tiny-llama" in verdict_text(at)


def test_presentation_view_hides_the_working_parts(app):
    at = app.run()
    at.toggle(key="present").set_value(True).run()
    _ok(at)
    assert len(at.get("plotly_chart")) == 2  # the memory bars and the cost chart
    assert not [w for w in at.main.number_input if w.key.startswith("c_")]  # no cost inputs
    assert at.query_params["view"] in ("present", ["present"])
    at.button(key="exit_present").click().run()
    assert len(at.get("plotly_chart")) == 1  # the memory bars; the plan tab below them


# ---- cost ------------------------------------------------------------------------------------


def _cost_table(at):
    return next(
        d.value
        for d in at.dataframe
        if "Time per run" in d.value.columns or "1回の時間" in d.value.columns
    )


def _row(df, gpu: str):
    return df[df.iloc[:, 1] == gpu].iloc[0]


def test_the_headline_gives_time_and_cloud_cost_per_run(app):
    on_tab(app, "cost")
    at = app.run()
    _ok(at)
    assert re.fullmatch(r"[\d.]+ h", metric_value(at, "Time per run"))
    assert re.fullmatch(r"\$[\d,.]+ – \$[\d,.]+", metric_value(at, "On-demand cost per run"))
    assert "per run on demand" in verdict_text(at) and "pays off after" in verdict_text(at)
    df = _cost_table(at)
    notes = " ".join(df["Note"])  # the cheapest row need not be the user's plan
    assert "cheapest" in notes and "your plan" in notes


def test_changing_the_currency_prices_in_yen(app):
    on_tab(app, "cost")
    at = app.run()
    usd = _row(_cost_table(at), "H100 80GB SXM5")["On demand per run"]
    at.selectbox(key="c_currency").set_value("JPY").run()
    _ok(at)
    assert at.number_input(key="c_usd_rate").value == 150.0
    yen = _row(_cost_table(at), "H100 80GB SXM5")["On demand per run"]
    assert yen.startswith("¥") and yen != usd
    assert metric_value(at, "On-demand cost per run").startswith("¥")
    at.number_input(key="c_usd_rate").set_value(100.0).run()
    assert _row(_cost_table(at), "H100 80GB SXM5")["On demand per run"] != yen
    assert at.query_params["currency"] in ("JPY", ["JPY"])
    assert at.query_params["rate"] in ("100", ["100"])


def test_editing_a_price_changes_the_table(app):
    on_tab(app, "cost")
    at = app.run()
    at.selectbox(key="c_price_gpu").set_value("h100-80gb").run()
    before = _row(_cost_table(at), "H100 80GB SXM5")
    at.number_input(key="c_px.h100-80gb.USD.4").set_value(5.0).run()  # on-demand low
    _ok(at)
    after = _row(_cost_table(at), "H100 80GB SXM5")
    assert after["On demand per run"] != before["On demand per run"]
    assert after["Prices as of"].endswith("(edited)")
    assert at.query_params["prices"] in ("h100-80gb:::::5::", ["h100-80gb:::::5::"])
    at.button(key="c_price_reset").click().run()
    assert (
        _row(_cost_table(at), "H100 80GB SXM5")["On demand per run"] == before["On demand per run"]
    )
    assert "prices" not in at.query_params


def test_a_deadline_filters_the_table(app):
    on_tab(app, "cost")
    at = app.run()
    rows = len(_cost_table(at))
    at.number_input(key="c_deadline_hours").set_value(8.0).run()
    _ok(at)
    df = _cost_table(at)
    others = df[~df["Note"].str.contains("your plan")]  # yours is shown whatever its time
    hours = [float(h.removesuffix(" h")) for h in others["Time per run"]]
    assert hours and all(h <= 8.0 for h in hours)
    assert any("miss the deadline" in c.value for c in at.caption)
    assert len(others) <= rows  # yours, if it misses the deadline, is pinned on top


def test_a_cost_link_reopens_with_its_inputs(app):
    for key, value in {
        "currency": "JPY",
        "rate": "150",
        "epochs": "1",
        "deadline": "40",
        "prices": "a100-80gb:1::20000:",
        "lang": "ja",
    }.items():
        app.query_params[key] = value
    on_tab(app, "cost")
    at = app.run()
    _ok(at)
    assert at.selectbox(key="c_currency").value == "JPY"
    assert at.number_input(key="c_epochs").value == 1.0
    assert at.number_input(key="c_deadline_hours").value == 40.0
    df = _cost_table(at)
    assert df["オンデマンド（1回）"].str.endswith("円").all()
    assert "編集済み" in _row(df, "A100 80GB SXM4")["価格時点"]


def test_a_bad_cost_link_gives_a_message_and_the_default(app):
    app.query_params["prices"] = "a100-80gb:5:2::"
    app.query_params["util_pct"] = "40"
    at = app.run()
    _ok(at)
    warning = plain(at.warning[0].value)
    assert "prices=a100-80gb:5:2::" in warning and "util_pct=40" in warning
    assert "at most the high price" in warning  # the core's own check of a price edit
    assert "prices" not in at.query_params


def test_switching_currency_clears_amounts_in_the_old_one(app):
    app.query_params["budget"] = "500"
    app.query_params["prices"] = "a100-80gb:1:::"
    on_tab(app, "cost")
    at = app.run()
    at.selectbox(key="c_currency").set_value("EUR").run()
    _ok(at)
    assert at.number_input(key="c_budget").value is None
    assert "prices" not in at.query_params
    assert any("were cleared" in i.value for i in at.info)


def test_an_edited_price_the_core_refuses_is_put_back_with_the_reason(app):
    on_tab(app, "cost")
    at = app.run()
    at.selectbox(key="c_price_gpu").set_value("h100-80gb").run()
    at.number_input(key="c_px.h100-80gb.USD.5").set_value(3.0).run()  # on-demand high
    at.number_input(key="c_px.h100-80gb.USD.4").set_value(5.0).run()  # low above high
    assert not at.exception
    assert any("at most the high price" in plain(e.value) for e in at.error)
    assert at.number_input(key="c_px.h100-80gb.USD.4").value is None  # the last accepted
    assert at.query_params["prices"] in ("h100-80gb::::::3:", ["h100-80gb::::::3:"])


# ---- messages by field, and nothing a user typed rendered as Markdown ----------------------


def test_a_dp_tp_link_the_gpus_cannot_take_is_adjusted_next_to_the_method(app):
    app.query_params["gpus"] = "2"
    app.query_params["method"] = "dp+tp"  # ?gpus=2&method=dp%2Btp&tp=4
    app.query_params["tp"] = "4"
    at = app.run()
    _ok(at)  # issue #14: no dead end; the page computes all methods instead
    notes = list(at.sidebar.warning)
    assert len(notes) == 1, [w.value for w in notes]
    assert "dp+tp does not run on 2 GPU(s)" in plain(notes[0].value)
    assert widget_before(at, notes[0]) == "method.en"
    assert at.selectbox(key="method.en").value == "all"
    assert "Llama-3.1-8B" in verdict_text(at)


LLAMA = (
    '"model_type": "llama", "hidden_size": 1024, "num_hidden_layers": 8, '
    '"num_attention_heads": 16, "intermediate_size": 4096, "vocab_size": 32000'
)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'{"a": ' * 2_500 + b"1" + b"}" * 2_500, "nested more than 64 deep"),
        (b'{"model_type": ["opt"]}', "model_type must be one of"),
        (
            b"{" + LLAMA.encode() + b', "max_position_embeddings": ' + b"7" * 5_000 + b"}",
            "an integer of 5,000 digits",
        ),
    ],
    ids=["nested-2500-deep", "model-type-a-list", "5000-digit-integer"],
)
def test_a_hostile_config_gives_one_clear_message_next_to_the_model(app, data, says):
    at = upload(app, "config.json", data)
    _nothing_went_wrong(at)
    errors = list(at.sidebar.error)
    assert len(errors) == 1 and says in plain(errors[0].value), [e.value for e in errors]
    assert widget_before(at, errors[0]) == "config_file"  # under the model's inputs
    assert "Llama-3.1-8B" in verdict_text(at)  # the preset still shows


MARKDOWN_LINK = "[Session expired](https://evil.example/login)"


def _rendered(markdown_text: str) -> tuple[str, list[str]]:
    """What a CommonMark renderer (markdown-it, raw HTML allowed) makes of a text: its HTML
    and the links in it."""
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark")
    tokens = parser.parseInline(markdown_text)
    links = [c.attrGet("href") for t in tokens for c in t.children or [] if c.type == "link_open"]
    return parser.renderInline(markdown_text), links


@pytest.mark.parametrize(
    ("param", "value"),
    [("model", MARKDOWN_LINK), (MARKDOWN_LINK, "1")],
    ids=["in-a-value", "as-a-name"],
)
def test_a_link_value_is_shown_as_text_never_as_a_link(app, param, value):
    app.query_params[param] = value
    at = app.run()
    _nothing_went_wrong(at)
    warning = at.warning[0].value
    assert MARKDOWN_LINK in plain(warning)  # shown as typed
    html, links = _rendered(warning)
    assert links == [] and "<a" not in html
    assert "https://" not in warning  # no bare URL for GFM to turn into a link either


def test_an_uploaded_models_name_is_shown_as_text(app):
    name = "<img src=x onerror=alert(1)>[Session expired](https://evil.example).json"
    at = upload(app, name, b"{" + LLAMA.encode() + b"}")
    _ok(at)
    caption = next(c.value for c in at.sidebar.caption if "parameters" in plain(c.value))
    html, links = _rendered(caption)
    assert links == [] and "<img" not in html and "<img src=x" in plain(caption)
    headline = verdict_text(at)
    assert "<img" not in headline and "&lt;img" in headline  # escaped in the headline
