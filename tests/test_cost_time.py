"""Time of a run (llmem_core/cost/duration.py): hand-worked hours, precision, bad input."""

from __future__ import annotations

import pytest

from llmem_core.cost import (
    CostAssumptions,
    Run,
    hardware_flops_per_token,
    peak_flops,
    run_time,
    training_hours,
)
from llmem_core.errors import InputError
from llmem_core.models import MethodKind, Precision, Training
from llmem_core.presets import find_model


def test_one_billion_parameters_on_eight_a100s():
    """N = 1e9, D = 1e9 tokens, no recomputation, no attention term: 6·N·D = 6e18 FLOPs.
    8 × A100 at 312 TFLOP/s and utilisation 0.4 sustain 8 · 312e12 · 0.4 = 9.984e14 FLOP/s:
    6e18 / 9.984e14 = 6,009.615 s = 1.669338 h."""
    hours = training_hours(6e18, num_gpus=8, peak=312e12, utilisation=0.4, comm_penalty=0.0)
    assert hours == pytest.approx(1.669338, rel=1e-6)


def test_communication_penalty_divides_by_one_minus_it():
    """The same run with 5 % of step time lost to communication: 1.669338 / 0.95 = 1.757198 h."""
    hours = training_hours(6e18, num_gpus=8, peak=312e12, utilisation=0.4, comm_penalty=0.05)
    assert hours == pytest.approx(1.757198, rel=1e-6)


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        (Precision.AMP_BF16, 312e12),
        (Precision.AMP_FP16, 312e12),
        (Precision.BF16, 312e12),
        (Precision.FP32, 156e12),  # TF32: A100 datasheet 156 dense
    ],
    ids=lambda v: str(v),
)
def test_peak_by_precision(precision, expected):
    assert peak_flops(312.0, precision, fp32_fraction=0.5) == pytest.approx(expected)


def test_run_time_matches_the_formula_on_a_preset():
    """Llama-3.2-1B, seq 2048, checkpointing on, 1e8 tokens × 2 epochs, 4 GPUs of 989
    TFLOP/s with ADP's defaults (u 0.40, c 0.075): hours = D·F ÷ (n·P·u·(1−c)) ÷ 3600."""
    arch = find_model("meta-llama/Llama-3.2-1B").architecture
    job = Run(
        model=arch,
        training=Training(batch_size=8, seq_len=2048, precision="amp-bf16"),
        dataset_tokens=100_000_000,
        epochs=2,
    )
    t = run_time(job, 989.0, 4, MethodKind.ADP, CostAssumptions())
    f = hardware_flops_per_token(arch, 2048, True)
    expected = 2e8 * f / (4 * 989e12 * 0.40 * (1 - 0.075)) / 3600
    assert t.hours == pytest.approx(expected, rel=1e-12)
    assert t.total_flops == pytest.approx(2e8 * f)
    assert t.gpu_hours == pytest.approx(4 * t.hours)
    assert (t.utilisation, t.comm_penalty) == (0.40, 0.075)


def test_samples_are_sequence_length_tokens_each():
    """52,000 samples × 512 tokens × 3 epochs = 79,872,000 tokens."""
    arch = find_model("facebook/opt-1.3b").architecture
    job = Run(
        model=arch, training=Training(batch_size=8, seq_len=512), dataset_samples=52_000, epochs=3
    )
    assert job.total_tokens == 79_872_000


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_gpus": 0, "peak": 1e12, "utilisation": 0.4, "comm_penalty": 0.0},
        {"num_gpus": 1, "peak": 0.0, "utilisation": 0.4, "comm_penalty": 0.0},
        {"num_gpus": 1, "peak": 1e12, "utilisation": 0.0, "comm_penalty": 0.0},
        {"num_gpus": 1, "peak": 1e12, "utilisation": 1.5, "comm_penalty": 0.0},
        {"num_gpus": 1, "peak": 1e12, "utilisation": 0.4, "comm_penalty": 1.0},
    ],
    ids=["no-gpus", "zero-peak", "zero-utilisation", "utilisation-over-1", "penalty-1"],
)
def test_training_hours_rejects_impossible_inputs(kwargs):
    with pytest.raises(InputError, match="time:"):
        training_hours(1e18, **kwargs)


def test_zero_peak_is_rejected():
    with pytest.raises(InputError, match="bf16_tflops_dense"):
        peak_flops(0.0, Precision.AMP_BF16, 0.5)
