"""Invariants of time and money, by hypothesis: more tokens never cheaper, more GPUs never
slower at equal utilisation, currency is a pure scale, break-even repays the purchase."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmem_core.cost import (
    CostAssumptions,
    Currency,
    PriceOverride,
    Run,
    break_even,
    run_cost,
    run_time,
    training_hours,
    unit_prices,
)
from llmem_core.cost.results import BreakEvenStatus
from llmem_core.models import MethodKind, Training
from llmem_core.presets import find_model, load_gpus

ARCH = find_model("meta-llama/Llama-3.2-1B").architecture
GPUS = load_gpus()
PRICED = [k for k, g in GPUS.items() if g.cloud_usd_per_hour_low and g.purchase_usd]

tokens = st.integers(min_value=1, max_value=10**13)
seq = st.sampled_from([128, 512, 2048, 8192])
gpus = st.integers(min_value=1, max_value=1024)
util = st.floats(min_value=0.01, max_value=1.0)
penalty = st.floats(min_value=0.0, max_value=0.9)
methods = st.sampled_from(list(MethodKind))


def job(n_tokens: int, seq_len: int = 2048, ckpt: bool = True) -> Run:
    training = Training(batch_size=1, seq_len=seq_len, grad_checkpointing=ckpt)
    return Run(model=ARCH, training=training, dataset_tokens=n_tokens)


@settings(max_examples=60, deadline=None)
@given(a=tokens, b=tokens, seq_len=seq, key=st.sampled_from(PRICED), n=gpus, method=methods)
def test_more_tokens_never_cheaper(a, b, seq_len, key, n, method):
    small, large = sorted((a, b))
    p = unit_prices(GPUS[key], None, Currency())
    asm = CostAssumptions()
    peak = GPUS[key].bf16_tflops_dense
    t1 = run_time(job(small, seq_len), peak, n, method, asm)
    t2 = run_time(job(large, seq_len), peak, n, method, asm)
    c1, c2 = run_cost(t1.hours, n, p, asm), run_cost(t2.hours, n, p, asm)
    assert t1.hours <= t2.hours
    for field in ("cloud_low", "cloud_high", "owned_total", "owned_energy"):
        assert getattr(c1, field) <= getattr(c2, field)


@settings(max_examples=200, deadline=None)
@given(
    flops=st.floats(min_value=1e6, max_value=1e26),
    n=gpus,
    more=gpus,
    u=util,
    c=penalty,
    peak=st.floats(min_value=1.0, max_value=1e16),
)
def test_more_gpus_never_slower_at_equal_utilisation(flops, n, more, u, c, peak):
    assert training_hours(flops, n + more, peak, u, c) <= training_hours(flops, n, peak, u, c)


@settings(max_examples=60, deadline=None)
@given(n_tokens=tokens, ckpt=st.booleans())
def test_checkpointing_never_faster(n_tokens, ckpt):
    asm = CostAssumptions()
    plain = run_time(job(n_tokens, ckpt=False), 312.0, 8, MethodKind.CDP, asm)
    other = run_time(job(n_tokens, ckpt=ckpt), 312.0, 8, MethodKind.CDP, asm)
    assert other.hours >= plain.hours


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(min_value=1e-3, max_value=1e5),
    key=st.sampled_from(PRICED),
    hours=st.floats(min_value=1e-3, max_value=1e5),
    n=gpus,
)
def test_currency_is_a_pure_scale(rate, key, hours, n):
    usd = CostAssumptions()
    other = CostAssumptions(currency=Currency(code="XXX", per_usd=rate))
    c_usd = run_cost(hours, n, unit_prices(GPUS[key], None, usd.currency), usd)
    c_x = run_cost(hours, n, unit_prices(GPUS[key], None, other.currency), other)
    for field in ("cloud_low", "cloud_high", "owned_amortisation", "owned_energy"):
        assert getattr(c_x, field) == pytest.approx(rate * getattr(c_usd, field), rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    cloud=st.floats(min_value=0.01, max_value=1e7),
    energy=st.floats(0, 1e7),
    purchase=st.floats(min_value=1.0, max_value=1e9),
    hours=st.floats(min_value=1e-2, max_value=1e4),
)
def test_break_even_repays_the_purchase(cloud, energy, purchase, hours):
    b = break_even(cloud, energy, purchase, hours, CostAssumptions())
    if cloud <= energy:
        assert b.status == BreakEvenStatus.NEVER
    else:
        assert b.runs * (cloud - energy) == pytest.approx(purchase, rel=1e-9)
        assert b.months == pytest.approx(b.runs * hours / CostAssumptions().owned_hours_per_month)


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(min_value=0.01, max_value=1e3),
    extra=st.floats(0, 1e3),
    hours=st.floats(min_value=0.1, max_value=1e3),
    n=gpus,
)
def test_cloud_low_never_above_high(low, extra, hours, n):
    edit = PriceOverride(cloud_per_gpu_hour_low=low, cloud_per_gpu_hour_high=low + extra)
    p = unit_prices(GPUS["h100-80gb"], edit, Currency())
    c = run_cost(hours, n, p, CostAssumptions())
    assert c.cloud_low <= c.cloud_high
