"""In a real browser (as tests/dashboard/test_dashboard_e2e.py, whose server and browser this
reuses): every headline card's value is shown whole at 1280×720 in English and Japanese, and
on a 390×844 phone no chart's modebar lies over its title. Screenshots under artifacts/e2e/."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests.dashboard.test_dashboard_e2e import (  # noqa: F401  (fixtures)
    TIMEOUT_MS,
    _shot,
    _verdict,
    browser,
    server,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TABS = {"whatif": 3, "cost": 2}  # the tabs with charts, and how many the page then draws

# Each card's value, label and sub-line: its text and whether it is cut (its text box wider than
# the box it is shown in; streamlit ends a cut text with "…").
CUT_VALUES = """() => [...document.querySelectorAll(
  '[data-testid="stMetricValue"], [data-testid="stMetricLabel"], [data-testid="stMetricDelta"]'
)].map(v => {
  const text = v.querySelector('p') || v.querySelector('div') || v;
  const cut = e => e.scrollWidth > e.clientWidth + 1;
  return [v.innerText, cut(text) || cut(v) || cut(v.querySelector('div') || v)];
})"""


@pytest.mark.parametrize(
    "query",
    ["lang=en", "lang=ja", "lang=ja&currency=JPY&rate=150", "lang=en&currency=JPY&rate=150"],
    ids=["en", "ja", "ja-yen", "en-yen"],
)
def test_every_card_value_is_shown_whole_at_1280x720(server, browser, query):  # noqa: F811
    """Was: five money cards a row left 119 px each; "65〜235ドル" needed 149 px and the break-
    even "11〜40か月" 136, so Japanese values ended in "…". And the Japanese labels and sub-lines
    ended in "…" ("GPUあたりのピーク（n…", "80.0 GiB中・41.7 GiB〜…"): they now wrap."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/?{query}")
        _verdict(page)
        cards = page.locator('[data-testid="stMetric"]')
        cards.nth(8).wait_for(timeout=TIMEOUT_MS)  # 4 plan cards + 5 money cards
        values = page.evaluate(CUT_VALUES)
        cards.nth(8).scroll_into_view_if_needed()
        _shot(page, f"8-cards-1280-{query.replace('&', '-').replace('=', '-')}")
    finally:
        context.close()
    assert len(values) >= 27, values  # 9 cards: value, label, sub-line
    assert not [text for text, cut in values if cut], values


# A chart's title box and its modebar's box, in page coordinates: [left, right, top, bottom].
TITLE_AND_MODEBAR = """el => {
  const box = e => {
    const r = e.getBoundingClientRect();
    return [r.left, r.right, r.top, r.bottom];
  };
  const title = el.querySelector('.gtitle'), bar = el.querySelector('.modebar');
  return title && bar ? {title: title.textContent, t: box(title), m: box(bar)} : null;
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    (al, ar, at, ab), (bl, br, bt, bb) = a, b
    return al < br and bl < ar and at < bb and bt < ab


@contextlib.contextmanager
def _phone(chromium, url: str) -> Iterator:
    """A 390×844 touch phone's page at `url`, once its verdict is shown."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(url)
        _verdict(page)
        yield page
    finally:
        context.close()


@pytest.mark.parametrize(("lang", "tab"), [(lang, tab) for lang in ("en", "ja") for tab in TABS])
def test_on_a_phone_no_modebar_covers_a_chart_title(server, browser, lang, tab):  # noqa: F811
    """Was: at 390 px the modebar (seven buttons, 224 px) lay over the titles of the batch,
    vocabulary and cost charts."""
    with _phone(browser, f"{server}/?lang={lang}&tab={tab}") as page:
        plots = page.locator(".js-plotly-plot")
        plots.nth(TABS[tab] - 1).wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(1000)  # plotly's relayout to the phone's width
        found = []
        for i in range(plots.count()):
            plots.nth(i).scroll_into_view_if_needed()
            plots.nth(i).tap()  # a touch shows the modebar (plotly's hover)
            found.append(plots.nth(i).evaluate(TITLE_AND_MODEBAR))
        _shot(page, f"9-phone-modebar-{lang}-{tab}")
    boxes = [f for f in found if f]
    assert len(boxes) >= TABS[tab], found
    assert not [f["title"] for f in boxes if _overlap(f["t"], f["m"])], boxes


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_on_a_phone_every_tab_is_in_view(server, browser, lang):  # noqa: F811
    """The tabs below the memory chart sit in one row on a 390 px phone: none is cut or
    behind the tab bar's scroll arrow (was: "Your runs" past the edge)."""
    with _phone(browser, f"{server}/?lang={lang}") as page:
        tabs = page.get_by_role("tab")
        tabs.first.wait_for(timeout=TIMEOUT_MS)
        tabs.first.scroll_into_view_if_needed()
        boxes = [tabs.nth(i).bounding_box() for i in range(tabs.count())]
        _shot(page, f"9b-phone-tabs-{lang}")
    assert len(boxes) == 6, boxes
    assert all(b and b["x"] >= 0 and b["x"] + b["width"] <= 390 - 16 for b in boxes), boxes
