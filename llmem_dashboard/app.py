"""llmem dashboard: does this fine-tuning plan fit, how should it be spread, what does it cost?

Run: llmem dashboard   (or `bash scripts/dashboard.sh`; the package must be installed)
The page, top to bottom: the plan (sidebar) → headline → memory bars → tabs, one section at a
time: Algorithm 1's plan (open first), cost comparison, what-if curves, assumptions, downloads,
your runs. Only the open tab's section is built and sent (issue #14: a fresh page and each
change draw one section, not six), and the tabs are a fragment: a tab click reruns them alone.
The presentation view shows the plan and the cost, no tabs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from llmem_core import Gpu
from llmem_dashboard import charts, compute, cost, export, inputs, runs_view, tables, views
from llmem_dashboard.compute import FieldError, Results
from llmem_dashboard.cost import CostResults
from llmem_dashboard.i18n import fmt_money, fmt_params, t


def page() -> None:
    models, gpus = inputs.presets()
    inputs.seed_from_link(models, gpus)
    side = inputs.sidebar(models, gpus)
    plan, lang = side.inputs, side.inputs.lang
    present = plan.view == "present"
    views.page_style(present)
    if present:
        inputs.exit_presentation(lang)
    views.header(lang, present)
    views.link_problems(inputs.link_problems(), lang)
    query = inputs.link_query(side)
    inputs.sync_link(query)

    res = compute.run(plan, side.arch, gpus, runs_view.calibrations())
    if isinstance(res, FieldError):
        views.field_error(side.slots, res, lang)
        return

    stem = export.file_stem(res)
    top = st.container()  # the headline's place: filled once the memory chart has gone out
    memory_fig = None  # stays None if its section fails (the HTML download is left out)
    with views.section(lang, "sec_memory"):
        memory_fig = charts.memory_bars(res)
        views.memory(res, memory_fig, stem)
    cres = cost.run(plan.cost, res, gpus)
    with top, views.section(lang, "sec_headline"):
        if present:  # a slide states the whole plan, not only the model
            views.plan_summary(res)
        views.headline(res, cres)
        runs_view.calibration_note(res.focus.estimate, lang)
    if isinstance(cres, CostResults):  # the plan panel's data total, on every tab
        total = fmt_params(round(cres.ranking.tokens), lang)
        side.slots["data_note"].caption(t(lang, "c_data_total", total=total))
    shown = Shown(res, cres, gpus, stem, memory_fig, query, side.slots)
    if present:  # a slide: the plan and the cost one under the other, no tabs, no working parts
        for name in ("plan", "cost"):
            with views.section(lang, f"sec_{name}"):
                sections(shown, present)[name]()
        return
    below(shown)


@dataclass(frozen=True)
class Shown:
    """What the sections below the memory chart draw from: this full run's answers."""

    res: Results
    cres: CostResults | FieldError
    gpus: dict[str, Gpu]
    stem: str
    memory_fig: Any
    query: dict[str, str]
    side: dict[str, DeltaGenerator]  # the plan panel's message slots


def sections(s: Shown, present: bool = False) -> dict[str, Callable[[], None]]:
    """Each section below the memory chart, by tab name (state.TABS)."""
    res = s.res
    rows = s.cres.rows if isinstance(s.cres, CostResults) else ()
    return {
        "plan": lambda: views.plan(res),
        "cost": lambda: cost_section(res, s.cres, s.gpus, s.stem, present, s.side),
        "whatif": lambda: views.whatif(
            res, charts.batch_chart(res), charts.vocab_chart(res), s.stem
        ),
        "assumptions": lambda: views.assumptions(res),
        "downloads": lambda: downloads(res, s.memory_fig, s.query, rows),
        "runs": lambda: runs_view.section(res.inputs.lang),
    }


@st.fragment
def below(s: Shown) -> None:
    """The tabs, one section at a time: only the open one is built and sent. A fragment, so a
    tab click reruns this part alone, with the full run's answers (the headline and the memory
    chart are not sent again: issue #14). An input inside a tab that changes the plan (a cost
    input) reruns the whole page: the headline shows its answer too."""
    if inputs.cost_inputs() != s.res.inputs.cost:
        st.rerun(scope="app")
    tab = inputs.open_tab()
    s = replace(s, res=compute.on_tab(s.res, tab), query=s.query | {"tab": tab})
    inputs.sync_link(s.query)
    draw = sections(s)
    for name, shown in inputs.tabs(s.res.inputs.lang).items():
        if shown.open:
            with shown, views.section(s.res.inputs.lang, f"sec_{name}"):
                draw[name]()


def downloads(res: Results, memory_fig, query: dict[str, str], rows: tuple) -> None:
    views.downloads_header(res.inputs.lang)
    inputs.downloads(res, memory_fig, inputs.current_link(query), rows)


def cost_section(
    res: Results,
    cres: CostResults | FieldError,
    gpus: dict,
    stem: str,
    present: bool,
    side: dict[str, DeltaGenerator],
) -> None:
    """Cost: its inputs (not in presentation view), the table, the chart. `side`: the plan
    panel's slots (the data set and epochs live there)."""
    lang, plan = res.inputs.lang, res.inputs
    ok = isinstance(cres, CostResults)
    views.cost_header(res, cres)
    if not present:
        short = cost.compared(plan.cost.with_(gpu_set="short"), gpus, plan.gpu)
        kwh = fmt_money(cres.power_price_default, cres.ranking.currency.code, lang) if ok else ""
        slots = inputs.cost_controls(lang, (len(short), len(gpus)), cost.MAX_GPUS, kwh)
        slots |= {k: side[k] for k in ("data", "epochs")}
        keys = cres.gpu_keys if ok else cost.compared(plan.cost, gpus, plan.gpu)
        catalog = tables.price_placeholders(cres.catalog, lang) if ok else {}
        box = inputs.price_editor(slots, lang, gpus, keys, catalog)
        inputs.cost_notes(slots)
        views.price_table(box, cres, lang)
        if not ok:
            views.cost_error(slots, cres, lang)
    fig = charts.cost_chart(cres, lang) if isinstance(cres, CostResults) else None
    views.cost(res, cres, fig, stem)


def main() -> None:
    st.set_page_config(page_title="llmem · GPU memory planner", page_icon="🧮", layout="wide")
    try:
        page()
    except Exception as err:  # last resort: a message, never a traceback on the page
        views.unexpected(err, st.session_state.get("lang", "en"))


main()
