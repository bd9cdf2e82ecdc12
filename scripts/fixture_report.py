"""Print markdown tables from the committed fixtures: agreement with the shared reference, and
per-case timings and peak structure (for tests/fixtures/reference/README.md).

    python scripts/fixture_report.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from measure.reference import fixture_key, fixtures, shared_reference

GIB = 1024**3


def agreement_table() -> list[str]:
    reference = shared_reference()
    lines = [
        "| model | precision | ckpt | batch | step 1 ours | step 1 ref | steady ours | "
        "steady ref | Δ steady |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in sorted(fixtures(), key=fixture_key):
        expected = reference.get(fixture_key(r))
        if expected is None:
            continue
        delta = r["peak_bytes_steady"] / expected["peak_bytes_steady"] - 1
        lines.append(
            f"| {r['model']} | {r['precision']} | {'on' if r['grad_checkpointing'] else 'off'} "
            f"| {r['batch_size']} | {r['peak_bytes_step1']:,} | {expected['peak_bytes_step1']:,} "
            f"| {r['peak_bytes_steady']:,} | {expected['peak_bytes_steady']:,} | {delta:+.4%} |"
        )
    return lines


def case_table() -> list[str]:
    lines = [
        "| model | precision | opt | ckpt | batch | seq | steady GiB | phase | act GiB | "
        "temp GiB | s |",
        "|---|---|---|---|--:|--:|--:|---|--:|--:|--:|",
    ]
    for r in sorted(fixtures(), key=fixture_key):
        b = r["breakdown"]
        lines.append(
            f"| {r['model']} | {r['precision']} | {r['optimizer'].removeprefix('adamw-')} "
            f"| {'on' if r['grad_checkpointing'] else 'off'} | {r['batch_size']} | {r['seq_len']} "
            f"| {r['peak_bytes_steady'] / GIB:.3f} | {r['peak_phase']} "
            f"| {b.get('activation', 0) / GIB:.3f} | {b.get('temp', 0) / GIB:.3f} "
            f"| {r.get('case_seconds', '')} |"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(["## Agreement", "", *agreement_table(), "", "## Cases", "", *case_table()]))
