"""Chart builders, without a browser: bars sum to the core's peak, hover carries the formula."""

from __future__ import annotations

import pytest

from llmem_core import Breakdown
from llmem_core.units import GiB
from llmem_dashboard import charts
from llmem_dashboard.i18n import component_label


def _bars(fig):
    return [tr for tr in fig.data if tr.type == "bar"]


def test_one_segment_per_breakdown_field():
    assert set(charts.SEGMENTS) == set(Breakdown.model_fields)
    assert set(charts.COLORS) == set(charts.SEGMENTS)


def test_stacked_bars_sum_to_each_methods_peak(default_results):
    fig = charts.memory_bars(default_results)
    bars = _bars(fig)
    assert [b.name for b in bars] == [component_label(c, "en") for c in charts.SEGMENTS]
    for i, row in enumerate(default_results.methods):
        height = sum(b.y[i] for b in bars)
        assert height == pytest.approx(row.estimate.peak_bytes / GiB, rel=1e-12)
    assert fig.layout.barmode == "stack"


def test_the_capacity_line_is_the_gpus_memory(default_results):
    fig = charts.memory_bars(default_results)
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert lines[0].y0 == pytest.approx(80.0)


def test_hover_gives_bytes_share_formula_and_source(default_results):
    fig = charts.memory_bars(default_results)
    lm_head = next(b for b in _bars(fig) if b.name == component_label("lm_head", "en"))
    gib, share, formula, source = lm_head.customdata[1]
    assert gib.endswith("GiB") and share.endswith("%")
    term = next(t for t in default_results.focus.estimate.terms if t.component == "lm_head")
    assert term.formula in formula
    assert source == term.source


def test_the_focus_bar_is_highlighted(default_results):
    fig = charts.memory_bars(default_results)
    focus = [r.method for r in default_results.methods].index(default_results.focus.method)
    opacity = _bars(fig)[0].marker.opacity
    assert opacity[focus] == 1.0
    assert all(o < 1.0 for i, o in enumerate(opacity) if i != focus)


def test_out_of_memory_bars_are_labelled(default_results):
    fig = charts.memory_bars(default_results)
    labels = next(tr for tr in fig.data if tr.type == "scatter" and tr.mode == "text")
    cdp = [r.method.kind.value for r in default_results.methods].index("cdp")
    assert "OOM" in labels.text[cdp]


def test_an_out_of_memory_bar_is_cut_with_a_marker_and_its_value(default_results):
    """Issue #14: DDP's bar (214.6 GiB on an 80 GiB GPU) squashed the bars that fit. Now the
    axis stops at 1.6 × the capacity (or the tallest bar under it) and the cut bar says "▲"
    and its value, the core's peak."""
    fig = charts.memory_bars(default_results)
    rows = list(default_results.methods)
    cdp = [r.method.kind.value for r in rows].index("cdp")
    peak = rows[cdp].estimate.peak_bytes
    capacity = default_results.request.cluster.memory_bytes
    top = fig.layout.yaxis.range[1]
    assert peak / 2**30 > top  # cut
    assert top <= charts.CLIP_AT * capacity / 2**30 * charts.HEADROOM
    labels = next(tr for tr in fig.data if tr.type == "scatter" and tr.mode == "text")
    assert labels.text[cdp] == f"▲ OOM {peak / 2**30:,.1f} GiB"
    assert labels.y[cdp] <= top
    fitting = [i for i, r in enumerate(rows) if r.estimate and r.estimate.fits]
    assert fitting and all("▲" not in labels.text[i] for i in fitting)


def test_the_vocabulary_curve_marks_where_the_peaks_phase_changes(run_plan):
    """Was: the curve jumped at the phase change without saying so. Each change of the
    core's phase between two points gets a labelled line between them."""
    res = run_plan(method="tp")  # optimizer step → forward → backward as V grows (core)
    phases = [p.phase for p in res.vocab_curve]
    changes = [i for i in range(1, len(phases)) if phases[i] != phases[i - 1]]
    assert len(changes) == 2
    fig = charts.vocab_chart(res)
    marks = [a for a in fig.layout.annotations if "peak now set by" in a.text]
    assert len(marks) == len(changes)
    for mark, i in zip(marks, changes, strict=True):
        before, after = res.vocab_curve[i - 1].vocab, res.vocab_curve[i].vocab
        assert before < mark.x < after


def test_the_segment_names_say_what_they_hold(default_results):
    """Was: "Transient all-gather" for what under DDP is its gradient bucket."""
    fig = charts.memory_bars(default_results)
    names = {tr.name for tr in _bars(fig)}
    assert "Transient all-gather" not in names
    assert "Communication buffers (DDP gradient buckets, gathered shards)" in names


def test_the_whisker_is_the_estimates_band(run_plan):
    results = run_plan(profile="paper")  # every paper method has a published error band
    fig = charts.memory_bars(results)
    whiskers = next(tr for tr in fig.data if tr.type == "scatter" and tr.error_y.array)
    bands = [r.estimate.band for r in results.methods if r.estimate]
    for y, up, down, band in zip(
        whiskers.y, whiskers.error_y.array, whiskers.error_y.arrayminus, bands, strict=True
    ):
        assert y + up == pytest.approx(band.high / 2**30, rel=1e-9)
        assert y - down == pytest.approx(band.low / 2**30, rel=1e-9)


def test_labels_say_the_verdict(default_results):
    fig = charts.memory_bars(default_results)
    labels = next(tr for tr in fig.data if tr.type == "scatter" and tr.mode == "text")
    colors = {"fits": charts.FIT_COLOR, "at-risk": charts.RISK_COLOR, "oom": charts.CAPACITY_COLOR}
    for row, text, color in zip(
        default_results.methods, labels.text, labels.textfont.color, strict=True
    ):
        verdict = row.estimate.verdict.value if row.estimate else "oom"
        assert color == colors[verdict]
        assert text.startswith("at risk") == (verdict == "at-risk")


def test_the_batch_chart_marks_each_largest_batch(default_results):
    fig = charts.batch_chart(default_results)
    diamonds = [tr for tr in fig.data if tr.marker.symbol == "diamond"]
    expected = sorted(c.max_batch for c in default_results.batch_curves if c.max_batch)
    assert sorted(d.x[0] for d in diamonds) == expected


def test_the_vocab_chart_shows_the_lm_head_growing(default_results):
    fig = charts.vocab_chart(default_results)
    lm_head = fig.data[0]
    assert list(lm_head.y) == sorted(lm_head.y)
    assert lm_head.fill == "tozeroy"


def test_japanese_labels(run_plan):
    fig = charts.memory_bars(run_plan(lang="ja"))
    assert _bars(fig)[0].name == component_label("runtime", "ja")
    assert fig.layout.yaxis.title.text == "GPUあたりGiB"


def test_png_export_config_names_the_file():
    cfg = charts.plotly_config("llmem-plan")
    assert cfg["toImageButtonOptions"]["filename"] == "llmem-plan"
    assert cfg["toImageButtonOptions"]["scale"] == 2


@pytest.fixture(scope="module")
def priced(default_results, gpus):
    from llmem_dashboard import cost
    from llmem_dashboard.state import DEFAULT

    return cost.run(DEFAULT.cost.with_(counts="all"), default_results, gpus)


def test_the_cost_chart_has_one_point_per_plan(priced):
    fig = charts.cost_chart(priced, "en")
    lines = [tr for tr in fig.data if tr.showlegend is not False]
    assert len(lines) == len({p["gpu_key"] for p in priced.points})  # one line per GPU type
    xs = sorted(x for tr in lines for x in tr.x)
    ys = sorted(y for tr in lines for y in tr.y)
    assert xs == pytest.approx(sorted(p["hours"] for p in priced.points), rel=1e-12)
    assert ys == pytest.approx(sorted(p["cost"] for p in priced.points), rel=1e-12)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"


def test_the_cost_chart_bars_span_the_cloud_range(priced):
    fig = charts.cost_chart(priced, "en")
    line = next(tr for tr in fig.data if tr.showlegend is not False)
    point = next(p for p in priced.points if p["hours"] == line.x[0])
    assert line.error_y.array[0] == pytest.approx(point["cost_high"] - point["cost"])


def test_the_cost_chart_rings_cheapest_fastest_and_yours(priced):
    fig = charts.cost_chart(priced, "en")
    rings = {
        tr.text[0].removeprefix("<b>").removesuffix("</b>"): (tr.x[0], tr.y[0])
        for tr in fig.data
        if tr.showlegend is False
    }
    cheapest = next(p for p in priced.points if p["cheapest"])
    fastest = next(p for p in priced.points if p["fastest"])
    assert rings["cheapest"] == (cheapest["hours"], cheapest["cost"])
    assert rings["fastest"] == (fastest["hours"], fastest["cost"])
    assert rings["your plan"] == (priced.mine.row.hours, priced.mine_cost)


def test_the_cost_chart_in_japanese_names_the_currency(default_results, gpus):
    from llmem_dashboard import cost
    from llmem_dashboard.state import DEFAULT

    yen = cost.run(DEFAULT.cost.with_(currency="JPY", usd_rate=150.0), default_results, gpus)
    fig = charts.cost_chart(yen, "ja")
    assert fig.layout.yaxis.title.text == "1回のコスト（JPY、対数）"
    assert "<b>最安</b>" in [tr.text[0] for tr in fig.data if tr.showlegend is False]
