"""`llmem cost` (llmem_core/cli/cost.py), in-process: the JSON contract, the text table, bad
input → one line naming the field (and the field as data with --json), exit status 2."""

from __future__ import annotations

import json

import pytest

from llmem_core.cli import main
from llmem_core.presets import load_gpus

JOB = [
    "cost",
    "--model",
    "facebook/opt-1.3b",
    "--seq-len",
    "512",
    "--batch-size",
    "8",
    "--dataset-samples",
    "52000",
    "--epochs",
    "3",
]


def run(capsys, *extra: str) -> tuple[int, str, str]:
    code = main([*JOB, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract(capsys):
    code, out, err = run(capsys, "--json", "--gpu", "a100-80gb", "--gpu", "h100-80gb")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert {
        "currency",
        "cost_basis",
        "tokens",
        "flops_per_token",
        "rows",
        "skipped",
        "filtered_out",
        "assumptions",
    } <= set(doc)
    assert doc["tokens"] == 52_000 * 512 * 3
    assert doc["currency"] == {"code": "USD", "per_usd": 1.0}
    assert {r["gpu_key"] for r in doc["rows"]} == {"a100-80gb", "h100-80gb"}
    assert sum(r["cheapest"] for r in doc["rows"]) == 1
    assert sum(r["fastest"] for r in doc["rows"]) == 1


def test_currency_deadline_and_budget(capsys):
    code, out, _ = run(
        capsys,
        "--json",
        "--currency",
        "jpy",
        "--usd-rate",
        "150",
        "--deadline-hours",
        "2",
        "--budget",
        "1000",
        "--all-counts",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["currency"] == {"code": "JPY", "per_usd": 150.0}
    assert doc["rows"]
    assert all(r["hours"] <= 2 and r["cloud_low"] <= 1000 for r in doc["rows"])
    assert doc["filtered_out"] > 0


def test_assumption_and_price_flags_reach_the_core(capsys):
    code, out, _ = run(
        capsys,
        "--json",
        "--gpu",
        "a100-80gb",
        "--utilisation",
        "single=0.2",
        "--price",
        "a100-80gb.cloud-low=1",
        "--years",
        "5",
        "--pue",
        "1.5",
    )
    assert code == 0
    doc = json.loads(out)
    row = doc["rows"][0]
    assert (row["num_gpus"], row["method"], row["utilisation"]) == (1, "single", 0.2)
    assert row["cloud_low"] == pytest.approx(row["gpu_hours"] * 1.0)
    assert row["prices_edited"] == "cloud_per_gpu_hour_low"
    assert doc["assumptions"]["amortisation_years"] == 5
    assert doc["assumptions"]["pue"] == 1.5


def test_text_table(capsys):
    code, out, _ = run(capsys, "--gpu", "a100-80gb", "--gpu", "v100-32gb", "--gpu", "gaudi2-96gb")
    assert code == 0
    assert "CHEAPEST" in out and "FASTEST" in out
    assert "no price" in out  # Gaudi 2 has no cloud price in the catalog


def test_top_limits_the_text_rows_but_not_the_json(capsys):
    _, text, _ = run(capsys, "--top", "2")
    assert "more plans" in text
    _, out, _ = run(capsys, "--top", "2", "--json")
    assert len(json.loads(out)["rows"]) > 2


@pytest.mark.parametrize(
    ("extra", "field", "needle"),
    [
        (["--currency", "JPY"], "usd_rate", "exchange rate"),
        (["--currency", "JPY", "--usd-rate", "0"], "usd_rate", "above 0"),
        (["--usd-rate", "150"], "usd_rate", "must be 1 for USD"),
        (["--years", "-1"], "years", "above 0 and at most 30"),
        (["--years", "abc"], "years", "a number"),
        (["--price", "a100-80gb.cloud-low=0"], "price.a100-80gb.cloud_per_gpu_hour_low", "above 0"),
        (["--price", "a100-80gb.purchase=-5"], "price.a100-80gb.purchase_per_gpu", "above 0"),
        (
            ["--price", "a100-80gb.cloud-low=99"],
            "price.a100-80gb.cloud_per_gpu_hour_low",
            "at most the cloud high price",
        ),
        (["--price", "a100-80gb.speed=1"], "price", "KEY.FIELD=VALUE"),
        (["--price", "a100-80gb.power-w=lots"], "price.a100-80gb.power_w", "a number"),
        (["--price", "nope.power-w=100"], "price", "unknown GPU key"),
        (["--utilisation", "tp=1.5"], "utilisation.tp", "at most 1"),
        (["--utilisation", "fsdp=0.5"], "utilisation", "'fsdp' is not allowed"),
        (["--utilisation", "tp"], "utilisation", "METHOD=VALUE"),
        (["--comm-penalty", "adp=1"], "comm_penalty.adp", "from 0 to 0.9"),
        (["--gpu", "nope"], "gpu", "unknown key"),
        (["--budget", "0"], "budget", "above 0"),
        (["--deadline-hours", "-2"], "deadline_hours", "above 0"),
        (["--epochs", "0"], "epochs", "above 0"),
        (["--pue", "0.5"], "pue", "from 1 to 3"),
        (["--top", "-3"], "top", "from 1 to"),
        (["--top", "0"], "top", "from 1 to"),
        (["--max-gpus", "0"], "max_gpus", "from 1 to 4,096"),
        (["--max-gpus", str(10**12)], "max_gpus", "from 1 to 4,096"),
        (["--cost-basis", "cheap"], "cost_basis", "one of cloud-low"),
        (["--cost-basis", "spot"], "cost_basis", "on-demand"),
        (
            ["--price", "h100-80gb.on-demand-low=99"],
            "price.h100-80gb.on_demand_per_gpu_hour_low",
            "at most the on-demand high price",
        ),
        (
            ["--price", "h100-80gb.interruptible=0"],
            "price.h100-80gb.interruptible_per_gpu_hour",
            "above 0",
        ),
        (["--seq-len", "4096"], "seq_len", "position table"),
    ],
    ids=lambda v: v if isinstance(v, str) and not v.startswith("--") else None,
)
def test_bad_input_is_one_line_naming_the_field(capsys, extra, field, needle):
    code, out, err = run(capsys, *extra, "--json")
    assert code == 2
    assert err.count("\n") == 1 and needle in err
    assert json.loads(out) == {
        "error": {"field": field, "message": json.loads(out)["error"]["message"]}
    }
    assert needle in json.loads(out)["error"]["message"]


def test_missing_dataset_size(capsys):
    code = main(
        ["cost", "--model", "facebook/opt-1.3b", "--seq-len", "512", "--batch-size", "8", "--json"]
    )
    out, err = capsys.readouterr()
    assert code == 2 and "--dataset-tokens" in err and err.count("\n") == 1
    assert json.loads(out)["error"]["field"] == "dataset_tokens"


# ---- issue #14: on-demand and interruptible apart ---------------------------------------------

SPLIT_COLUMNS = {
    "on_demand_low",
    "on_demand_high",
    "interruptible",
    "interruptible_kind",
    "runs_per_month",
    *(
        f"{what}_{against}"
        for what in ("break_even_status", "break_even_runs", "break_even_months")
        for against in ("vs_on_demand_low", "vs_on_demand_high", "vs_interruptible")
    ),
}


def test_rows_carry_the_split_beside_the_old_columns(capsys):
    """The old cloud_low/high and their break-evens stay; the kinds are new columns, each
    GPU-hours × the catalog's price of that kind (None where the catalog has none)."""
    code, out, _ = run(capsys, "--json", "--gpu", "h100-80gb", "--gpu", "l40s-48gb")
    assert code == 0
    gpus = load_gpus()
    for row in json.loads(out)["rows"]:
        assert SPLIT_COLUMNS | {"cloud_low", "break_even_runs_vs_cloud_high"} <= set(row)
        gpu, hours = gpus[row["gpu_key"]], row["gpu_hours"]
        assert row["on_demand_low"] == pytest.approx(hours * gpu.cloud_on_demand_usd_per_hour_low)
        assert row["on_demand_high"] == pytest.approx(hours * gpu.cloud_on_demand_usd_per_hour_high)
        floor = gpu.cloud_interruptible_usd_per_hour
        assert row["interruptible"] == (None if floor is None else pytest.approx(hours * floor))
        assert (row["interruptible_hours"] is None) == (floor is None)
        assert row["interruptible_kind"] == gpu.cloud_interruptible_kind


def test_on_demand_basis_ranks_by_the_cheapest_on_demand_listing(capsys):
    """--cost-basis on-demand: rows sorted on GPU-hours × on-demand low, unpriced last; a
    budget on that basis keeps only rows whose on-demand cost meets it."""
    code, out, _ = run(capsys, "--json", "--cost-basis", "on-demand")
    assert code == 0
    doc = json.loads(out)
    assert doc["cost_basis"] == "on-demand"
    costs = [r["on_demand_low"] for r in doc["rows"]]
    priced = [c for c in costs if c is not None]
    assert priced == sorted(priced) and costs[: len(priced)] == priced
    cheapest = next(r for r in doc["rows"] if r["cheapest"])
    assert cheapest["on_demand_low"] == priced[0]
    budget = priced[len(priced) // 2]
    code, out, _ = run(
        capsys, "--json", "--cost-basis", "on-demand", "--budget", f"{budget}", "--all-counts"
    )
    assert all(r["on_demand_low"] <= budget for r in json.loads(out)["rows"])


def test_kind_price_flags_reach_the_core(capsys):
    code, out, _ = run(
        capsys,
        "--json",
        "--gpu",
        "h100-80gb",
        "--price",
        "h100-80gb.on-demand-low=2",
        "--price",
        "h100-80gb.interruptible=1",
    )
    assert code == 0
    row = json.loads(out)["rows"][0]
    assert row["on_demand_low"] == pytest.approx(row["gpu_hours"] * 2)
    assert row["interruptible"] == pytest.approx(row["gpu_hours"] * 1)
    assert row["prices_edited"] == "on_demand_per_gpu_hour_low,interruptible_per_gpu_hour"


def test_text_names_the_kinds_and_the_assumption(capsys):
    code, out, _ = run(capsys, "--gpu", "h100-80gb")
    assert code == 0
    assert "on-demand low–high" in out and "vs interruptible" in out
    assert "an interruption per server every 24 h on average" in out  # the default, named
    code, out, _ = run(capsys, "--gpu", "h100-80gb", "--no-interruptions")
    assert "its interruptions not counted (--no-interruptions)" in out


def test_interruption_flags_reach_the_floor(capsys):
    """The JSON keeps `interruptible` at the listed price and adds the expected cost, its
    hours and the slowdown; fewer hours between interruptions cost more; turned off, the
    expected cost is the listed one."""
    base = ("--json", "--gpu", "h100-80gb")
    rows = {}
    for name, flags in {
        "default": (),
        "often": ("--hours-between-interruptions", "2", "--restart-minutes", "30"),
        "off": ("--no-interruptions",),
    }.items():
        code, out, _ = run(capsys, *base, *flags)
        assert code == 0
        rows[name] = json.loads(out)["rows"][0]
    d, often, off = rows["default"], rows["often"], rows["off"]
    assert d["interruptible"] == often["interruptible"] == off["interruptible"]
    assert d["interruptible_expected"] == pytest.approx(
        d["interruptible"] * d["interruption_factor"]
    )
    assert d["interruptible_hours"] == pytest.approx(d["hours"] * d["interruption_factor"])
    assert 1 < d["interruption_factor"] < often["interruption_factor"]
    assert off["interruption_factor"] == 1 and off["interruptible_expected"] == off["interruptible"]
    assert off["break_even_runs_vs_interruptible"] > d["break_even_runs_vs_interruptible"]
    code, _, err = run(capsys, *base, "--checkpoint-minutes", "-5")
    assert code != 0 and "checkpoint_minutes" in err and "0 to 600" in err
