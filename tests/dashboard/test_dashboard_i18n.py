"""Strings in both languages with the same placeholders; numbers formatted per language."""

from __future__ import annotations

import string

import pytest

from dashboard.i18n import (
    STRINGS,
    fmt_gib,
    fmt_params,
    fmt_pct,
    fmt_usd,
    fmt_usd_range,
    method_label,
    t,
)
from llmem_core import Method, MethodKind
from llmem_core.units import GiB


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_has_english_and_japanese_with_the_same_placeholders(key):
    entry = STRINGS[key]
    assert entry.get("en") and entry.get("ja"), key
    assert _fields(entry["en"]) == _fields(entry["ja"]), key


def test_the_exclusion_lists_have_the_same_number_of_items():
    assert len(t("en", "a_exclusions").split("|")) == len(t("ja", "a_exclusions").split("|"))


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [("en", 8_030_261_248, "8.03 B"), ("ja", 8_030_261_248, "80.3億"),
     ("en", 124_439_808, "124 M"), ("ja", 124_439_808, "1.2億"), ("ja", 50_000_000, "5,000万")],
)
def test_parameter_counts(lang, n, expected):
    assert fmt_params(n, lang) == expected


def test_bytes_money_and_shares():
    assert fmt_gib(80 * GiB, "en") == "80.0 GiB"
    assert fmt_gib(1234.5 * GiB, "ja", 0) == "1,234 GiB"  # banker's rounding of .5 is fine
    assert fmt_usd(12_345.0, "en") == "$12,345"
    assert fmt_usd(12_345.0, "ja") == "12,345ドル"
    assert fmt_usd(1.72, "en") == "$1.72"
    assert fmt_usd(None, "ja") == "価格なし"
    assert fmt_usd_range(1.0, 1.0, "en") == "$1.00"
    assert fmt_usd_range(1.0, None, "en") == "no price"
    assert fmt_usd_range(1.72, 20.28, "en") == "$1.72 – $20.28"
    assert fmt_usd_range(10.36, 41.76, "ja") == "10.36〜41.76ドル"
    assert fmt_pct(0.41, "en") == "41 %"
    assert fmt_pct(0.41, "ja") == "41%"


def test_method_labels_show_the_layout():
    assert method_label(Method(kind=MethodKind.DP_TP, tp_degree=2), 8, "en") == "DP+TP 4×2"
    assert method_label(Method(kind=MethodKind.TP, tp_degree=4), 4, "en") == "TP ×4"
    assert method_label(Method(kind=MethodKind.SINGLE), 1, "ja") == "単一GPU"
