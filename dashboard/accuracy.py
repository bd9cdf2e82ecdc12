"""Measured accuracy of each runtime profile, as data: the uncertainty band around a peak.

One row per (profile, method). `error_pct` is the largest absolute error the source reports
for that setting; the band drawn is peak × (1 ± error_pct/100). When the core can supply these
figures (from its own accuracy benchmark) this table should move there; until then it lives
here, in one place, each row with its source.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmem_core.models import MethodKind, ProfileName

PAPER = "LLMem (Kim et al., IJCAI 2024), §5 results"


@dataclass(frozen=True)
class Accuracy:
    profile: ProfileName
    method: MethodKind
    error_pct: float  # largest |estimate − measured| / measured reported, in %
    mean_pct: float | None  # mean error reported, where the source gives one
    source: str


ACCURACY: tuple[Accuracy, ...] = (
    # Single GPU: OPT-125m, OPT-350m, bloom-560m, codegen-350M at LLMem's chosen batch:
    # 16,314 vs 16,378 MB … 16,578 vs 16,324 MB, error 0.4–1.6 %.
    Accuracy(ProfileName.PAPER, MethodKind.SINGLE, 1.6, None, f"{PAPER}: single GPU 0.4–1.6 %"),
    # CDP keeps the whole model on every GPU, so each GPU is the single-GPU case (assumption:
    # the paper reports no separate CDP error).
    Accuracy(ProfileName.PAPER, MethodKind.CDP, 1.6, None,
             f"{PAPER}: single GPU 0.4–1.6 % (CDP = one full replica per GPU)"),
    Accuracy(ProfileName.PAPER, MethodKind.ADP, 6.0, 3.0,
             f"{PAPER}: ADP on 4 GPUs 0.8–6 %; mean 3.0 % for models over 1 B"),
    Accuracy(ProfileName.PAPER, MethodKind.TP, 7.4, 3.0,
             f"{PAPER}: TP and DP+TP −1.6 … +7.4 %; mean 3.0 % for models over 1 B"),
    Accuracy(ProfileName.PAPER, MethodKind.DP_TP, 7.4, 3.0,
             f"{PAPER}: TP and DP+TP −1.6 … +7.4 %; mean 3.0 % for models over 1 B"),
)


def accuracy_for(profile: ProfileName, method: MethodKind) -> Accuracy | None:
    """The measured accuracy of a profile for a method; None if not yet measured."""
    for row in ACCURACY:
        if row.profile == profile and row.method == method:
            return row
    return None


def band(peak_bytes: int, acc: Accuracy | None) -> tuple[int, int] | None:
    """(low, high) bytes around the peak from the measured error; None when unmeasured."""
    if acc is None:
        return None
    delta = round(peak_bytes * acc.error_pct / 100)
    return peak_bytes - delta, peak_bytes + delta
