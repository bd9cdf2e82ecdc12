"""Issue #14: the catalog's cloud prices split by listing kind — on-demand (low, high) and the
cheapest interruptible or marketplace listing — each read from the listings the row's
cloud_source names. The oracle is that text itself: every split price is one of its numbers
(or a quotient it writes, "$49.24/8"), and the listing it comes from says its kind (RunPod's
and Vast.ai's documented listing types: docs/cost.md, "Listing kinds")."""

from __future__ import annotations

import re

import pytest

from llmem_core.models import FloorKind, Gpu
from llmem_core.presets import load_gpus

CENT = 0.005  # sources round to the cent; a quotient like 27.447/8 = 3.4309 is listed as 3.43
NUMBER = re.compile(r"\d+(?:\.\d+)?")
QUOTIENT = re.compile(r"(\d+(?:\.\d+)?)(?:/hr)?\s*/\s*(\d+)(?![\d.])")  # "$21.958/8", "/hr / 8"
LISTINGS = re.compile(r";|, (?=[A-Z])")  # "Lambda $1.99; AWS …", "TensorWave $1.50, Crusoe …"
NOT_ON_DEMAND = ("spot", "interruptible")  # words a source uses for pre-emptible listings

PRICED = [g for g in load_gpus().values() if g.cloud_usd_per_hour_low is not None]


def _figures(segment: str) -> list[float]:
    """The prices a piece of source text states: its numbers and its per-GPU quotients."""
    text = segment.replace(",", "")
    numbers = [float(x) for x in NUMBER.findall(text)]
    return numbers + [float(a) / float(b) for a, b in QUOTIENT.findall(text)]


def _segments_with(gpu: Gpu, price: float) -> list[str]:
    """The listings (the source's parts, one provider each) that state this price."""
    parts = LISTINGS.split(gpu.cloud_source)
    return [p for p in parts if any(abs(x - price) <= CENT for x in _figures(p))]


def _split(gpu: Gpu) -> list[tuple[str, float]]:
    values = {
        "on-demand low": gpu.cloud_on_demand_usd_per_hour_low,
        "on-demand high": gpu.cloud_on_demand_usd_per_hour_high,
        "interruptible": gpu.cloud_interruptible_usd_per_hour,
    }
    return [(k, v) for k, v in values.items() if v is not None]


@pytest.mark.parametrize("gpu", PRICED, ids=lambda g: g.key)
def test_every_split_price_is_a_listing_the_source_names(gpu: Gpu) -> None:
    for kind, price in _split(gpu):
        assert _segments_with(gpu, price), (kind, price, gpu.cloud_source)


def _is_on_demand(segment: str) -> bool:
    """A listing not described as pre-emptible: not spot or interruptible, and not a bare
    Vast.ai price (Vast.ai offers both kinds; only "Vast on-demand" says which)."""
    low = segment.lower()
    if any(word in low for word in NOT_ON_DEMAND):
        return False
    return "vast" not in low or "on-demand" in low


@pytest.mark.parametrize("gpu", PRICED, ids=lambda g: g.key)
def test_on_demand_prices_come_from_on_demand_listings(gpu: Gpu) -> None:
    for kind, price in _split(gpu):
        if kind.startswith("on-demand"):
            assert any(_is_on_demand(s) for s in _segments_with(gpu, price)), (kind, price)


@pytest.mark.parametrize(
    "gpu", [g for g in PRICED if g.cloud_interruptible_usd_per_hour], ids=lambda g: g.key
)
def test_the_floor_comes_from_an_interruptible_or_marketplace_listing(gpu: Gpu) -> None:
    segments = _segments_with(gpu, gpu.cloud_interruptible_usd_per_hour)
    if gpu.cloud_interruptible_kind == FloorKind.INTERRUPTIBLE:  # the source says so
        assert any(w in s.lower() for s in segments for w in NOT_ON_DEMAND), segments
    else:  # a marketplace's price whose kind the source leaves unsaid
        assert any("vast" in s.lower() and not _states_a_kind(s) for s in segments), segments


def _states_a_kind(segment: str) -> bool:
    return any(w in segment.lower() for w in (*NOT_ON_DEMAND, "on-demand"))


@pytest.mark.parametrize("gpu", PRICED, ids=lambda g: g.key)
def test_split_prices_are_ordered_within_the_overall_range(gpu: Gpu) -> None:
    low, high = gpu.cloud_usd_per_hour_low, gpu.cloud_usd_per_hour_high
    assert low <= high
    for _, price in _split(gpu):
        assert low <= price <= high
    od_low, od_high = gpu.cloud_on_demand_usd_per_hour_low, gpu.cloud_on_demand_usd_per_hour_high
    if od_low is not None:
        assert od_low <= od_high


@pytest.mark.parametrize(
    "gpu",
    [g for g in PRICED if g.cloud_on_demand_usd_per_hour_low and g.cloud_interruptible_kind],
    ids=lambda g: g.key,
)
def test_the_overall_low_is_the_cheaper_of_the_two_kinds(gpu: Gpu) -> None:
    """By definition: the lowest listing of any kind is the lower of the kinds' lowest."""
    cheaper = min(gpu.cloud_on_demand_usd_per_hour_low, gpu.cloud_interruptible_usd_per_hour)
    assert gpu.cloud_usd_per_hour_low == pytest.approx(cheaper, abs=1e-9)


@pytest.mark.parametrize("gpu", PRICED, ids=lambda g: g.key)
def test_every_row_says_why_and_what_it_lacks(gpu: Gpu) -> None:
    note = gpu.cloud_kinds_source
    assert note
    if gpu.cloud_on_demand_usd_per_hour_low is None:
        assert "no on-demand" in note
    if gpu.cloud_interruptible_usd_per_hour is None:
        assert "no interruptible or marketplace listing" in note
    if "RunPod" in gpu.cloud_source:  # Community and Secure Pods are on-demand (RunPod docs)
        assert "docs.runpod.io" in note or "serverless" in note


def test_runpod_community_is_on_demand_and_vast_lowest_is_the_marketplace_floor() -> None:
    """Pinned rows: H100 SXM's Vast.ai 1.47 is the floor, RunPod's 2.69 the on-demand low;
    L40S's RunPod Community 0.79 is on-demand, and the row has no floor."""
    h100, l40s = load_gpus()["h100-80gb"], load_gpus()["l40s-48gb"]
    assert h100.cloud_interruptible_usd_per_hour == 1.47
    assert h100.cloud_interruptible_kind == FloorKind.MARKETPLACE
    assert (h100.cloud_on_demand_usd_per_hour_low, h100.cloud_on_demand_usd_per_hour_high) == (
        2.69,
        12.29,
    )
    assert l40s.cloud_on_demand_usd_per_hour_low == 0.79
    assert l40s.cloud_interruptible_usd_per_hour is None


def test_a_row_that_breaks_the_split_is_refused() -> None:
    base = load_gpus()["h100-80gb"].model_dump()
    with pytest.raises(ValueError, match="needs its kind"):
        Gpu(**base | {"cloud_interruptible_kind": None})
    with pytest.raises(ValueError, match="overall cloud range"):
        Gpu(**base | {"cloud_on_demand_usd_per_hour_high": 20.0})
