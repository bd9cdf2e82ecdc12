"""The `paper` profile against the LLMem paper's own tables (tests/fixtures/paper/README.md:
Table 2, single-GPU peaks; Table 3, the method-selection experiment on 4 × V100-16GB at
sequence 512), at the profile's default m_base. Each test id names the paper's model, and a
failing assertion prints the paper's figure next to the profile's; bench/bench_paper_tables.py
prints the whole table.

Cells the profile does not reproduce are strict xfails with the reason (and what would be
needed): if the profile starts agreeing, the xfail fails and this file must be updated."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmem_core import paper_tables as pt
from llmem_core.models import MethodKind
from llmem_core.plan import max_batch_size, max_batch_size_stepwise

FIXTURES = Path(__file__).parent / "fixtures" / "paper"
SINGLE, SINGLE_ROWS = pt.load_single_gpu(FIXTURES / "table2_single_gpu.json")
SETTING, ROWS = pt.load_selection(FIXTURES / "table3_method_selection.json")
COLUMNS = {MethodKind.ADP: "4DP", MethodKind.DP_TP: "2DP+2TP", MethodKind.TP: "4TP"}

# The three runs the paper saw fail (OPT-2.7b and codegen-2B-nl under 4DP, bloom-3b under
# 2DP+2TP) fit 2–3 samples by the raw estimate at a 512 MiB m_base, but since issue #10 `plan`
# takes the largest batch whose whole band lies under the GPU (the band of the paper profile
# is the paper's own published error, up to 6 % for ADP and 7.4 % for TP): at batch 1 those
# three are at-risk, so the plan gives them no batch, as the paper's runs had none. By the raw
# estimate (the paper's Algorithm 1 has no margin) all 27 agree only for an m_base of
# 1,590–3,400 MiB (bench/bench_paper_tables.py).
TP_NOT_CHOSEN = (
    "the profile's DP+TP fits more than half TP's batch, so Algorithm 1's score bs·dp_n "
    "prefers DP+TP (the paper measured TP faster). Choosing TP needs DP+TP's batch under half "
    "TP's: an m_base of 2,650–2,840 or 3,140–3,400 MiB, or a score that counts TP's traffic"
)
XFAIL_CELLS: dict[tuple[str, str], str] = {}
XFAIL_CHOICES = {"OPT-2.7b": TP_NOT_CHOSEN, "codegen-2B-nl": TP_NOT_CHOSEN}


def _strict_xfail(reason: str | None) -> list:
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def _cells():
    for row in ROWS:
        for kind, name in COLUMNS.items():
            reason = XFAIL_CELLS.get((row.paper_name, name))
            yield pytest.param(
                row, kind, id=f"{row.paper_name}-{name}", marks=_strict_xfail(reason)
            )


@pytest.fixture(scope="module")
def results() -> dict[str, pt.SelectionResult]:
    return {row.paper_name: pt.selection(SETTING, row) for row in ROWS}


@pytest.mark.parametrize(("row", "kind"), list(_cells()))
def test_ran_or_out_of_memory_as_in_table_3(results, row: pt.SelectionRow, kind) -> None:
    got = results[row.paper_name]
    paper = row.seconds[kind] if row.ran[kind] else "OOM"
    assert got.fits(kind) == row.ran[kind], (
        f"paper: {paper}; profile: largest batch {got.batches[kind]}"
        f"{'' if got.applicable[kind] else ' (not applicable)'}"
    )


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(r, id=r.paper_name, marks=_strict_xfail(XFAIL_CHOICES.get(r.paper_name)))
        for r in ROWS
    ],
)
def test_method_chosen_as_in_table_3(results, row: pt.SelectionRow) -> None:
    got = results[row.paper_name]
    assert got.choice == row.selected, f"paper: {row.selected}; profile: {got.choice} {got.batches}"


def test_the_paper_never_picks_conventional_dp_here(results) -> None:
    """No model of Table 3 fits whole on one V100 at batch 1, so CDP never competes; the
    paper's "4DP" is the authors' Gemini (ZeRO-3) run, the profile's ADP."""
    assert all(r.batches[MethodKind.CDP] == 0 for r in results.values())


@pytest.mark.parametrize("row", ROWS, ids=[r.paper_name for r in ROWS])
def test_stepwise_search_finds_the_same_batches(row: pt.SelectionRow) -> None:
    """The authors raise bs by one until the estimate exceeds the GPU (size_estimator.py
    bs_search); plan.py bisects. The same largest batch for every method of Table 3."""
    job = pt.job_for(SETTING, row.model)
    for method in pt.plan(job, tp=SETTING["dp_tp_degree"]).methods.values():
        if method.applicable:
            req = job.request(method.method)
            assert max_batch_size(req) == max_batch_size_stepwise(req)


@pytest.mark.parametrize("row", SINGLE_ROWS, ids=[r.paper_name for r in SINGLE_ROWS])
def test_table_2_models_fit_one_v100(row: pt.SingleGpuRow) -> None:
    """The paper trained each Table 2 model on one V100-16GB (measured 16,100–16,378 MiB). The
    batch is not published, so this checks only that the profile fits them there; the bench
    prints the profile's peak at its largest batch next to the paper's figures."""
    got = pt.single_gpu(SINGLE, row)
    assert got.batch >= 1, f"paper measured {row.measured_mib} MiB; profile: no batch fits"
