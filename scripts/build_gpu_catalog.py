"""Build llmem_core/presets/gpus.json from the team's GPU catalog (gpus-source.csv beside it).

Run: python scripts/build_gpu_catalog.py  (tests/test_presets.py checks the JSON is current).
Every number keeps the source and as-of date the CSV gives; rows without a driver-reported
memory size use the size as sold (memory_source says which). The cloud prices come as the
overall range (low, high) and split by listing kind, each kind taken only from the listings
the row's cloud_source names (cloud_kinds_source says which is which, and why).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# CSV key → short key users type. TPUs ("context only") and MI250X (the OS sees two 64 GB
# devices, no single reported size) are left out on purpose.
KEYS = {
    "v100_16gb": "v100-16gb",
    "v100_32gb": "v100-32gb",
    "t4": "t4-16gb",
    "a10": "a10-24gb",
    "a10g": "a10g-24gb",
    "l4": "l4-24gb",
    "l40s": "l40s-48gb",
    "a100_40gb_pcie": "a100-pcie-40gb",
    "a100_40gb_sxm": "a100-40gb",
    "a100_80gb_pcie": "a100-pcie-80gb",
    "a100_80gb_sxm": "a100-80gb",
    "h100_pcie": "h100-pcie-80gb",
    "h100_sxm": "h100-80gb",
    "h100_nvl": "h100-nvl-94gb",
    "h200_sxm": "h200-141gb",
    "b200": "b200-180gb",
    "gh200": "gh200-96gb",
    "rtx_3090": "rtx3090-24gb",
    "rtx_4090": "rtx4090-24gb",
    "rtx_5090": "rtx5090-32gb",
    "rtx_a6000": "rtx-a6000-48gb",
    "rtx_6000_ada": "rtx6000-ada-48gb",
    "mi300x": "mi300x-192gb",
    "mi325x": "mi325x-256gb",
    "gaudi2": "gaudi2-96gb",
    "gaudi3": "gaudi3-128gb",
}


def _num(text: str) -> float | None:
    return float(text) if text.strip() else None


def _row(row: dict[str, str]) -> dict:
    name, _, note = row["name"].partition(" [")
    mib = _num(row["memory_mib_reported"])
    memory_gb = float(row["memory_gb"])
    return {
        "key": KEYS[row["key"]],
        "catalog_key": row["key"],
        "name": name.strip(),
        "note": note.rstrip("]").strip(),
        "vendor": row["vendor"],
        "memory_bytes": int(mib * 2**20) if mib else int(memory_gb * 1e9),
        "memory_source": "driver-reported MiB" if mib else "as sold (GB); no driver figure",
        "memory_gb_sold": memory_gb,
        "bandwidth_tb_s": _num(row["bandwidth_tb_s"]),
        "bf16_tflops_dense": _num(row["bf16_tflops_dense"]),
        "tdp_w": _num(row["tdp_w"]),
        "interconnect": row["interconnect"],
        "purchase_usd": _num(row["purchase_usd"]),
        "purchase_source": row["purchase_source"],
        "cloud_usd_per_hour_low": _num(row["cloud_usd_per_hour_low"]),
        "cloud_usd_per_hour_high": _num(row["cloud_usd_per_hour_high"]),
        "cloud_source": row["cloud_source"],
        "cloud_on_demand_usd_per_hour_low": _num(row["cloud_on_demand_usd_per_hour_low"]),
        "cloud_on_demand_usd_per_hour_high": _num(row["cloud_on_demand_usd_per_hour_high"]),
        "cloud_interruptible_usd_per_hour": _num(row["cloud_interruptible_usd_per_hour"]),
        "cloud_interruptible_kind": row["cloud_interruptible_kind"] or None,
        "cloud_kinds_source": row["cloud_kinds_source"],
        "as_of": row["as_of"].strip() or "unknown",
    }


def build(source: Path) -> dict:
    with source.open(newline="") as f:
        rows = [_row(r) for r in csv.DictReader(f) if r["key"] in KEYS]
    assert all(re.fullmatch(r"[a-z0-9-]+", r["key"]) for r in rows)
    return {
        "source": "llmem_core/presets/gpus-source.csv (team catalog gathered November 2026 "
        "from public datasheets and price pages; see each row's *_source fields)",
        "gpus": rows,
    }


def main() -> int:
    out = ROOT / "llmem_core" / "presets" / "gpus.json"
    out.write_text(
        json.dumps(build(ROOT / "llmem_core" / "presets" / "gpus-source.csv"), indent=1) + "\n"
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
