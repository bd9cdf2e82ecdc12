"""`--calibration on|off`: the fits of the run store, for estimate, plan, gpus and cost.

On (the default), the stored runs (`llmem runs`) are fitted per GPU type and method family
and carried by the request's runtime, so every figure the command prints is calibrated where
runs of that GPU exist; off, the store is not opened.
"""

from __future__ import annotations

import argparse
from typing import Any

from llmem_core.calibration import Calibration, Calibrations
from llmem_core.errors import InputError
from llmem_core.store import Store, StoreError

MODES = ("on", "off")


def add_calibration(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--calibration",
        help="on | off (default on: fitted from `llmem runs` where runs of the GPU type exist)",
    )


def store_calibrations(args: argparse.Namespace) -> Calibrations | None:
    """The store's fits, or None (off, or no valid runs stored)."""
    mode = getattr(args, "calibration", None) or "on"
    if mode not in MODES:
        raise InputError("calibration", f"must be on or off (got {mode[:60]!r})")
    if mode == "off":
        return None
    try:
        return Store().calibrations()
    except StoreError as err:
        raise InputError(err.field, f"{err.message} (or give --calibration off)") from None


def calibration_json(cal: Calibration | None) -> dict[str, Any] | None:
    return None if cal is None else cal.as_dict()
