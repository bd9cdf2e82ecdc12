"""Rows ready for a table and points ready for a chart: plain dicts of numbers and strings,
one per plan, with stable column names. Formatting (units, currency symbols) stays with the
front end; money is in `currency`, time in hours, memory in bytes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from llmem_core.cost.rank import basis_cost
from llmem_core.cost.results import BreakEven, CostRow, Ranking


def _break_even_columns(suffix: str, b: BreakEven) -> dict[str, Any]:
    return {
        f"break_even_status_{suffix}": b.status.value,
        f"break_even_runs_{suffix}": b.runs,
        f"break_even_months_{suffix}": b.months,
        f"pays_off_within_amortisation_{suffix}": b.within_amortisation,
    }


def _value(kind: StrEnum | None) -> str | None:
    return None if kind is None else kind.value


def _runs_per_month(row: CostRow) -> float | None:
    """The months' assumption of the row's break-evens (None when none has a price)."""
    kinds = (row.break_even_vs_cloud_high, row.break_even_vs_on_demand_high)
    return next((b.runs_per_month for b in kinds if b.runs_per_month is not None), None)


def table_row(row: CostRow, currency: str) -> dict[str, Any]:
    """One plan as a flat record (pandas.DataFrame(table_rows(r)) gives the table)."""
    t, c = row.time, row.cost
    return {
        "gpu_key": row.gpu_key,
        "gpu_name": row.gpu_name,
        "num_gpus": row.num_gpus,
        "method": row.method.value,
        "tp": row.tp,
        "data_parallel": row.data_parallel,
        "batch_size": row.batch_size,
        "max_batch_size": row.max_batch_size,
        "samples_per_step": row.samples_per_step,
        "peak_bytes": row.peak_bytes,
        "capacity_bytes": row.capacity_bytes,
        "utilisation": t.utilisation,
        "comm_penalty": t.comm_penalty,
        "hours": t.hours,
        "tokens_per_second": t.tokens_per_second,
        "fabric": row.fabric,
        "nodes": row.nodes,
        "gpu_hours": c.gpu_hours,
        "currency": currency,
        "cloud_low": c.cloud_low,
        "cloud_high": c.cloud_high,
        "on_demand_low": c.on_demand_low,
        "on_demand_high": c.on_demand_high,
        "interruptible": c.interruptible,
        "interruptible_kind": _value(row.prices.interruptible_kind),
        "interruption_factor": c.interruption_factor,
        "interruptible_hours": row.interruptible_hours,
        "interruptible_expected": c.interruptible_expected,
        "owned_total": c.owned_total,
        "purchase_total": c.purchase_total,
        "purchase_gpus": c.purchase_gpus,
        "purchase_nodes": c.purchase_nodes,
        "owned_amortisation": c.owned_amortisation,
        "owned_energy": c.owned_energy,
        "energy_kwh": c.energy_kwh,
        **_break_even_columns("vs_cloud_low", row.break_even_vs_cloud_low),
        **_break_even_columns("vs_cloud_high", row.break_even_vs_cloud_high),
        **_break_even_columns("vs_on_demand_low", row.break_even_vs_on_demand_low),
        **_break_even_columns("vs_on_demand_high", row.break_even_vs_on_demand_high),
        **_break_even_columns("vs_interruptible", row.break_even_vs_interruptible),
        "runs_per_month": _runs_per_month(row),
        "prices_as_of": row.prices.as_of,
        "prices_edited": ",".join(row.prices.edited),
        "cheapest": row.cheapest,
        "fastest": row.fastest,
    }


def table_rows(ranking: Ranking) -> list[dict[str, Any]]:
    """Every plan of the ranking, in its order (cheapest first)."""
    return [table_row(r, ranking.currency.code) for r in ranking.rows]


def chart_points(ranking: Ranking) -> list[dict[str, Any]]:
    """Cost against time, one point per plan that has a price on the ranking's basis:
    x = hours, y = that cost, y_low / y_high = the cloud range (error bar), a label."""
    points = []
    for r in ranking.rows:
        y = basis_cost(r, ranking.cost_basis)
        if y is None:
            continue
        points.append(
            {
                "label": f"{r.num_gpus} × {r.gpu_key} ({r.method.value})",
                "gpu_key": r.gpu_key,
                "num_gpus": r.num_gpus,
                "hours": r.hours,
                "cost": y,
                "cost_low": r.cost.cloud_low,
                "cost_high": r.cost.cloud_high,
                "cost_on_demand_low": r.cost.on_demand_low,
                "cost_on_demand_high": r.cost.on_demand_high,
                "cost_interruptible": r.cost.interruptible,
                "cost_interruptible_expected": r.cost.interruptible_expected,
                "cheapest": r.cheapest,
                "fastest": r.fastest,
            }
        )
    return points
