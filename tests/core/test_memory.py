"""Freed memory goes back to the system during long runs (core/memory.py)."""

import sys

import numpy as np
import pytest

from playground.core import memory


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux")
def test_pages_freed_among_kept_blocks_go_back_to_the_system():
    """What a long run does to the heap: many small arrays, most freed, some kept between them
    (a frame kept for the history slider). The freed pages stay resident until trimmed."""
    chunks = [np.ones(1000, np.float64) for _ in range(15_000)]  # ~120 MB in 8 KB pieces
    kept = chunks[::64]  # one in 64 lives on, so the heap's top can't simply shrink
    del chunks
    before = rss_mb()
    assert memory.release_free_memory()
    after = rss_mb()
    assert len(kept) == 235
    assert before - after > 50, f"RSS {before:.0f} -> {after:.0f} MB"
