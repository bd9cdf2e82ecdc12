"""Golden cases for the `paper` profile, worked out by hand from LLMem's equations
(Kim et al., IJCAI 2024, §3–4; shared/docs/llmem-method.md). One case per method.

Shared arithmetic for facebook/opt-1.3b, bs 8, sl 512, chunk size cs = 64 Mi elements,
m_base 512 MiB (536,870,912), MiB page = 2,097,152:
  embed_p = 50,272·2,048 = 102,957,056; other_p = 1,315,758,080 − embed_p = 1,212,801,024
  ⌈other_p/cs⌉·cs = 19·67,108,864 = 1,275,068,416 → chunked = 1,378,025,472
  m_p16 = ⌈·2⌉_p = 1,315 pages = 2,757,754,880;  m_p32 = ⌈·4⌉_p = 2,629 pages = 5,513,412,608
  m_p   = m_p16 + m_p32 = 8,271,167,488 (each buffer page-rounded; components/weights.py)
  m_os  = 2·(197 [embed] + 9 [positions 2,050·2,048] + 24·(4·8 + 2·32) [q,k,v,o,fc1,fc2]) pages
        = 5,020 pages = 10,527,703,040
  m_out = ⌈(2 + 24)·8·512·2,048·2⌉_p = 436,207,616
  m_lm  = ⌈8·512·50,272·2⌉_p (197 pages) + 2·⌈8·511·50,272·2⌉_p (2·196 pages) + 102,957,056·2
        = 413,138,944 + 822,083,584 + 205,914,112 = 1,441,136,640
"""

from __future__ import annotations

import pytest

from llmem_core import InputError, estimate
from tests.conftest import CHUNK_64MI, make_request

M_BASE = 536_870_912
M_OUT = 436_207_616
M_LM = 1_441_136_640


def opt13(method: str, gpus: int, tp: int | None = None):
    return estimate(
        make_request("facebook/opt-1.3b", method=method, gpus=gpus, tp=tp, chunk_size=CHUNK_64MI)
    )


def test_single_gpu() -> None:
    """m_base + m_p + m_os + m_out + m_lm = 536,870,912 + 8,271,167,488 + 10,527,703,040
    + 436,207,616 + 1,441,136,640 = 21,213,085,696."""
    e = opt13("single", 1)
    assert e.components.transformer == 8_271_167_488
    assert e.components.optimizer == 10_527_703_040
    assert (e.components.activations, e.components.lm_head) == (M_OUT, M_LM)
    assert e.peak_bytes == 21_213_085_696
    assert not e.fits  # 19.8 GiB on a 16 GiB V100


def test_cdp_equals_single_per_gpu() -> None:
    """CDP keeps the whole model on every GPU: m_peak(cdp) = m_peak(single) = 21,213,085,696."""
    assert opt13("cdp", 4).peak_bytes == 21_213_085_696


def test_adp_four_gpus() -> None:
    """m_base + m_p16 + (m_p32 + m_os)/4 + m_out + m_lm, with m_p16 split into the own shard
    ⌈m_p16/4⌉ = 689,438,720 and the gathered rest 2,068,316,160:
      transformer = 689,438,720 + ⌈m_p32/4⌉ 1,378,353,152 = 2,067,791,872
      optimizer   = 10,527,703,040 / 4 = 2,631,925,760
      peak = 2,067,791,872 + 2,068,316,160 + 2,631,925,760 + M_OUT + M_LM + M_BASE
           = 9,182,248,960."""
    e = opt13("adp", 4)
    assert e.components.transformer == 2_067_791_872
    assert e.components.transient == 2_068_316_160
    assert e.components.optimizer == 2_631_925_760
    assert e.peak_bytes == 9_182_248_960


def test_tp_four_gpus() -> None:
    """m_base + (m_p + m_os)/4 + m_out + m_lm + m_back:
    m_p/4 = 2,067,791,872; m_os/4 = 2,631,925,760
    m_back = ⌈24·8·512·2,048·(3/4)·2⌉_p = 301,989,888
    peak = 2,067,791,872 + 2,631,925,760 + M_OUT + M_LM + 301,989,888 + M_BASE
         = 7,415,922,688."""
    e = opt13("tp", 4)
    assert e.components.transient == 301_989_888
    assert e.peak_bytes == 7_415_922_688


def test_dp_tp_two_by_two_matches_the_papers_printed_form() -> None:
    """General form m_base + m_p16/tp_n + (m_p32 + m_os)/gpu_n + m_out + m_lm + m_back, with
    m_back(tp 2) = ⌈24·8·512·2,048·(1/2)·2⌉_p = 201,326,592:
      2,067,791,872 + (1,378,877,440 − 689,438,720) + 2,631,925,760 + M_OUT + M_LM
      + 201,326,592 + M_BASE = 8,004,698,112.
    The paper's printed special case, m_peak(adp) − m_p16·tp_n/gpu_n + m_back
      = 9,182,248,960 − 1,378,877,440 + 201,326,592 = 8,004,698,112: the same."""
    e = opt13("dp+tp", 4, tp=2)
    assert e.peak_bytes == 8_004_698_112
    adp = opt13("adp", 4).peak_bytes
    assert e.peak_bytes == adp - 2_757_754_880 * 2 // 4 + 201_326_592


def test_tiny_single_by_hand(tiny) -> None:
    """TINY (tests/conftest.py), bs 2, sl 16, cs 65,536, m_base 100 MiB:
    m_p: 64,000 + ⌈108,288/65,536⌉·65,536 = 195,072 elements; ·2 and ·4 → 1 page each = 4 MiB
    m_os: 10 weight tensors (wte, wpe, 4 per layer × 2) × 2 pages = 40 MiB
    m_out: (2 + 2)·2·16·64·2 = 16,384 → 2 MiB
    m_lm: ⌈2·16·1000·2⌉_p + 2·⌈2·15·1000·2⌉_p + 64,000·2 = 6 MiB + 128,000
    peak = (4 + 40 + 2 + 6 + 100) MiB + 128,000 = 159,511,552."""
    req = make_request(
        tiny, batch=2, seq=16, memory_bytes=2**30, chunk_size=65_536, cuda_context_mib=100
    )
    assert estimate(req).peak_bytes == 159_511_552


def test_codegen_logits_in_fp32() -> None:
    """CodeGen casts logits to fp32 in the paper's transformers 4.29 (LLMem §3): B = 4, so the
    logits part is twice GPT-2-style B = 2 at the same shape."""
    e = estimate(make_request("Salesforce/codegen-350M-nl", batch=4, seq=512))
    v = 51_200
    logits = 4 * 512 * v * 4
    assert e.components.lm_head >= logits * 3 - 3 * 2**21


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
