"""The stand-in table of the README: each measured family's census hidden, the nearest
family's recipe standing in, its |error| on that family's fake-device references.
Run: .venv/bin/python bench/stand_in.py"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_stand_in import FAMILY_CASES, stand_in_row


def main() -> int:
    err = "\\|error\\|"
    print(f"| family | stand-in recipe | cases | median {err} | max {err} | own recipe, max |")
    print("|---|---|---:|---:|---:|---:|")
    for family in sorted(FAMILY_CASES):
        r = stand_in_row(family, FAMILY_CASES[family])
        print(f"| {family} | {r['stand_in']} | {r['cases']} | {r['median_pct']:.1f} % | "
              f"{r['max_pct']:.1f} % | {r['own_max_pct']:.1f} % |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
