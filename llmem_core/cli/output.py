"""Printing: one JSON object, or a short text for people (GiB only here, at display)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from llmem_core.units import GiB


def emit(
    args: argparse.Namespace, data: dict[str, Any] | list[Any], text: Callable[[], str]
) -> int:
    print(json.dumps(data) if getattr(args, "json", False) else text())
    return 0


def gib(n: int | None) -> str:
    return "-" if n is None else f"{n / GiB:,.2f} GiB"
