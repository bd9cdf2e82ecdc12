"""Golden cases for the `paper` profile, worked out by hand from the authors' code
(github.com/taehokim20/LLMem @ 3d289b4: size_estimator.py, and Gemini's chunks that its
measured base holds; docs/paper-profile.md). One case per method, on TINY (tests/conftest.py:
2 layers, hidden 64, vocabulary 1,000, 128 learned positions, tied), bs 2, sl 16, m_base
100 MiB, so every term is a whole number of 2 MiB pages:

  m_p     172,288 parameters, under Gemini's 32 Mi minimum: one chunk kept gathered on every
          GPU, fp16 and fp32 a page each: 2 pages (TP, DP+TP: the split weights and the
          whole biases and norms are two such groups: 4 pages)
  m_os    18 walked entries before the tied lm_head (wte, wpe; per layer 4 Linear weights and
          4 biases), 2 pages each whatever the division: 36 pages
  m_out   l_n + 2 = 4 boundary tensors (2·16·64·2 = 4 KiB) + the ids' page: 5 pages
  m_lm    logits ⌈2·16·1000·2⌉_p + 2·⌈2·15·1000·2⌉_p + lm_p ⌈1000·64·2⌉_p: 4 pages
  gather  ADP and DP+TP: a page of each of the 18 entries: 18 pages
  m_back  TP and DP+TP: l_n − 1 = 1 boundary of 4 KiB · (tp−1)/tp: 1 page
"""

from __future__ import annotations

import pytest

from llmem_core import InputError, estimate
from llmem_core.units import MiB
from tests.conftest import make_request

PAGE = 2 * MiB
BASE = 50 * PAGE  # 100 MiB


def tiny_estimate(tiny, method: str, gpus: int, tp: int | None = None):
    req = make_request(
        tiny,
        method=method,
        gpus=gpus,
        tp=tp,
        batch=2,
        seq=16,
        memory_bytes=2**30,
        cuda_context_mib=100,
    )
    return estimate(req)


@pytest.mark.parametrize(
    ("method", "gpus", "tp", "pages"),
    [
        ("single", 1, None, {"transformer": 2, "optimizer": 36, "transient": 0}),
        ("cdp", 4, None, {"transformer": 2, "optimizer": 36, "transient": 0}),
        ("adp", 4, None, {"transformer": 2, "optimizer": 36, "transient": 18}),
        ("tp", 4, None, {"transformer": 4, "optimizer": 36, "transient": 1}),
        ("dp+tp", 4, 2, {"transformer": 4, "optimizer": 36, "transient": 19}),
    ],
    ids=["single", "cdp", "adp", "tp", "dp+tp"],
)
def test_tiny_by_hand(tiny, method: str, gpus: int, tp: int | None, pages: dict) -> None:
    """Every method: the parts in pages as the module docstring derives them; activations 5,
    lm_head 4 and m_base 100 MiB are the same for all."""
    e = tiny_estimate(tiny, method, gpus, tp)
    got = e.components
    assert got.transformer == pages["transformer"] * PAGE
    assert got.optimizer == pages["optimizer"] * PAGE
    assert got.transient == pages["transient"] * PAGE
    assert (got.activations, got.lm_head, got.runtime) == (5 * PAGE, 4 * PAGE, BASE)
    assert e.peak_bytes == (sum(pages.values()) + 5 + 4) * PAGE + BASE


def test_cdp_equals_single_per_gpu() -> None:
    """CDP keeps the whole model on every GPU: m_peak(cdp) = m_peak(single) (LLMem §4)."""
    single = estimate(make_request("facebook/opt-1.3b")).peak_bytes
    assert estimate(make_request("facebook/opt-1.3b", method="cdp", gpus=4)).peak_bytes == single


def test_dp_tp_gathers_the_tp_shard_beyond_its_own() -> None:
    """DP+TP 2×2 gathers m_p16·(1/2 − 1/4) per tensor, ADP m_p16·3/4: a third of ADP's up to
    page rounding (290 entries of OPT-1.3b). Its m_back at bs 8: 23 boundaries of
    ⌈8·512·2048·2·(1/2)⌉_p = 8 MiB."""
    adp = estimate(make_request("facebook/opt-1.3b", method="adp", gpus=4)).components
    dptp = estimate(make_request("facebook/opt-1.3b", method="dp+tp", gpus=4, tp=2)).components
    gathered = dptp.transient - 23 * 8 * MiB
    assert gathered == pytest.approx(adp.transient / 3, abs=290 * PAGE)


def test_codegen_logits_in_fp32() -> None:
    """CodeGen casts logits to fp32 in the paper's transformers 4.29 (LLMem §3): B = 4, so the
    logits part is twice GPT-2-style B = 2 at the same shape."""
    e = estimate(make_request("Salesforce/codegen-350M-nl", batch=4, seq=512))
    v = 51_200
    logits = 4 * 512 * v * 4
    assert e.components.lm_head >= logits * 3 - 3 * 2**21


def test_tp_needs_widths_not_heads() -> None:
    """BioGPT-Large has 25 heads, yet the paper ran it with 4-way TP: the authors' Colossal-AI
    TP splits each Linear's input (1,600 and 6,400 wide), not the heads."""
    e = estimate(make_request("microsoft/BioGPT-Large", method="tp", gpus=4, batch=1))
    assert e.request.parallel.tp == 4
    with pytest.raises(InputError, match="hidden size") as err:
        make_request("microsoft/BioGPT-Large", method="tp", gpus=3)
    assert err.value.field == "tp"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("precision", {"precision": "fp32"}),
        ("precision", {"precision": "bf16"}),
        ("grad_checkpointing", {"grad_checkpointing": False}),
    ],
)
def test_settings_outside_the_paper_are_refused(field: str, kwargs: dict) -> None:
    """Refused when the request is built (not when it is estimated), naming the field."""
    req = make_request("facebook/opt-125m")
    with pytest.raises(InputError) as err:
        req.with_(**kwargs)
    assert err.value.field == field
