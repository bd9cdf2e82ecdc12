"""Properties every estimate must have, checked with hypothesis over presets and methods."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from llmem_core import estimate, max_batch_size, peak_bytes
from llmem_core.presets import load_models
from tests.conftest import make_request

MODELS = sorted(load_models())
SMALLISH = [m for m in MODELS if load_models()[m].params_exact < 3e9]
METHODS = ["cdp", "adp", "tp", "dp+tp"]

models = st.sampled_from(MODELS)
batches = st.integers(1, 256)
seqs = st.integers(1, 8192)


profiles = st.sampled_from(["paper", "pytorch"])
precisions = st.sampled_from(["fp32", "amp-bf16", "amp-fp16", "bf16"])


def _req(model, method="single", gpus=1, batch=1, seq=512, tp=1, profile="paper",
         precision="amp-fp16"):
    tp = tp if method == "dp+tp" else 1
    if profile == "paper":
        precision = "amp-fp16"
    return make_request(model, method=method, gpus=gpus, batch=batch, seq=seq, tp=tp,
                        gpu="h200-141gb", profile=profile, precision=precision)


def _tp_ok(model: str, method: str) -> bool:
    """TP needs the head count divisible by 4 (tp) or 2 (dp+tp on 4 GPUs)."""
    heads = load_models()[model].architecture.num_attention_heads
    return heads % {"tp": 4, "dp+tp": 2}.get(method, 1) == 0


@settings(max_examples=60, deadline=None)
@given(models, st.sampled_from(["single", *METHODS]), batches, seqs, profiles, precisions)
def test_parts_sum_to_peak(model, method, batch, seq, profile, precision) -> None:
    assume(_tp_ok(model, method))
    gpus = 1 if method == "single" else 4
    e = estimate(_req(model, method, gpus, batch, seq, 2, profile, precision))
    assert e.components.total == e.peak_bytes == max(e.phase_peaks.values())
    assert e.tensor_peak_bytes == e.peak_bytes - e.components.runtime


@settings(max_examples=80, deadline=None)
@given(models, st.sampled_from(METHODS), batches, seqs, profiles, precisions)
def test_peak_never_falls_as_batch_or_sequence_grows(model, method, batch, seq, profile,
                                                     precision) -> None:
    gpus = 4
    assume(_tp_ok(model, method))
    args = (profile, precision)
    base = peak_bytes(_req(model, method, gpus, batch, seq, 2, *args))
    assert peak_bytes(_req(model, method, gpus, batch + 1, seq, 2, *args)) >= base
    assert peak_bytes(_req(model, method, gpus, batch, seq + 1, 2, *args)) >= base


@settings(max_examples=40, deadline=None)
@given(models, batches, seqs, profiles, precisions)
def test_on_one_gpu_all_methods_agree(model, batch, seq, profile, precision) -> None:
    peaks = {peak_bytes(_req(model, m, 1, batch, seq, 1, profile, precision))
             for m in ("single", "cdp", "adp", "tp")}
    assert len(peaks) == 1


@settings(max_examples=60, deadline=None)
@given(models, batches, st.integers(1, 63), profiles, precisions)
def test_more_gpus_never_raise_adp_peak(model, batch, gpus, profile, precision) -> None:
    args = (1, profile, precision)
    assert peak_bytes(_req(model, "adp", gpus + 1, batch, 512, *args)) <= peak_bytes(
        _req(model, "adp", gpus, batch, 512, *args)
    )


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(SMALLISH), st.sampled_from(["single", *METHODS]), st.integers(64, 4096),
       profiles)
def test_max_batch_fits_and_one_more_does_not(model, method, seq, profile) -> None:
    gpus = 1 if method == "single" else 4
    assume(_tp_ok(model, method))
    req = make_request(model, method=method, gpus=gpus, tp=2 if method == "dp+tp" else 1,
                       seq=seq, gpu="a100-80gb", profile=profile)
    best = max_batch_size(req)
    capacity = req.cluster.memory_bytes
    bigger = req.model_copy(update={"training": req.training.model_copy(
        update={"batch_size": best + 1})})
    assert peak_bytes(bigger) > capacity
    if best:
        fitting = bigger.model_copy(update={"training": req.training.model_copy(
            update={"batch_size": best})})
        assert peak_bytes(fitting) <= capacity
