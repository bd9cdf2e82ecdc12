"""`llmem cost`: what a fine-tuning run costs and how long it takes on each GPU type and count.

  llmem cost --model ID|PATH --seq-len S --batch-size B
             (--dataset-tokens T | --dataset-samples N) [--epochs E]
             [--gpu KEY ...] [--max-gpus N] [--all-counts]
             [--currency JPY --usd-rate 150] [--deadline-hours H] [--budget X]
             [--cost-basis cloud-low|cloud-high|on-demand|owned]
             [--precision P] [--no-grad-checkpointing]
             [--utilisation METHOD=U ...] [--comm-penalty METHOD=C ...] [--fp32-fraction F]
             [--years Y] [--hours-per-month H] [--runs-per-month R] [--power-price P] [--pue X]
             [--hours-between-interruptions H] [--checkpoint-minutes M] [--restart-minutes M]
             [--no-interruptions]
             [--price KEY.FIELD=VALUE ...] [--top K] [--json]
      → JSON: {currency, cost_basis, tokens, flops_per_token, rows[…], skipped[…],
               filtered_out, assumptions}
Money typed or printed is in --currency (catalog USD prices are converted at --usd-rate).
"""

from __future__ import annotations

import argparse
from typing import Any

from pydantic import Field

from llmem_core.cli.calibration import calibration_json, store_calibrations
from llmem_core.cli.options import add_json, add_model, add_training, given, plan_spec, require
from llmem_core.cli.output import emit
from llmem_core.cost import (
    BreakEven,
    BreakEvenStatus,
    CostAssumptions,
    CostBasis,
    CostSpec,
    Ranking,
    rank_plans,
    table_rows,
)
from llmem_core.errors import InputError
from llmem_core.models import Frozen, MethodKind
from llmem_core.presets import load_gpus

NAME = "cost"
HELP = "time and cost per run on each GPU type and count"
PRICE_FIELDS = {  # --price KEY.FIELD=VALUE → PriceOverride's field
    "cloud-low": "cloud_per_gpu_hour_low",
    "cloud-high": "cloud_per_gpu_hour_high",
    "on-demand-low": "on_demand_per_gpu_hour_low",
    "on-demand-high": "on_demand_per_gpu_hour_high",
    "interruptible": "interruptible_per_gpu_hour",
    "purchase": "purchase_per_gpu",
    "power-w": "power_w",
    "tflops": "bf16_tflops_dense",
}


class CostOutput(Frozen):
    top: int = Field(default=25, ge=1, le=100_000, description="rows printed")


def configure(p: argparse.ArgumentParser) -> None:
    add_model(p)
    add_training(p)
    size = p.add_mutually_exclusive_group()
    size.add_argument("--dataset-tokens", help="tokens per epoch (packed)")
    size.add_argument("--dataset-samples", help="samples of --seq-len tokens")
    p.add_argument("--epochs", help="passes over the data (default 1)")
    p.add_argument("--currency", help="ISO code, e.g. JPY (needs --usd-rate)")
    p.add_argument("--usd-rate", help="units of --currency per USD")
    methods = ", ".join(MethodKind)
    p.add_argument(
        "--utilisation",
        action="append",
        metavar="METHOD=U",
        help=f"hardware FLOPs utilisation, METHOD in {methods}",
    )
    p.add_argument(
        "--comm-penalty",
        action="append",
        metavar="METHOD=C",
        help="fraction of step time lost to communication",
    )
    p.add_argument("--fp32-fraction", help="TF32 peak ÷ bf16 peak")
    p.add_argument("--years", help="amortisation years")
    p.add_argument("--hours-per-month", help="hours a month owned GPUs run")
    p.add_argument("--runs-per-month", help="runs a month on owned GPUs")
    p.add_argument("--power-price", help="per kWh, in --currency")
    p.add_argument("--pue", help="facility power ÷ GPU power")
    p.add_argument(
        "--hours-between-interruptions",
        help="the floor's listing: a server's mean hours between interruptions (default 24)",
    )
    p.add_argument("--checkpoint-minutes", help="writing one checkpoint (default 2)")
    p.add_argument("--restart-minutes", help="getting going again after one (default 10)")
    p.add_argument(
        "--no-interruptions",
        dest="count_interruptions",
        action="store_false",
        default=None,
        help="price the floor's listing as if never interrupted",
    )
    p.add_argument(
        "--price",
        action="append",
        metavar="KEY.FIELD=VALUE",
        help=f"edit a catalog figure; FIELD: {', '.join(PRICE_FIELDS)}",
    )
    p.add_argument("--gpu", action="append", help="catalog key (repeat); default all")
    p.add_argument("--max-gpus", help="largest count tried per GPU type (default 16)")
    p.add_argument(
        "--all-counts",
        action="store_true",
        default=None,
        help="every GPU count that fits; default: per type the fewest that pass",
    )
    p.add_argument("--deadline-hours", help="longest acceptable run")
    p.add_argument("--budget", help="per run, in --currency")
    p.add_argument("--cost-basis", help=" | ".join(CostBasis) + " (default cloud-low)")
    p.add_argument("--top", help="rows printed (default 25; the JSON has every row)")
    add_json(p)


def _pairs(pairs: list[str] | None, field: str) -> dict[str, str]:
    """['tp=0.3', 'dp+tp=0.3'] → {'tp': '0.3', 'dp+tp': '0.3'} (values checked by CostSpec)."""
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            raise InputError(
                field,
                f"expected METHOD=VALUE with METHOD in {', '.join(MethodKind)} (got {pair[:60]!r})",
            )
        out[key] = value
    return out


def _prices(pairs: list[str] | None) -> dict[str, dict[str, str]]:
    """['a100-80gb.cloud-low=1.2', …] → {'a100-80gb': {'cloud_per_gpu_hour_low': '1.2'}}."""
    out: dict[str, dict[str, str]] = {}
    for pair in pairs or []:
        target, _, value = pair.partition("=")
        key, _, field = target.partition(".")
        if field not in PRICE_FIELDS or not key or not value:
            raise InputError(
                "price",
                f"expected KEY.FIELD=VALUE with FIELD in "
                f"{', '.join(PRICE_FIELDS)} (got {pair[:60]!r})",
            )
        out.setdefault(key.lower(), {})[PRICE_FIELDS[field]] = value
    return out


def cost_spec(args: argparse.Namespace) -> CostSpec:
    fields: dict[str, Any] = given(args, CostSpec)
    fields["utilisation"] = _pairs(args.utilisation, "utilisation")
    fields["comm_penalty"] = _pairs(args.comm_penalty, "comm_penalty")
    fields["price"] = _prices(args.price)
    fields["gpu"] = tuple(args.gpu or ())
    return CostSpec(**fields)


def ranking_json(r: Ranking, a: CostAssumptions) -> dict[str, Any]:
    return {
        "currency": r.currency.model_dump(),
        "cost_basis": r.cost_basis.value,
        "tokens": r.tokens,
        "flops_per_token": r.flops_per_token,
        "rows": [
            row | {"calibration": calibration_json(plan.calibration)}
            for row, plan in zip(table_rows(r), r.rows, strict=True)
        ],
        "skipped": [s.model_dump(mode="json") for s in r.skipped],
        "filtered_out": r.filtered_out,
        "assumptions": a.model_dump(mode="json"),
    }


def _money(x: float | None, code: str) -> str:
    if x is None:
        return "no price"
    return f"{code} {x:,.2f}" if x < 100 else f"{code} {x:,.0f}"


def _span(a: float, b: float, fmt: str) -> str:
    """'a–b', or one number when both print the same."""
    left, right = format(a, fmt), format(b, fmt)
    return left if left == right else f"{left}–{right}"


def _break_even(low: BreakEven, high: BreakEven) -> str:
    """'9–25 runs (3–8 mo)': against the dearer rent (sooner) and the cheaper one."""
    if low.status == BreakEvenStatus.NO_PRICE and high.status == BreakEvenStatus.NO_PRICE:
        return "no price"
    if high.status != BreakEvenStatus.OK:
        return high.status.value
    if low.status != BreakEvenStatus.OK or low.runs is None or low.months is None:
        return f"{high.runs:,.0f} runs vs high; {low.status.value} vs low"
    runs = _span(high.runs or 0.0, low.runs, ",.0f")
    return f"{runs} runs ({_span(high.months or 0.0, low.months, ',.1f')} mo)"


def _one_break_even(b: BreakEven) -> str:
    if b.status != BreakEvenStatus.OK or b.runs is None or b.months is None:
        return b.status.value
    return f"{b.runs:,.0f} runs ({b.months:,.1f} mo)"


def _money_range(low: float | None, high: float | None, code: str) -> str:
    if low is None or high is None:
        return "no price"
    left, right = _money(low, code), _money(high, code)
    return left if left == right else f"{left} – {right}"


def ranking_text(r: Ranking, top: int, a: CostAssumptions) -> str:
    code = r.currency.code
    lines = [
        f"{r.tokens:,.0f} tokens × {r.flops_per_token / 1e9:,.2f} GFLOP/token; "
        f"ranked by {r.cost_basis.value}; money in {code}",
        f"{'gpu':<17} {'n':>3} {'method':<6} {'batch':>9} {'hours':>9} "
        f"{'on-demand low–high':>27} {'interruptible':>14} {'owned':>14}  "
        "break-even vs on-demand (dearest–cheapest) | vs interruptible",
    ]
    shown = r.rows[:top]
    for row in shown:
        c = row.cost
        on_demand = _money_range(c.on_demand_low, c.on_demand_high, code)
        flags = " ".join(
            f for f, on in (("CHEAPEST", row.cheapest), ("FASTEST", row.fastest)) if on
        )
        batch = f"{row.batch_size} (≤{row.max_batch_size})"
        be = _break_even(row.break_even_vs_on_demand_low, row.break_even_vs_on_demand_high)
        floor = _one_break_even(row.break_even_vs_interruptible)
        lines.append(
            f"{row.gpu_key:<17} {row.num_gpus:>3} {row.method.value:<6} {batch:>9} "
            f"{row.hours:>9,.2f} {on_demand:>27} {_money(c.interruptible_expected, code):>14} "
            f"{_money(c.owned_total, code):>14}  {be} | {floor}  {flags}"
        )
    return "\n".join(lines + _footer(r, len(shown), a))


def _interruptions(a: CostAssumptions) -> str:
    if not a.count_interruptions:
        return "its interruptions not counted (--no-interruptions)"
    return (
        "its expected cost with an interruption per server every "
        f"{a.hours_between_interruptions:g} h on average, "
        f"{a.checkpoint_minutes:g} min checkpoints, {a.restart_minutes:g} min restarts "
        "(heuristics: --hours-between-interruptions, "
        "--checkpoint-minutes, --restart-minutes; waiting for capacity not counted)"
    )


def _footer(r: Ranking, shown: int, a: CostAssumptions) -> list[str]:
    lines = []
    if shown < len(r.rows):
        lines.append(f"… {len(r.rows) - shown} more plans (--top N shows more; --json all)")
    for x in (x for x in r.rows[shown:] if x.cheapest or x.fastest):
        label = "CHEAPEST" if x.cheapest else "FASTEST"
        lines.append(f"  {label}: {x.num_gpus} × {x.gpu_key} {x.method.value}, {x.hours:,.2f} h")
    if r.filtered_out:
        lines.append(f"{r.filtered_out} plans fit but miss the deadline or budget")
    lines.append(
        f"interruptible = the cheapest interruptible or marketplace listing, {_interruptions(a)}; "
        "months assume owned GPUs run this job back to back (--hours-per-month, --runs-per-month)"
    )
    lines += [f"skipped {s.gpu_key}: {s.reason}" for s in r.skipped]
    return lines


def run(args: argparse.Namespace) -> int:
    plan = plan_spec(args, "seq_len", "batch_size", exclude=("gpu",))  # --gpu: the types ranked
    if args.dataset_tokens is None and args.dataset_samples is None:
        require(args, CostSpec, "dataset_tokens")
    spec, output = cost_spec(args), CostOutput(**given(args, CostOutput))
    assumptions, cals = spec.assumptions(), store_calibrations(args)
    run = spec.run(plan)
    run = run.model_copy(update={"runtime": run.runtime.model_copy(update={"calibration": cals})})
    ranking = rank_plans(run, load_gpus(), assumptions, spec.options(), spec.edits())
    data = ranking_json(ranking, assumptions)
    return emit(args, data, lambda: ranking_text(ranking, output.top, assumptions))
