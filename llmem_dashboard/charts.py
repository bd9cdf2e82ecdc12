"""Chart builders: Results → plotly figures. Pure (no streamlit); every number from the core."""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from functools import partial

import plotly.graph_objects as go

from llmem_core.results import Phase
from llmem_core.units import GiB
from llmem_core.verdict import Verdict
from llmem_dashboard import summary
from llmem_dashboard.compute import Curve, MethodResult, Results
from llmem_dashboard.cost import CostResults
from llmem_dashboard.i18n import (
    component_label,
    fmt_gib,
    fmt_hours,
    fmt_int,
    fmt_money,
    fmt_money_range,
    fmt_pct,
    method_label,
    method_short,
    t,
)
from llmem_dashboard.i18n_core import core_text
from llmem_dashboard.safe import html
from llmem_dashboard.tables import floor_money, short_gpu_name

# Bottom to top: memory outside PyTorch first, then the model, then what grows with the batch,
# then what only a real GPU adds on top of the tensors (workspaces, buffers in flight, slack).
SEGMENTS = (
    "runtime",
    "transformer",
    "lm_head",
    "optimizer",
    "activations",
    "transient",
    "workspace",
    "in_flight",
    "allocator_slack",
)
COLORS = {
    "runtime": "#9AA5B1",
    "workspace": "#6D7B8D",
    "in_flight": "#C48BB0",
    "allocator_slack": "#CFD8DC",
    "transformer": "#3B6FB6",
    "lm_head": "#E8833A",
    "optimizer": "#8E6CC9",
    "activations": "#2E9E83",
    "transient": "#D9B44A",
}
CAPACITY_COLOR = "#C62828"
FIT_COLOR = "#2E7D32"
RISK_COLOR = "#E65100"
METHOD_COLORS = ("#3B6FB6", "#2E9E83", "#E8833A", "#8E6CC9", "#9AA5B1")
FONT = "Inter, 'Noto Sans CJK JP', 'Noto Sans JP', 'Segoe UI', sans-serif"


# Traces and figures are built from the core's own results in plotly.js's own form (titles as
# {"text": …}, no shorthands), so plotly.py's per-property validation is skipped: it took more
# than the whole estimate, mostly in update_layout (bench/bench_dashboard.py). Each figure is
# made once from its complete layout (_figure), never updated after.
Scatter = partial(go.Scatter, _validate=False)
Bar = partial(go.Bar, _validate=False)


def _gib(nbytes: int) -> float:
    return nbytes / GiB


# A small explicit template: plotly's named templates are deep-copied into every figure,
# which costs more than the whole estimate (see bench/bench_dashboard.py).
AXIS = {
    "gridcolor": "#E6E9EE",
    "linecolor": "#B0BEC5",
    "zeroline": False,
    # the axis title and tick labels push the margins (with the legend at the figure's
    # foot), so nothing sits on top of them
    "automargin": True,
}
TEMPLATE = {
    "layout": {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": list(METHOD_COLORS),
        "xaxis": AXIS,
        "yaxis": AXIS,
    }
}


def _merge(base: dict, more: dict) -> dict:
    """`base` with `more` on top, nested dicts merged (a new dict; neither is changed)."""
    out = dict(base)
    for key, value in more.items():
        out[key] = _merge(out[key], value) if isinstance(out.get(key), dict) else value
    return out


def _figure(traces: list, layout: dict) -> go.Figure:
    """The figure, made once, unvalidated (the layout is in plotly.js's own form)."""
    return go.Figure(data=traces, layout={"template": TEMPLATE, **layout}, _validate=False)


# At the foot of the figure (not of the plot), so plotly makes room for it below the axis
# title, however many rows it wraps into on a narrow screen; from the figure's left edge.
LEGEND = {
    "orientation": "h",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
    "xref": "container",
    "x": 0,
    "font": {"size": 11},
}
# plotly fits a row of legend entries into the plot's width: on a 390-px phone about 270 px
# for the curves and 240 px for the cost chart (its axis labels are wider). Text-sized entries
# take the longest entry's width each, one a row there, and squeeze the plot (or scroll, the
# list cut); entries of a fixed width (+ ~45 px of symbol and gaps) fit two a row on a phone
# and six or more at 1280 px, and a name longer than its entry wraps (legend_name).
CURVE_LEGEND = (95, 11)  # (text px, font px): the batch and vocabulary curves
COST_LEGEND = (76, 10)  # the cost chart: up to 18 GPU types with the full catalog
CHAR_EM = 0.51  # a Latin character's average width, em, as the page renders it (heuristic)
_BREAK = re.compile(r"(?<=\s)|(?=[(（])")  # a line may end after a space or before a bracket


def legend_columns(size: tuple[int, int]) -> dict:
    """Legend entries `size` = (text px, font px), so several share a row."""
    text_px, font_px = size
    return {"entrywidth": text_px, "entrywidthmode": "pixels", "font": {"size": font_px}}


def legend_name(text: str, size: tuple[int, int]) -> str:
    """A legend entry's name in lines that fit its entry (East Asian wide characters count
    two), broken after spaces or before brackets; a longer word stays whole."""
    text_px, font_px = size
    limit = int(text_px / (CHAR_EM * font_px))
    lines: list[str] = []
    for part in filter(None, _BREAK.split(text)):
        if lines and _columns((lines[-1] + part).rstrip()) <= limit:
            lines[-1] += part
        else:
            lines.append(part)
    return "<br>".join(line.strip() for line in lines)


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _layout(heading: str, y_title: str, height: int, marks: list[dict], **more: dict) -> dict:
    """Common layout; `marks` are reference lines as (shape, annotation) dicts; `more` is
    merged on top (an axis's range, a margin)."""
    base = {
        "title": {"text": heading, "font": {"size": 15}, "x": 0.0, "xanchor": "left"},
        "font": {"family": FONT, "size": 13},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 20},
        "legend": LEGEND,
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "hoverlabel": {"font": {"family": FONT}},
        "shapes": [m["shape"] for m in marks],
        "annotations": [m["annotation"] for m in marks if m.get("annotation")],
    }
    return _merge(base, more)


def _hline(y: float, color: str, text: str, dash: str = "dash") -> dict:
    """A horizontal reference line across the plot, labelled at its right end."""
    return {
        "shape": {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": y,
            "y1": y,
            "line": {"color": color, "width": 2, "dash": dash},
        },
        "annotation": {
            "text": text,
            "xref": "paper",
            "x": 1,
            "xanchor": "right",
            "yref": "y",
            "y": y,
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"color": color},
        },
    }


def _vline(x: float, color: str, text: str, dash: str = "dot", top: bool = True) -> dict:
    """A vertical reference line over the plot's height, labelled at its top or bottom."""
    return {
        "shape": {
            "type": "line",
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "xref": "x",
            "x0": x,
            "x1": x,
            "line": {"color": color, "width": 1.5, "dash": dash},
        },
        "annotation": {  # along the line, so labels of lines apart never collide
            "text": text,
            "textangle": -90,
            "yref": "paper",
            "y": 1 if top else 0,
            "yanchor": "top" if top else "bottom",
            "xref": "x",
            "x": x,
            "xanchor": "right",
            "showarrow": False,
            "font": {"color": color, "size": 11},
        },
    }


def _capacity(capacity: int) -> dict:
    """The capacity as a dashed line; its words are in the legend (_capacity_key), where they
    cannot collide with curves or other labels."""
    mark = _hline(_gib(capacity), CAPACITY_COLOR, "")
    return {"shape": mark["shape"]}


def _formulas(row: MethodResult, component: str) -> tuple[str, str]:
    terms = [x for x in row.estimate.terms if x.component == component] if row.estimate else []
    formula = "<br>".join(f"{x.name}: {x.formula}" for x in terms) or "—"
    return formula, "; ".join(sorted({x.source for x in terms})) or "—"


def _segment(
    res: Results, rows: list[MethodResult], component: str, y: list[str], opacity: list[float]
) -> go.Bar:
    lang = res.inputs.lang
    values, custom = [], []
    for row in rows:
        part = getattr(row.estimate.components, component) if row.estimate else 0
        share = part / row.estimate.peak_bytes if row.estimate else 0.0
        formula, source = _formulas(row, component)
        values.append(_gib(part))
        custom.append([fmt_gib(part, lang, 2), fmt_pct(share, lang, 1), formula, source])
    name = component_label(component, lang)
    return Bar(
        name=name,
        y=y,
        x=values,
        orientation="h",
        customdata=custom,
        marker={"color": COLORS[component], "opacity": opacity, "line": {"width": 0}},
        hovertemplate=(
            f"<b>{name}</b> · %{{y}}<br>%{{customdata[0]}} "
            f"({t(lang, 'hover_share')} %{{customdata[1]}})<br>"
            f"{t(lang, 'hover_formula')}: %{{customdata[2]}}<br>"
            f"{t(lang, 'hover_source')}: %{{customdata[3]}}<extra></extra>"
        ),
    )


def _band_rows(res: Results, rows: list[MethodResult]) -> list[tuple[int, int, int] | None]:
    """(peak, low, high) per method: the estimate's own range (the core's band)."""
    out = []
    for row in rows:
        est = row.estimate
        if est is None:
            out.append(None)
            continue
        out.append((est.peak_bytes, *est.range_bytes))
    return out


def _whiskers(y: list[str], bands: list, top: float) -> go.Scatter:
    """The measured error band of each peak, as a whisker at the end of its bar (cut at the
    axis's end, `top` GiB, with the bar)."""
    ok = [(yi, b) for yi, b in zip(y, bands, strict=True) if b and _gib(b[1]) < top]
    return Scatter(
        y=[yi for yi, _ in ok],
        x=[_gib(b[0]) for _, b in ok],
        mode="markers",
        marker={"size": 1, "color": "rgba(0,0,0,0)"},
        showlegend=False,
        hoverinfo="skip",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [_gib(b[2] - b[0]) for _, b in ok],
            "arrayminus": [_gib(b[0] - b[1]) for _, b in ok],
            "color": "#37474F",
            "thickness": 1.5,
            "width": 6,
        },
    )


VERDICT_COLOR = {Verdict.FITS: FIT_COLOR, Verdict.AT_RISK: RISK_COLOR, Verdict.OOM: CAPACITY_COLOR}
VERDICT_WORD = {Verdict.AT_RISK: "at_risk", Verdict.OOM: "oom"}


def bar_label(res: Results, row: MethodResult, band: tuple | None, top: float) -> str:
    """A bar's value as the page prints it: "60.9 GiB", "at risk 75.5 GiB", "OOM 214.6 GiB";
    "▲ …" when the bar is cut at the axis's end (`top`, GiB)."""
    lang = res.inputs.lang
    if band is None:
        return t(lang, "not_runnable")
    word = VERDICT_WORD.get(row.estimate.verdict)
    text = fmt_gib(band[0], lang)
    text = f"{t(lang, word)} {text}" if word else text
    return f"▲ {text}" if _gib(band[0]) > top else text


def _ticks(res: Results, rows: list[MethodResult], bands: list, top: float) -> list[str]:
    """Each bar's row label: the method (short) and its value in the verdict's colour, so
    labels sit one per row and never overlap, however narrow the screen."""
    lang, n, out = res.inputs.lang, res.request.cluster.num_gpus, []
    for row, band in zip(rows, bands, strict=True):
        verdict = row.estimate.verdict if row.estimate else Verdict.OOM
        name = html(method_short(row.method, n, lang)[0])
        weight = "<b>{}</b>" if row.method == res.focus.method else "{}"
        label = html(bar_label(res, row, band, top))
        color = VERDICT_COLOR[verdict]
        out.append(weight.format(name) + f"<br><span style='color:{color}'>{label}</span>")
    return out


def _bar_hover(res: Results, rows: list[MethodResult], y: list[str], bands: list) -> go.Scatter:
    """Invisible points at each bar's end: the range, or why the method cannot run."""
    lang, hover = res.inputs.lang, []
    for row, b in zip(rows, bands, strict=True):
        hover.append(
            html(core_text(row.error, lang))
            if row.error
            else f"{t(lang, 'hover_band')}: {fmt_gib(b[1], lang)} – {fmt_gib(b[2], lang)}"
        )
    return Scatter(
        y=y,
        x=[_gib(b[0]) if b else 0.0 for b in bands],
        mode="markers",
        marker={"size": 12, "color": "rgba(0,0,0,0)"},
        customdata=hover,
        hovertemplate="%{y}<br>%{customdata}<extra></extra>",
        showlegend=False,
    )


def _capacity_key(capacity: int, lang: str) -> go.Scatter:
    """The capacity line's legend entry (the line itself is a shape; a label on the plot
    would collide with bars and markers on a narrow screen)."""
    return Scatter(
        x=[None],
        y=[None],
        mode="lines",
        name=t(lang, "capacity", cap=fmt_gib(capacity, lang)),
        line={"color": CAPACITY_COLOR, "width": 2, "dash": "dash"},
        hoverinfo="skip",
    )


def _vcapacity(capacity: int) -> dict:
    """The capacity as a vertical dashed line across a horizontal bar chart."""
    x = _gib(capacity)
    line = {"color": CAPACITY_COLOR, "width": 2, "dash": "dash"}
    return {
        "shape": {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": x, "x1": x, "line": line}
    }


def title_lines(res: Results) -> str:
    """The plan summary as a chart title: short lines, so it fits a phone and a slide."""
    where, how = summary.plan_parts(res)
    model, gpus, method, sizes = where
    lines = [f"<b>{html(model)}</b>", f"{gpus} · {method} · {sizes}", " · ".join(how[:-1]), how[-1]]
    return "<br>".join([lines[0], *(html(x) for x in lines[1:])])


def memory_bars(res: Results) -> go.Figure:
    """One stacked bar per method at the user's batch (a row each, so labels never collide),
    the capacity line, the focus in bold; the plan summary in the title (for PNG and HTML)."""
    lang, n = res.inputs.lang, res.request.cluster.num_gpus
    rows = list(res.methods)
    y = [method_label(r.method, n, lang) for r in rows]
    opacity = [1.0 if r.method == res.focus.method else 0.45 for r in rows]
    bands = _band_rows(res, rows)
    top = _y_top(res, bands)
    cut = top / HEADROOM
    traces = [
        *(_segment(res, rows, c, y, opacity) for c in SEGMENTS),
        _whiskers(y, bands, top),
        _bar_hover(res, rows, y, bands),
        _capacity_key(res.request.cluster.memory_bytes, lang),
    ]
    marks = [_vcapacity(res.request.cluster.memory_bytes)]
    layout = _layout(
        title_lines(res),
        "",
        360 + 48 * len(rows),
        marks,
        title={"font": {"size": 13}},
        margin={"t": 100, "l": 10},
        barmode="stack",
        bargap=0.3,
        xaxis={"range": [0, top], "title": {"text": t(lang, "axis_gib")}},
        yaxis={
            "autorange": "reversed",
            "tickvals": y,
            "ticktext": _ticks(res, rows, bands, cut),
            "rangemode": "normal",
        },
    )
    return _figure(traces, layout)


# Bars up to CLIP_AT × the GPU's memory are drawn whole; a longer one (DDP's 180–1,577 GiB
# beside bars that fit) is cut at the axis's end and says "▲" and its value, so it cannot
# squash the others. HEADROOM leaves room past the longest bar. Both are layout choices.
CLIP_AT = 1.6
HEADROOM = 1.1


def _y_top(res: Results, bands: list) -> float:
    """The value axis's end, GiB: the capacity and every bar's range up to CLIP_AT ×
    capacity."""
    capacity = res.request.cluster.memory_bytes
    highs = [b[2] for b in bands if b and b[2] <= CLIP_AT * capacity]
    return _gib(max([*highs, capacity])) * HEADROOM


def batch_chart(res: Results) -> go.Figure:
    """Peak per GPU against batch, one line per method; the crossing is the largest batch."""
    lang, n = res.inputs.lang, res.request.cluster.num_gpus
    traces = []
    for i, curve in enumerate(res.batch_curves):
        color = METHOD_COLORS[i % len(METHOD_COLORS)]
        name = method_label(curve.method, n, lang)
        width = 3.5 if curve.method == res.focus.method else 2
        traces.append(
            Scatter(
                x=list(curve.batches),
                y=[_gib(p) for p in curve.peaks],
                name=legend_name(name, CURVE_LEGEND),
                mode="lines+markers",
                line={"color": color, "width": width},
                marker={"size": 5},
                hovertemplate=f"{name}<br>batch %{{x}}: %{{y:.1f}} GiB<extra></extra>",
            )
        )
        if curve.max_batch:
            traces.append(_largest(curve, color, lang, curve.method == res.focus.method))
    traces.append(_capacity_key(res.request.cluster.memory_bytes, lang))
    marks = [
        _capacity(res.request.cluster.memory_bytes),
        _vline(res.inputs.batch_size, "#607D8B", t(lang, "your_batch")),
        *_batch_phase_marks(res),
    ]
    xaxis = {"title": {"text": t(lang, "axis_batch")}, "rangemode": "tozero"}
    layout = _layout(
        t(lang, "sec_batch"),
        t(lang, "axis_gib"),
        460,
        marks,
        xaxis=xaxis,
        legend=legend_columns(CURVE_LEGEND),
    )
    return _figure(traces, layout)


def _largest(curve: Curve, color: str, lang: str, labelled: bool) -> go.Scatter:
    """A diamond where the curve last fits; the focus method's is named in the legend (a
    label on the plot would collide with the other curves)."""
    peak = curve.peaks[curve.batches.index(curve.max_batch)]
    return Scatter(
        x=[curve.max_batch],
        y=[_gib(peak)],
        showlegend=labelled,
        name=legend_name(
            t(lang, "largest_batch", batch=fmt_int(curve.max_batch, lang)), CURVE_LEGEND
        ),
        mode="markers",
        marker={
            "size": 11,
            "color": color,
            "symbol": "diamond",
            "line": {"color": "white", "width": 1},
        },
        text=[t(lang, "largest_batch", batch=fmt_int(curve.max_batch, lang))],
        textposition="bottom right",
        textfont={"color": color, "size": 13},
        hovertemplate="%{text}: %{y:.1f} GiB<extra></extra>",
    )


def vocab_chart(res: Results) -> go.Figure:
    """Peak and its lm_head part against vocabulary size, for the focus method."""
    lang = res.inputs.lang
    xs = [p.vocab for p in res.vocab_curve]
    traces = [
        Scatter(
            x=xs,
            y=[_gib(p.lm_head) for p in res.vocab_curve],
            name=t(lang, "lm_head_part"),
            mode="lines+markers",
            fill="tozeroy",
            line={"color": COLORS["lm_head"]},
            hovertemplate="V=%{x:,}: %{y:.1f} GiB<extra></extra>",
        ),
        Scatter(
            x=xs,
            y=[_gib(p.peak) for p in res.vocab_curve],
            name=t(lang, "peak"),
            mode="lines+markers",
            line={"color": "#263238", "width": 3},
            hovertemplate="V=%{x:,}: %{y:.1f} GiB<extra></extra>",
        ),
        _capacity_key(res.request.cluster.memory_bytes, lang),
    ]
    n = res.request.cluster.num_gpus
    title = f"{t(lang, 'sec_vocab')}<br><sup>{method_label(res.focus.method, n, lang)}</sup>"
    marks = [_capacity(res.request.cluster.memory_bytes), *_vocab_marks(res)]
    xaxis = {"title": {"text": t(lang, "axis_vocab")}, "tickformat": ","}
    layout = _layout(
        title,
        t(lang, "axis_gib"),
        460,
        marks,
        xaxis=xaxis,
        margin={"t": 70},
        legend=legend_columns(CURVE_LEGEND),
    )
    return _figure(traces, layout)


PHASE_COLOR = "#8E24AA"


def _phase_changes(xs: Sequence[float], phases: Sequence[Phase], lang: str) -> list[dict]:
    """Where the phase that sets the peak changes (the core's phase at each point), the curve
    bends: a dashed line between the two points, saying which phase takes over."""
    marks = []
    for (x0, before), (x1, after) in itertools.pairwise(zip(xs, phases, strict=True)):
        if before != after:
            text = t(lang, "phase_mark", phase=t(lang, f"phase_{after.value}"))
            marks.append(_vline((x0 + x1) / 2, PHASE_COLOR, text, dash="dash", top=False))
    return marks


def _phase_marks(res: Results) -> list[dict]:
    points = res.vocab_curve
    return _phase_changes([p.vocab for p in points], [p.phase for p in points], res.inputs.lang)


def _batch_phase_marks(res: Results) -> list[dict]:
    """The focus method's curve only (the thick one, first in the legend): one set of lines
    stays readable, and a label short enough for a phone's plot height."""
    focus = next((c for c in res.batch_curves if c.method == res.focus.method), None)
    if focus is None:
        return []
    return _phase_changes(focus.batches, focus.phases, res.inputs.lang)


def _vocab_marks(res: Results) -> list[dict]:
    lang, vocab = res.inputs.lang, res.request.model.vocab_size
    marks = [
        _vline(
            res.model_vocab,
            "#607D8B",
            t(lang, "model_vocab_mark", vocab=fmt_int(res.model_vocab, lang)),
        ),
        *_phase_marks(res),
    ]
    if vocab != res.model_vocab:
        marks.append(
            _vline(
                vocab,
                COLORS["lm_head"],
                t(lang, "whatif_vocab_mark", vocab=fmt_int(vocab, lang)),
                dash="dash",
                top=False,
            )
        )
    return marks


# ---- cost against time ---------------------------------------------------------------------

GPU_COLORS = (
    "#3B6FB6",
    "#2E9E83",
    "#E8833A",
    "#8E6CC9",
    "#D9B44A",
    "#5C8FD6",
    "#C2185B",
    "#6D8B3A",
    "#00838F",
    "#8D6E63",
    "#9AA5B1",
    "#F06292",
)
CHEAP_COLOR, FAST_COLOR, MINE_COLOR = "#2E7D32", "#E65100", "#263238"


def _cost_trace(
    points: list[dict], name: str, color: str, cres: CostResults, lang: str
) -> go.Scatter:
    """One GPU type: its plans (one point per count) at the cost on the ranking's basis."""
    code = cres.ranking.currency.code
    hover = [  # the two kinds of price apart, as in the table
        f"{p['num_gpus']} × {name}<br>{fmt_hours(p['hours'], lang)}<br>"
        f"{t(lang, 'ct_on_demand')}: "
        f"{fmt_money_range(p['cost_on_demand_low'], p['cost_on_demand_high'], code, lang)}<br>"
        f"{t(lang, 'ct_floor')}: {floor_money(p['cost_interruptible_expected'], code, lang)}"
        for p in points
    ]
    return Scatter(  # no text on the plot: names in the legend, counts in the hover
        x=[p["hours"] for p in points],
        y=[p["cost"] for p in points],
        name=legend_name(name, COST_LEGEND),  # the hover keeps it on one line
        legendgroup="gpus",
        mode=("lines+" if len(points) > 1 else "") + "markers",
        line={"color": color, "width": 1.5},
        marker={"size": 9, "color": color},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        cliponaxis=False,
    )


def _on_demand_bars(points: list[dict], color: str) -> go.Scatter:
    """One GPU type's on-demand listings, lowest to highest, as a bar at each plan's time: one
    kind of price (an interruptible or marketplace floor is the point, below it, not the bar)."""
    spans = [
        (p["hours"], p["cost_on_demand_low"], p["cost_on_demand_high"])
        for p in points
        if p["cost_on_demand_low"] is not None and p["cost_on_demand_high"] is not None
    ]  # none: an empty trace (a GPU type with no on-demand listing)
    return Scatter(
        x=[v for h, _, _ in spans for v in (h, h, None)],
        y=[v for _, low, high in spans for v in (low, high, None)],
        mode="lines",
        line={"color": color, "width": 1.2},
        legendgroup="on-demand",
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
    )


def _cost_mark(x: float, y: float, text: str, color: str, symbol: str, position: str) -> go.Scatter:
    """A ring around a highlighted plan, named in the legend (labels on the plot collide
    when plans lie close, and always on a phone)."""
    return Scatter(
        x=[x],
        y=[y],
        mode="markers",
        name=text,
        legendgroup="marks",
        legendrank=1,  # first in the legend: it stays in view when a long list must scroll
        hoverinfo="skip",
        marker={"size": 24, "symbol": symbol, "color": color, "line": {"width": 2.5}},
        cliponaxis=False,
    )


def _cost_marks(cres: CostResults, lang: str) -> list[go.Scatter]:
    marks = []
    for p in cres.points:
        if p["cheapest"]:
            marks.append(
                _cost_mark(
                    p["hours"],
                    p["cost"],
                    t(lang, "mk_cheapest"),
                    CHEAP_COLOR,
                    "circle-open",
                    "bottom center",
                )
            )
        if p["fastest"]:
            marks.append(
                _cost_mark(
                    p["hours"],
                    p["cost"],
                    t(lang, "mk_fastest"),
                    FAST_COLOR,
                    "diamond-open",
                    "bottom center",
                )
            )
    row = cres.mine.row
    if row is not None and cres.mine_cost is not None:
        marks.append(
            _cost_mark(
                row.hours,
                cres.mine_cost,
                t(lang, "mk_mine"),
                MINE_COLOR,
                "square-open",
                "top center",
            )
        )
    return marks


def log_ticks(low: float, high: float) -> list[float]:
    """Round tick values for a log axis over [low, high]: 1-2-5 per decade, or 1-1.5-2-3-5-7
    when that gives fewer than four."""
    for steps in ((1, 2, 5), (1, 1.5, 2, 3, 5, 7)):
        ticks = [
            m * 10**e
            for e in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
            for m in steps
            if low / 1.5 <= m * 10**e <= high * 1.5
        ]
        if len(ticks) >= 4:
            return ticks
    return ticks


def cost_chart(cres: CostResults, lang: str) -> go.Figure | None:
    """Cost per run against time per run, one point per plan (chart_points), log axes; a line
    per GPU type joins its counts; cheapest, fastest and the user's plan ringed. None when no
    plan has a price on the ranking's basis (the page says why in a sentence instead)."""
    if not cres.points:
        return None
    by_gpu: dict[str, list[dict]] = {}
    names = {r["gpu_key"]: short_gpu_name(r["gpu_name"]) for r in cres.rows}
    for p in cres.points:
        by_gpu.setdefault(p["gpu_key"], []).append(p)
    code, basis = cres.ranking.currency.code, cres.ranking.cost_basis.value
    traces = []
    for i, (key, pts) in enumerate(by_gpu.items()):
        color, ordered = GPU_COLORS[i % len(GPU_COLORS)], sorted(pts, key=lambda p: p["num_gpus"])
        if basis != "owned":  # owned has no rent to span
            traces.append(_on_demand_bars(ordered, color))
        traces.append(_cost_trace(ordered, names[key], color, cres, lang))
    xs = [p["hours"] for p in cres.points] + ([cres.mine.row.hours] if cres.mine.row else [])
    ys = [v for p in cres.points for v in (p["cost"], p["cost_low"], p["cost_high"]) if v]
    ys += [cres.mine_cost] if cres.mine_cost else []
    x_ticks, y_ticks = log_ticks(min(xs), max(xs)), log_ticks(min(ys), max(ys))
    axes = dict(
        xaxis={
            "title": {"text": t(lang, "axis_hours")},
            "type": "log",
            "tickvals": x_ticks,
            "ticktext": [f"{x:,g}" for x in x_ticks],
            "range": [math.log10(min(xs) / 1.25), math.log10(max(xs) * 1.8)],
        },
        yaxis={
            "type": "log",
            "tickvals": y_ticks,
            "ticktext": [fmt_money(y, code, lang, True) for y in y_ticks],
            "rangemode": "normal",
        },
    )
    title = t(lang, "cost_chart_title", basis=t(lang, f"basis_{basis}"))
    if basis != "owned":
        title = title.replace("</sup>", f" · {t(lang, 'cost_chart_range')}</sup>")
    layout = _layout(
        title,
        t(lang, "axis_cost", code=code),
        540,
        [],
        hovermode="closest",
        margin={"l": 95, "t": 70},
        legend={
            **legend_columns(COST_LEGEND),
            "traceorder": "normal",
        },  # rows, not a group a column
        **axes,
    )
    return _figure([*traces, *_cost_marks(cres, lang)], layout)


# Modebar buttons that add nothing here: dragging still zooms and a double click resets the
# axes, and at 390 px their 224 px of buttons lay over the charts' titles (issue #14). Kept: the
# camera (PNG) and streamlit's fullscreen, 70 px.
MODEBAR_REMOVED = (
    "zoom2d",
    "pan2d",
    "zoomIn2d",
    "zoomOut2d",
    "autoScale2d",
    "resetScale2d",
    "lasso2d",
    "select2d",
)


def plotly_config(filename: str) -> dict:
    """Modebar: the client-side PNG download at slide size (no server-side renderer needed),
    short enough to clear a phone's chart titles."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": list(MODEBAR_REMOVED),
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "scale": 2,
            "width": 1280,
            "height": 720,
        },
    }
