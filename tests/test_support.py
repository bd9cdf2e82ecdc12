"""Precision support by GPU (llmem_core/support.py) agrees with the catalog's notes."""

from __future__ import annotations

import pytest

from llmem_core import load_gpus
from llmem_core.models import Precision
from llmem_core.support import NO_BF16, unsupported


def test_the_gpus_without_bf16_are_those_the_catalog_says():
    stated = {k for k, g in load_gpus().items() if "no bf16 support" in g.note.lower()}
    assert stated == NO_BF16


@pytest.mark.parametrize(
    ("gpu", "precision", "expected"),
    [
        ("v100-32gb", Precision.AMP_BF16, True),
        ("t4-16gb", Precision.BF16, True),
        ("t4-16gb", Precision.AMP_FP16, False),
        ("a100-80gb", Precision.AMP_BF16, False),
        ("v100-16gb", Precision.FP32, False),
    ],
    ids=["v100-amp-bf16", "t4-bf16", "t4-fp16", "a100-bf16", "v100-fp32"],
)
def test_unsupported(gpu, precision, expected):
    assert unsupported(gpu, precision) is expected
