"""Table builders: Results → pandas DataFrames for display and download. Pure (no streamlit).

Display tables hold formatted text in the page's language; `plan_records` holds raw numbers
(bytes, counts) for the CSV and JSON downloads.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.compute import CostRow, Results
from dashboard.i18n import (
    component_label,
    fmt_gib,
    fmt_int,
    fmt_usd,
    fmt_usd_range,
    method_label,
    t,
)
from llmem_core.models import Breakdown, Estimate

PLAN_MARK = "★"


def plan_table(res: Results) -> pd.DataFrame:
    """Algorithm 1's table: each method's peak at the user's batch, largest batch and score."""
    lang, n = res.inputs.lang, res.request.cluster.num_gpus
    at_batch = {r.method: r for r in res.methods}
    rows = []
    for mp in res.plan.methods:
        row = at_batch.get(mp.method)
        est = row.estimate if row else None
        chosen = mp.method.kind.value == res.plan.choice.value
        rows.append({
            t(lang, "t_choice"): PLAN_MARK if chosen else "",
            t(lang, "t_method"): method_label(mp.method, n, lang),
            t(lang, "t_peak_batch"): fmt_gib(est.peak_bytes, lang) if est else "—",
            t(lang, "t_fits"): _yes_no(est.fits, lang) if est else "—",
            t(lang, "t_max_batch"): fmt_int(mp.max_batch_size, lang),
            t(lang, "t_samples"): fmt_int(mp.samples_per_step, lang),
            t(lang, "t_score"): f"{mp.score:,g}",
            t(lang, "t_peak_max"): fmt_gib(mp.peak_bytes_at_max, lang)
            if mp.peak_bytes_at_max else "—",
        })
    return pd.DataFrame(rows)


def _yes_no(flag: bool, lang: str) -> str:
    return t(lang, "yes") if flag else t(lang, "no")


def _notes(row: CostRow, lang: str) -> str:
    flags = [("t_selected", row.selected), ("t_cheapest", row.cheapest), ("t_fewest", row.fewest)]
    return ", ".join(t(lang, key) for key, on in flags if on)


def cost_table(rows: tuple[CostRow, ...], lang: str, max_gpus: int) -> pd.DataFrame:
    """One row per catalog GPU: GPUs needed, method there, hourly cloud range, list price."""
    out = []
    for row in rows:
        found = row.count is not None
        out.append({
            t(lang, "t_gpu"): row.gpu.name,
            t(lang, "t_memory"): fmt_gib(row.gpu.memory_bytes, lang, 0),
            t(lang, "t_count"): fmt_int(row.count, lang) if found
            else t(lang, "m_more_than", n=max_gpus),
            t(lang, "t_method"): method_label(row.method, row.count, lang)
            if found and row.method else "—",
            t(lang, "t_batch_there"): fmt_int(row.batch, lang) if found else "—",
            t(lang, "t_cloud"): fmt_usd_range(row.cloud_usd_per_hour_low,
                                              row.cloud_usd_per_hour_high, lang) if found else "—",
            t(lang, "t_purchase"): fmt_usd(row.purchase_usd, lang) if found else "—",
            t(lang, "t_as_of"): row.gpu.as_of,
            t(lang, "t_note"): _notes(row, lang),
        })
    return pd.DataFrame(out)


def assumptions_table(est: Estimate, lang: str) -> pd.DataFrame:
    """Every term of the estimate: which part, its name, formula, value and source (a term's
    bytes are its component's: the core keeps one static description per component)."""
    return pd.DataFrame([
        {
            t(lang, "t_part"): component_label(term.component, lang),
            t(lang, "t_term"): term.name,
            t(lang, "t_formula"): term.formula,
            t(lang, "t_value"): fmt_gib(getattr(est.components, term.component), lang, 2),
            t(lang, "t_source"): term.source,
        }
        for term in est.terms
    ])


def plan_records(res: Results) -> list[dict[str, Any]]:
    """Raw numbers per method (for CSV/JSON): peak and parts at the user's batch, plan figures."""
    at_max = {m.method: m for m in res.plan.methods}
    records = []
    for row in res.methods:
        mp = at_max.get(row.method)
        est = row.estimate
        record: dict[str, Any] = {
            "method": row.method.kind.value,
            "tp_degree": row.method.tp_degree,
            "num_gpus": res.request.cluster.num_gpus,
            "batch_size": res.request.training.batch_size,
            "seq_len": res.request.training.seq_len,
            "capacity_bytes": res.request.cluster.memory_bytes,
            "peak_bytes": est.peak_bytes if est else None,
            "fits": est.fits if est else None,
            "headroom_bytes": est.headroom_bytes if est else None,
        }
        for part in Breakdown.model_fields:
            record[f"{part}_bytes"] = getattr(est.components, part) if est else None
        record |= {
            "max_batch_size": mp.max_batch_size if mp else None,
            "samples_per_step": mp.samples_per_step if mp else None,
            "score": mp.score if mp else None,
            "recommended": row.method.kind.value == res.plan.choice.value,
            "error": row.error,
        }
        records.append(record)
    return records
