"""`llmem cost`: what a fine-tuning run costs and how long it takes on each GPU type and count.

  llmem cost --model ID|PATH --seq-len S --batch-size B
             (--dataset-tokens T | --dataset-samples N) [--epochs E]
             [--gpu KEY ...] [--max-gpus N] [--all-counts]
             [--currency JPY --usd-rate 150] [--deadline-hours H] [--budget X]
             [--cost-basis cloud-low|cloud-high|owned] [--precision P] [--no-grad-checkpointing]
             [--utilisation METHOD=U ...] [--comm-penalty METHOD=C ...] [--fp32-fraction F]
             [--years Y] [--hours-per-month H] [--runs-per-month R] [--power-price P] [--pue X]
             [--price KEY.FIELD=VALUE ...] [--top K] [--json]
      → JSON: {currency, cost_basis, tokens, flops_per_token, rows[…], skipped[…],
               filtered_out, assumptions}
Money typed or printed is in --currency (catalog USD prices are converted at --usd-rate).
Bad input: one line on stderr naming the field and the allowed range, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from pydantic import ValidationError

from llmem_core.cost import (
    BreakEven,
    BreakEvenStatus,
    CostAssumptions,
    CostBasis,
    Job,
    PriceOverride,
    Ranking,
    RankOptions,
    rank_plans,
    table_rows,
)
from llmem_core.errors import InputError, guarded
from llmem_core.hf_config import first_error
from llmem_core.models import MethodKind, Precision, ProfileName, Runtime, Training
from llmem_core.presets import load_gpus, resolve_model

PRICE_FIELDS = {
    "cloud-low": "cloud_per_gpu_hour_low",
    "cloud-high": "cloud_per_gpu_hour_high",
    "purchase": "purchase_per_gpu",
    "power-w": "power_w",
    "tflops": "bf16_tflops_dense",
}
DEFAULT_TOP = 25


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise InputError(message)


def _add_job(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, help="preset HF id (or short name) or config.json")
    p.add_argument("--seq-len", type=int, required=True)
    p.add_argument("--batch-size", type=int, required=True, help="per data-parallel replica")
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--dataset-tokens", type=int, help="tokens per epoch (packed)")
    size.add_argument("--dataset-samples", type=int, help="samples of --seq-len tokens")
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--precision", choices=[x.value for x in Precision], default=None)
    ckpt = p.add_mutually_exclusive_group()
    ckpt.add_argument("--grad-checkpointing", dest="ckpt", action="store_true", default=None)
    ckpt.add_argument("--no-grad-checkpointing", dest="ckpt", action="store_false")
    p.add_argument("--profile", choices=[x.value for x in ProfileName], default=None)


def _add_assumptions(p: argparse.ArgumentParser) -> None:
    p.add_argument("--currency", default="USD", help="ISO code, e.g. JPY (needs --usd-rate)")
    p.add_argument("--usd-rate", type=float, default=None, help="units of --currency per USD")
    p.add_argument("--utilisation", action="append", default=[], metavar="METHOD=U")
    p.add_argument("--comm-penalty", action="append", default=[], metavar="METHOD=C")
    p.add_argument("--fp32-fraction", type=float, default=None, help="TF32 peak ÷ bf16 peak")
    p.add_argument("--years", type=float, default=None, help="amortisation years")
    p.add_argument("--hours-per-month", type=float, default=None, help="owned GPUs' use")
    p.add_argument("--runs-per-month", type=float, default=None)
    p.add_argument("--power-price", type=float, default=None, help="per kWh, in --currency")
    p.add_argument("--pue", type=float, default=None)
    p.add_argument(
        "--price",
        action="append",
        default=[],
        metavar="KEY.FIELD=VALUE",
        help=f"edit a catalog figure; FIELD: {', '.join(PRICE_FIELDS)}",
    )


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="llmem cost", description=__doc__.splitlines()[0])
    _add_job(p)
    _add_assumptions(p)
    p.add_argument("--gpu", action="append", default=[], help="catalog key (repeat); default all")
    p.add_argument("--max-gpus", type=int, default=16)
    p.add_argument(
        "--all-counts",
        action="store_true",
        help="every GPU count that fits; default: per type the fewest that pass",
    )
    p.add_argument("--deadline-hours", type=float, default=None)
    p.add_argument("--budget", type=float, default=None, help="per run, in --currency")
    p.add_argument("--cost-basis", choices=[x.value for x in CostBasis], default="cloud-low")
    p.add_argument("--top", type=int, default=DEFAULT_TOP, help="rows printed; 0 = all")
    p.add_argument("--json", action="store_true", help="print one JSON object (every row)")
    return p


def _job(args: argparse.Namespace) -> Job:
    training: dict[str, Any] = {"batch_size": args.batch_size, "seq_len": args.seq_len}
    if args.precision:
        training["precision"] = args.precision
    if args.ckpt is not None:
        training["grad_checkpointing"] = args.ckpt
    runtime = Runtime(profile=args.profile) if args.profile else Runtime()
    return Job(
        model=resolve_model(args.model),
        training=Training(**training),
        runtime=runtime,
        dataset_tokens=args.dataset_tokens,
        dataset_samples=args.dataset_samples,
        epochs=args.epochs,
    )


def _number(text: str, field: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{field}: {text!r} is not a number") from None


def _per_method(pairs: list[str], flag: str) -> dict[str, float]:
    """['tp=0.3', 'dp+tp=0.3'] → {'tp': 0.3, 'dp_tp': 0.3}."""
    out = {}
    known = [k.value for k in MethodKind]
    for pair in pairs:
        method, _, value = pair.partition("=")
        if method not in known or not value:
            raise InputError(f"{flag}: expected METHOD=VALUE with METHOD in {', '.join(known)}")
        out[method.replace("+", "_")] = _number(value, f"{flag} {method}")
    return out


def _currency(args: argparse.Namespace) -> dict[str, Any]:
    code = args.currency.upper()
    if code == "USD":
        return {"code": code, "per_usd": args.usd_rate if args.usd_rate is not None else 1.0}
    if args.usd_rate is None:
        raise InputError(f"usd-rate: give the exchange rate for {code} (units per USD, > 0)")
    return {"code": code, "per_usd": args.usd_rate}


def _assumptions(args: argparse.Namespace) -> CostAssumptions:
    given = {
        "fp32_peak_fraction": args.fp32_fraction,
        "amortisation_years": args.years,
        "owned_hours_per_month": args.hours_per_month,
        "runs_per_month": args.runs_per_month,
        "power_price_per_kwh": args.power_price,
        "pue": args.pue,
    }
    fields: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    fields["utilisation"] = _per_method(args.utilisation, "utilisation")
    fields["comm_penalty"] = _per_method(args.comm_penalty, "comm-penalty")
    fields["currency"] = _currency(args)
    return CostAssumptions.model_validate(fields)


def _edits(pairs: list[str]) -> dict[str, PriceOverride]:
    """['a100-80gb.cloud-low=1.2', …] → {'a100-80gb': PriceOverride(…)}."""
    raw: dict[str, dict[str, float]] = {}
    for pair in pairs:
        target, _, value = pair.partition("=")
        key, _, field = target.partition(".")
        if field not in PRICE_FIELDS or not key or not value:
            raise InputError(f"price: expected KEY.FIELD=VALUE, FIELD in {', '.join(PRICE_FIELDS)}")
        raw.setdefault(key.lower(), {})[PRICE_FIELDS[field]] = _number(value, f"price {target}")
    out = {}
    for key, fields in raw.items():
        try:
            out[key] = PriceOverride(**fields)
        except ValidationError as err:
            raise InputError(f"price.{key}.{first_error(err)}") from None
    return out


def _options(args: argparse.Namespace) -> RankOptions:
    return RankOptions(
        gpu_keys=tuple(args.gpu),
        max_gpus=args.max_gpus,
        all_counts=args.all_counts,
        deadline_hours=args.deadline_hours,
        budget=args.budget,
        cost_basis=args.cost_basis,
    )


def ranking_json(r: Ranking, a: CostAssumptions) -> dict[str, Any]:
    return {
        "currency": r.currency.model_dump(),
        "cost_basis": r.cost_basis.value,
        "tokens": r.tokens,
        "flops_per_token": r.flops_per_token,
        "rows": table_rows(r),
        "skipped": [s.model_dump() for s in r.skipped],
        "filtered_out": r.filtered_out,
        "assumptions": a.model_dump(mode="json"),
    }


def _money(x: float | None, code: str) -> str:
    if x is None:
        return "no price"
    return f"{code} {x:,.2f}" if x < 100 else f"{code} {x:,.0f}"


def _break_even(low: BreakEven, high: BreakEven) -> str:
    """'9–25 runs (3–8 mo)': against the high cloud price (sooner) and the low one."""
    if low.status == BreakEvenStatus.NO_PRICE and high.status == BreakEvenStatus.NO_PRICE:
        return "no price"
    if high.status != BreakEvenStatus.OK:
        return high.status.value
    if low.status != BreakEvenStatus.OK or low.runs is None or low.months is None:
        return f"{high.runs:,.0f} runs vs high; {low.status.value} vs low"
    runs = _span(high.runs, low.runs, ",.0f")
    return f"{runs} runs ({_span(high.months or 0.0, low.months, ',.1f')} mo)"


def _span(a: float, b: float, fmt: str) -> str:
    """'a–b', or one number when both print the same."""
    left, right = format(a, fmt), format(b, fmt)
    return left if left == right else f"{left}–{right}"


def _print_ranking(r: Ranking, top: int) -> None:
    code = r.currency.code
    print(
        f"{r.tokens:,.0f} tokens × {r.flops_per_token / 1e9:,.2f} GFLOP/token; "
        f"ranked by {r.cost_basis.value}; money in {code}"
    )
    print(
        f"{'gpu':<17} {'n':>3} {'method':<6} {'batch':>9} {'hours':>9} "
        f"{'cloud low–high':>27} {'owned':>14}  break-even"
    )
    shown = r.rows if top == 0 else r.rows[:top]
    for row in shown:
        c = row.cost
        cloud = f"{_money(c.cloud_low, code)} – {_money(c.cloud_high, code)}"
        flags = " ".join(
            f for f, on in (("CHEAPEST", row.cheapest), ("FASTEST", row.fastest)) if on
        )
        batch = f"{row.batch_size} (≤{row.max_batch_size})"
        be = _break_even(row.break_even_vs_cloud_low, row.break_even_vs_cloud_high)
        print(
            f"{row.gpu_key:<17} {row.num_gpus:>3} {row.method.value:<6} {batch:>9} "
            f"{row.hours:>9,.2f} {cloud:>27} {_money(c.owned_total, code):>14}  {be}  {flags}"
        )
    _print_footer(r, len(shown))


def _print_footer(r: Ranking, shown: int) -> None:
    if shown < len(r.rows):
        print(f"… {len(r.rows) - shown} more plans (--top 0 shows all)")
    for x in (x for x in r.rows[shown:] if x.cheapest or x.fastest):
        label = "CHEAPEST" if x.cheapest else "FASTEST"
        print(f"  {label}: {x.num_gpus} × {x.gpu_key} {x.method.value}, {x.hours:,.2f} h")
    if r.filtered_out:
        print(f"{r.filtered_out} plans fit but miss the deadline or budget")
    for s in r.skipped:
        print(f"skipped {s.gpu_key}: {s.reason}")


def run(argv: Sequence[str]) -> None:
    args = build_parser().parse_args(list(argv))
    assumptions = _assumptions(args)
    ranking = rank_plans(_job(args), load_gpus(), assumptions, _options(args), _edits(args.price))
    if args.json:
        print(json.dumps(ranking_json(ranking, assumptions)))
    else:
        _print_ranking(ranking, args.top)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for `llmem cost` (argv without the 'cost' word); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    return guarded("llmem cost", lambda: run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
