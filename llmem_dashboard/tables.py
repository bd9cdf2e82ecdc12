"""Table builders: Results (and the cost module's rows) → pandas DataFrames for display and
download. Pure (no streamlit).

Display tables hold formatted text in the page's language; `plan_records` holds raw numbers
(bytes, counts) for the CSV and JSON downloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from llmem_core import Breakdown, Estimate, Method, MethodKind
from llmem_core.cost import BreakEven, UnitPrices
from llmem_dashboard.compute import Results
from llmem_dashboard.i18n import (
    STRINGS,
    component_label,
    fmt_break_even,
    fmt_break_even_range,
    fmt_gib,
    fmt_hours,
    fmt_int,
    fmt_money,
    fmt_money_range,
    fmt_pct,
    method_label,
    t,
)
from llmem_dashboard.i18n_core import core_text

PLAN_MARK = "★"


def plan_table(res: Results) -> pd.DataFrame:
    """Algorithm 1's table: each method's peak at the user's batch, largest batch and score;
    a method that cannot run this job says why (the core's reason)."""
    lang, n = res.inputs.lang, res.job.cluster.num_gpus
    at_batch = {r.method.kind: r for r in res.methods}
    rows = []
    for kind, mp in res.plan.methods.items():
        row = at_batch.get(kind)
        est = row.estimate if row else None
        fits = _yes_no(est.fits, lang) if est else "—"
        rows.append(
            {
                t(lang, "t_choice"): PLAN_MARK if kind == res.plan.choice else "",
                t(lang, "t_method"): method_label(mp.method, n, lang),
                t(lang, "t_peak_batch"): fmt_gib(est.peak_bytes, lang) if est else "—",
                t(lang, "t_fits"): fits if mp.applicable else t(lang, "not_applicable"),
                t(lang, "t_max_batch"): fmt_int(mp.max_batch_size, lang) if mp.applicable else "—",
                t(lang, "t_samples"): fmt_int(mp.samples_per_step, lang) if mp.applicable else "—",
                t(lang, "t_score"): f"{mp.score:,g}" if mp.applicable else "—",
                t(lang, "t_peak_max"): fmt_gib(mp.peak_bytes_at_max, lang)
                if mp.peak_bytes_at_max
                else "—",
                t(lang, "t_note"): core_text(mp.reason, lang),  # the core's reason, translated
            }
        )
    return pd.DataFrame(rows)


def _yes_no(flag: bool, lang: str) -> str:
    return t(lang, "yes") if flag else t(lang, "no")


def short_gpu_name(name: str) -> str:
    """ "NVIDIA A100 80GB SXM4" → "A100 80GB SXM4"; drops the vendor and any (variant notes)."""
    for vendor in ("NVIDIA ", "AMD ", "Intel ", "Google "):
        name = name.removeprefix(vendor)
    return name.split(" (")[0].removeprefix("GeForce ").removeprefix("Tesla ").strip()


def _marks(row: dict[str, Any], mine: tuple[str, int], lang: str) -> str:
    flags = [
        ("mk_mine", (row["gpu_key"], row["num_gpus"]) == mine),
        ("mk_cheapest", row["cheapest"]),
        ("mk_fastest", row["fastest"]),
    ]
    return " · ".join(t(lang, key) for key, on in flags if on)


def _method(row: dict[str, Any], lang: str) -> str:
    method = Method(kind=MethodKind(row["method"]), tp=row["tp"])
    return method_label(method, row["num_gpus"], lang)


def _floor_break_even(row: dict[str, Any], years: float, lang: str) -> str:
    """Against the cheapest interruptible or marketplace listing ("none listed" without)."""
    if row["interruptible"] is None:
        return t(lang, "no_listing")
    b = _break_even_of(row, "vs_interruptible")
    return fmt_break_even(b.status.value, b.runs, b.months, b.within_amortisation, years, lang)


def _break_even_of(row: dict[str, Any], suffix: str) -> BreakEven:
    """A row's break-even against one rent, back as the core's model (for its formatter)."""
    return BreakEven(
        status=row[f"break_even_status_{suffix}"],
        runs=row[f"break_even_runs_{suffix}"],
        months=row[f"break_even_months_{suffix}"],
        within_amortisation=row[f"pays_off_within_amortisation_{suffix}"],
    )


def _on_demand_break_even(row: dict[str, Any], years: float, lang: str) -> str:
    """Against on-demand rent, a range: the dearest listing first, the cheapest second."""
    soonest = _break_even_of(row, "vs_on_demand_high")
    return fmt_break_even_range(soonest, _break_even_of(row, "vs_on_demand_low"), years, lang)


def interruptions_clause(factor: float, counted: bool, lang: str) -> str:
    """ "with interruptions, +6 % time" (the floor's expected cost), or that they are not
    counted (the user turned them off)."""
    if not counted:
        return t(lang, "floor_listed")
    return t(lang, "floor_interrupts", pct=fmt_pct(factor - 1, lang))


def floor_money(amount: float | None, code: str, lang: str) -> str:
    """An interruptible or marketplace figure (a price or a run's cost): "none listed" where
    the catalog names no such listing (not "no price": the GPU may still have other prices)."""
    return t(lang, "no_listing") if amount is None else fmt_money(amount, code, lang)


def cost_table(
    rows: Sequence[dict[str, Any]], lang: str, mine: tuple[str, int] = ("", 0), years: float = 3.0
) -> pd.DataFrame:
    """The cost module's table_rows as the page shows them: one plan per row, formatted in the
    page's language and the rows' currency; "no price" where a price is unknown (never 0).
    `mine` = (GPU key, count) of the user's plan; `years` = the amortisation period."""
    out = []
    for row in rows:
        code = row["currency"]
        edited = f" ({t(lang, 'mk_edited')})" if row["prices_edited"] else ""
        out.append(
            {
                t(lang, "ct_note"): _marks(row, mine, lang),
                t(lang, "ct_gpu"): short_gpu_name(row["gpu_name"]),
                t(lang, "ct_count"): fmt_int(row["num_gpus"], lang),
                t(lang, "ct_method"): _method(row, lang),
                t(lang, "ct_max_batch"): fmt_int(row["max_batch_size"], lang),
                t(lang, "ct_time"): fmt_hours(row["hours"], lang),
                t(lang, "ct_tps"): fmt_int(round(row["tokens_per_second"]), lang),
                t(lang, "ct_link"): _link(row, lang),
                t(lang, "ct_purchase"): fmt_money(row["purchase_total"], code, lang, True),
                t(lang, "ct_on_demand"): fmt_money_range(
                    row["on_demand_low"], row["on_demand_high"], code, lang
                ),
                t(lang, "ct_floor"): floor_money(row["interruptible_expected"], code, lang),
                t(lang, "ct_owned"): fmt_money(row["owned_total"], code, lang),
                t(lang, "ct_be_on_demand"): _on_demand_break_even(row, years, lang),
                t(lang, "ct_be_floor"): _floor_break_even(row, years, lang),
                t(lang, "ct_as_of"): row["prices_as_of"] + edited,
            }
        )
    return pd.DataFrame(out, columns=[t(lang, k) for k in COST_COLUMNS])


COST_COLUMNS = (
    "ct_note",
    "ct_gpu",
    "ct_count",
    "ct_method",
    "ct_time",
    "ct_tps",
    "ct_on_demand",
    "ct_floor",
    "ct_purchase",
    "ct_owned",
    "ct_be_on_demand",
    "ct_be_floor",
    "ct_max_batch",
    "ct_link",
    "ct_as_of",
)


def _link(row: dict[str, Any], lang: str) -> str:
    """How the plan's GPUs talk: a fabric or PCIe, one server or several (the core's)."""
    link = t(lang, "link_fabric" if row["fabric"] else "link_pcie")
    return link if row["nodes"] == 1 else t(lang, "link_nodes", link=link, n=row["nodes"])


def price_table(prices: Sequence[UnitPrices], lang: str) -> pd.DataFrame:
    """The effective prices of the compared GPUs (catalog, converted, with the user's edits),
    each with its source and date."""
    rows = []
    for p in prices:
        code = p.currency
        rows.append(
            {
                t(lang, "pt_gpu"): short_gpu_name(p.gpu_name),
                t(lang, "pt_on_demand"): fmt_money_range(
                    p.on_demand_per_gpu_hour_low, p.on_demand_per_gpu_hour_high, code, lang
                ),
                t(lang, "pt_floor"): _floor_price(p, lang),
                t(lang, "pt_low"): fmt_money(p.cloud_per_gpu_hour_low, code, lang),
                t(lang, "pt_high"): fmt_money(p.cloud_per_gpu_hour_high, code, lang),
                t(lang, "pt_buy"): fmt_money(p.purchase_per_gpu, code, lang),
                t(lang, "pt_watts"): fmt_int(round(p.power_w), lang) if p.power_w else "—",
                t(lang, "pt_edited"): ", ".join(_edit_name(f, lang) for f in p.edited),
                t(lang, "pt_as_of"): p.as_of,
                t(lang, "pt_cloud_source"): core_text(p.cloud_source, lang),
                t(lang, "pt_buy_source"): core_text(p.purchase_source, lang),
            }
        )
    return pd.DataFrame(rows)


def _floor_price(p: UnitPrices, lang: str) -> str:
    """ "$1.47 (marketplace, kind not stated)", or "none listed"."""
    money = floor_money(p.interruptible_per_gpu_hour, p.currency, lang)
    kind = p.interruptible_kind  # None: none listed, or an edit where the catalog has none
    if p.interruptible_per_gpu_hour is None or kind is None:
        return money
    return f"{money} ({t(lang, f'kind_{kind.value}')})"


def price_placeholders(catalog: Sequence[UnitPrices], lang: str) -> dict[str, dict[str, str]]:
    """Per GPU, its catalog figures as the price editor's empty fields show them, by
    PriceOverride field."""
    return {p.gpu_key: _placeholders(p, lang) for p in catalog}


def _placeholders(p: UnitPrices, lang: str) -> dict[str, str]:
    def money(value: float | None) -> str:
        return fmt_money(value, p.currency, lang)

    return {
        "cloud_per_gpu_hour_low": money(p.cloud_per_gpu_hour_low),
        "cloud_per_gpu_hour_high": money(p.cloud_per_gpu_hour_high),
        "purchase_per_gpu": money(p.purchase_per_gpu),
        "power_w": f"{p.power_w:g} W" if p.power_w else t(lang, "no_price"),
        "on_demand_per_gpu_hour_low": money(p.on_demand_per_gpu_hour_low),
        "on_demand_per_gpu_hour_high": money(p.on_demand_per_gpu_hour_high),
        "interruptible_per_gpu_hour": floor_money(p.interruptible_per_gpu_hour, p.currency, lang),
    }


def _edit_name(field: str, lang: str) -> str:
    """A PriceOverride field as the "Your edits" column names it, in the page's language."""
    key = f"edit_{field}"
    return t(lang, key) if key in STRINGS else field


def assumptions_table(est: Estimate, lang: str) -> pd.DataFrame:
    """Every term of the estimate: which part, its name, formula, value and source (a term's
    bytes are its component's: the core keeps one static description per component)."""
    return pd.DataFrame(
        [
            {
                t(lang, "t_part"): component_label(term.component, lang),
                t(lang, "t_term"): core_text(term.name, lang),
                t(lang, "t_formula"): term.formula,
                t(lang, "t_value"): fmt_gib(getattr(est.components, term.component), lang, 2),
                t(lang, "t_source"): core_text(term.source, lang),
            }
            for term in est.terms
        ]
    )


def plan_records(res: Results) -> list[dict[str, Any]]:
    """Raw numbers per method (for CSV/JSON): peak and parts at the user's batch, plan figures."""
    req = res.request
    records = []
    for row in res.methods:
        mp = res.plan.methods.get(row.method.kind)
        est = row.estimate
        record: dict[str, Any] = {
            "method": row.method.kind.value,
            "tp": row.method.tp,
            "num_gpus": req.cluster.num_gpus,
            "batch_size": req.training.batch_size,
            "seq_len": req.training.seq_len,
            "capacity_bytes": req.cluster.memory_bytes,
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
            "recommended": row.method.kind == res.plan.choice,
            "error": row.error,
        }
        records.append(record)
    return records
