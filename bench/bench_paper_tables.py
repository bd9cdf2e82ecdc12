"""The `paper` profile next to the LLMem paper's own tables (tests/fixtures/paper/).

Prints Table 2 (single GPU: the authors' estimate, DNNMem's and the measured peak, beside the
profile's largest batch and its peak there — the paper does not publish its batches), Table 3
(4 × V100-16GB, sequence 512: each method's time or OOM in the paper beside the profile's
largest batch, and the method chosen), the agreement counts, and how they move with m_base,
the one input the paper measures and does not print.
Run: .venv/bin/python bench/bench_paper_tables.py
"""

from __future__ import annotations

from pathlib import Path

from llmem_core import paper_tables as pt
from llmem_core.models import MethodKind

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "paper"
COLUMNS = {MethodKind.ADP: "4DP", MethodKind.DP_TP: "2DP+2TP", MethodKind.TP: "4TP"}
SCAN_MIB = range(0, 4001, 10)  # m_base values tried; the printout keeps the changes


def table_2() -> None:
    setting, rows = pt.load_single_gpu(FIXTURES / "table2_single_gpu.json")
    print("Table 2, one V100-16GB, sequence 512 (MiB; the paper's batch is not published)")
    print(f"{'model':<14} {'LLMem':>7} {'DNNMem':>7} {'measured':>9}   {'profile':>8} {'at bs':>6}")
    for row in rows:
        got = pt.single_gpu(setting, row)
        peak = f"{got.peak_mib:8,.0f}" if got.peak_mib else "     OOM"
        print(
            f"{row.paper_name:<14} {row.llmem_mib:>7,} {row.dnnmem_mib:>7,} "
            f"{row.measured_mib:>9,}   {peak} {got.batch:>6}"
        )


def _cell(row: pt.SelectionRow, got: pt.SelectionResult, kind: MethodKind) -> str:
    paper = f"{row.seconds[kind]:,}s" if row.ran[kind] else "OOM"
    mine = str(got.batches[kind]) if got.applicable[kind] else "n/a"
    mark = " " if got.fits(kind) == row.ran[kind] else "✗"
    return f"{paper:>7} {mine:>3}{mark}"


def _name(kind: MethodKind | None) -> str:
    return "offload" if kind is None else str(kind)


def table_3(m_base_mib: int | None = None) -> pt.Agreement:
    setting, rows = pt.load_selection(FIXTURES / "table3_method_selection.json")
    results = [pt.selection(setting, row, m_base_mib) for row in rows]
    if m_base_mib is None:
        print("\nTable 3, 4 × V100-16GB, sequence 512: paper (time or OOM) and profile (bs)")
        head = "".join(f"{name:>13}" for name in COLUMNS.values())
        print(f"{'model':<14}{head}   {'paper':>7} {'profile':>8}")
        for got in results:
            row = got.row
            cells = " ".join(_cell(row, got, kind) for kind in COLUMNS)
            mark = " " if got.same_choice else "✗"
            choices = f"{_name(row.selected):>7} {_name(got.choice):>7}{mark}"
            print(f"{row.paper_name:<14} {cells}   {choices}")
    return pt.agreement(results)


def main() -> None:
    table_2()
    total = table_3()
    print(
        f"\ndefault m_base (512 MiB): method as the paper's for {total.choices} of "
        f"{total.models} models, {total.cells} of {total.cells_total} OOM/ran cells"
    )
    print("\nagreement as m_base grows (MiB; only where it changes)")
    print("from m_base  methods  cells")
    last = None
    for mib in SCAN_MIB:
        got = table_3(mib)
        if got != last:
            print(f"{mib:>11}  {got.choices:>4}/{got.models}  {got.cells:>2}/{got.cells_total}")
        last = got


if __name__ == "__main__":
    main()
