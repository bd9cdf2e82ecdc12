"""Table and export builders, without a browser."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from llmem_core import Breakdown, MethodKind
from llmem_core.cost import PriceOverride
from llmem_dashboard import cost, export, tables
from llmem_dashboard.state import DEFAULT


def test_plan_table_has_every_method_and_stars_the_choice(default_results):
    df = tables.plan_table(default_results)
    assert len(df) == len(default_results.plan.methods)
    starred = df[df["Choice"] == tables.PLAN_MARK]
    assert len(starred) == 1
    # Algorithm 1's choice: ZeRO-1's ±20 % formula-only band scores lower
    assert list(starred["Method"]) == ["ADP (ZeRO-3/FSDP)"]
    assert list(starred["Largest batch"]) == [str(default_results.plan.chosen.max_batch_size)]


def test_the_japanese_plan_table_says_why_a_method_cannot_run_in_japanese(run_plan):
    """Was: on 3 GPUs the note column held the core's English refusal on the Japanese page
    ("tp: degree 3 must divide the model's 32 attention heads")."""
    df = tables.plan_table(run_plan(lang="ja", num_gpus=3))
    notes = [n for n in df.iloc[:, -1] if n]
    assert len(notes) == 2, notes  # TP × 3 and DP+TP
    assert not [n for n in notes if re.search(r"[a-z]{4,}", n.replace("dp+tp", ""))], notes
    assert any("アテンションヘッド数32" in n for n in notes), notes


@pytest.fixture(scope="module")
def priced(default_results, gpus):
    return cost.run(DEFAULT.cost, default_results, gpus)


def _fewest_a100s(rows) -> int:
    """The fewest A100s the ranking found for the job (whose verdict is `fits`)."""
    return min(r["num_gpus"] for r in rows if r["gpu_key"] == "a100-80gb")


def test_cost_table_has_a_row_per_plan_with_time_and_money(priced):
    n = _fewest_a100s(priced.rows)
    df = tables.cost_table(priced.rows, "en", ("a100-80gb", n))
    assert len(df) == len(priced.rows)
    assert list(df.columns)[:3] == ["Note", "GPU", "GPUs"]
    first = df.iloc[0]
    assert "cheapest" in first["Note"]
    assert first["Time per run"].endswith(" h")
    assert re.fullmatch(r"\$[\d,.]+ – \$[\d,.]+", first["On demand per run"])
    a100 = df[df["GPU"] == "A100 80GB SXM4"].iloc[0]
    assert "your plan" in a100["Note"] and a100["GPUs"] == str(n)
    assert a100["Method"] == "ADP (ZeRO-3/FSDP)"
    assert sum("fastest" in n for n in df["Note"]) == 1


def test_cost_table_says_no_price_never_zero(priced):
    df = tables.cost_table(priced.rows, "en")
    h200 = df[df["GPU"] == "H200 141GB SXM"].iloc[0]
    assert h200["Owned per run"] == "no price"
    assert h200["Buying pays off vs on-demand (dearest–cheapest)"] == "no price"
    assert h200["vs cheapest interruptible"] == "no price"  # a listing, but no purchase price
    l40s = df[df["GPU"] == "L40S 48GB"].iloc[0]
    assert l40s["Interruptible per run"] == l40s["vs cheapest interruptible"] == "none listed"
    assert not any(v in ("$0", "$0.00") for v in df.to_numpy().ravel())


def test_cost_table_in_japanese_yen(default_results, gpus):
    yen = cost.run(DEFAULT.cost.with_(currency="JPY", usd_rate=150.0), default_results, gpus)
    df = tables.cost_table(yen.rows, "ja", ("a100-80gb", _fewest_a100s(yen.rows)))
    assert "1回の時間" in df.columns and "オンデマンド（1回）" in df.columns
    row = df.iloc[0]
    assert row["1回の時間"].endswith("時間")
    cloud = row["オンデマンド（1回）"]
    assert re.fullmatch(r"[\d,.]+(万)?〜[\d,.]+(万)?円", cloud), cloud
    assert "最安" in row["備考"]
    assert "あなたの計画" in " ".join(df["備考"])
    assert "回（" in " ".join(df["購入の回収（オンデマンド最高値〜最安値比）"])


def test_break_even_past_the_amortisation_period_says_so(priced):
    df = tables.cost_table(priced.rows, "en")
    h100 = df[df["GPU"] == "H100 80GB SXM5"].iloc[0]
    row = next(r for r in priced.rows if r["gpu_key"] == "h100-80gb")
    assert row["pays_off_within_amortisation_vs_interruptible"] is False
    assert h100["vs cheapest interruptible"].endswith(" †")  # explained under the table


def test_price_table_shows_sources_dates_and_edits(default_results, gpus):
    edited = cost.run(
        DEFAULT.cost.with_(price={"h100-80gb": PriceOverride(cloud_per_gpu_hour_low=2.0)}),
        default_results,
        gpus,
    )
    df = tables.price_table(edited.prices, "en")
    h100 = df[df["GPU"] == "H100 80GB SXM5"].iloc[0]
    assert h100["Any listing, low /GPU-h"] == "$2.00" and h100["Your edits"] == "low"
    assert h100["As of"] == "2026-11" and "Vast.ai" in h100["Cloud price source"]
    holders = tables.price_placeholders(edited.catalog, "en")
    assert holders["h100-80gb"]["cloud_per_gpu_hour_low"] == "$1.47"  # the catalog's
    assert holders["h100-80gb"]["on_demand_per_gpu_hour_low"] == "$2.69"


def test_price_table_names_every_edit_in_the_pages_language(default_results, gpus):
    """Each field a user can edit, named in the "Your edits" column: in Japanese on the
    Japanese page (it read "on-demand low", "purchase" there)."""
    edit = PriceOverride(
        cloud_per_gpu_hour_high=20.0,
        on_demand_per_gpu_hour_low=3.0,
        on_demand_per_gpu_hour_high=15.0,
        interruptible_per_gpu_hour=2.0,
        purchase_per_gpu=30_000.0,
        power_w=700.0,
        bf16_tflops_dense=900.0,
    )
    edited = cost.run(DEFAULT.cost.with_(price={"h100-80gb": edit}), default_results, gpus)
    ja = tables.price_table(edited.prices, "ja")
    names = ja[ja.columns[0]] == "H100 80GB SXM5"
    column = ja.loc[names, "編集"].iloc[0]
    assert column.split(", ") == [
        "最高値",
        "購入価格",
        "W",
        "TFLOP/s",
        "オンデマンド最安値",
        "オンデマンド最高値",
        "中断可能",
    ]
    assert not re.search(r"[a-z]{3,}", column)  # no English word left


def test_short_gpu_names():
    assert tables.short_gpu_name("NVIDIA Tesla V100 16GB (SXM2; PCIe variant)") == "V100 16GB"
    assert tables.short_gpu_name("NVIDIA GeForce RTX 4090 24GB") == "RTX 4090 24GB"
    assert tables.short_gpu_name("AMD Instinct MI300X 192GB") == "Instinct MI300X 192GB"


def test_assumptions_table_lists_every_term(default_results):
    est = default_results.focus.estimate
    df = tables.assumptions_table(est, "en")
    assert len(df) == len(est.terms)
    assert {"Formula", "Source"} <= set(df.columns)


def test_plan_records_carry_raw_bytes_that_sum_to_the_peak(default_results):
    for record in tables.plan_records(default_results):
        parts = sum(record[f"{p}_bytes"] for p in Breakdown.model_fields)
        assert parts == record["peak_bytes"]


def test_csv_reads_back(default_results):
    df = pd.read_csv(io.StringIO(export.plan_csv(default_results)))
    assert list(df["method"]) == [r.method.kind.value for r in default_results.methods]
    assert df["recommended"].sum() == 1


def test_json_holds_inputs_headline_plan_cost_and_terms(run_plan):
    default_results = run_plan(profile="paper")  # a profile with a band for every method
    doc = json.loads(export.plan_json(default_results, "http://x/?batch=4"))
    assert doc["link"] == "http://x/?batch=4"
    assert doc["inputs"]["model"] == "meta-llama/Llama-3.1-8B"
    assert doc["headline"]["peak_bytes"] == default_results.focus.estimate.peak_bytes
    low, high = doc["headline"]["peak_band_bytes"]
    assert low < doc["headline"]["peak_bytes"] < high
    assert doc["plan"]["choice"] == "adp" and doc["plan"]["offload"] is False
    assert doc["headline"]["tp"] is None  # ADP has no tensor parallelism
    assert doc["cost_rows"] == []
    assert doc["terms"]


def test_cost_csv_and_json_carry_the_cores_rows(default_results, priced):
    df = pd.read_csv(io.StringIO(export.cost_csv(priced.rows)))
    assert list(df["gpu_key"]) == [r["gpu_key"] for r in priced.rows]
    assert df["hours"].tolist() == pytest.approx([r["hours"] for r in priced.rows], rel=1e-12)
    doc = json.loads(export.plan_json(default_results, "", priced.rows))
    assert doc["cost_rows"][0]["cheapest"] is True


def test_chart_html_is_standalone(default_results):
    from llmem_dashboard import charts

    page = export.chart_html(charts.memory_bars(default_results))
    assert "<html>" in page[:40] and "plotly" in page.lower()
    assert '<script src="https://cdn.plot.ly' not in page  # plotly.js embedded: opens offline
    assert len(page) > 1_000_000


def test_file_stem(default_results):
    assert export.file_stem(default_results) == "llmem-Llama-3.1-8B-4xa100-80gb-b4-s2048"


def test_an_uploaded_models_name_is_made_safe_for_a_file_name(gpus):
    from llmem_core.hf_config import read_config_text
    from llmem_dashboard import compute

    config = (
        '{"model_type": "llama", "hidden_size": 256, "num_hidden_layers": 2, '
        '"num_attention_heads": 4, "intermediate_size": 512, "vocab_size": 1000}'
    )
    res = compute.run(DEFAULT, read_config_text(config, "../<x> y?.json"), gpus)
    assert export.file_stem(res) == "llmem-_x__y_.json-4xa100-80gb-b4-s2048"


def test_the_cost_table_labels_each_method_with_its_layout(priced):
    rows = [
        dict(priced.rows[0], method=MethodKind.DP_TP.value, tp=2, num_gpus=8),
        dict(priced.rows[0], method=MethodKind.TP.value, tp=8, num_gpus=8),
    ]
    assert list(tables.cost_table(rows, "en")["Method"]) == ["DP+TP 4×2", "TP ×8"]
