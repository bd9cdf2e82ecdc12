"""The uncertainty band around a peak, from the core's measured accuracy per profile and method
(llmem_core.accuracy.BANDS, each row with its source)."""

from __future__ import annotations

from llmem_core.accuracy import Band, band_bytes, band_for
from llmem_core.models import MethodKind, ProfileName

Accuracy = Band


def accuracy_for(profile: ProfileName, method: MethodKind) -> Band | None:
    """The measured accuracy of a profile for a method; None if not yet measured."""
    return band_for(ProfileName(profile).value, MethodKind(method).value)


band = band_bytes  # (low, high) bytes around the peak: computed in the core
