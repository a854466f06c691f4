"""Peak memory of this process over a block of code, from the kernel's high-water mark: it counts what
tracemalloc misses (Pillow's pixels, zlib's and zstd's buffers, anything allocated in C).

    with peak_growth() as peak:
        await work()
    assert peak.mb < 64
"""

from __future__ import annotations

import gc
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass
class Peak:
    mb: float = 0.0


def _status_kb(name: str) -> int:
    found = re.search(rf"^{name}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    assert found, name
    return int(found.group(1))


@contextmanager
def peak_growth() -> Iterator[Peak]:
    """How far the process's resident memory rose above where it stood when the block began (the mark is reset
    first, so earlier peaks do not count)."""
    if not os.access(_CLEAR_REFS, os.W_OK):
        pytest.skip("measuring peak memory needs Linux's /proc/self/clear_refs")
    gc.collect()
    _CLEAR_REFS.write_text("5")  # resets VmHWM to the current resident size
    start = _status_kb("VmRSS")
    peak = Peak()
    yield peak
    peak.mb = (_status_kb("VmHWM") - start) / 1024


def child_peak_mb(child: subprocess.Popen[bytes]) -> float:
    """Wait for a child process and return its peak resident memory in MB (Linux reports KB)."""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024
