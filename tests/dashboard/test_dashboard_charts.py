"""Chart builders, without a browser: bars sum to the core's peak, hover carries the formula."""

from __future__ import annotations

import re

import pytest

from llmem_core import Breakdown, estimate
from llmem_core.units import GiB
from llmem_dashboard import charts
from llmem_dashboard.i18n import component_label, t


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
        height = sum(b.x[i] for b in bars)  # horizontal bars: the value on x
        assert height == pytest.approx(row.estimate.peak_bytes / GiB, rel=1e-12)
    assert fig.layout.barmode == "stack"


def test_the_capacity_line_is_the_gpus_memory(default_results):
    fig = charts.memory_bars(default_results)
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert lines[0].x0 == lines[0].x1 == pytest.approx(80.0)
    key = next(tr for tr in fig.data if tr.name and tr.name.startswith("capacity"))
    assert key.name == "capacity 80.0 GiB"  # in the legend, not written over the bars


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


def _labels(fig) -> list[str]:
    """Each bar's label: its row's tick text (method, then value), markup removed."""
    return [re.sub(r"<[^>]+>", " ", x).split(None, 1)[1].strip() for x in fig.layout.yaxis.ticktext]


def test_out_of_memory_bars_are_labelled(default_results):
    fig = charts.memory_bars(default_results)
    cdp = [r.method.kind.value for r in default_results.methods].index("cdp")
    assert "OOM" in _labels(fig)[cdp]


def test_an_out_of_memory_bar_is_cut_with_a_marker_and_its_value(default_results):
    """Issue #14: DDP's bar (214.6 GiB on an 80 GiB GPU) squashed the bars that fit. Now the
    axis stops at 1.6 × the capacity (or the tallest bar under it) and the cut bar says "▲"
    and its value, the core's peak."""
    fig = charts.memory_bars(default_results)
    rows = list(default_results.methods)
    cdp = [r.method.kind.value for r in rows].index("cdp")
    peak = rows[cdp].estimate.peak_bytes
    capacity = default_results.request.cluster.memory_bytes
    top = fig.layout.xaxis.range[1]
    assert peak / 2**30 > top  # cut
    assert top <= charts.CLIP_AT * capacity / 2**30 * charts.HEADROOM
    labels = _labels(fig)
    assert labels[cdp] == f"▲ OOM {peak / 2**30:,.1f} GiB"
    fitting = [i for i, r in enumerate(rows) if r.estimate and r.estimate.fits]
    assert fitting and all("▲" not in labels[i] for i in fitting)
    assert all(len(b.x) == len(rows) for b in _bars(fig))  # every bar drawn, the long one cut


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


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_batch_curve_marks_where_the_peaks_phase_changes(run_plan, lang):
    """Was: only the vocabulary curve said where its peak changes phase; the batch curve bent
    without a word. The oracle is the core's estimate() at each batch of the curve, not the
    curve's own phases: a line lies between each two batches whose phases differ."""
    res = run_plan(method="tp", lang=lang)  # optimizer step → forward → backward as batch grows
    (curve,) = res.batch_curves
    phases = [
        estimate(res.inputs.with_(batch_size=b).spec().request()).phase for b in curve.batches
    ]
    changes = [i for i in range(1, len(phases)) if phases[i] != phases[i - 1]]
    assert len(changes) == 2
    fig = charts.batch_chart(res)
    says = "peak now set by" if lang == "en" else "ここからピークは"
    marks = [a for a in fig.layout.annotations if says in a.text]
    assert len(marks) == len(changes)
    for mark, i in zip(marks, changes, strict=True):
        assert curve.batches[i - 1] < mark.x < curve.batches[i]
        assert mark.text.endswith(t(lang, f"phase_{phases[i].value}"))


def test_the_segment_names_say_what_they_hold(default_results):
    """Was: "Transient all-gather" for what under DDP is its gradient bucket."""
    fig = charts.memory_bars(default_results)
    names = {tr.name for tr in _bars(fig)}
    assert "Transient all-gather" not in names
    assert "Communication buffers (DDP buckets, gathers)" in names


def test_the_whisker_is_the_estimates_band(run_plan):
    results = run_plan(profile="paper")  # every paper method has a published error band
    fig = charts.memory_bars(results)
    whiskers = next(tr for tr in fig.data if tr.type == "scatter" and tr.error_x.array)
    top = fig.layout.xaxis.range[1]
    bands = [b for r in results.methods if r.estimate and (b := r.estimate.band).low < top * GiB]
    for x, up, down, band in zip(
        whiskers.x, whiskers.error_x.array, whiskers.error_x.arrayminus, bands, strict=True
    ):
        assert x + up == pytest.approx(band.high / 2**30, rel=1e-9)
        assert x - down == pytest.approx(band.low / 2**30, rel=1e-9)


def test_labels_say_the_verdict(default_results):
    fig = charts.memory_bars(default_results)
    colors = {"fits": charts.FIT_COLOR, "at-risk": charts.RISK_COLOR, "oom": charts.CAPACITY_COLOR}
    ticks = fig.layout.yaxis.ticktext
    for row, tick, text in zip(default_results.methods, ticks, _labels(fig), strict=True):
        verdict = row.estimate.verdict.value if row.estimate else "oom"
        assert f"color:{colors[verdict]}" in tick
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
    assert fig.layout.xaxis.title.text == "GPUあたりGiB"


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
    lines = [tr for tr in fig.data if tr.legendgroup == "gpus"]
    assert len(lines) == len({p["gpu_key"] for p in priced.points})  # one line per GPU type
    xs = sorted(x for tr in lines for x in tr.x)
    ys = sorted(y for tr in lines for y in tr.y)
    assert xs == pytest.approx(sorted(p["hours"] for p in priced.points), rel=1e-12)
    assert ys == pytest.approx(sorted(p["cost"] for p in priced.points), rel=1e-12)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"


def _segments(trace) -> set[tuple[float, float, float]]:
    """(x, low, high) of each vertical segment of a trace drawn as x=[h, h, None, …]."""
    xs, ys = list(trace.x), list(trace.y)
    return {(xs[i], ys[i], ys[i + 1]) for i in range(0, len(xs), 3)}


def test_the_cost_chart_bars_span_the_on_demand_listings_only(priced):
    """Was: each plan's bar ran from the cheapest listing (a marketplace or interruptible price,
    Vast.ai's $1.47 for the H100) to the dearest on-demand one, mixing the kinds the table keeps
    apart. Now the bar spans the plan's on-demand listings, low to high; the point is the cost
    on the ranking's basis, so a marketplace floor sits below its bar."""
    fig = charts.cost_chart(priced, "en")
    assert not [tr for tr in fig.data if tr.legendgroup == "gpus" and tr.error_y.array]
    bars = set().union(*(_segments(tr) for tr in fig.data if tr.legendgroup == "on-demand"))
    wanted = {
        (p["hours"], p["cost_on_demand_low"], p["cost_on_demand_high"])
        for p in priced.points
        if p["cost_on_demand_low"] is not None and p["cost_on_demand_high"] is not None
    }
    assert bars == wanted and bars
    h100 = [p for p in priced.points if p["gpu_key"] == "h100-80gb"]
    assert h100 and all(p["cost"] < p["cost_on_demand_low"] for p in h100)  # the floor


def test_the_cost_chart_bars_are_not_in_the_legend_nor_in_the_hover(priced):
    fig = charts.cost_chart(priced, "en")
    bars = [tr for tr in fig.data if tr.legendgroup == "on-demand"]
    assert bars and all(tr.showlegend is False and tr.hoverinfo == "skip" for tr in bars)
    assert "on-demand" in fig.layout.title.text


def test_the_cost_chart_rings_cheapest_fastest_and_yours(priced):
    fig = charts.cost_chart(priced, "en")
    rings = {tr.name: (tr.x[0], tr.y[0]) for tr in fig.data if tr.legendgroup == "marks"}
    assert not [tr for tr in fig.data if tr.text]  # nothing written on the plot to collide
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
    assert "最安" in [tr.name for tr in fig.data if tr.legendgroup == "marks"]


@pytest.mark.parametrize(
    ("text", "size", "lines"),
    [
        ("A100 80GB SXM4", charts.COST_LEGEND, ["A100 80GB SXM4"]),  # 14 columns fit 76 px
        (
            "RTX 6000 Ada Generation 48GB",
            charts.COST_LEGEND,
            ["RTX 6000 Ada", "Generation", "48GB"],
        ),
        ("ZeRO-1 (DeepSpeed)", charts.CURVE_LEGEND, ["ZeRO-1", "(DeepSpeed)"]),
        ("ADP（ZeRO-3/FSDP）", charts.CURVE_LEGEND, ["ADP", "（ZeRO-3/FSDP）"]),  # 18 columns
        ("最大バッチ 6", charts.CURVE_LEGEND, ["最大バッチ 6"]),  # 12 columns
        (
            "Supercalifragilisticexpialidocious",
            charts.COST_LEGEND,
            ["Supercalifragilisticexpialidocious"],
        ),
    ],
)
def test_a_long_legend_name_wraps_to_its_entry(text, size, lines):
    """Wide characters count two columns; a line ends after a space or before a bracket."""
    assert charts.legend_name(text, size).split("<br>") == lines


def test_the_cost_chart_hover_gives_each_kind_of_price_apart(priced):
    """Was: the hover gave one range from the marketplace floor to the dearest on-demand listing
    ($1.47 × GPU-hours … $12.29 × GPU-hours for the H100); now on-demand and the floor apart."""
    from llmem_dashboard.i18n import fmt_money, fmt_money_range

    fig = charts.cost_chart(priced, "en")
    line = next(tr for tr in fig.data if tr.legendgroup == "gpus" and "H100" in tr.name)
    h100 = sorted(
        (p for p in priced.points if p["gpu_key"] == "h100-80gb"), key=lambda p: p["num_gpus"]
    )
    for text, p in zip(line.customdata, h100, strict=True):
        low, high = p["cost_on_demand_low"], p["cost_on_demand_high"]
        assert f"On demand per run: {fmt_money_range(low, high, 'USD', 'en')}" in text
        assert (
            f"Interruptible per run: {fmt_money(p['cost_interruptible_expected'], 'USD', 'en')}"
            in text
        )
        assert fmt_money_range(p["cost_low"], p["cost_high"], "USD", "en") not in text
