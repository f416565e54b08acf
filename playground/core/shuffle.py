"""Each epoch's order of the training examples: a Fisher-Yates shuffle from one seed.

The trainer's shuffle generator (a torch Generator, saved in experiment files) draws one 64-bit
seed per epoch; the epoch's permutation is a Fisher-Yates shuffle driven by a SplitMix64
stream started at that seed. `torch.randperm` cost 3.7 µs an epoch on 250 points, more than a
quarter of a small network's whole fused epoch; this costs about 0.5 µs inside the kernel,
which shuffles the orders of the epochs it runs many to a call (kernel/blocks.py
`shuffle_order`, the same maths: a test holds the two equal). Drawing k seeds at once takes
the generator through the same states as k draws of one, so a run's orders are the same
whether its epochs ran one by one or many to a call.

The bounded draw is Lemire's multiply-shift on the top 32 bits, without rejection: index j of
step i is off uniform by less than (i + 1) / 2³² (under 10⁻⁵ for a million examples).
"""

from __future__ import annotations

import numpy as np
import torch

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
MIX_2 = np.uint64(0x94D049BB133111EB)
SEED_LIMIT = 1 << 62  # seeds are drawn uniformly below this (one 64-bit draw each)


def draw_seeds(generator: torch.Generator, k: int) -> np.ndarray:
    """k epochs' seeds (int64), as k draws of one would give them."""
    return torch.randint(0, SEED_LIMIT, (k,), generator=generator, dtype=torch.int64).numpy()


def swaps(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The shuffle's swaps, in order: position i with position j, for i = n-1 down to 1."""
    steps = np.arange(1, n, dtype=np.uint64)
    with np.errstate(over="ignore"):  # (uint64 arithmetic is modulo 2⁶⁴, as intended)
        z = np.uint64(seed) + GOLDEN * steps
        z = (z ^ (z >> np.uint64(30))) * MIX_1
        z = (z ^ (z >> np.uint64(27))) * MIX_2
        z = z ^ (z >> np.uint64(31))
    i = np.uint64(n) - steps
    j = ((z >> np.uint64(32)) * (i + np.uint64(1))) >> np.uint64(32)
    return i.astype(np.int64), j.astype(np.int64)


def shuffled(seed: int, n: int) -> np.ndarray:
    """The permutation of 0..n-1 that `seed` gives (int64)."""
    order = list(range(n))
    for i, j in zip(*(a.tolist() for a in swaps(seed, n)), strict=True):
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)
