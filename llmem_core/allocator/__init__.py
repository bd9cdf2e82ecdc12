"""A model of PyTorch's CUDA caching allocator, and the allocation traces it replays.

`caching.py` follows `c10/cuda/CUDACachingAllocator.cpp` (pytorch/pytorch at 001074d2) rule by
rule; `trace.py` is the format in which the fake-device harness records every allocation and
free of a training step. Pure Python, no torch: the estimator's fast terms
(presets/allocator-terms.json) are derived offline from replays by scripts/allocator_terms.py.
"""

from llmem_core.allocator.caching import (
    AllocatorConfig,
    AllocatorOutOfMemory,
    CachingAllocator,
    Stats,
)
from llmem_core.allocator.trace import Replay, replay

__all__ = [
    "AllocatorConfig",
    "AllocatorOutOfMemory",
    "CachingAllocator",
    "Replay",
    "Stats",
    "replay",
]
