"""Time and money of a fine-tuning run (issue #5): how long it takes on each GPU type and
count, what it costs in the cloud and on owned hardware, when buying beats renting.

The public surface:
    CostSpec(...).assumptions() / .options() / .run(job)           the question, by the CLI's names
    rank_plans(run, gpus, assumptions, options, edits) -> Ranking   every plan, flagged, filtered
    include(ranking, rows, options) -> Ranking                        more plans, marked again
    table_rows(ranking), chart_points(ranking)                       dicts for a table / a chart
    price_table(gpus, edits, currency) -> (UnitPrices, …)           the catalog's prices, edited
    run_time(run, bf16_tflops, n, method, assumptions) -> RunTime     one plan's hours
    run_cost(hours, n, prices, assumptions) -> RunCost                one plan's money
    break_even(cloud, energy, purchase, hours, assumptions, against) -> BreakEven
    break_evens_by_kind(cost, hours, assumptions) -> vs on-demand low, high, interruptible
    hardware_flops_per_token(arch, seq_len, checkpointing)            PaLM appendix B
Inputs: Run, CostAssumptions (+ Currency; per-method values keyed by MethodKind),
PriceOverride, RankOptions (+ CostBasis). RentPrice names the rent a break-even assumes.
Formulas, heuristics and sources: docs/cost.md.
"""

from llmem_core.cost.duration import peak_flops, run_time, training_hours
from llmem_core.cost.flops import (
    attention_flops_per_token,
    hardware_flops_per_token,
    matmul_params,
    model_flops_per_token,
)
from llmem_core.cost.inputs import (
    CostAssumptions,
    CostBasis,
    Currency,
    PriceOverride,
    RankOptions,
    Run,
)
from llmem_core.cost.interconnect import Link, Topology, link_of, nodes, over_fabric, topology
from llmem_core.cost.money import (
    amortisation_per_gpu_hour,
    break_even,
    break_evens,
    break_evens_by_kind,
    energy_kwh,
    price_table,
    run_cost,
    unit_prices,
)
from llmem_core.cost.rank import best_method, include, rank_plans
from llmem_core.cost.results import (
    BreakEven,
    BreakEvenStatus,
    CostRow,
    Ranking,
    RentPrice,
    RunCost,
    RunTime,
    Skipped,
    SkipReason,
    UnitPrices,
)
from llmem_core.cost.spec import CostSpec
from llmem_core.cost.table import chart_points, table_rows

__all__ = [
    "BreakEven",
    "BreakEvenStatus",
    "CostAssumptions",
    "CostBasis",
    "CostRow",
    "CostSpec",
    "Currency",
    "Link",
    "PriceOverride",
    "RankOptions",
    "Ranking",
    "RentPrice",
    "Run",
    "RunCost",
    "RunTime",
    "SkipReason",
    "Skipped",
    "Topology",
    "UnitPrices",
    "amortisation_per_gpu_hour",
    "attention_flops_per_token",
    "best_method",
    "break_even",
    "break_evens",
    "break_evens_by_kind",
    "chart_points",
    "energy_kwh",
    "hardware_flops_per_token",
    "include",
    "link_of",
    "matmul_params",
    "model_flops_per_token",
    "nodes",
    "over_fabric",
    "peak_flops",
    "price_table",
    "rank_plans",
    "run_cost",
    "run_time",
    "table_rows",
    "topology",
    "training_hours",
    "unit_prices",
]
