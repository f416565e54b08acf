"""Handing freed memory back to the system during a long run.

glibc's malloc keeps what a process frees inside its heaps (one per thread that allocates),
and returns it to the system only from the top of a heap. A run at full speed frees a frame's
maps, weights and metrics sixty times a second, on two threads, among longer-lived blocks, so
the freed pages sit in holes: in 5 minutes the window's resident memory grew ~35 MB that
`malloc_trim` gave back at once (measured with the 6x8 spiral at full speed; a trim took
7-22 ms). The worker calls `release_free_memory` every `TRIM_EVERY` seconds while it trains.
Elsewhere (macOS, Windows, musl) there is no such call and nothing is done.
"""

from __future__ import annotations

import ctypes
import sys

TRIM_EVERY = 10.0  # seconds between trims while training

_trim = None
if sys.platform.startswith("linux"):
    try:
        _trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:  # (no C library to open: nothing to trim with)
        _trim = None
    if _trim is not None:
        _trim.argtypes = [ctypes.c_size_t]
        _trim.restype = ctypes.c_int


def release_free_memory() -> bool:
    """Return the free pages of every malloc heap to the system; False where the C library
    has no way to (nothing changes then)."""
    if _trim is None:
        return False
    _trim(0)
    return True
