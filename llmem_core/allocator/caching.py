"""PyTorch's CUDA caching allocator, rule by rule, without a GPU.

Every constant and rule below is read from `c10/cuda/CUDACachingAllocator.cpp`
(github.com/pytorch/pytorch, commit 001074d25084fdb87a799823e395a50f5ec044d3; the same rules
hold in torch 2.13). The names of the C++ functions are kept so each step can be checked
against its source:

- `round_size`: every request is rounded up to a multiple of kMinBlockSize = 512 bytes.
- `get_pool`: requests ≤ kSmallSize = 1 MiB go to the small pool, larger ones to the large
  pool. Free blocks are ordered by (stream, size, address) (`BlockComparatorSize`), so a block
  freed on one stream is never handed to another (per-stream pools).
- `get_allocation_size`: a new segment is kSmallBuffer = 2 MiB for small requests, kLargeBuffer
  = 20 MiB for requests under kMinLargeAlloc = 10 MiB, else the request rounded up to
  kRoundLarge = 2 MiB.
- `get_free_block`: best fit, the smallest free block of the stream that is large enough; with
  `max_split_size` set, an oversize block (≥ max_split_size) serves only an oversize request,
  and only if it is less than kLargeBuffer larger.
- `should_split`: the rest of a block is split off when it is ≥ 512 bytes (small pool, or
  expandable segments), or when it is > 1 MiB and the request is below max_split_size (large).
- `free_block` / `try_merge_blocks`: a freed block merges with free neighbours of its segment.
- `malloc`'s retry chain when no cached block fits and a new segment would not fit the device:
  `release_available_cached_blocks` (oversize blocks, only with max_split_size), then
  `release_cached_blocks` (every cached block that is not split) and one more try; then the
  out-of-memory error.
- `recordStream` / `insert_events`: a freed block used on another stream stays active until
  that stream's event completes (`process_events`); it is no longer allocated.
- `expandable_segments:True` (Note [Expandable Segments]): one segment per stream and pool that
  grows by mapping pages of 2 MiB (small pool) or 20 MiB (large pool) at the lowest free address
  (`find_expandable_block`, `map_block`); splitting keeps any rest ≥ 512 bytes; under memory
  pressure, free pages are unmapped (`unmap_block`, `release_blocks`).

Statistics are the allocator's own: allocated_bytes (torch.cuda.memory_allocated), active_bytes
(allocated + freed blocks waiting for another stream), reserved_bytes (memory_reserved), each
with its peak. Not modelled: CUDA graph private pools, the garbage-collection threshold,
roundup_power2_divisions, IPC sharing.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass, field

from llmem_core.units import MiB

# c10/cuda/CUDACachingAllocator.cpp
K_MIN_BLOCK_SIZE = 512  # all sizes are rounded to at least 512 bytes
K_SMALL_SIZE = 1 * MiB  # largest "small" allocation is 1 MiB
K_SMALL_BUFFER = 2 * MiB  # "small" allocations are packed in 2 MiB blocks
K_LARGE_BUFFER = 20 * MiB  # "large" allocations may be packed in 20 MiB blocks
K_MIN_LARGE_ALLOC = 10 * MiB  # allocations between 1 and 10 MiB may use kLargeBuffer
K_ROUND_LARGE = 2 * MiB  # round up large allocations to 2 MiB
# Address space reserved per expandable segment: 1 1/8 of the device (find_expandable_block);
# 2**46 when no capacity is given (far beyond any GPU).
UNBOUNDED = 1 << 46


class AllocatorOutOfMemory(MemoryError):
    """The allocator's "CUDA out of memory": even after releasing its cache, no segment fits."""

    def __init__(self, requested: int, stats: Stats) -> None:
        self.requested = requested
        self.stats = stats
        super().__init__(
            f"out of memory allocating {requested:,} bytes: {stats.allocated:,} allocated, "
            f"{stats.reserved:,} reserved"
        )


@dataclass(frozen=True)
class AllocatorConfig:
    """PYTORCH_CUDA_ALLOC_CONF's options that change memory use, and the device's size."""

    expandable_segments: bool = False
    max_split_size: int | None = None  # max_split_size_mb, in bytes; None = unlimited
    capacity: int | None = None  # bytes the allocator may reserve; None = unlimited

    @property
    def split_limit(self) -> int:
        return UNBOUNDED if self.max_split_size is None else self.max_split_size


@dataclass
class Stats:
    """The allocator's counters (torch.cuda.memory_stats), current and peak."""

    allocated: int = 0
    active: int = 0
    reserved: int = 0
    requested: int = 0
    peak_allocated: int = 0
    peak_active: int = 0
    peak_reserved: int = 0
    segments: int = 0
    num_alloc_retries: int = 0
    num_device_alloc: int = 0
    num_device_free: int = 0

    def reset_peaks(self) -> None:
        """torch.cuda.reset_peak_memory_stats(): peaks restart at the current values."""
        self.peak_allocated, self.peak_active = self.allocated, self.active
        self.peak_reserved = self.reserved

    def _touch(self) -> None:
        self.peak_allocated = max(self.peak_allocated, self.allocated)
        self.peak_active = max(self.peak_active, self.active)
        self.peak_reserved = max(self.peak_reserved, self.reserved)


@dataclass(eq=False)
class Segment:
    base: int
    size: int  # cudaMalloc'd bytes, or the reserved address space of an expandable segment
    stream: int
    small: bool
    expandable: bool
    page: int = 0  # expandable: the granularity of mapping (2 MiB small, 20 MiB large)


@dataclass(eq=False)
class Block:
    addr: int
    size: int
    stream: int
    segment: Segment
    allocated: bool = False
    mapped: bool = True
    requested: int = 0
    pending: set[int] = field(default_factory=set)  # streams recorded (recordStream)
    waiting: bool = False  # freed, its streams' events not yet complete
    prev: Block | None = None
    next: Block | None = None

    @property
    def is_split(self) -> bool:
        return self.prev is not None or self.next is not None

    @property
    def free(self) -> bool:
        """Available for reuse or merging: not allocated, no outstanding stream event."""
        return not self.allocated and not self.waiting


class _Pool:
    """One BlockPool: free blocks by (stream, size, address), unmapped ranges by address."""

    def __init__(self, small: bool) -> None:
        self.small = small
        self._keys: list[tuple[int, int, int]] = []
        self._blocks: dict[tuple[int, int, int], Block] = {}
        self._unmapped: list[tuple[int, int]] = []
        self._unmapped_blocks: dict[tuple[int, int], Block] = {}

    def insert(self, b: Block) -> None:
        if b.mapped:
            key = (b.stream, b.size, b.addr)
            insort(self._keys, key)
            self._blocks[key] = b
        else:
            ukey = (b.stream, b.addr)
            insort(self._unmapped, ukey)
            self._unmapped_blocks[ukey] = b

    def remove(self, b: Block) -> None:
        if b.mapped:
            key = (b.stream, b.size, b.addr)
            del self._blocks[key]
            self._keys.pop(bisect_left(self._keys, key))
        else:
            ukey = (b.stream, b.addr)
            del self._unmapped_blocks[ukey]
            self._unmapped.pop(bisect_left(self._unmapped, ukey))

    def lower_bound(self, stream: int, size: int) -> list[Block]:
        """Free blocks of the stream with size ≥ `size`, smallest first."""
        i = bisect_left(self._keys, (stream, size, -1))
        out = []
        while i < len(self._keys) and self._keys[i][0] == stream:
            out.append(self._blocks[self._keys[i]])
            i += 1
        return out

    def unmapped_of(self, stream: int) -> list[Block]:
        i = bisect_left(self._unmapped, (stream, -1))
        out = []
        while i < len(self._unmapped) and self._unmapped[i][0] == stream:
            out.append(self._unmapped_blocks[self._unmapped[i]])
            i += 1
        return out

    def free_blocks(self) -> list[Block]:
        return [self._blocks[k] for k in self._keys]


def round_size(size: int) -> int:
    """kMinBlockSize rounding (roundup_power2_divisions not set)."""
    if size < K_MIN_BLOCK_SIZE:
        return K_MIN_BLOCK_SIZE
    return K_MIN_BLOCK_SIZE * (-(-size // K_MIN_BLOCK_SIZE))


def get_allocation_size(size: int) -> int:
    """Bytes of a new segment for a (rounded) request."""
    if size <= K_SMALL_SIZE:
        return K_SMALL_BUFFER
    if size < K_MIN_LARGE_ALLOC:
        return K_LARGE_BUFFER
    return K_ROUND_LARGE * (-(-size // K_ROUND_LARGE))


class CachingAllocator:
    """One device's DeviceCachingAllocator: malloc, free, recordStream, empty_cache."""

    def __init__(self, config: AllocatorConfig | None = None) -> None:
        self.config = config or AllocatorConfig()
        self.stats = Stats()
        self._small, self._large = _Pool(small=True), _Pool(small=False)
        self._next_address = 1 << 32
        self._live: dict[int, Block] = {}  # handle → allocated block
        self._next_handle = 1
        self._waiting: list[Block] = []  # freed blocks with outstanding stream events

    # ---- public API -------------------------------------------------------------------------

    def malloc(self, nbytes: int, stream: int = 0) -> int:
        """Allocate; returns a handle for free(). AllocatorOutOfMemory if nothing fits."""
        size = round_size(nbytes)
        pool = self._small if size <= K_SMALL_SIZE else self._large
        block = self._get_free_block(pool, stream, size)
        if block is None:
            block = self._alloc_with_retries(pool, stream, size)
        block = self._alloc_found_block(block, pool, size, nbytes)
        handle = self._next_handle
        self._next_handle += 1
        self._live[handle] = block
        return handle

    def free(self, handle: int) -> None:
        """Free a handle's block; one used on other streams waits for their events."""
        block = self._live.pop(handle)
        block.allocated = False
        self.stats.allocated -= block.size
        self.stats.requested -= block.requested
        if block.pending:
            block.waiting = True
            self._waiting.append(block)
        else:
            self._free_block(block)
        self.stats._touch()

    def record_stream(self, handle: int, stream: int) -> Block | None:
        """Tensor.record_stream: the block is in use on `stream` too (if not its own).
        Returns the block, for `release_use` when that use has completed."""
        block = self._live[handle]
        if stream == block.stream:
            return None
        block.pending.add(stream)
        return block

    def release_use(self, block: Block, stream: int) -> None:
        """One block's use on `stream` has completed (its event, seen by process_events)."""
        block.pending.discard(stream)
        if block.waiting and not block.pending:
            self._waiting.remove(block)
            block.waiting = False
            self._free_block(block)
            self.stats._touch()

    def complete(self, stream: int | None = None) -> None:
        """The events of `stream` (all streams if None) have completed (process_events)."""
        still = []
        for block in self._waiting:
            block.pending.discard(stream) if stream is not None else block.pending.clear()
            if block.pending:
                still.append(block)
            else:
                block.waiting = False
                self._free_block(block)
        self._waiting = still
        self.stats._touch()

    def empty_cache(self) -> None:
        """torch.cuda.empty_cache(): release_cached_blocks."""
        self._release_cached_blocks()

    def block_size(self, handle: int) -> int:
        return self._live[handle].size

    def segments(self) -> list[tuple[int, int, int]]:
        """(stream, mapped bytes, allocated bytes) of every segment, for inspection."""
        seen: dict[int, list[int]] = {}
        for block in self._all_blocks():
            row = seen.setdefault(id(block.segment), [block.stream, 0, 0])
            if block.mapped:
                row[1] += block.size
            if block.allocated:
                row[2] += block.size
        return [tuple(r) for r in seen.values()]  # type: ignore[misc]

    # ---- malloc's steps ---------------------------------------------------------------------

    def _get_free_block(self, pool: _Pool, stream: int, size: int) -> Block | None:
        candidates = pool.lower_bound(stream, size)
        if not candidates:
            return None
        chosen = candidates[0]
        if chosen.segment.expandable and self.config.expandable_segments:
            # Best fit by the size a block can grow to (its unmapped neighbour included): walk
            # on while the next block could grow less.
            for nxt in candidates[1:]:
                if _expandable_size(nxt) >= _expandable_size(chosen):
                    break
                chosen = nxt
        limit = self.config.split_limit
        if size < limit <= chosen.size:
            return None  # do not return an oversized block for a large request
        if size >= limit and chosen.size >= size + K_LARGE_BUFFER:
            return None  # an oversized block serves a request within kLargeBuffer of it
        pool.remove(chosen)
        return chosen

    def _alloc_with_retries(self, pool: _Pool, stream: int, size: int) -> Block:
        block = self._alloc_block(pool, stream, size)
        if block is None and self._release_available_cached_blocks(pool, stream, size):
            block = self._alloc_block(pool, stream, size)
        if block is None:
            self.stats.num_alloc_retries += 1
            self._release_cached_blocks()
            block = self._alloc_block(pool, stream, size)
        if block is None:
            raise AllocatorOutOfMemory(size, self.stats)
        return block

    def _fits_device(self, nbytes: int) -> bool:
        cap = self.config.capacity
        return cap is None or self.stats.reserved + nbytes <= cap

    def _alloc_block(self, pool: _Pool, stream: int, size: int) -> Block | None:
        if self.config.expandable_segments:
            return self._try_allocate_expandable_block(pool, stream, size)
        alloc_size = get_allocation_size(size)
        if not self._fits_device(alloc_size):
            return None
        segment = Segment(self._take_address(alloc_size), alloc_size, stream, pool.small, False)
        self.stats.reserved += alloc_size
        self.stats.segments += 1
        self.stats.num_device_alloc += 1
        self.stats._touch()
        return Block(segment.base, alloc_size, stream, segment)

    def _alloc_found_block(self, block: Block, pool: _Pool, size: int, nbytes: int) -> Block:
        if self._should_split(block, pool, size):
            rest = Block(
                block.addr + size,
                block.size - size,
                block.stream,
                block.segment,
                mapped=block.mapped,
                prev=block,
                next=block.next,
            )
            if block.next is not None:
                block.next.prev = rest
            block.next, block.size = rest, size
            pool.insert(rest)
        block.allocated, block.requested = True, nbytes
        self.stats.allocated += block.size
        self.stats.active += block.size
        self.stats.requested += nbytes
        self.stats._touch()
        return block

    def _should_split(self, block: Block, pool: _Pool, size: int) -> bool:
        remaining = block.size - size
        if pool.small or self.config.expandable_segments:
            return remaining >= K_MIN_BLOCK_SIZE
        return size < self.config.split_limit and remaining > K_SMALL_SIZE

    # ---- free ----------------------------------------------------------------------------

    def _free_block(self, block: Block) -> None:
        pool = self._small if block.segment.small else self._large
        self.stats.active -= block.size
        for other in (block.prev, block.next):
            self._try_merge_blocks(block, other, pool)
        pool.insert(block)

    def _try_merge_blocks(self, dst: Block, src: Block | None, pool: _Pool) -> int:
        if src is None or not src.free or src.mapped != dst.mapped:
            return 0
        pool.remove(src)
        if dst.prev is src:  # [src dst]
            dst.addr, dst.prev = src.addr, src.prev
            if dst.prev is not None:
                dst.prev.next = dst
        else:  # [dst src]
            dst.next = src.next
            if dst.next is not None:
                dst.next.prev = dst
        dst.size += src.size
        return src.size

    # ---- releasing the cache -----------------------------------------------------------

    def _release_available_cached_blocks(self, pool: _Pool, stream: int, size: int) -> bool:
        """Free oversize cached blocks of the stream (only with max_split_size set)."""
        if self.config.max_split_size is None:
            return False
        target = max(size, self.config.max_split_size)
        oversize = [
            b
            for b in pool.free_blocks()
            if b.stream == stream and b.size >= self.config.max_split_size and not b.is_split
        ]
        if not oversize:
            return False
        fitting = [b for b in oversize if b.size >= target]
        if fitting:
            self._release_block(min(fitting, key=lambda b: b.size), pool)
            return True
        released = 0
        for b in sorted(oversize, key=lambda b: -b.size):
            if released >= target:
                break
            released += b.size
            self._release_block(b, pool)
        return released >= target

    def _release_cached_blocks(self) -> None:
        """Every cached block that is not split goes back to the device (after waiting for
        outstanding events); expandable segments unmap their free pages."""
        self.complete(None)
        for pool in (self._large, self._small):
            for block in pool.free_blocks():
                if block.segment.expandable:
                    self._unmap_block(block, pool)
                elif not block.is_split:
                    self._release_block(block, pool)

    def _release_block(self, block: Block, pool: _Pool) -> None:
        pool.remove(block)
        self.stats.reserved -= block.size
        self.stats.segments -= 1
        self.stats.num_device_free += 1

    # ---- expandable segments -----------------------------------------------------------

    def _try_allocate_expandable_block(self, pool: _Pool, stream: int, size: int) -> Block | None:
        candidate = self._find_expandable_block(pool, stream, size)
        if not candidate.mapped and not self._map_block(candidate, min(candidate.size, size), pool):
            return None
        while candidate.size < size:  # free → unmapped → …: map more of the unmapped part
            following = candidate.next
            assert following is not None and not following.mapped
            if not self._map_block(following, min(size - candidate.size, following.size), pool):
                return None
            candidate = following  # map_block merged it into one free block
        pool.remove(candidate)
        return candidate

    def _find_expandable_block(self, pool: _Pool, stream: int, size: int) -> Block:
        """The lowest address with `size` bytes of free and unmapped space, or a new segment."""
        for unmapped in pool.unmapped_of(stream):
            start = unmapped
            if start.prev is not None and start.prev.free and start.prev.mapped:
                start = start.prev
            if _room_from(start) >= size:
                return start
        page = K_SMALL_BUFFER if pool.small else K_LARGE_BUFFER
        cap = self.config.capacity
        space = UNBOUNDED if cap is None else -(-(cap + cap // 8) // page) * page
        segment = Segment(self._take_address(space), space, stream, pool.small, True, page)
        block = Block(segment.base, space, stream, segment, mapped=False)
        pool.insert(block)
        return block

    def _map_block(self, block: Block, size: int, pool: _Pool) -> bool:
        """Map pages over the start of an unmapped block; False if the device is full."""
        seg = block.segment
        offset = block.addr - seg.base
        end = -(-(offset + size) // seg.page) * seg.page
        mapped = min(end - offset, block.size)
        if not self._fits_device(mapped):
            return False
        pool.remove(block)
        if mapped < block.size:
            rest = Block(
                block.addr + mapped,
                block.size - mapped,
                block.stream,
                seg,
                mapped=False,
                prev=block,
                next=block.next,
            )
            if block.next is not None:
                block.next.prev = rest
            block.next = rest
            pool.insert(rest)
            block.size = mapped
        block.mapped = True
        for other in (block.prev, block.next):
            self._try_merge_blocks(block, other, pool)
        pool.insert(block)
        self.stats.reserved += mapped
        self.stats.num_device_alloc += 1
        self.stats._touch()
        return True

    def _unmap_block(self, block: Block, pool: _Pool) -> None:
        """Unmap the whole pages inside a free block of an expandable segment."""
        seg = block.segment
        lo = -(-(block.addr - seg.base) // seg.page) * seg.page + seg.base
        hi = (block.addr + block.size - seg.base) // seg.page * seg.page + seg.base
        if hi <= lo:
            return
        pool.remove(block)
        pieces = [(block.addr, lo, True), (lo, hi, False), (hi, block.addr + block.size, True)]
        made = []
        prev = block.prev
        for start, stop, is_mapped in pieces:
            if stop <= start:
                continue
            piece = Block(start, stop - start, block.stream, seg, mapped=is_mapped, prev=prev)
            if prev is not None:
                prev.next = piece
            made.append(piece)
            prev = piece
        made[-1].next = block.next
        if block.next is not None:
            block.next.prev = made[-1]
        for piece in made:
            pool.insert(piece)
        self._merge_unmapped(next(p for p in made if not p.mapped), pool)
        self.stats.reserved -= hi - lo
        self.stats.num_device_free += 1

    def _merge_unmapped(self, block: Block, pool: _Pool) -> None:
        pool.remove(block)
        for other in (block.prev, block.next):
            if other is not None and not other.mapped and not other.allocated:
                self._try_merge_blocks(block, other, pool)
        pool.insert(block)

    # ---- helpers ----------------------------------------------------------------------

    def _take_address(self, size: int) -> int:
        base = self._next_address
        self._next_address += -(-size // K_ROUND_LARGE) * K_ROUND_LARGE + K_ROUND_LARGE
        return base

    def _all_blocks(self) -> list[Block]:
        out = list(self._live.values()) + list(self._waiting)
        for pool in (self._small, self._large):
            out += pool.free_blocks()
        return out


def _expandable_size(b: Block) -> int:
    grow = b.next.size if b.next is not None and not b.next.mapped else 0
    return b.size + grow


def _room_from(b: Block | None) -> int:
    """Free (or unmapped) bytes from `b` on, before the next allocated or waiting block."""
    room = 0
    while b is not None and b.free:
        room += b.size
        b = b.next
    return room
