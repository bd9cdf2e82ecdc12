"""The memory chart's two HTML downloads (issue #14 item 7): the offline file embeds plotly.js
(4.8 MB); the small one loads it from plotly's CDN, says so, and carries the chart's figures in
a table that reads without it. The table is checked against the core's bytes, not against the
page's own formatting."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from llmem_core.hf_config import read_config_text
from llmem_core.units import GiB
from llmem_dashboard import charts, compute, export
from llmem_dashboard.i18n import component_label, t
from llmem_dashboard.state import DEFAULT
from tests.dashboard.page import on_tab


class _Page(HTMLParser):
    """The script sources and the table cells (rows of text) of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("src"):
            self.scripts.append(dict(attrs)["src"])
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _read(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    return parsed


def _gib(cell: str) -> float:
    return float(cell.removesuffix(" GiB").replace(",", ""))


@pytest.fixture(scope="module")
def light(default_results) -> str:
    return export.chart_html_light(charts.memory_bars(default_results), default_results)


def test_the_small_file_is_small_and_loads_plotly_from_its_cdn(default_results, light):
    offline = export.chart_html(charts.memory_bars(default_results))
    assert len(light.encode()) < 100_000 < 1_000_000 < len(offline.encode())
    sources = _read(light).scripts
    assert sources and all(s.startswith("https://cdn.plot.ly/plotly-") for s in sources)
    assert not _read(offline).scripts  # the offline one embeds plotly.js instead


def test_the_small_file_says_its_chart_needs_internet(light):
    assert t("en", "dl_html_light_note") in light
    assert "internet" in t("en", "dl_html_light_note")


def test_the_small_files_table_carries_the_cores_figures(default_results, light):
    header, *rows = _read(light).rows
    peak_col = header.index(t("en", "m_peak"))
    parts = [header.index(component_label(c, "en")) for c in charts.SEGMENTS]
    assert len(rows) == len(default_results.methods)
    for row, method in zip(rows, default_results.methods, strict=True):
        peak = method.estimate.peak_bytes / GiB  # the core's number
        assert _gib(row[peak_col]) == pytest.approx(peak, abs=0.05)
        # the parts sum to the peak (the core's invariant), to the table's rounding
        assert sum(_gib(row[i]) for i in parts) == pytest.approx(peak, abs=0.01 * len(parts))


def test_a_method_that_cannot_run_says_why_in_the_table(run_plan):
    res = run_plan(num_gpus=3)  # TP 3 does not divide the 32 heads; 3 has no dp+tp layout
    page = export.chart_html_light(charts.memory_bars(res), res)
    header, *rows = _read(page).rows
    peak, verdict = header.index(t("en", "m_peak")), header.index(t("en", "t_verdict"))
    blocked = [(row, m) for row, m in zip(rows, res.methods, strict=True) if m.error]
    assert len(blocked) == 2
    for row, method in blocked:
        assert row[peak] == "—" and row[verdict] == method.error  # the core's own reason


def test_the_small_file_in_japanese(run_plan):
    res = run_plan(lang="ja")
    page = export.chart_html_light(charts.memory_bars(res), res)
    assert '<html lang="ja">' in page and t("ja", "dl_html_light_note") in page
    assert t("ja", "m_peak") in _read(page).rows[0]


def test_an_uploaded_models_name_is_text_in_the_small_file(gpus):
    config = (
        '{"model_type": "llama", "hidden_size": 256, "num_hidden_layers": 2, '
        '"num_attention_heads": 4, "intermediate_size": 512, "vocab_size": 1000}'
    )
    arch = read_config_text(config, "<img src=x onerror=alert(1)>.json")
    res = compute.run(DEFAULT, arch, gpus)
    page = export.chart_html_light(charts.memory_bars(res), res)
    assert "<img" not in page.lower()


def test_the_page_offers_both_html_files_and_says_which_needs_internet(app):
    on_tab(app, "downloads")
    at = app.run()
    assert not at.exception
    keys = [b.key for b in at.get("download_button")]
    assert keys.index("dl_html") + 1 == keys.index("dl_html_light")  # side by side
    assert any(c.value == t("en", "dl_html_help") for c in at.caption)
