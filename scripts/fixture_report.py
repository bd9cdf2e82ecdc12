"""Print markdown tables from the committed fixtures: agreement with the shared reference, and
per-case timings and peak structure (for tests/fixtures/reference/README.md).

    python scripts/fixture_report.py
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from measure.reference import REFERENCE_DIR, fixture_key, fixtures, shared_reference

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


def timing_table() -> list[str]:
    lines = [
        "| model | seq | cases | s per case (min / median / max) | in-worker s (median) |",
        "|---|--:|--:|---|--:|",
    ]
    groups: dict[tuple[str, int], list[dict]] = {}
    for r in fixtures():
        groups.setdefault((r["model"], r["seq_len"]), []).append(r)
    for (model, seq), rows in sorted(groups.items()):
        case = sorted(r["case_seconds"] for r in rows)
        worker = statistics.median(r["wall_seconds"] for r in rows)
        lines.append(
            f"| {model} | {seq} | {len(rows)} | {case[0]:.1f} / {statistics.median(case):.1f} / "
            f"{case[-1]:.1f} | {worker:.1f} |"
        )
    return lines


def layer_table() -> list[str]:
    path = REFERENCE_DIR / "layer-activations.jsonl"
    if not path.exists():
        return ["(not generated)"]
    lines = [
        "| model | precision | attention | bytes / token / layer | ÷ hidden size "
        "| fixed bytes / layer |",
        "|---|---|---|--:|--:|--:|",
    ]
    for line in path.read_text().splitlines():
        r = json.loads(line)
        lines.append(
            f"| {r['model']} | {r['precision']} | {r['attention_impl']} "
            f"| {r['bytes_per_token_per_layer']:,.0f} "
            f"| {r['bytes_per_token_per_layer_per_hidden']:.2f} "
            f"| {r['bytes_per_layer_fixed']:,.0f} |"
        )
    return lines


SECTIONS = {
    "agreement": agreement_table,
    "timings": timing_table,
    "layers": layer_table,
    "cases": case_table,
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(SECTIONS)
    print("\n\n".join("\n".join(SECTIONS[name]()) for name in names))
