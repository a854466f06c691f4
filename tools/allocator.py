"""glibc's allocator, told to give freed memory back to the system after a job or a big decode.

glibc's own policy is kept otherwise: its threshold for mapping a block apart rises with the blocks a render frees,
so a frame's buffers are reused from the heaps. A fixed threshold of 128 KiB (every block that big mapped apart and
unmapped when freed) kept a 50-row batch of 10 s drafts at 416 MiB instead of 536 MiB, both flat from the fifth
row on, but it cost a page fault for every 4 KiB of every frame's buffers: 10.3 million faults against 0.7 million
for 16 rows, and the 50 rows took 342 s of CPU against 258 s (one `clapboard generate` of an 8 s 720p draft 6.1 s
against 4.9 s). Other allocators (musl, macOS) decide for themselves: this is a no-op there."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def give_back_freed() -> None:
    """Hand the free pages of the heaps back to the system now (after a job, after a big decode)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
