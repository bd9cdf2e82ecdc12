"""llmem dashboard: does this fine-tuning plan fit, how should it be spread, what does it cost?

Run: streamlit run dashboard/app.py   (or `bash scripts/dashboard.sh`)
The page, top to bottom: the plan (sidebar) → headline → memory bars → what-if curves →
Algorithm 1's plan → cost comparison → assumptions → downloads.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` from anywhere

from dashboard import charts, compute, export, inputs, views
from dashboard.compute import FieldError


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
    inputs.sync_link(plan)

    res = compute.run(plan, side.arch, gpus)
    if isinstance(res, FieldError):
        views.field_error(side.slots, res, lang)
        return

    stem = export.file_stem(res)
    memory_fig = charts.memory_bars(res)
    views.headline(res)
    views.memory(res, memory_fig, stem)
    if not present:
        views.whatif(res, charts.batch_chart(res), charts.vocab_chart(res), stem)
    views.plan(res)
    views.cost(res)
    if not present:
        views.assumptions(res)
        views.downloads_header(lang)
        inputs.downloads(res, memory_fig, inputs.current_link(plan))


def main() -> None:
    st.set_page_config(page_title="llmem · GPU memory planner", page_icon="🧮", layout="wide")
    try:
        page()
    except Exception as err:  # last resort: a message, never a traceback on the page
        views.unexpected(err, st.session_state.get("lang", "en"))


main()
