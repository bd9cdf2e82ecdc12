"""End to end in a real browser: `llmem dashboard` (streamlit run on the installed package,
from its folder, so its .streamlit/config.toml applies) on a free local port, driven by
Playwright with Debian's chromium (no browser download). Changes inputs; checks that the
numbers, the chart and the link follow; saves screenshots under artifacts/e2e/.

Locally it skips (with the reason) when chromium or playwright is missing; with CI=true it
fails instead, so CI cannot pass without having run it.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from llmem_dashboard.i18n import fmt_gib
from tests.dashboard.server import running

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LLMEM_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "e2e"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`llmem dashboard` itself (tests/dashboard/server.py), its log in a temporary folder."""
    with running(tmp_path_factory.mktemp("dashboard")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1800}, locale="en-US")
    yield context.new_page()
    context.close()


def _verdict(page) -> str:
    return page.locator('[data-testid="llmem-verdict"]').inner_text(timeout=TIMEOUT_MS)


def _metric(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def _bar_labels(page) -> list[str]:
    chart = page.locator(".js-plotly-plot").first
    return re.findall(r"(?:OOM )?[\d,.]+ GiB", chart.inner_text())


def _settle(page) -> None:
    """Wait until the script has finished rerunning (the status widget is gone)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=TIMEOUT_MS)


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _choose(page, label: str, text: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text=label
    )
    box.click()
    page.keyboard.type(text)
    page.get_by_role("option").filter(has_text=text).first.click()


def test_the_page_follows_its_inputs(server, page, default_results):
    page.goto(server)
    assert "Fits" in _verdict(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
    peak_before, bars_before = _metric(page, "Peak per GPU (nvidia-smi)"), _bar_labels(page)
    expected = fmt_gib(default_results.focus.estimate.peak_bytes, "en")  # the core's number
    assert peak_before == expected
    assert any(b.startswith("OOM") for b in bars_before)  # CDP cannot hold the 8B model
    assert expected in bars_before
    _shot(page, "1-default")

    batch = page.get_by_label("Batch size per GPU (micro-batch)")
    batch.fill("12")
    batch.press("Enter")
    page.wait_for_url(re.compile(r"batch=12"), timeout=TIMEOUT_MS)
    _settle(page)
    assert _metric(page, "Peak per GPU (nvidia-smi)") != peak_before
    assert _bar_labels(page) != bars_before  # the chart redrew with the new batch
    assert "batch 12 per GPU" in _verdict(page)

    _choose(page, "GPU type", "T4")
    page.wait_for_url(re.compile(r"gpu=t4-16gb"), timeout=TIMEOUT_MS)
    _settle(page)
    assert "Out of memory" in _verdict(page)
    _shot(page, "2-t4-out-of-memory")

    page.get_by_text("日本語", exact=True).click()
    page.wait_for_url(re.compile(r"lang=ja"), timeout=TIMEOUT_MS)
    _settle(page)
    assert "メモリ不足" in _verdict(page)
    from playwright.sync_api import expect

    # The option labels follow the language too (not the English label the browser held).
    method = page.get_by_role("combobox", name="分散方法")
    expect(method).to_have_value(re.compile("すべて比較"), timeout=TIMEOUT_MS)
    _choose(page, "GPUの種類", "H200")
    page.wait_for_url(re.compile(r"gpu=h200"), timeout=TIMEOUT_MS)
    _settle(page)
    assert "収まります" in _verdict(page)
    _shot(page, "3-japanese")


def test_a_copied_link_reopens_the_plan(server, page):
    page.goto(f"{server}/?model=Qwen/Qwen2.5-7B&gpu=h100-80gb&gpus=8&batch=6&seq=4096")
    assert "Qwen2.5-7B" in _verdict(page)
    assert "8 × NVIDIA H100" in _verdict(page)
    from playwright.sync_api import expect

    batch = page.get_by_label("Batch size per GPU (micro-batch)")
    expect(batch).to_have_value("6", timeout=TIMEOUT_MS)


def test_a_broken_link_shows_a_message_not_a_traceback(server, page):
    page.goto(f"{server}/?model=nope&batch=-4")
    assert "Fits" in _verdict(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "model=nope" in text and "Traceback" not in text


def test_a_link_value_is_shown_as_text_not_as_a_link(server, page):
    value = "[Session expired](https://evil.example/login)"
    page.goto(f"{server}/?model={quote(value)}")
    assert "Fits" in _verdict(page)
    warning = page.locator('[data-testid="stAlert"]').filter(has_text="Session expired")
    assert value in warning.inner_text(timeout=TIMEOUT_MS).replace("\u2060", "")
    assert page.locator('a[href*="evil.example"]').count() == 0


def test_a_dp_tp_link_the_gpus_cannot_take_is_adjusted_next_to_the_method(server, page):
    """Issue #14: no dead end — the method falls back to "compare all", said next to it."""
    page.goto(f"{server}/?gpus=2&method=dp%2Btp&tp=4")
    sidebar = page.locator('[data-testid="stSidebar"]')
    note = sidebar.locator('[data-testid="stAlert"]').filter(has_text="does not run on 2 GPU")
    note.wait_for(timeout=TIMEOUT_MS)
    assert "Llama-3.1-8B" in _verdict(page)  # a verdict, not a blocked page
    assert "Traceback" not in page.locator('[data-testid="stMain"]').inner_text()


def test_presentation_view(server, page):
    page.goto(f"{server}/?view=present")
    _verdict(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    _shot(page, "4-presentation")


def test_a_tab_opens_its_section_and_the_link_follows(server, page):
    """Below the memory chart one section at a time: a tab opens its section (and only it: the
    page draws that tab's charts, not every chart), and the link names the open tab."""
    page.goto(server)
    _verdict(page)
    assert page.get_by_text("Recommended plan (Algorithm 1)").is_visible()
    page.get_by_role("tab", name="What if", exact=True).click()
    page.wait_for_url(re.compile(r"tab=whatif"), timeout=TIMEOUT_MS)
    page.locator(".st-key-chart_vocab .js-plotly-plot").wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    assert page.locator(".js-plotly-plot").count() == 3  # memory, batch, vocabulary
    page.get_by_role("tab", name="Cost", exact=True).click()
    page.wait_for_url(re.compile(r"tab=cost"), timeout=TIMEOUT_MS)
    page.locator(".st-key-chart_cost .js-plotly-plot").wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    assert page.locator(".js-plotly-plot").count() == 2  # memory, cost: the curves are gone
    _shot(page, "4b-cost-tab")


def _frames(page) -> list[bytes]:
    """Every websocket message the page receives from now on (Streamlit's ForwardMsgs)."""
    got: list[bytes] = []

    def keep(data) -> None:
        got.append(data if isinstance(data, bytes) else data.encode())

    page.on("websocket", lambda ws: ws.on("framereceived", keep))
    return got


def test_a_tab_click_sends_only_the_tab(server, page):
    """Issue #14: the tabs are a fragment, so a click reruns them alone; the headline and the
    memory chart above are not sent again (before: each click re-sent the whole page)."""
    got = _frames(page)
    page.goto(server)
    _verdict(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    assert any(b"llmem-verdict" in f for f in got)  # the probe sees what the page is sent
    assert any(b"Optimizer" in f for f in got)  # the memory chart's figure
    got.clear()
    page.get_by_role("tab", name="What if", exact=True).click()
    page.wait_for_url(re.compile(r"tab=whatif"), timeout=TIMEOUT_MS)
    page.locator(".st-key-chart_vocab .js-plotly-plot").wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    assert got  # the tab's own section came
    assert not any(b"llmem-verdict" in f or b"Optimizer" in f for f in got)
    assert "Fits" in _verdict(page)  # the headline is still there


def test_a_cost_input_in_its_tab_updates_the_headline(server, page):
    """A cost input lives in a tab (the fragment), but the headline's money follows it: a
    change there reruns the whole page."""
    page.goto(f"{server}/?tab=cost")
    _verdict(page)
    page.locator(".st-key-chart_cost .js-plotly-plot").wait_for(timeout=TIMEOUT_MS)
    assert "$" in _metric(page, "On-demand cost per run")
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
        has_text="Currency"
    )
    box.locator("input").click()
    page.keyboard.type("EUR")
    page.get_by_role("option").filter(has_text="EUR").first.click()
    page.wait_for_url(re.compile(r"currency=EUR"), timeout=TIMEOUT_MS)
    _settle(page)
    assert "€" in _metric(page, "On-demand cost per run")
    assert "tab=cost" in page.url


def _cost_cells(page) -> list[str]:
    table = page.locator('[data-testid="stDataFrame"]').filter(has_text="Time per run")
    cells = table.locator('[role="gridcell"]')
    cells.first.wait_for(state="attached", timeout=TIMEOUT_MS)
    return [cells.nth(i).inner_text() for i in range(cells.count())]


def _cost_chart_costs(page) -> list[float]:
    """The y of every plan point on the cost chart (its GPU-type traces, in order)."""
    chart = page.locator(".st-key-chart_cost .js-plotly-plot")
    chart.wait_for(timeout=TIMEOUT_MS)
    return chart.evaluate("el => el.data.filter(d => d.showlegend !== false).flatMap(d => d.y)")


@pytest.fixture
def tall_page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 4600}, locale="en-US")
    yield context.new_page()
    context.close()


def test_the_cost_section_follows_the_data(server, tall_page):
    page = tall_page
    page.goto(f"{server}/?tab=cost")
    assert "per run on demand" in _verdict(page)
    before = _cost_chart_costs(page)
    cells = _cost_cells(page)
    assert any(re.fullmatch(r"[\d.]+ h", c) for c in cells), cells  # a time per run
    assert any(re.fullmatch(r"\$[\d,.]+ – \$[\d,.]+", c) for c in cells), cells  # a cost
    assert "cheapest" in cells and "fastest" in cells
    _shot(page, "5-cost")

    data = page.get_by_label("Dataset size")
    data.fill("200000000")
    data.press("Enter")
    page.wait_for_url(re.compile(r"data=200000000"), timeout=TIMEOUT_MS)
    _settle(page)
    after = _cost_chart_costs(page)
    assert len(after) == len(before)
    assert after == pytest.approx([2 * y for y in before], rel=1e-9)  # twice the data
    assert (
        "600 M tokens per run" in page.locator('[data-testid="stSidebar"]').inner_text()
    )  # the plan panel


def test_the_cost_section_in_japanese_yen(server, tall_page):
    page = tall_page
    page.goto(f"{server}/?lang=ja&currency=JPY&rate=150&tab=cost")
    assert "オンデマンドで" in _verdict(page)
    _cost_chart_costs(page)
    table = page.locator('[data-testid="stDataFrame"]').filter(has_text="1回の時間")
    cells = table.locator('[role="gridcell"]')
    cells.first.wait_for(state="attached", timeout=TIMEOUT_MS)
    texts = [cells.nth(i).inner_text() for i in range(cells.count())]
    assert any(re.fullmatch(r"[\d.]+時間", c) for c in texts), texts
    assert any(re.fullmatch(r"[\d,]+〜[\d,]+円", c) for c in texts), texts
    _shot(page, "6-cost-japanese")


# Every legend entry's text and the legend's visible box (plotly clips a legend taller than its
# room to a scroll box), in page coordinates: [left, right, top, bottom].
LEGEND_BOXES = """el => {
  const box = r => [r.left, r.right, r.top, r.bottom];
  const legend = el.querySelector('g.legend');
  if (!legend) return null;
  return {
    figure: box(el.getBoundingClientRect()),
    visible: box(legend.querySelector('rect.bg').getBoundingClientRect()),
    entries: [...legend.querySelectorAll('g.traces')].map(g => [
      g.querySelector('text.legendtext').textContent,
      box(g.querySelector('text.legendtext').getBoundingClientRect()),
    ]),
  };
}"""


def _legend_problems(chart, width: int) -> list[str]:
    chart.scroll_into_view_if_needed()
    found = chart.evaluate(LEGEND_BOXES)
    if found is None:
        return []
    (fl, fr, ft, fb), (vl, vr, vt, vb) = found["figure"], found["visible"]
    problems, slack = [], 1.0  # px: rounding of the layout
    for name, (left, right, top, bottom) in found["entries"]:
        if left < max(fl, vl) - slack or right > min(fr, vr, width) + slack:
            problems.append(f"{name!r} cut at the side")
        if top < max(ft, vt) - slack or bottom > min(fb, vb) + slack:
            problems.append(f"{name!r} hidden below the legend's box (scrolled)")
    for (a, (al, ar, at, ab)), (b, (bl, br, bt, bb)) in itertools.combinations(found["entries"], 2):
        if al < br - slack and bl < ar - slack and at < bb - slack and bt < ab - slack:
            problems.append(f"{a!r} overlaps {b!r}")
    return problems


@pytest.mark.parametrize(
    ("query", "charts"),
    [
        ("?tab=whatif", 3),
        ("?tab=cost", 2),
        ("?lang=ja&tab=whatif", 3),
        ("?lang=ja&tab=cost", 2),
        ("?gpu_set=all&counts=all&tab=cost", 2),
    ],
    ids=["whatif", "cost", "japanese-whatif", "japanese-cost", "full-catalog"],
)
def test_on_a_phone_every_legend_entry_is_shown_whole(server, browser, query, charts):
    """Was: at 390 px the cost chart's legend with the full catalog scrolled, hiding GPU types
    and what the rings mean, and the curves' one-entry-a-row legends squeezed their plots.
    Every entry of every chart's legend lies inside the figure, the screen and the legend's
    visible box, and no two overlap."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{server}/{query}")
        _verdict(page)
        plots = page.locator(".js-plotly-plot")
        plots.nth(charts - 1).wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(1000)  # plotly's relayout to the phone's width
        shown = plots.count()
        problems = {i: _legend_problems(plots.nth(i), 390) for i in range(shown)}
        _shot(page, f"7-phone{query.replace('?', '-').replace('&', '-').replace('=', '-')}")
    finally:
        context.close()
    assert shown >= charts
    assert not any(problems.values()), problems
