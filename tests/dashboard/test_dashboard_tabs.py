"""Issue #14 item 7 (speed): below the memory chart the sections are tabs, and only the open
tab's section is built and sent — a fresh page and every change draw one chart and one section,
not four charts and six sections. What each tab must hold, that nothing else is drawn, that the
open tab is in the link, and that inputs on a closed tab keep their values."""

from __future__ import annotations

import pytest

from llmem_dashboard.i18n import t
from llmem_dashboard.state import TABS
from tests.dashboard.page import on_tab, verdict_text

SECTIONS = {name: f"sec_{name}" for name in TABS}
CHARTS = {  # the charts each tab adds to the memory bars
    "plan": [],
    "cost": ["chart_cost"],
    "whatif": ["chart_batch", "chart_vocab"],
    "assumptions": [],
    "downloads": [],
    "runs": [],
}


def _subheaders(at) -> list[str]:
    return [h.value for h in at.main.subheader]


@pytest.mark.parametrize("name", TABS)
def test_each_tab_draws_its_section_and_no_other(app, name):
    at = on_tab(app, name).run()
    assert not at.exception and not at.error
    assert "Fits" in verdict_text(at)  # the headline and the memory chart are on every tab
    assert [c.key for c in at.get("plotly_chart")] == ["chart_memory", *CHARTS[name]]
    shown = _subheaders(at)
    assert t("en", SECTIONS[name]) in shown
    others = [t("en", s) for n, s in SECTIONS.items() if n != name]
    assert not [h for h in shown if h in others], shown


def test_the_plan_tab_opens_first_and_is_in_the_link(app):
    at = app.run()
    assert t("en", "sec_plan") in _subheaders(at)
    assert at.query_params["tab"] in ("plan", ["plan"])


def test_a_link_to_a_tab_opens_it_and_keeps_it(app):
    at = on_tab(app, "whatif").run()
    assert at.query_params["tab"] in ("whatif", ["whatif"])
    at.number_input(key="batch_size").set_value(6).run()  # a change keeps the tab
    assert t("en", "sec_whatif") in _subheaders(at)


def test_a_bad_tab_in_a_link_says_so_and_opens_the_first(app):
    at = on_tab(app, "charts").run()
    assert not at.exception
    assert any("tab=charts" in w.value for w in at.warning)
    assert t("en", "sec_plan") in _subheaders(at)


def test_cost_inputs_keep_their_values_on_another_tab(app):
    """The cost inputs are not drawn while another tab is open (streamlit forgets a widget it
    did not draw): the values come back from the plan's cost state."""
    at = on_tab(app, "cost").run()
    at.number_input(key="c_deadline_hours").set_value(8.0).run()
    at.session_state["tab.en"] = t("en", "tab_plan")
    at.run()
    assert "c_deadline_hours" not in {w.key for w in at.main.number_input}
    assert at.query_params["deadline"] in ("8", ["8"])  # still the plan's
    at.session_state["tab.en"] = t("en", "tab_cost")
    at.run()
    assert at.number_input(key="c_deadline_hours").value == 8.0


def test_the_japanese_page_names_its_tabs_in_japanese(app):
    app.query_params["lang"] = "ja"
    at = on_tab(app, "cost").run()
    assert [tab.label for tab in at.tabs] == [t("ja", f"tab_{n}") for n in TABS]
    assert t("ja", "sec_cost") in _subheaders(at)
