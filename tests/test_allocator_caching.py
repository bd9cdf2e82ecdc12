"""The caching-allocator model against hand-checked sequences, one rule of
c10/cuda/CUDACachingAllocator.cpp (pytorch/pytorch 001074d2) per test."""

from __future__ import annotations

import pytest

from llmem_core.allocator import AllocatorConfig, AllocatorOutOfMemory, CachingAllocator
from llmem_core.allocator.caching import get_allocation_size, round_size
from llmem_core.units import MiB


@pytest.mark.parametrize(
    ("request_bytes", "rounded"),
    [(1, 512), (512, 512), (513, 1024), (10_000, 10_240), (MiB + 1, MiB + 512)],
    ids=["1B", "512B", "513B", "10kB", "1MiB+1"],
)
def test_round_size_to_512_bytes(request_bytes: int, rounded: int) -> None:
    assert round_size(request_bytes) == rounded


@pytest.mark.parametrize(
    ("rounded", "segment"),
    [
        (512, 2 * MiB),  # small: packed in 2 MiB segments
        (MiB, 2 * MiB),  # 1 MiB is still small
        (MiB + 512, 20 * MiB),  # 1–10 MiB: 20 MiB segments
        (10 * MiB - 512, 20 * MiB),
        (10 * MiB, 10 * MiB),  # ≥ 10 MiB: rounded up to 2 MiB
        (15 * MiB + 512, 16 * MiB),
    ],
    ids=["512B", "1MiB", "1MiB+", "10MiB-", "10MiB", "15MiB+"],
)
def test_segment_sizes(rounded: int, segment: int) -> None:
    assert get_allocation_size(rounded) == segment
    a = CachingAllocator()
    a.malloc(rounded)
    assert a.stats.reserved == segment


def test_small_requests_share_a_2_mib_segment() -> None:
    a = CachingAllocator()
    for _ in range(4):
        a.malloc(100_000)
    assert a.stats.reserved == 2 * MiB
    assert a.stats.allocated == 4 * round_size(100_000)


def test_large_block_is_not_split_for_a_rest_of_1_mib_or_less() -> None:
    a = CachingAllocator()
    h = a.malloc(19 * MiB)  # 20 MiB segment; the 1 MiB rest is not > kSmallSize
    assert a.block_size(h) == 20 * MiB
    assert a.stats.allocated == 20 * MiB
    a2 = CachingAllocator()
    h2 = a2.malloc(18 * MiB)  # 2 MiB rest: split off
    assert a2.block_size(h2) == 18 * MiB


def test_best_fit_takes_the_smallest_block_that_fits() -> None:
    a = CachingAllocator()
    big = a.malloc(30 * MiB)
    small = a.malloc(12 * MiB)
    a.free(big)
    a.free(small)
    h = a.malloc(11 * MiB)
    assert a.stats.reserved == 42 * MiB  # no new segment
    assert a.block_size(h) == 12 * MiB  # the 12 MiB block (its 1 MiB rest is not split)


def test_freed_neighbours_merge() -> None:
    a = CachingAllocator()
    x, y = a.malloc(8 * MiB), a.malloc(8 * MiB)  # both carved from one 20 MiB segment
    assert a.stats.reserved == 20 * MiB
    a.free(x)
    a.free(y)
    a.malloc(19 * MiB + 512)  # needs the merged 20 MiB block
    assert a.stats.reserved == 20 * MiB


def test_blocks_are_reused_on_their_own_stream_only() -> None:
    a = CachingAllocator()
    a.free(a.malloc(40 * MiB, stream=0))
    a.malloc(40 * MiB, stream=1)
    assert a.stats.reserved == 80 * MiB
    a.malloc(40 * MiB, stream=0)
    assert a.stats.reserved == 80 * MiB


def test_free_and_retry_releases_cached_segments_before_oom() -> None:
    a = CachingAllocator(AllocatorConfig(capacity=64 * MiB))
    a.free(a.malloc(40 * MiB, stream=1))  # cached on another stream
    a.malloc(40 * MiB, stream=0)  # 80 > 64: release the cache, retry
    assert a.stats.num_alloc_retries == 1
    assert a.stats.reserved == 40 * MiB


def test_out_of_memory_when_nothing_can_be_released() -> None:
    a = CachingAllocator(AllocatorConfig(capacity=64 * MiB))
    a.malloc(40 * MiB)
    with pytest.raises(AllocatorOutOfMemory):
        a.malloc(40 * MiB)


def test_split_segments_are_not_released() -> None:
    a = CachingAllocator(AllocatorConfig(capacity=40 * MiB))
    a.malloc(4 * MiB)  # lives in a 20 MiB segment, the rest cached but split
    with pytest.raises(AllocatorOutOfMemory):
        a.malloc(22 * MiB)  # 20 + 22 > 40 and the split segment cannot be returned


def test_max_split_size_keeps_oversize_blocks_whole() -> None:
    config = AllocatorConfig(max_split_size=30 * MiB)
    a = CachingAllocator(config)
    a.free(a.malloc(100 * MiB))
    a.malloc(40 * MiB)  # oversize block 100 MiB ≥ 40 MiB + 20 MiB: not used
    assert a.stats.reserved == 140 * MiB
    b = CachingAllocator(config)
    b.free(b.malloc(100 * MiB))
    b.malloc(12 * MiB)  # a request under max_split_size never gets an oversize block
    assert b.stats.reserved == 112 * MiB


def test_record_stream_keeps_a_freed_block_active_until_its_stream_completes() -> None:
    a = CachingAllocator()
    h = a.malloc(40 * MiB, stream=0)
    a.record_stream(h, stream=7)
    a.free(h)
    assert (a.stats.allocated, a.stats.active) == (0, 40 * MiB)
    a.malloc(40 * MiB, stream=0)  # the block is not reusable yet
    assert a.stats.reserved == 80 * MiB
    a.complete(7)
    assert a.stats.active == 40 * MiB
    a.malloc(40 * MiB, stream=0)
    assert a.stats.reserved == 80 * MiB


def test_expandable_segments_grow_one_segment_in_20_mib_pages() -> None:
    a = CachingAllocator(AllocatorConfig(expandable_segments=True))
    x = a.malloc(30 * MiB)  # maps 2 pages (40 MiB); the 10 MiB rest stays free
    assert a.stats.reserved == 40 * MiB
    y = a.malloc(30 * MiB)  # the free 10 MiB + one more page
    assert a.stats.reserved == 60 * MiB
    a.free(x)
    a.free(y)
    a.malloc(55 * MiB)  # the merged 60 MiB serves it: no new memory
    assert a.stats.reserved == 60 * MiB


def test_default_segments_fragment_where_expandable_ones_do_not() -> None:
    a = CachingAllocator()
    x, y = a.malloc(30 * MiB), a.malloc(30 * MiB)
    a.free(x)
    a.free(y)
    a.malloc(55 * MiB)  # two separate 30 MiB segments cannot merge: a new 56 MiB one
    assert a.stats.reserved == 116 * MiB


def test_expandable_segments_unmap_free_pages_under_pressure() -> None:
    a = CachingAllocator(AllocatorConfig(expandable_segments=True, capacity=100 * MiB))
    a.free(a.malloc(80 * MiB, stream=1))
    a.malloc(80 * MiB, stream=0)  # 80 + 80 > 100: stream 1's pages are unmapped, then mapped
    assert a.stats.reserved == 80 * MiB


def test_peaks_track_the_highest_values() -> None:
    a = CachingAllocator()
    h = a.malloc(30 * MiB)
    a.free(h)
    a.malloc(MiB)
    assert a.stats.peak_allocated == 30 * MiB
    assert a.stats.peak_reserved == 32 * MiB
    a.stats.reset_peaks()
    assert a.stats.peak_allocated == MiB


def test_release_use_frees_a_waiting_block() -> None:
    a = CachingAllocator()
    h = a.malloc(40 * MiB, stream=1)
    block = a.record_stream(h, stream=1000)
    assert block is not None and a.record_stream(h, stream=1) is None  # its own stream
    a.free(h)
    assert a.stats.active == 40 * MiB
    a.release_use(block, 1000)
    assert a.stats.active == 0
