"""Strings in both languages with the same placeholders; numbers formatted per language."""

from __future__ import annotations

import string

import pytest

from llmem_core import Method, MethodKind
from llmem_core.cost import BreakEven
from llmem_core.units import GiB
from llmem_dashboard.i18n import (
    STRINGS,
    fmt_break_even,
    fmt_break_even_range,
    fmt_gib,
    fmt_hours,
    fmt_money,
    fmt_money_range,
    fmt_params,
    fmt_pct,
    method_label,
    t,
)


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
    [
        ("en", 8_030_261_248, "8.03 B"),
        ("ja", 8_030_261_248, "80.3億"),
        ("en", 124_439_808, "124 M"),
        ("ja", 124_439_808, "1.2億"),
        ("ja", 50_000_000, "5,000万"),
    ],
)
def test_parameter_counts(lang, n, expected):
    assert fmt_params(n, lang) == expected


def test_bytes_money_and_shares():
    assert fmt_gib(80 * GiB, "en") == "80.0 GiB"
    assert fmt_gib(1234.5 * GiB, "ja", 0) == "1,234 GiB"  # banker's rounding of .5 is fine
    assert fmt_money(12_345.0, "USD", "en") == "$12,345"
    assert fmt_money(12_345.0, "USD", "ja") == "12,345ドル"
    assert fmt_money(1.72, "USD", "en") == "$1.72"
    assert fmt_money(None, "USD", "ja") == "価格なし"
    assert fmt_money_range(1.0, 1.0, "USD", "en") == "$1.00"
    assert fmt_money_range(1.0, None, "USD", "en") == "no price"
    assert fmt_money_range(1.72, 20.28, "USD", "en") == "$1.72 – $20.28"
    assert fmt_money_range(10.36, 41.76, "USD", "ja") == "10.36〜41.76ドル"
    assert fmt_pct(0.41, "en") == "41 %"
    assert fmt_pct(0.41, "ja") == "41%"


def test_method_labels_show_the_layout():
    assert method_label(Method(kind=MethodKind.DP_TP, tp=2), 8, "en") == "DP+TP 4×2"
    assert method_label(Method(kind=MethodKind.TP, tp=4), 4, "en") == "TP ×4"
    assert method_label(Method(kind=MethodKind.SINGLE), 1, "ja") == "単一GPU"


def test_a_dp_tp_label_without_a_degree_is_the_cores_default():
    assert method_label(Method(kind=MethodKind.DP_TP), 8, "en") == "DP+TP 4×2"  # 8 = 4 × 2
    assert method_label(Method(kind=MethodKind.DP_TP), 6, "en") == "DP+TP 3×2"
    assert method_label(Method(kind=MethodKind.DP_TP), 7, "en") == "DP+TP (no layout)"


@pytest.mark.parametrize(
    ("amount", "code", "lang", "expected"),
    [
        (2995.47, "JPY", "en", "¥2,995"),
        (1.72, "JPY", "ja", "2円"),
        (35_318.7, "JPY", "ja", "35,319円"),
        (36_000_000, "JPY", "ja", "3,600万円"),
        (123_456_789, "JPY", "ja", "1.2億円"),
        (19.97, "EUR", "en", "€19.97"),
        (19.97, "EUR", "ja", "19.97ユーロ"),
        (1_500.0, "CHF", "en", "CHF 1,500"),
        (1_500.0, "CHF", "ja", "1,500 CHF"),
    ],
    ids=lambda v: str(v),
)
def test_money_in_each_currency(amount, code, lang, expected):
    assert fmt_money(amount, code, lang) == expected


def test_japanese_ranges_write_the_unit_once_when_shared():
    assert fmt_money_range(2_995.5, 35_318.7, "JPY", "ja") == "2,996〜35,319円"
    assert fmt_money_range(2_995_000, 35_318_000, "JPY", "ja") == "300〜3,532万円"
    assert fmt_money_range(99_000, 3_000_000, "JPY", "ja") == "99,000円〜300万円"


def test_hours_and_break_even():
    assert fmt_hours(0.5, "en") == "30 min" and fmt_hours(0.5, "ja") == "30分"
    assert fmt_hours(11.61, "en") == "11.6 h" and fmt_hours(11.61, "ja") == "11.6時間"
    assert fmt_hours(100, "en") == "4.2 days"
    assert fmt_break_even("ok", 197.7, 6.28, True, 3, "en") == "198 runs (6.3 mo.)"
    assert fmt_break_even("ok", 3000, 60.2, False, 3, "ja") == "3,000回（60か月） †"
    assert fmt_break_even("never", None, None, None, 3, "en") == "never"
    assert fmt_break_even("no-price", None, None, None, 3, "ja") == "価格なし"


def _be(status: str, runs=None, months=None, within=None) -> BreakEven:
    return BreakEven(status=status, runs=runs, months=months, within_amortisation=within)


def test_break_even_ranges_word_the_cores_break_evens():
    """Against on-demand: the dearest listing's figure first; one figure when both read the
    same; the dearest alone when the cheapest never pays off; † when the cheapest is past
    the amortisation period."""
    soon, late = _be("ok", 851.2, 8.54, True), _be("ok", 4014.0, 40.2, False)
    assert fmt_break_even_range(soon, late, 3, "en") == "851–4,014 runs (8.5–40 mo.) †"
    assert fmt_break_even_range(soon, late, 3, "en", short=False) == (
        "851–4,014 runs (8.5–40 months)"
    )
    assert fmt_break_even_range(soon, soon, 3, "en") == "851 runs (8.5 mo.)"
    assert fmt_break_even_range(soon, _be("never"), 3, "en") == (
        "851 runs (8.5 mo.); never at the cheapest"
    )
    assert fmt_break_even_range(_be("never"), late, 3, "ja") == "回収不可"
    assert fmt_break_even_range(_be("no-price"), _be("no-price"), 3, "en") == "no price"
    assert fmt_break_even_range(soon, late, 3, "ja") == "851〜4,014回（8.5〜40か月） †"
