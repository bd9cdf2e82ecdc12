"""compute.run against the core as oracle: every number on the page is the core's number."""

from __future__ import annotations

import pytest

from llmem_dashboard.compute import COST_MAX_GPUS, FieldError, Results, batch_points
from llmem_core import (
    Method,
    MethodKind,
    estimate,
    gpus_needed,
    plan,
)
from llmem_core.units import GiB


def test_each_bar_is_the_cores_estimate(default_results):
    res = default_results
    for row in res.methods:
        oracle = estimate(res.request.model_copy(update={"method": row.method}))
        assert row.estimate.peak_bytes == oracle.peak_bytes
        assert row.estimate.components == oracle.components
        assert row.estimate.components.total == row.estimate.peak_bytes


def test_the_plan_and_the_focus_are_algorithm_1s(default_results):
    res = default_results
    assert res.plan == plan(res.request)
    assert res.focus.method.kind.value == res.plan.choice.value
    assert res.request.method == res.focus.method


def test_the_default_demo_plan_shows_something_worth_seeing(default_results):
    """Llama-3.1-8B on 4 × A100-80GB at batch 4: CDP runs out of memory, ADP fits and wins."""
    res = default_results
    fits = {r.method.kind: r.estimate.fits for r in res.methods}
    assert fits[MethodKind.CDP] is False
    assert fits[MethodKind.ADP] is True
    assert res.plan.choice.value == "adp"


def test_the_batch_curve_crosses_capacity_at_the_largest_batch(default_results):
    res = default_results
    cap = res.request.cluster.memory_bytes
    for curve in res.batch_curves:
        if curve.max_batch == 0:
            assert min(curve.peaks) > cap
            continue
        at = dict(zip(curve.batches, curve.peaks, strict=True))
        assert at[curve.max_batch] <= cap < at[curve.max_batch + 1]
        assert list(curve.peaks) == sorted(curve.peaks)  # monotone in batch


def test_batch_points_are_few_and_include_the_crossing():
    points = batch_points(20, 4)
    assert {1, 4, 20, 21} <= set(points)
    assert len(points) <= 17 and points == sorted(set(points))


def test_the_vocabulary_curve_grows_the_lm_head(default_results):
    res = default_results
    lm = [p.lm_head for p in res.vocab_curve]
    assert lm == sorted(lm) and lm[-1] > 10 * lm[0]
    own = next(p for p in res.vocab_curve if p.vocab == res.model_vocab)
    assert own.peak == res.focus.estimate.peak_bytes


def test_the_vocabulary_what_if_moves_the_lm_head_bar(run_plan, default_results):
    bigger = run_plan(vocab=256_000)
    assert bigger.request.model.vocab_size == 256_000
    assert bigger.model_vocab == default_results.model_vocab  # the model's own is remembered
    before = default_results.focus.estimate.components
    after = bigger.focus.estimate.components
    assert after.lm_head > before.lm_head
    assert after.transformer > before.transformer  # the embedding grows too (same table)


def test_gpus_needed_is_the_cores(default_results):
    res = default_results
    req = res.request.model_copy(update={"cluster": res.request.cluster.model_copy(
        update={"num_gpus": 1})})
    assert res.gpus_needed == gpus_needed(req, max_gpus=COST_MAX_GPUS)[0]


def test_one_method_shows_one_bar(run_plan):
    res = run_plan(method="tp")
    assert [r.method.kind for r in res.methods] == [MethodKind.TP]
    assert res.focus.method == Method(kind=MethodKind.TP, tp_degree=4)


def test_a_custom_gpu_sets_the_memory(run_plan):
    res = run_plan(gpu="custom", gpu_gib=48.0)
    assert res.request.cluster.memory_bytes == 48 * GiB
    assert res.gpu_name == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"precision": "fp32", "profile": "paper"}, "precision"),
        ({"ckpt": False, "profile": "paper"}, "ckpt"),
        ({"method": "dp+tp", "gpus": 8, "tp": 3}, "tp"),
        ({"method": "dp+tp", "gpus": 2}, "method"),
    ],
    ids=["precision", "checkpointing", "tp-divides", "method-on-2-gpus"],
)
def test_bad_input_names_the_field_that_caused_it(run_plan, changes, field):
    res = run_plan(**changes)
    assert isinstance(res, FieldError)
    assert res.field == field
    assert res.message


def test_a_tp_degree_that_does_not_divide_the_heads_is_reported_next_to_tp(run_plan):
    res = run_plan(method="tp", gpus=3, model="facebook/opt-1.3b")  # 32 heads, 3 GPUs
    assert isinstance(res, FieldError) and res.field == "tp"


def test_when_nothing_fits_the_plan_says_offload(run_plan):
    res = run_plan(model="meta-llama/Llama-3.1-70B", gpu="t4-16gb", gpus=2)
    assert isinstance(res, Results)
    assert res.plan.choice.value == "cpu-offload"
    assert not res.focus.estimate.fits
    assert res.gpus_needed is None  # more than COST_MAX_GPUS
