"""Chart builders: Results → plotly figures. Pure (no streamlit); every number from the core."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.accuracy import band
from dashboard.compute import Curve, MethodResult, Results
from dashboard.i18n import component_label, fmt_gib, fmt_int, fmt_pct, method_label, t
from llmem_core.units import GiB

# Bottom to top: the runtime base first, then the model, then what grows with the batch.
SEGMENTS = ("runtime", "transformer", "lm_head", "optimizer", "activations", "transient")
COLORS = {
    "runtime": "#9AA5B1",
    "transformer": "#3B6FB6",
    "lm_head": "#E8833A",
    "optimizer": "#8E6CC9",
    "activations": "#2E9E83",
    "transient": "#D9B44A",
}
CAPACITY_COLOR = "#C62828"
FIT_COLOR = "#2E7D32"
METHOD_COLORS = ("#3B6FB6", "#2E9E83", "#E8833A", "#8E6CC9", "#9AA5B1")
FONT = "Inter, 'Noto Sans CJK JP', 'Noto Sans JP', 'Segoe UI', sans-serif"


def _gib(nbytes: int) -> float:
    return nbytes / GiB


def _layout(fig: go.Figure, lang: str, title: str, y_title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 15}, "x": 0.0, "xanchor": "left"},
        font={"family": FONT, "size": 13},
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15, "x": 0.0},
        yaxis={"title": y_title, "rangemode": "tozero", "gridcolor": "#E6E9EE"},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def _capacity_line(fig: go.Figure, capacity: int, lang: str) -> None:
    fig.add_hline(
        y=_gib(capacity), line={"color": CAPACITY_COLOR, "width": 2, "dash": "dash"},
        annotation={"text": t(lang, "capacity", cap=fmt_gib(capacity, lang)),
                    "font": {"color": CAPACITY_COLOR}, "xanchor": "right", "x": 1.0},
        annotation_position="top right",
    )


def _formulas(row: MethodResult, component: str) -> tuple[str, str]:
    terms = [x for x in row.estimate.terms if x.component == component] if row.estimate else []
    formula = "<br>".join(f"{x.name}: {x.formula}" for x in terms) or "—"
    return formula, "; ".join(sorted({x.source for x in terms})) or "—"


def _segment(res: Results, rows: list[MethodResult], component: str, x: list[str],
             opacity: list[float]) -> go.Bar:
    lang = res.inputs.lang
    values, custom = [], []
    for row in rows:
        part = getattr(row.estimate.components, component) if row.estimate else 0
        share = part / row.estimate.peak_bytes if row.estimate else 0.0
        formula, source = _formulas(row, component)
        values.append(_gib(part))
        custom.append([fmt_gib(part, lang, 2), fmt_pct(share, lang, 1), formula, source])
    name = component_label(component, lang)
    return go.Bar(
        name=name, x=x, y=values, customdata=custom,
        marker={"color": COLORS[component], "opacity": opacity, "line": {"width": 0}},
        hovertemplate=(
            f"<b>{name}</b> · %{{x}}<br>%{{customdata[0]}} "
            f"({t(lang, 'hover_share')} %{{customdata[1]}})<br>"
            f"{t(lang, 'hover_formula')}: %{{customdata[2]}}<br>"
            f"{t(lang, 'hover_source')}: %{{customdata[3]}}<extra></extra>"
        ),
    )


def _band_rows(res: Results, rows: list[MethodResult]) -> list[tuple[int, int, int] | None]:
    """(peak, low, high) per method; low = high = peak where the profile is unmeasured."""
    out = []
    for row in rows:
        if row.estimate is None:
            out.append(None)
            continue
        peak = row.estimate.peak_bytes
        out.append((peak, *(band(peak, res.accuracy) or (peak, peak))))
    return out


def _whiskers(x: list[str], bands: list) -> go.Scatter:
    """The measured error band of each peak, as a whisker on top of its bar."""
    ok = [(xi, b) for xi, b in zip(x, bands, strict=True) if b]
    return go.Scatter(
        x=[xi for xi, _ in ok], y=[_gib(b[0]) for _, b in ok], mode="markers",
        marker={"size": 1, "color": "rgba(0,0,0,0)"}, showlegend=False, hoverinfo="skip",
        error_y={"type": "data", "symmetric": False, "array": [_gib(b[2] - b[0]) for _, b in ok],
                 "arrayminus": [_gib(b[0] - b[1]) for _, b in ok], "color": "#37474F",
                 "thickness": 1.5, "width": 10},
    )


def _labels(res: Results, rows: list[MethodResult], x: list[str], bands: list) -> go.Scatter:
    """The peak above each bar (above its whisker): green when it fits, red when not."""
    lang, cap = res.inputs.lang, res.request.cluster.memory_bytes
    y, text, colors, hover = [], [], [], []
    for row, b in zip(rows, bands, strict=True):
        y.append(_gib(b[2]) if b else 0.0)
        fits = b is not None and b[0] <= cap
        label = fmt_gib(b[0], lang) if b else t(lang, "not_runnable")
        text.append(label if fits or not b else f"{t(lang, 'oom')} {label}")
        colors.append(FIT_COLOR if fits else CAPACITY_COLOR)
        hover.append(row.error or (f"{t(lang, 'hover_band')}: {fmt_gib(b[1], lang)} – "
                                   f"{fmt_gib(b[2], lang)}"))
    return go.Scatter(
        x=x, y=y, mode="text", text=text, textposition="top center",
        textfont={"color": colors, "size": 14}, customdata=hover,
        hovertemplate="%{x}: %{text}<br>%{customdata}<extra></extra>",
        showlegend=False, cliponaxis=False,
    )


def memory_bars(res: Results) -> go.Figure:
    """One stacked bar per method at the user's batch, the capacity line, the focus highlighted."""
    lang, n = res.inputs.lang, res.request.cluster.num_gpus
    rows = list(res.methods)
    x = [method_label(r.method, n, lang) for r in rows]
    opacity = [1.0 if r.method == res.focus.method else 0.45 for r in rows]
    fig = go.Figure([_segment(res, rows, c, x, opacity) for c in SEGMENTS])
    bands = _band_rows(res, rows)
    fig.add_traces([_whiskers(x, bands), _labels(res, rows, x, bands)])
    _capacity_line(fig, res.request.cluster.memory_bytes, lang)
    req = res.request
    title = t(lang, "chart_title_memory", model=req.model.name, n=n,
              gpu=res.gpu_name or fmt_gib(req.cluster.memory_bytes, lang),
              batch=fmt_int(req.training.batch_size, lang), seq=fmt_int(req.training.seq_len, lang))
    fig.update_layout(barmode="stack", bargap=0.35)
    fig.update_yaxes(range=[0, _y_top(res)])
    return _layout(fig, lang, title, t(lang, "axis_gib"), 460)


def _y_top(res: Results) -> float:
    peaks = [r.estimate.peak_bytes for r in res.methods if r.estimate]
    top = max([*peaks, res.request.cluster.memory_bytes])
    return _gib(top) * 1.22


def batch_chart(res: Results) -> go.Figure:
    """Peak per GPU against batch, one line per method; the crossing is the largest batch."""
    lang, n = res.inputs.lang, res.request.cluster.num_gpus
    fig = go.Figure()
    for i, curve in enumerate(res.batch_curves):
        color = METHOD_COLORS[i % len(METHOD_COLORS)]
        name = method_label(curve.method, n, lang)
        width = 3.5 if curve.method == res.focus.method else 2
        fig.add_trace(go.Scatter(
            x=list(curve.batches), y=[_gib(p) for p in curve.peaks], name=name,
            mode="lines+markers",
            line={"color": color, "width": width}, marker={"size": 5},
            hovertemplate=f"{name}<br>batch %{{x}}: %{{y:.1f}} GiB<extra></extra>",
        ))
        if curve.max_batch:
            _mark_largest(fig, curve, color, lang, labelled=curve.method == res.focus.method)
    _capacity_line(fig, res.request.cluster.memory_bytes, lang)
    fig.add_vline(x=res.inputs.batch, line={"color": "#607D8B", "dash": "dot", "width": 1},
                  annotation={"text": t(lang, "your_batch"), "font": {"color": "#607D8B"}},
                  annotation_position="top left")
    fig.update_xaxes(title=t(lang, "axis_batch"), rangemode="tozero")
    return _layout(fig, lang, t(lang, "sec_batch"), t(lang, "axis_gib"), 380)


def _mark_largest(fig: go.Figure, curve: Curve, color: str, lang: str, labelled: bool) -> None:
    """A diamond where the curve last fits; labelled for the focus method only."""
    peak = curve.peaks[curve.batches.index(curve.max_batch)]
    fig.add_trace(go.Scatter(
        x=[curve.max_batch], y=[_gib(peak)], showlegend=False,
        mode="markers+text" if labelled else "markers",
        marker={"size": 11, "color": color, "symbol": "diamond", "line": {"color": "white",
                                                                         "width": 1}},
        text=[t(lang, "largest_batch", batch=fmt_int(curve.max_batch, lang))],
        textposition="bottom right", textfont={"color": color, "size": 13},
        hovertemplate="%{text}: %{y:.1f} GiB<extra></extra>",
    ))


def vocab_chart(res: Results) -> go.Figure:
    """Peak and its lm_head part against vocabulary size, for the focus method."""
    lang = res.inputs.lang
    xs = [p.vocab for p in res.vocab_curve]
    fig = go.Figure([
        go.Scatter(x=xs, y=[_gib(p.lm_head) for p in res.vocab_curve], name=t(lang, "lm_head_part"),
                   mode="lines+markers", fill="tozeroy", line={"color": COLORS["lm_head"]},
                   hovertemplate="V=%{x:,}: %{y:.1f} GiB<extra></extra>"),
        go.Scatter(x=xs, y=[_gib(p.peak) for p in res.vocab_curve], name=t(lang, "peak"),
                   mode="lines+markers", line={"color": "#263238", "width": 3},
                   hovertemplate="V=%{x:,}: %{y:.1f} GiB<extra></extra>"),
    ])
    _capacity_line(fig, res.request.cluster.memory_bytes, lang)
    _vocab_marks(fig, res)
    fig.update_xaxes(title=t(lang, "axis_vocab"), tickformat=",")
    title = f"{t(lang, 'sec_vocab')} · {method_label(res.focus.method, res.inputs.gpus, lang)}"
    return _layout(fig, lang, title, t(lang, "axis_gib"), 380)


def _vocab_marks(fig: go.Figure, res: Results) -> None:
    lang = res.inputs.lang
    fig.add_vline(x=res.model_vocab, line={"color": "#607D8B", "dash": "dot", "width": 1},
                  annotation={"text": t(lang, "model_vocab_mark",
                                        vocab=fmt_int(res.model_vocab, lang))},
                  annotation_position="top left")
    vocab = res.request.model.vocab_size
    if vocab != res.model_vocab:
        fig.add_vline(x=vocab, line={"color": COLORS["lm_head"], "dash": "dash", "width": 2},
                      annotation={"text": t(lang, "whatif_vocab_mark", vocab=fmt_int(vocab, lang)),
                                  "font": {"color": COLORS["lm_head"]}},
                      annotation_position="bottom right")


def plotly_config(filename: str) -> dict:
    """Modebar: the client-side PNG download at slide size (no server-side renderer needed)."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2,
                                 "width": 1280, "height": 720},
    }
