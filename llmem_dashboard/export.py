"""Downloads: the plan as CSV and JSON, the memory chart as an HTML file (offline, or small).
Pure functions."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from llmem_dashboard.charts import SEGMENTS
from llmem_dashboard.compute import COST_MAX_GPUS, MethodResult, Results
from llmem_dashboard.i18n import component_label, fmt_gib, method_label, t
from llmem_dashboard.i18n_core import core_text
from llmem_dashboard.state import as_dict
from llmem_dashboard.summary import plan_line
from llmem_dashboard.tables import plan_records


def plan_csv(res: Results) -> str:
    """One row per method with raw bytes and plan figures (opens in any spreadsheet)."""
    return pd.DataFrame(plan_records(res)).to_csv(index=False)


def cost_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The cost comparison as the cost module gives it (table_rows): raw hours and money."""
    return pd.DataFrame(list(rows)).to_csv(index=False)


def _headline(res: Results) -> dict[str, Any]:
    est = res.focus.estimate
    low_high = (est.band.low, est.band.high) if est and est.band else None
    return {
        "method": res.focus.method.kind.value,
        "tp": res.focus.method.tp,
        "peak_bytes": est.peak_bytes if est else None,
        "peak_band_bytes": list(low_high) if low_high else None,
        "capacity_bytes": res.request.cluster.memory_bytes,
        "fits": est.fits if est else None,
        "verdict": est.verdict.value if est else None,
        "tensor_peak_bytes": est.tensor_peak_bytes if est else None,
        "reserved_bytes": est.reserved_bytes if est else None,
        "device_bytes": est.device_bytes if est else None,
        "headroom_bytes": est.headroom_bytes if est else None,
        "peak_phase": est.phase.value if est else None,
        "gpus_needed": res.gpus_needed,
    }


def plan_json(res: Results, link: str = "", cost_rows: Sequence[dict[str, Any]] = ()) -> str:
    """The whole plan: inputs, headline, per-method figures, Algorithm 1, cost rows, terms."""
    est = res.focus.estimate
    doc = {
        "link": link,
        "summary": plan_line(res),
        "inputs": as_dict(res.inputs),
        "model": res.request.model.name,
        "profile": res.request.runtime.profile.value,
        "headline": _headline(res),
        "accuracy": None
        if est is None or est.band is None
        else {
            "under": est.band.errors.under,
            "over": est.band.errors.over,
            "source": est.band.errors.source,
        },
        "methods": plan_records(res),
        "plan": {
            "choice": res.plan.choice.value if res.plan.choice else None,
            "offload": res.plan.offload,
            "reason": res.plan.reason,
        },
        "terms": [x.model_dump() for x in est.terms] if est else [],
        "notes": list(est.notes) if est else [],
        "gpus_needed_searched_up_to": COST_MAX_GPUS,
        "cost_rows": list(cost_rows),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def chart_html(fig: go.Figure) -> str:
    """A standalone HTML page of the chart; plotly.js embedded so it opens offline (about
    4.8 MB, nearly all of it plotly.js)."""
    return fig.to_html(include_plotlyjs=True, full_html=True)


LIGHT_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{title}</title>
<style>body {{font-family: sans-serif; margin: 1.5rem;}} p.note {{color: #52606D;}}
table {{border-collapse: collapse;}} th, td {{padding: 0.25rem 0.6rem; text-align: right;
border-bottom: 1px solid #E6E9EE;}} th:first-child, td:first-child {{text-align: left;}}</style>
</head>
<body>
<p class="note">{note}</p>
{chart}
<h3>{heading}</h3>
{table}
</body>
</html>
"""


def chart_html_light(fig: go.Figure, res: Results) -> str:
    """The memory chart as a small HTML page for an email or a slide (tens of kB, not
    megabytes): plotly.js comes from cdn.plot.ly, so the chart needs internet, which the file
    says at its top; the table under it carries the chart's figures and reads without it."""
    lang = res.inputs.lang
    return LIGHT_PAGE.format(
        lang=lang,
        title=html.escape(plan_line(res)),
        note=html.escape(t(lang, "dl_html_light_note")),
        chart=fig.to_html(include_plotlyjs="cdn", full_html=False),
        heading=html.escape(t(lang, "sec_memory")),
        table=memory_table(res).to_html(index=False, escape=True, border=0),
    )


def memory_table(res: Results) -> pd.DataFrame:
    """The memory chart's figures as text, a row per bar: each segment as its hover gives it,
    the peak and the verdict as its label gives them, or why the method cannot run."""
    lang = res.inputs.lang
    return pd.DataFrame([_memory_row(res, row, lang) for row in res.methods])


def _memory_row(res: Results, row: MethodResult, lang: str) -> dict[str, str]:
    out = {t(lang, "t_method"): method_label(row.method, res.request.cluster.num_gpus, lang)}
    est = row.estimate
    for part in SEGMENTS:
        out[component_label(part, lang)] = (
            fmt_gib(getattr(est.components, part), lang, 2) if est else "—"
        )
    out[t(lang, "m_peak")] = fmt_gib(est.peak_bytes, lang) if est else "—"
    out[t(lang, "t_verdict")] = (
        t(lang, f"verdict_{est.verdict.value}") if est else core_text(row.error or "", lang)
    )
    return out


def file_stem(res: Results) -> str:
    """A download's name: model, GPUs, batch, sequence; only letters, digits, '.', '_', '-'
    (an uploaded model's name is the user's)."""
    req = res.request
    model = _FILE_UNSAFE.sub("_", req.model.name.split("/")[-1])[:80]
    n, b, s = req.cluster.num_gpus, req.training.batch_size, req.training.seq_len
    return f"llmem-{model}-{n}x{res.inputs.gpu}-b{b}-s{s}"


_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
