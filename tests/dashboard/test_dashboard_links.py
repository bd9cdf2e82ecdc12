"""Issue #14: a link restores exactly what the page shows (an uploaded config included), every
exported link is percent-encoded, and the presentation view, the chart (its PNG) and the
exports state the whole plan."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from llmem_dashboard import export, hub_box, inputs, state, summary
from llmem_dashboard.safe import plain
from llmem_dashboard.state import DEFAULT, from_query, to_query
from tests.dashboard.conftest import APP
from tests.dashboard.page import TINY_LLAMA, metric_value, upload, verdict_text
from tests.test_hub import Hub, hub  # noqa: F401  (the fixture: a Hub-compatible server on loopback)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TINY = {"_name_or_path": "acme/tiny-llama-1b", **TINY_LLAMA}


def _query(at) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_an_uploaded_config_named_config_json_shows_the_models_real_name(app):
    """Was: a model uploaded as config.json was named "config" on the page and the slides."""
    at = upload(app, "config.json", TINY)
    assert not at.exception and not at.error
    assert "acme/tiny-llama-1b" in verdict_text(at) and ">config<" not in verdict_text(at)


def test_a_link_carries_an_uploaded_config_and_reopens_the_same_plan(app):
    """Was: the recipient of a link to an uploaded model silently saw Llama-3.1-8B."""
    at = upload(app, "config.json", TINY)
    query = _query(at)
    assert state.CONFIG_PARAM in query and len(query[state.CONFIG_PARAM]) < 600
    peak = metric_value(at, "Peak per GPU (nvidia-smi)")
    again = AppTest.from_file(str(APP), default_timeout=60)
    again.query_params.update(query)
    again.run()
    assert not again.exception and not again.error and not again.warning
    assert "acme/tiny-llama-1b" in verdict_text(again) and "Llama-3.1-8B" not in verdict_text(again)
    assert metric_value(again, "Peak per GPU (nvidia-smi)") == peak
    assert any("Model from the link" in plain(c.value) for c in again.sidebar.caption)
    assert _query(again) == query  # and its own link is the same link


def test_a_config_too_large_for_the_link_says_so_under_the_uploader(app, monkeypatch):
    monkeypatch.setattr(state, "MAX_CONFIG_CHARS", 100)
    at = upload(app, "tiny.json", TINY)
    assert not at.exception
    notices = [plain(w.value) for w in at.sidebar.warning]
    assert any("too large to travel in the share link" in n and "at most 100" in n for n in notices)
    assert state.CONFIG_PARAM not in _query(at)


@pytest.mark.parametrize(
    "value",
    ["not-base64-at-all!", "eJyrVspLzE1VslJQqlCqBQAdAAP0", "A" * 5_000],
    ids=["garbage", "valid-zlib-not-a-model", "too-long"],
)
def test_a_tampered_config_link_opens_the_preset_with_a_message(app, value):
    app.query_params[state.CONFIG_PARAM] = value
    at = app.run()
    assert not at.exception and not at.error
    warning = plain(at.warning[0].value)
    assert "config=" in warning and "Llama-3.1-8B" in verdict_text(at)


def test_an_exported_link_is_percent_encoded_and_reads_back():
    """Was: the JSON download's link wrote dp+tp unencoded, which reads back as "dp tp"."""
    plan = DEFAULT.with_(method="dp+tp", num_gpus=8, tp=4)
    link = inputs.link("http://localhost:8501/?old=1", to_query(plan))
    assert "dp%2Btp" in link and "+" not in urlsplit(link).query
    params = parse_qs(urlsplit(link).query)
    back, problems = from_query(params, [DEFAULT.model], ["a100-80gb"])
    assert not problems and back == plan


def test_the_summary_states_model_whatif_gpus_method_sizes_precision_ckpt_verdict(run_plan):
    res = run_plan(vocab_size=200_000)
    line = summary.plan_line(res)
    for part in (
        "meta-llama/Llama-3.1-8B (vocabulary 200,000, what-if; its own 128,256)",
        "4 × A100 80GB SXM4",
        "batch 4 × 2,048 tokens",
        res.request.training.precision.value,
        "checkpointing every layer",
    ):
        assert part in line, (part, line)
    est = res.focus.estimate
    verdict = {"fits": "fits", "at-risk": "at risk", "oom": "out of memory"}[est.verdict.value]
    assert f"{verdict.capitalize()}:" in line or f"{verdict}:" in line
    assert json.loads(export.plan_json(res))["summary"] == line


def test_presentation_view_and_chart_state_the_whole_plan(app):
    """Was: a 200k-vocabulary plan was labelled plain "Llama-3.1-8B fits" on the slide and PNG."""
    app.query_params.update({"vocab": "200000", "view": "present"})
    at = app.run()
    assert not at.exception
    heading = next(plain(m.value) for m in at.markdown if m.value.startswith("#### "))
    assert "vocabulary 200,000, what-if" in heading and "batch 4 × 2,048 tokens" in heading
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    title = spec["layout"]["title"]["text"]
    assert "vocabulary 200,000, what-if" in title and "checkpointing every layer" in title


# ---- a Hub id in the link --------------------------------------------------------------------
# The Hub box fetches as soon as it holds an id (no button), so a link's id restores the model.


def _pick_hub(app, hub_id: str):
    at = app.run()
    at.radio(key="model_source.en").set_value("hub").run()
    return at.text_input(key="hub_id").input(hub_id).run()


def test_a_link_carries_the_hub_id_and_reopens_the_same_model(app, hub):  # noqa: F811
    """Was: the Hub id was "not part of the share link"; the recipient saw Llama-3.1-8B."""
    at = _pick_hub(app, "acme/qwen3")
    query = _query(at)
    assert query.get(hub_box.PARAM) == "acme/qwen3"
    peak = metric_value(at, "Peak per GPU (nvidia-smi)")
    again = AppTest.from_file(str(APP), default_timeout=60)
    again.query_params.update(query)
    again.run()
    assert not again.exception and not again.error and not again.warning
    assert again.radio(key="model_source.en").value == "hub"
    assert again.text_input(key="hub_id").value == "acme/qwen3"  # back in its box
    assert "acme/qwen3" in verdict_text(again) and "Llama-3.1-8B" not in verdict_text(again)
    assert metric_value(again, "Peak per GPU (nvidia-smi)") == peak
    assert _query(again) == query  # and its own link is the same link


def test_a_preset_or_an_emptied_box_writes_no_hub_id(app, hub):  # noqa: F811
    at = _pick_hub(app, "acme/qwen3")
    at.text_input(key="hub_id").input("").run()
    assert hub_box.PARAM not in _query(at)
    at = _pick_hub(app, "acme/qwen3")
    at.radio(key="model_source.en").set_value("preset").run()
    assert hub_box.PARAM not in _query(at)


@pytest.mark.parametrize(
    "value",
    ["not a hub id", "../../etc/passwd", "acme/" + "x" * 300, "https://evil.example/a/b"],
    ids=["words", "path", "too-long", "url"],
)
def test_a_tampered_hub_link_fetches_nothing_and_says_so(app, hub, value):  # noqa: F811
    app.query_params[hub_box.PARAM] = value
    at = app.run()
    assert not at.exception and not at.error
    warning = plain(at.warning[0].value)
    assert "hub=" in warning and "ORG/NAME" in warning, warning
    assert "Llama-3.1-8B" in verdict_text(at)
    assert Hub.requests == []  # nothing was asked of the Hub
    assert at.radio(key="model_source.en").value == "preset"
