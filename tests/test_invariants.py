"""Properties every estimate must have, checked with hypothesis over presets and methods."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from llmem_core import estimate, max_batch_size, peak_bytes, prepare
from llmem_core.components.paper_walk import module_params
from llmem_core.presets import load_models
from llmem_core.units import CUDA_PAGE
from tests.conftest import make_request

MODELS = sorted(load_models())
SMALLISH = [m for m in MODELS if load_models()[m].params_exact < 3e9]
METHODS = ["cdp", "adp", "tp", "dp+tp"]

models = st.sampled_from(MODELS)
batches = st.integers(1, 256)
seqs = st.integers(1, 8192)


profiles = st.sampled_from(["paper", "pytorch"])
precisions = st.sampled_from(["fp32", "amp-bf16", "amp-fp16", "bf16"])


def _req(
    model, method="single", gpus=1, batch=1, seq=512, tp=None, profile="paper", precision="amp-fp16"
):
    tp = tp if method == "dp+tp" else None
    if profile == "paper":
        precision = "amp-fp16"
    return make_request(
        model,
        method=method,
        gpus=gpus,
        batch=batch,
        seq=_fit(model, seq),
        tp=tp,
        gpu="h200-141gb",
        profile=profile,
        precision=precision,
    )


def _fit(model: str, seq: int) -> int:
    """A sequence the model can take (learned position tables bound it: GPT-2 1,024)."""
    limit = load_models()[model].architecture.max_seq_len
    return seq if limit is None else min(seq, limit)


def _tp_ok(model: str, method: str) -> bool:
    """TP needs the head count divisible by 4 (tp) or 2 (dp+tp on 4 GPUs)."""
    heads = load_models()[model].architecture.num_attention_heads
    return heads % {"tp": 4, "dp+tp": 2}.get(method, 1) == 0


@settings(max_examples=60, deadline=None)
@given(models, st.sampled_from(["single", *METHODS]), batches, seqs, profiles, precisions)
def test_the_fast_path_agrees_with_the_full_estimate(
    model, method, batch, seq, profile, precision
) -> None:
    """The batch search's prepare(req).peak(b) and estimate(req) are two code paths (no
    result objects vs the phase table): they must give the same peak at every batch."""
    assume(_tp_ok(model, method))
    gpus = 1 if method == "single" else 4
    req = _req(model, method, gpus, batch, seq, 2, profile, precision)
    assert prepare(req).peak(batch) == estimate(req).peak_bytes == peak_bytes(req)


@settings(max_examples=80, deadline=None)
@given(models, st.sampled_from(METHODS), batches, seqs, profiles, precisions)
def test_peak_never_falls_as_batch_or_sequence_grows(
    model, method, batch, seq, profile, precision
) -> None:
    gpus = 4
    assume(_tp_ok(model, method))
    seq = _fit(model, seq + 1) - 1
    args = (profile, precision)
    base = peak_bytes(_req(model, method, gpus, batch, seq, 2, *args))
    assert peak_bytes(_req(model, method, gpus, batch + 1, seq, 2, *args)) >= base
    assert peak_bytes(_req(model, method, gpus, batch, seq + 1, 2, *args)) >= base


@settings(max_examples=40, deadline=None)
@given(models, batches, seqs, profiles, precisions)
def test_on_one_gpu_all_methods_agree(model, batch, seq, profile, precision) -> None:
    peaks = {
        peak_bytes(_req(model, m, 1, batch, seq, None, profile, precision))
        for m in ("single", "cdp", "adp", "tp", "dp+tp")
    }
    assert len(peaks) == 1


@settings(max_examples=60, deadline=None)
@given(models, batches, st.integers(2, 63), precisions)
def test_more_gpus_never_raise_adp_peak(model, batch, gpus, precision) -> None:
    args = (None, "pytorch", precision)
    assert peak_bytes(_req(model, "adp", gpus + 1, batch, 512, *args)) <= peak_bytes(
        _req(model, "adp", gpus, batch, 512, *args)
    )


@settings(max_examples=60, deadline=None)
@given(models, batches, st.integers(2, 63), precisions)
def test_more_gpus_raise_the_paper_peak_by_its_page_rounding_at_most(
    model, batch, gpus, precision
) -> None:
    """The authors' size_estimator.py rounds each walked parameter's gathered fp16 share,
    (g − 1)/g of it, up to a 2 MiB page; that share grows with g while the own shard falls,
    so one more GPU can raise the `paper` peak, by under a page per walked parameter (e.g.
    Qwen2.5-14B fp32, 17 → 18 GPUs: +122 pages of 482). The exact terms never rise."""
    args = (None, "paper", precision)
    before = _req(model, "adp", gpus, batch, 512, *args)
    rounding = len(module_params(before.model)) * CUDA_PAGE
    assert peak_bytes(_req(model, "adp", gpus + 1, batch, 512, *args)) <= (
        peak_bytes(before) + rounding
    )


@settings(max_examples=30, deadline=None)
@given(models, batches, profiles, precisions)
def test_sharding_never_raises_the_tensors(model, batch, profile, precision) -> None:
    """From one GPU to two the device figure may rise (NCCL's buffers, buffers in flight);
    the model's tensors never do."""
    one, two = (
        estimate(_req(model, "adp", n, batch, 512, None, profile, precision)) for n in (1, 2)
    )
    assert two.model_tensor_bytes <= one.model_tensor_bytes


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(SMALLISH),
    st.sampled_from(["single", *METHODS]),
    st.integers(64, 4096),
    profiles,
)
def test_max_batch_fits_and_one_more_does_not(model, method, seq, profile) -> None:
    gpus = 1 if method == "single" else 4
    assume(_tp_ok(model, method))
    req = make_request(
        model,
        method=method,
        gpus=gpus,
        tp=2 if method == "dp+tp" else None,
        seq=_fit(model, seq),
        gpu="a100-80gb",
        profile=profile,
    )
    best = max_batch_size(req)
    assert not estimate(req.with_(batch_size=best + 1)).fits
    if best:
        assert estimate(req.with_(batch_size=best)).fits


@settings(max_examples=30, deadline=None)
@given(models, batches, st.sampled_from(["adp", "cdp", "tp"]), precisions)
def test_the_real_gpu_layers_never_move_the_models_tensors(model, batch, method, precision):
    """What the fake device measures is the same whatever the GPU-only terms are: the
    fake-device gates compare it, so an in-flight or slack term must not pick another moment."""
    assume(_tp_ok(model, method))
    base = _req(model, method, 4, batch, 512, None, "pytorch", precision)
    bare = base.job.with_(comm_lag=0, allocator_slack=0.0, nccl_bytes=0, cublas_workspace_bytes=0)
    assert (
        estimate(base).model_tensor_bytes == estimate(bare.request(base.method)).model_tensor_bytes
    )
