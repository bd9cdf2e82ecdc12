"""The browser bench's reference page (bench_browser.py --floor): the least a Streamlit page
showing the dashboard's first result costs — the verdict's marker and the default plan's
memory chart, nothing else (no sidebar, no other section). Not the dashboard: what the
dashboard adds to a first result is its time minus this page's, on the same machine.

Run by the bench as `streamlit run bench/floor_page.py`.
"""

from __future__ import annotations

import streamlit as st

from llmem_core import load_gpus, load_models
from llmem_dashboard import charts, compute
from llmem_dashboard.state import DEFAULT


@st.cache_resource
def memory_figure():
    """The default plan's memory chart, built once per server (the page under test rebuilds
    it per session; here only the browser's part is left)."""
    models, gpus = load_models(), load_gpus()
    res = compute.run(DEFAULT, models[DEFAULT.model].architecture, gpus)
    return charts.memory_bars(res)


st.set_page_config(page_title="llmem bench reference", layout="wide")
st.markdown('<div data-testid="llmem-verdict">reference page</div>', unsafe_allow_html=True)
st.plotly_chart(memory_figure(), config=charts.plotly_config("reference"), theme=None)
