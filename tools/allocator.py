"""glibc's allocator, told to give memory back: a render's buffers of MAPPED_FROM_BYTES and more are mapped on
their own and unmapped when freed, instead of staying in heaps fragmented by the encoder's and the draft's worker
threads once glibc's dynamic threshold has risen past them. Sixteen 10 s drafts, two at a time in one process
(with a full collection after each job, tools/jobs/backends.py): peak 595 MiB and rising without it, 431 MiB and
flat with it. Other allocators (musl, macOS) decide for themselves: these are no-ops there."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)
MAPPED_FROM_BYTES = 128 * 1024  # blocks this big are mapped apart, and given back when freed


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def map_big_blocks() -> None:
    """From now on, blocks of MAPPED_FROM_BYTES and more are mapped apart (a fixed threshold also stops glibc
    raising it): a process that renders job after job stays at the size of its busiest moment."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(M_MMAP_THRESHOLD, MAPPED_FROM_BYTES)


def give_back_freed() -> None:
    """Hand the free pages of the heaps back to the system now (after a big decode)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
