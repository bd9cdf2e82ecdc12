"""Downloads: the plan as CSV and JSON, a chart as a standalone HTML file. Pure functions."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.accuracy import band
from dashboard.compute import COST_MAX_GPUS, CostRow, Results
from dashboard.state import as_dict
from dashboard.tables import plan_records


def plan_csv(res: Results) -> str:
    """One row per method with raw bytes and plan figures (opens in any spreadsheet)."""
    return pd.DataFrame(plan_records(res)).to_csv(index=False)


def _cost_record(row: CostRow) -> dict[str, Any]:
    return {
        "gpu": row.gpu.key,
        "gpu_name": row.gpu.name,
        "count": row.count,
        "method": row.method.kind.value if row.method else None,
        "tp_degree": row.method.tp_degree if row.method else None,
        "batch": row.batch,
        "cloud_usd_per_hour_low": row.cloud_usd_per_hour_low,
        "cloud_usd_per_hour_high": row.cloud_usd_per_hour_high,
        "purchase_usd": row.purchase_usd,
        "prices_as_of": row.gpu.as_of,
        "cloud_source": row.gpu.cloud_source,
        "purchase_source": row.gpu.purchase_source,
        "cheapest_per_hour": row.cheapest,
        "fewest_gpus": row.fewest,
    }


def _headline(res: Results) -> dict[str, Any]:
    est = res.focus.estimate
    low_high = band(est.peak_bytes, res.accuracy) if est else None
    return {
        "method": res.focus.method.kind.value,
        "tp_degree": res.focus.method.tp_degree,
        "peak_bytes": est.peak_bytes if est else None,
        "peak_band_bytes": list(low_high) if low_high else None,
        "capacity_bytes": res.request.cluster.memory_bytes,
        "fits": est.fits if est else None,
        "headroom_bytes": est.headroom_bytes if est else None,
        "peak_phase": est.phase.value if est else None,
        "gpus_needed": res.gpus_needed,
    }


def plan_json(res: Results, link: str = "") -> str:
    """The whole plan: inputs, headline, per-method figures, Algorithm 1, cost rows, terms."""
    est = res.focus.estimate
    doc = {
        "link": link,
        "inputs": as_dict(res.inputs),
        "model": res.request.model.name,
        "profile": res.request.runtime.profile.value,
        "headline": _headline(res),
        "accuracy": None if res.accuracy is None else {
            "error_pct": res.accuracy.error_pct, "source": res.accuracy.source},
        "methods": plan_records(res),
        "plan": {"choice": res.plan.choice.value, "reason": res.plan.reason},
        "terms": [x.model_dump() for x in est.terms] if est else [],
        "notes": list(est.notes) if est else [],
        "cost": {"searched_up_to_gpus": COST_MAX_GPUS,
                 "rows": [_cost_record(r) for r in res.cost_rows]},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def chart_html(fig: go.Figure) -> str:
    """A standalone HTML page of the chart; plotly.js embedded so it opens offline."""
    return fig.to_html(include_plotlyjs=True, full_html=True)


def file_stem(res: Results) -> str:
    req = res.request
    model = req.model.name.split("/")[-1]
    n, b, s = req.cluster.num_gpus, req.training.batch_size, req.training.seq_len
    return f"llmem-{model}-{n}x{res.inputs.gpu}-b{b}-s{s}"
