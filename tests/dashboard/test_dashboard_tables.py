"""Table and export builders, without a browser."""

from __future__ import annotations

import io
import json

import pandas as pd

from dashboard import export, tables
from llmem_core import Breakdown


def test_plan_table_has_every_method_and_stars_the_choice(default_results):
    df = tables.plan_table(default_results)
    assert len(df) == len(default_results.plan.methods)
    starred = df[df["Choice"] == tables.PLAN_MARK]
    best = next(m for m in default_results.plan.methods
                if m.method.kind == default_results.plan.choice.value)
    assert len(starred) == 1
    assert list(starred["Largest batch"]) == [str(best.max_batch_size)]


def test_cost_table_says_no_price_and_more_than(run_plan):
    res = run_plan(model="meta-llama/Llama-3.1-70B")
    df = tables.cost_table(res.cost_rows, "en", 64)
    assert len(df) == len(res.cost_rows)
    assert "> 64" in set(df["GPUs needed"])  # the 70B needs more than 64 small GPUs
    gaudi = df[df["GPU"].str.contains("Gaudi 2|Gaudi2", regex=True)]
    assert set(gaudi["Cloud $/h (all GPUs)"]) <= {"no price", "—"}


def test_cost_table_in_japanese(default_results):
    df = tables.cost_table(default_results.cost_rows, "ja", 64)
    assert "必要台数" in df.columns
    assert "選択中" in " ".join(df["備考"])


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
    assert doc["plan"]["choice"] == "adp"
    assert len(doc["cost"]["rows"]) == len(default_results.cost_rows)
    assert doc["terms"]


def test_chart_html_is_standalone(default_results):
    from dashboard import charts

    page = export.chart_html(charts.memory_bars(default_results))
    assert "<html>" in page[:40] and "plotly" in page.lower()
    assert "<script src=\"https://cdn.plot.ly" not in page  # plotly.js embedded: opens offline
    assert len(page) > 1_000_000


def test_file_stem(default_results):
    assert export.file_stem(default_results) == "llmem-Llama-3.1-8B-4xa100-80gb-b4-s2048"
