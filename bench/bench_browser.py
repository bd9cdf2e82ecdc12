"""The dashboard in a real browser (issue #14's targets on this machine): what a user waits for.

  change   a batch-size change → the memory chart redrawn with the new numbers: median and
           range over CHANGES changes (target: median ≤ 400 ms); a GPU-type change likewise;
  fresh    a new browser context opens the page → the verdict and the memory chart drawn
           (target ≤ 3 s), FRESH times;
  crowd    SESSIONS fresh pages at once, each until its first result (target: each ≤ 10 s);
           then the same as pages of one browser context (its scripts cached once), which
           leaves the server's work and the pages' rendering;
  export   the sizes of the memory chart's two HTML downloads (offline; small, plotly.js from
           its CDN).

It starts `llmem dashboard` on a free local port (tests/dashboard/server.py, as the browser
test does) and drives Debian's chromium with Playwright. `--shots DIR` also saves screenshots at
1280×720 and at 390 px wide (a phone) of the default plan, an out-of-memory plan, the
presentation view and the Japanese page.

Run: PYTHONPATH=. .venv/bin/python bench/bench_browser.py [--shots artifacts/shots]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from tests.dashboard.server import running

CHROMIUM = os.environ.get("LLMEM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
TARGETS_MS = {"change": 400.0, "fresh": 3000.0, "crowd": 10_000.0}
CHANGES, FRESH, SESSIONS = 12, 5, 20
BATCHES = list(range(5, 5 + CHANGES))  # each value once: no memo can answer a change
TIMEOUT_MS = 120_000


CHART = ".js-plotly-plot"
VERDICT = '[data-testid="llmem-verdict"]'
LABELS = re.compile(r"(?:▲ )?(?:OOM |at risk )?[\d,.]+ GiB")


async def first_result(page, url: str) -> float:
    """ms from navigation to the verdict and a drawn memory chart (its bar labels shown)."""
    start = time.perf_counter()
    await page.goto(url)
    await page.locator('[data-testid="llmem-verdict"]').wait_for(timeout=TIMEOUT_MS)
    await page.locator(f"{CHART} .barlayer").first.wait_for(timeout=TIMEOUT_MS)
    return (time.perf_counter() - start) * 1000


async def _labels(page) -> str:
    return await page.locator(CHART).first.text_content() or ""  # its title, ticks, labels


# In the page: the time of the user's action (a keydown of Enter or a click, captured before
# the page's own handlers), and a MutationObserver resolving when the memory chart's text
# (title, row labels) first differs; both on the page's clock, so polling adds nothing.
ARM = """() => {
  window.__llmemT0 = null;
  const mark = () => { if (window.__llmemT0 === null) window.__llmemT0 = performance.now(); };
  document.addEventListener('keydown', e => { if (e.key === 'Enter') mark(); }, {capture: true});
  document.addEventListener('click', mark, {capture: true});
}"""
WAIT = """([chart0, verdict0]) => new Promise(resolve => {
  const text = sel => {
    const el = document.querySelector(sel);
    return el ? el.textContent : null;
  };
  const times = {};
  const obs = new MutationObserver(() => {
    if (window.__llmemT0 === null) return;
    const now = performance.now() - window.__llmemT0;
    const c = text('.js-plotly-plot'), v = text('[data-testid="llmem-verdict"]');
    if (c && c !== chart0 && times.chart === undefined) times.chart = now;
    if (v && v !== verdict0 && times.verdict === undefined) times.verdict = now;
    if (times.chart !== undefined && times.verdict !== undefined) {
      obs.disconnect();
      resolve([times.chart, times.verdict]);
    }
  });
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
})"""


async def _timed(page, act) -> tuple[float, float]:
    """ms from the user's action to (the memory chart, the verdict) showing new numbers."""
    before = [await _labels(page), await page.locator(VERDICT).text_content()]
    await page.evaluate(ARM)
    waiter = asyncio.ensure_future(page.evaluate(WAIT, before))
    await asyncio.sleep(0.05)  # the observer is installed
    await act()
    chart, verdict = await asyncio.wait_for(waiter, TIMEOUT_MS / 1000)
    return chart, verdict


async def change_batch(page, value: int) -> tuple[float, float]:
    """ms from pressing Enter in the batch box to the memory chart and the verdict updated."""
    box = page.get_by_label("Batch size per GPU (micro-batch)")
    await box.fill(str(value))
    return await _timed(page, lambda: box.press("Enter"))


async def change_gpu(page, name: str) -> tuple[float, float]:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="GPU type"
    )
    await box.click()
    await page.keyboard.type(name)
    option = page.get_by_role("option").filter(has_text=name).first
    return await _timed(page, option.click)


def _verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return " ✓" if value <= target else f" ✗ (target ≤ {target:.0f} ms)"


def _summary(name: str, values: list[float], target: float | None) -> str:
    med = statistics.median(values)
    mark = _verdict(med, target)
    return (
        f"{name:<34} median {med:8.0f} ms   range {min(values):6.0f}–{max(values):6.0f} ms"
        f"   n={len(values)}{mark}"
    )


async def changes(browser, url: str) -> list[str]:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await ctx.new_page()
    await first_result(page, url)
    times = [await change_batch(page, b) for b in BATCHES]
    await ctx.close()
    return _change_lines("batch change", times)


def _change_lines(what: str, times: list[tuple[float, float]]) -> list[str]:
    return [
        _summary(f"{what} → updated chart", [c for c, _ in times], TARGETS_MS["change"]),
        _summary(f"{what} → updated verdict", [v for _, v in times], None),
    ]


async def bench(browser, url: str) -> list[str]:
    lines = []
    fresh = []
    for _ in range(FRESH):
        ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
        fresh.append(await first_result(await ctx.new_page(), url))
        await ctx.close()
    lines.append(_summary("fresh page → first result", fresh, TARGETS_MS["fresh"]))

    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await ctx.new_page()
    await first_result(page, url)
    lines += _change_lines("batch change", [await change_batch(page, b) for b in BATCHES])
    gpu_times = [await change_gpu(page, g) for g in ("H100 80GB SXM5", "A100 80GB SXM4") * 3]
    lines += _change_lines("GPU-type change", gpu_times)
    await ctx.close()

    async def one() -> float:
        c = await browser.new_context(viewport={"width": 1280, "height": 720})
        try:
            return await first_result(await c.new_page(), url)
        finally:
            await c.close()

    crowd = await asyncio.gather(*(one() for _ in range(SESSIONS)))
    lines.append(_crowd_line(f"{SESSIONS} sessions at once → first", list(crowd)))
    return lines + await shared_cache_crowd(browser, url)


def _crowd_line(name: str, times: list[float]) -> str:
    ok = max(times) <= TARGETS_MS["crowd"]
    mark = " ✓ (max ≤ 10 s)" if ok else f" ✗ (max {max(times):.0f} ms > 10 s)"
    return _summary(name, times, None) + mark


async def shared_cache_crowd(browser, url: str) -> list[str]:
    """The same crowd as pages of one browser context: the page's scripts are downloaded
    once (as a returning visitor's cache holds them), so what is left is the server's work
    and the pages' rendering."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    await first_result(await ctx.new_page(), url)  # fills the shared cache
    pages = [await ctx.new_page() for _ in range(SESSIONS)]
    times = await asyncio.gather(*(first_result(p, url) for p in pages))
    await ctx.close()
    return [_crowd_line(f"{SESSIONS} sessions, scripts cached → first", list(times))]


SHOTS = {
    "default": "",
    "oom-seq32768": "?seq=32768",
    "present-vocab200k": "?vocab=200000&view=present",
    "ja": "?lang=ja",
}
VIEWPORTS = {"1280x720": (1280, 720), "390px": (390, 844)}


async def shots(browser, url: str, folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for view, (w, h) in VIEWPORTS.items():
        for name, query in SHOTS.items():
            ctx = await browser.new_context(viewport={"width": w, "height": h})
            page = await ctx.new_page()
            await first_result(page, url + "/" + query)
            await page.wait_for_timeout(800)
            await page.screenshot(path=str(folder / f"{view}-{name}.png"))  # the first screen
            for i, chart in enumerate(await page.locator(CHART).all()):
                await chart.scroll_into_view_if_needed()
                await chart.screenshot(path=str(folder / f"{view}-{name}-chart{i}.png"))
            out.append(f"{view}-{name}")
            await ctx.close()
    return out


async def main_async(args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    with running(Path(tempfile.mkdtemp(prefix="llmem-bench-"))) as url:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            await first_result(await browser.new_page(), url)  # warm the server once
            if args.shots:
                print("screenshots:", ", ".join(await shots(browser, url, Path(args.shots))))
            if not args.no_bench:
                print(f"browser benchmark, {os.cpu_count()} CPU cores, {url}")
                run = changes if args.changes_only else bench
                run = shared_cache_crowd if args.crowd_only else run
                for line in await run(browser, url):
                    print(line)
            await browser.close()
    offline, small = export_sizes()
    print(f"HTML export of the memory chart: offline {offline / 1e6:.1f} MB, small", end=" ")
    print(f"{small / 1e3:.0f} kB (its chart needs internet)")


def export_sizes() -> tuple[int, int]:
    """Bytes of the memory chart's two HTML downloads for the default plan: offline (plotly.js
    inside) and small (plotly.js from its CDN, the figures also in a table)."""
    from llmem_core import load_gpus, load_models
    from llmem_dashboard import charts, compute, export
    from llmem_dashboard.state import DEFAULT

    models, gpus = load_models(), load_gpus()
    res = compute.run(DEFAULT, models[DEFAULT.model].architecture, gpus)
    fig = charts.memory_bars(res)
    return len(export.chart_html(fig).encode()), len(export.chart_html_light(fig, res).encode())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", help="folder for screenshots")
    parser.add_argument("--no-bench", action="store_true", help="screenshots only")
    parser.add_argument("--changes-only", action="store_true", help="only the batch changes")
    parser.add_argument("--crowd-only", action="store_true", help="only the cached crowd")
    asyncio.run(main_async(parser.parse_args()))
