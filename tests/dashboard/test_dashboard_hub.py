"""The page's "Hub id" model source (hub_box.py) against the loopback Hub of tests/test_hub.py."""

from __future__ import annotations

from llmem_dashboard.safe import plain
from tests.dashboard.page import verdict_text
from tests.test_hub import hub  # noqa: F401  (the fixture: a Hub-compatible server on loopback)


def _pick_hub(app, hub_id: str):
    at = app.run()
    at.radio(key="model_source.en").set_value("hub").run()
    at.text_input(key="hub_id").input(hub_id).run()
    assert not at.exception, at.exception
    return at


def test_a_hub_id_is_estimated(app, hub) -> None:  # noqa: F811
    at = _pick_hub(app, "acme/qwen3")
    assert not at.error, [e.value for e in at.error]
    assert "acme/qwen3" in plain(verdict_text(at))


def test_a_gated_hub_id_is_reported_next_to_the_box(app, hub) -> None:  # noqa: F811
    at = _pick_hub(app, "acme/gated")
    messages = [plain(e.value) for e in at.sidebar.error]
    assert any("gated" in m and "HF_TOKEN" in m for m in messages), messages
    assert "Llama-3.1-8B" in verdict_text(at)  # the preset still shows


def test_an_id_that_is_not_org_name_is_refused(app, hub) -> None:  # noqa: F811
    at = _pick_hub(app, "not a hub id")
    assert any("ORG/NAME" in plain(e.value) for e in at.sidebar.error)
