"""The one place unit constants live. Everything inside the core is bytes."""

KiB = 1024
MiB = 1024**2
GiB = 1024**3
GB = 1000**3
SECONDS_PER_HOUR = 3600

# Bytes per element of each storage type (IEEE 754 / bfloat16 sizes).
B16 = 2
B32 = 4

# CUDA allocations are mapped in 2 MiB pages; LLMem rounds every term to whole pages
# (paper §3, symbol cu_p).
CUDA_PAGE = 2 * MiB

# PyTorch's caching allocator rounds each tensor to a multiple of 512 bytes
# (c10/cuda/CUDACachingAllocator.cpp, kMinBlockSize).
ALLOCATOR_BLOCK = 512


def round_up(value: int, multiple: int) -> int:
    """Smallest multiple of `multiple` that is >= value (value >= 0)."""
    return -(-value // multiple) * multiple


def pages(nbytes: int) -> int:
    """⌈x⌉_p of the paper: bytes rounded up to whole 2 MiB CUDA pages."""
    return round_up(nbytes, CUDA_PAGE)
