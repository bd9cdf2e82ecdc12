"""Chart builders: Results → plotly figures. Pure (no streamlit); every number from the core."""

from __future__ import annotations

import itertools
import math
from functools import partial

import plotly.graph_objects as go

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
    t,
)
from llmem_dashboard.safe import html
from llmem_dashboard.tables import short_gpu_name

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


# Traces are built from the core's own results; plotly's per-property validation of every
# trace roughly doubles the charts' build time (bench/bench_dashboard.py), so traces skip it.
# Figures and layouts stay validated: they turn shorthands (a string title) into what
# plotly.js reads.
Scatter = partial(go.Scatter, _validate=False)
Bar = partial(go.Bar, _validate=False)


def _gib(nbytes: int) -> float:
    return nbytes / GiB


# A small explicit template: plotly's named templates are deep-copied into every figure,
# which costs more than the whole estimate (see bench/bench_dashboard.py).
TEMPLATE = go.layout.Template(
    layout={
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": list(METHOD_COLORS),
        "xaxis": {"gridcolor": "#E6E9EE", "linecolor": "#B0BEC5", "zeroline": False},
        "yaxis": {"gridcolor": "#E6E9EE", "linecolor": "#B0BEC5", "zeroline": False},
    }
)


def _figure(traces: list, lang: str) -> go.Figure:
    return go.Figure(data=traces, layout={"template": TEMPLATE})


def _layout(fig: go.Figure, title: str, y_title: str, height: int, marks: list[dict]) -> go.Figure:
    """Common layout; `marks` are reference lines as (shape, annotation) dicts."""
    fig.update_layout(
        title={"text": title, "font": {"size": 15}, "x": 0.0, "xanchor": "left"},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 110},
        legend={
            "orientation": "h",
            "y": -0.3 if fig.layout.xaxis.title.text else -0.12,
            "yanchor": "top",
            "x": 0.0,
        },
        yaxis={"title": y_title, "rangemode": "tozero"},
        hoverlabel={"font": {"family": FONT}},
        shapes=[m["shape"] for m in marks],
        annotations=[m["annotation"] for m in marks if m.get("annotation")],
    )
    return fig


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
        "annotation": {
            "text": text,
            "yref": "paper",
            "y": 1 if top else 0,
            "yanchor": "top" if top else "bottom",
            "xref": "x",
            "x": x,
            "xanchor": "left",
            "showarrow": False,
            "font": {"color": color},
        },
    }


def _capacity(capacity: int, lang: str) -> dict:
    return _hline(_gib(capacity), CAPACITY_COLOR, t(lang, "capacity", cap=fmt_gib(capacity, lang)))


def _formulas(row: MethodResult, component: str) -> tuple[str, str]:
    terms = [x for x in row.estimate.terms if x.component == component] if row.estimate else []
    formula = "<br>".join(f"{x.name}: {x.formula}" for x in terms) or "—"
    return formula, "; ".join(sorted({x.source for x in terms})) or "—"


def _segment(
    res: Results, rows: list[MethodResult], component: str, x: list[str], opacity: list[float]
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
        x=x,
        y=values,
        customdata=custom,
        marker={"color": COLORS[component], "opacity": opacity, "line": {"width": 0}},
        hovertemplate=(
            f"<b>{name}</b> · %{{x}}<br>%{{customdata[0]}} "
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
        low, high = (est.band.low, est.band.high) if est.band else (est.peak_bytes,) * 2
        out.append((est.peak_bytes, low, high))
    return out


def _whiskers(x: list[str], bands: list) -> go.Scatter:
    """The measured error band of each peak, as a whisker on top of its bar."""
    ok = [(xi, b) for xi, b in zip(x, bands, strict=True) if b]
    return Scatter(
        x=[xi for xi, _ in ok],
        y=[_gib(b[0]) for _, b in ok],
        mode="markers",
        marker={"size": 1, "color": "rgba(0,0,0,0)"},
        showlegend=False,
        hoverinfo="skip",
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [_gib(b[2] - b[0]) for _, b in ok],
            "arrayminus": [_gib(b[0] - b[1]) for _, b in ok],
            "color": "#37474F",
            "thickness": 1.5,
            "width": 10,
        },
    )


VERDICT_COLOR = {Verdict.FITS: FIT_COLOR, Verdict.AT_RISK: RISK_COLOR, Verdict.OOM: CAPACITY_COLOR}
VERDICT_WORD = {Verdict.AT_RISK: "at_risk", Verdict.OOM: "oom"}


def _labels(
    res: Results, rows: list[MethodResult], x: list[str], bands: list, top: float
) -> go.Scatter:
    """The peak above each bar (above its whisker), coloured by the verdict: green fits,
    orange at risk (the range crosses the capacity), red out of memory. A bar cut at the
    axis's top (`top`, GiB) gets "▲" and its value at the cut."""
    lang = res.inputs.lang
    y, text, colors, hover = [], [], [], []
    for row, b in zip(rows, bands, strict=True):
        cut = bool(b) and _gib(b[2]) > top
        y.append(top if cut else _gib(b[2]) if b else 0.0)
        verdict = row.estimate.verdict if row.estimate else Verdict.OOM
        label = fmt_gib(b[0], lang) if b else t(lang, "not_runnable")
        word = VERDICT_WORD.get(verdict)
        label = f"{t(lang, word)} {label}" if b and word else label
        text.append(f"▲ {label}" if cut else label)
        colors.append(VERDICT_COLOR[verdict])
        hover.append(
            html(row.error)
            if row.error
            else (f"{t(lang, 'hover_band')}: {fmt_gib(b[1], lang)} – {fmt_gib(b[2], lang)}")
        )
    return Scatter(
        x=x,
        y=y,
        mode="text",
        text=text,
        textposition="top center",
        textfont={"color": colors, "size": 14},
        customdata=hover,
        hovertemplate="%{x}: %{text}<br>%{customdata}<extra></extra>",
        showlegend=False,
        cliponaxis=False,
    )


def memory_bars(res: Results) -> go.Figure:
    """One stacked bar per method at the user's batch, the capacity line, the focus highlighted."""
    lang, n = res.inputs.lang, res.request.cluster.num_gpus
    rows = list(res.methods)
    x = [method_label(r.method, n, lang) for r in rows]
    opacity = [1.0 if r.method == res.focus.method else 0.45 for r in rows]
    bands = _band_rows(res, rows)
    top = _y_top(res, bands)
    fig = _figure(
        [
            *(_segment(res, rows, c, x, opacity) for c in SEGMENTS),
            _whiskers(x, bands),
            _labels(res, rows, x, bands, top / HEADROOM),
        ],
        lang,
    )
    where, how = summary.plan_parts(res)  # the plan travels with the PNG and the HTML
    title = f"{html(' · '.join(where))}<br><sup>{html(' · '.join(how))}</sup>"
    fig.update_layout(barmode="stack", bargap=0.35, yaxis_range=[0, top])
    marks = [_capacity(res.request.cluster.memory_bytes, lang)]
    fig = _layout(fig, title, t(lang, "axis_gib"), 480, marks)
    fig.update_layout(margin_t=80)
    return fig


# Bars up to CLIP_AT × the GPU's memory are drawn whole; a taller one (DDP's 180–1,577 GiB
# beside bars that fit) is cut at the top with "▲" and its value, so it cannot squash the
# others. HEADROOM leaves room above the tallest bar for its label. Both are layout choices.
CLIP_AT = 1.6
HEADROOM = 1.22


def _y_top(res: Results, bands: list) -> float:
    """The y axis's top, GiB: the capacity and every bar's range up to CLIP_AT × capacity."""
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
                name=name,
                mode="lines+markers",
                line={"color": color, "width": width},
                marker={"size": 5},
                hovertemplate=f"{name}<br>batch %{{x}}: %{{y:.1f}} GiB<extra></extra>",
            )
        )
        if curve.max_batch:
            traces.append(_largest(curve, color, lang, curve.method == res.focus.method))
    fig = _figure(traces, lang)
    fig.update_layout(xaxis={"title": t(lang, "axis_batch"), "rangemode": "tozero"})
    marks = [
        _capacity(res.request.cluster.memory_bytes, lang),
        _vline(res.inputs.batch_size, "#607D8B", t(lang, "your_batch")),
    ]
    return _layout(fig, t(lang, "sec_batch"), t(lang, "axis_gib"), 380, marks)


def _largest(curve: Curve, color: str, lang: str, labelled: bool) -> go.Scatter:
    """A diamond where the curve last fits; labelled for the focus method only."""
    peak = curve.peaks[curve.batches.index(curve.max_batch)]
    return Scatter(
        x=[curve.max_batch],
        y=[_gib(peak)],
        showlegend=False,
        mode="markers+text" if labelled else "markers",
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
    fig = _figure(
        [
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
        ],
        lang,
    )
    fig.update_layout(xaxis={"title": t(lang, "axis_vocab"), "tickformat": ","})
    n = res.request.cluster.num_gpus
    title = f"{t(lang, 'sec_vocab')} · {method_label(res.focus.method, n, lang)}"
    marks = [_capacity(res.request.cluster.memory_bytes, lang), *_vocab_marks(res)]
    return _layout(fig, title, t(lang, "axis_gib"), 380, marks)


PHASE_COLOR = "#8E24AA"


def _phase_marks(res: Results) -> list[dict]:
    """Where the phase that sets the peak changes, the curve bends: a dashed line between
    the two points, saying which phase takes over."""
    lang, points, marks = res.inputs.lang, res.vocab_curve, []
    for before, after in itertools.pairwise(points):
        if before.phase != after.phase:
            x = (before.vocab + after.vocab) / 2
            text = t(lang, "phase_mark", phase=t(lang, f"phase_{after.phase.value}"))
            marks.append(_vline(x, PHASE_COLOR, text, dash="dash", top=False))
    return marks


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
    """One GPU type: its plans (one point per count), the cloud range as a bar on each."""
    code, cloud = cres.ranking.currency.code, cres.ranking.cost_basis.value != "owned"
    hover = [
        f"{p['num_gpus']} × {name}<br>{fmt_hours(p['hours'], lang)} · "
        f"{fmt_money_range(p['cost_low'], p['cost_high'], code, lang)}"
        for p in points
    ]
    error = None
    if cloud:
        error = {
            "type": "data",
            "symmetric": False,
            "thickness": 1.2,
            "width": 4,
            "color": color,
            "array": [(p["cost_high"] or p["cost"]) - p["cost"] for p in points],
            "arrayminus": [p["cost"] - (p["cost_low"] or p["cost"]) for p in points],
        }
    labelled = len(cres.points) <= MAX_LABELLED
    return Scatter(
        x=[p["hours"] for p in points],
        y=[p["cost"] for p in points],
        name=name,
        mode=("lines+" if len(points) > 1 else "") + ("markers+text" if labelled else "markers"),
        text=[f"{p['num_gpus']} × {name}" for p in points] if labelled else None,
        textposition="middle right",
        textfont={"color": "#455A64", "size": 12},
        line={"color": color, "width": 1.5},
        marker={"size": 9, "color": color},
        error_y=error,
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        cliponaxis=False,
    )


MAX_LABELLED = 12  # points labelled "n × GPU" on the chart; more are left to hover


def _cost_mark(x: float, y: float, text: str, color: str, symbol: str, position: str) -> go.Scatter:
    """A ring around a highlighted plan, with its label."""
    return Scatter(
        x=[x],
        y=[y],
        mode="markers+text",
        text=[f"<b>{text}</b>"],
        textposition=position,
        textfont={"color": color, "size": 13},
        showlegend=False,
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
    traces = [
        _cost_trace(
            sorted(pts, key=lambda p: p["num_gpus"]),
            names[key],
            GPU_COLORS[i % len(GPU_COLORS)],
            cres,
            lang,
        )
        for i, (key, pts) in enumerate(by_gpu.items())
    ]
    fig = _figure([*traces, *_cost_marks(cres, lang)], lang)
    code, basis = cres.ranking.currency.code, cres.ranking.cost_basis.value
    xs = [p["hours"] for p in cres.points] + ([cres.mine.row.hours] if cres.mine.row else [])
    ys = [v for p in cres.points for v in (p["cost"], p["cost_low"], p["cost_high"]) if v]
    ys += [cres.mine_cost] if cres.mine_cost else []
    x_ticks, y_ticks = log_ticks(min(xs), max(xs)), log_ticks(min(ys), max(ys))
    fig.update_layout(
        xaxis={
            "title": t(lang, "axis_hours"),
            "type": "log",
            "tickvals": x_ticks,
            "ticktext": [f"{x:,g}" for x in x_ticks],
            "range": [math.log10(min(xs) / 1.25), math.log10(max(xs) * 1.8)],
        },
        yaxis={
            "type": "log",
            "tickvals": y_ticks,
            "ticktext": [fmt_money(y, code, lang, True) for y in y_ticks],
        },
        hovermode="closest",
    )
    title = t(lang, "cost_chart_title", basis=t(lang, f"basis_{basis}"))
    if basis != "owned":
        title += f" · {t(lang, 'cost_chart_range')}"
    fig = _layout(fig, title, t(lang, "axis_cost", code=code), 460, [])
    fig.update_layout(yaxis_rangemode="normal", margin_l=95)
    return fig


def plotly_config(filename: str) -> dict:
    """Modebar: the client-side PNG download at slide size (no server-side renderer needed)."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "scale": 2,
            "width": 1280,
            "height": 720,
        },
    }
