"""Algorithm 1: largest batch per method, scores, the choice, CPU offload, GPUs needed."""

from __future__ import annotations

import pytest

from llmem_core import InputError, MethodKind, gpus_needed, plan
from llmem_core.plan import CDP_SCORE_FACTOR, max_batch_size, max_batch_size_stepwise
from tests.conftest import make_job, make_request


@pytest.mark.parametrize("method", ["single", "cdp", "adp", "tp", "dp+tp"])
def test_bisection_equals_the_papers_stepwise_search(method: str) -> None:
    gpus = 1 if method == "single" else 4
    tp = 2 if method == "dp+tp" else None
    req = make_request("facebook/opt-350m", method=method, gpus=gpus, tp=tp, seq=512)
    assert max_batch_size(req) == max_batch_size_stepwise(req)


def test_scores_follow_algorithm_1() -> None:
    """Scores: CDP bs·gpu_n·1.5, ADP bs·gpu_n, TP bs, DP+TP bs·dp_n (LLMem §5)."""
    result = plan(make_job("facebook/opt-125m", gpus=4, seq=512))
    rows = {k.value: m for k, m in result.methods.items()}
    assert rows["cdp"].score == rows["cdp"].max_batch_size * 4 * CDP_SCORE_FACTOR
    assert rows["adp"].score == rows["adp"].max_batch_size * 4
    assert rows["tp"].score == rows["tp"].max_batch_size
    assert rows["dp+tp"].score == rows["dp+tp"].max_batch_size * 2
    assert result.chosen == max(rows.values(), key=lambda r: r.score)


def test_four_gpus_default_to_two_by_two() -> None:
    result = plan(make_job("facebook/opt-125m", gpus=4, seq=512))
    assert result.methods[MethodKind.DP_TP].method.tp == 2


def test_small_model_prefers_cdp() -> None:
    """OPT-125m fits whole on a V100, and CDP's 1.5× favour wins (the paper's expectation)."""
    assert plan(make_job("facebook/opt-125m", gpus=4, seq=512)).choice == MethodKind.CDP


def test_opt_1_3b_on_v100s_needs_sharding() -> None:
    """OPT-1.3b does not fit whole on a 16 GiB V100 (≈19.8 GiB at bs 8) so CDP gets 0."""
    result = plan(make_job("facebook/opt-1.3b", gpus=4, seq=512))
    assert result.methods[MethodKind.CDP].max_batch_size == 0
    assert result.choice == MethodKind.ADP


def test_nothing_fits_means_cpu_offload() -> None:
    result = plan(make_job("meta-llama/Llama-2-70b-hf", gpus=1, seq=512))
    assert result.choice is None and result.offload and result.chosen is None
    assert all(m.max_batch_size == 0 and m.applicable for m in result.methods.values())


def test_a_method_that_cannot_run_is_not_applicable_never_offload() -> None:
    """OPT-350m's 1,024-wide layers (the paper's TP splits widths, not heads) do not split over
    3 GPUs, and 3 GPUs have no dp+tp layout: both are reported as not applicable with the
    reason; the plan still chooses a method."""
    result = plan(make_job("facebook/opt-350m", gpus=3, seq=512))
    tp, dp_tp = result.methods[MethodKind.TP], result.methods[MethodKind.DP_TP]
    assert not tp.applicable and "hidden size (1,024)" in tp.reason
    assert not dp_tp.applicable and "divisor" in dp_tp.reason
    assert result.choice in (MethodKind.CDP, MethodKind.ADP)


def test_plan_rejects_tp_not_dividing_gpus() -> None:
    with pytest.raises(InputError, match="must divide num_gpus") as err:
        plan(make_job("facebook/opt-125m", gpus=4), tp=3)
    assert err.value.field == "tp"


def test_gpus_needed_is_the_smallest_count() -> None:
    job = make_job("meta-llama/Llama-2-7b-hf", gpu="a100-80gb", batch=4, seq=2048)
    result = gpus_needed(job)
    n = result.job.cluster.num_gpus
    assert any(m.max_batch_size >= 4 for m in result.methods.values())
    assert n > 1  # 7 B parameters in AdamW do not fit one 80 GB GPU (≈ 16 B/param)
    smaller = plan(job.with_(num_gpus=n - 1))
    assert all(m.max_batch_size < 4 for m in smaller.methods.values())


def test_gpus_needed_none_when_impossible() -> None:
    job = make_job("meta-llama/Llama-2-70b-hf", gpu="t4-16gb", batch=64, seq=4096)
    assert gpus_needed(job, max_gpus=8) is None
