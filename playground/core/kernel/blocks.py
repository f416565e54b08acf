"""The parts of the fused epoch that no catalog entry changes, compiled once per machine.

Dense layers (affine maps, maxout's pieces), gradient clipping, max-norm, the finiteness check
and the accuracy count are the same for every network, so they live here as ordinary numba
functions with their own disk cache; each generated kernel (generate.py) calls them. Calls cost
a few nanoseconds; they are made per layer and batch, never per element, so the loops over
examples stay tight and vectorize inside each function.

All buffers are feature-major: rows are units or inputs, columns are examples, so the loops
over a batch are contiguous. Elementwise blocks are called with the batch rounded up to 16
columns (`wide`), sums over examples with the batch itself (`n`): see template.py's run_epoch.
A generated kernel names this file's hash in its header (see
generate.py): numba does not notice when a called module changes, so a change here makes new
kernel files, compiled afresh.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# Reassociation (so sums vectorize), reciprocals and approximate functions only. Not "no NaNs":
# it would let LLVM fold away the very NaN handling that divergence detection relies on. Not
# "contract": fused multiply-adds were chosen differently when numba compiled in the process
# than in the object code it caches, so a run's rounding changed between the first start and
# the next (one ulp at the second step; a different minimum after a hundred epochs of a
# sensitive run); without it both are the same code, and no slower.
FAST_FLAGS = {"reassoc", "arcp", "afn"}

# The numpy error model: a division by zero gives inf or NaN (as torch's) instead of raising,
# and without Python's zero check in the way the loops vectorize.
# Without numba's runtime (_nrt=False): with it, every array view and every array handed to an
# inlined function took an atomic incref and decref, a third of a small network's epoch. So the
# kernel allocates nothing and indexes its buffers (TB[k][layer, row, example]) instead of
# slicing rows out of them.
jit = numba.njit(cache=True, fastmath=FAST_FLAGS, nogil=True, error_model="numpy", _nrt=False)
inline = numba.njit(cache=True, fastmath=FAST_FLAGS, nogil=True, error_model="numpy",
                    inline="always", _nrt=False)
f32 = np.float32


def compiled(helper):
    """A scalar helper (scalar.py) compiled as a kernel compiles it, to call from Python."""
    return numba.njit(fastmath=FAST_FLAGS, error_model="numpy")(helper)


GOLDEN, MIX_1, MIX_2 = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9),
                        np.uint64(0x94D049BB133111EB))


@inline
def shuffle_order(seed, order):
    """order becomes the permutation of 0..n-1 that `seed` gives: Fisher-Yates from a
    SplitMix64 stream (shuffle.py states it and holds the Python twin; a test holds them
    equal)."""
    n = order.shape[0]
    for i in range(n):
        order[i] = i
    x = np.uint64(seed)
    for step in range(1, n):
        x += GOLDEN
        z = (x ^ (x >> np.uint64(30))) * MIX_1
        z = (z ^ (z >> np.uint64(27))) * MIX_2
        z = z ^ (z >> np.uint64(31))
        i = n - step
        j = np.int64(((z >> np.uint64(32)) * np.uint64(i + 1)) >> np.uint64(32))
        order[i], order[j] = order[j], order[i]


@jit
def shuffled_into(seed, order):
    """shuffle_order called from Python: the fused path's orders epoch by epoch (the Python
    twin in shuffle.py takes ~50 µs for 250 examples, this ~1 µs). Warmed with each kernel."""
    shuffle_order(seed, order)


@inline
def gather_columns(src, order, start, n, rows, dst, at):
    """dst[at, :rows, m] = src[:rows, order[start + m]] for the n examples of a mini-batch
    (row by row: a loop along the batch, not one across a row's few inputs). The indices are
    unsigned: a signed one gets numba's check for a negative index (counting from the end),
    which made LLVM gather even a split's contiguous columns element by element."""
    for i in range(rows):
        for m in range(n):
            dst[at, i, m] = src[i, np.uint64(order[np.uint64(start + m)])]


@inline
def copy_columns(src, start, n, rows, dst, at):
    """dst[at, :rows, :n] = src[:rows, start:start + n] (a chunk of a split; unsigned indices
    as in gather_columns)."""
    for i in range(rows):
        for m in range(n):
            dst[at, i, m] = src[i, np.uint64(start + m)]


@inline
def affine_forward(theta, w, b, n_in, rows, A, Z, li, n):
    """Z[li, :rows] = W·A[li] + b over n examples; W (rows, n_in) starts at theta[w], the bias
    at theta[b] (b < 0: none). The bias and the first input's term are written in one pass
    (one store and reload less per row: a small layer's forward is a chain of them)."""
    for r in range(rows):
        bias = theta[b + r] if b >= 0 else f32(0.0)
        if n_in == 0:
            for m in range(n):
                Z[li, r, m] = bias
            continue
        wv = theta[w + r * n_in]
        for m in range(n):
            Z[li, r, m] = bias + wv * A[li, 0, m]
        for i in range(1, n_in):
            wv = theta[w + r * n_in + i]
            for m in range(n):
                Z[li, r, m] += wv * A[li, i, m]


@inline
def maxout_forward(Z, units, pieces, A, ARG, li, n):
    """A[li + 1, j] = the largest of unit j's pieces Z[li, j·pieces ...]; ARG[li] remembers
    which. A tie keeps the first piece and a NaN wins, as torch's argmax."""
    for j in range(units):
        for m in range(n):
            best, best_p = Z[li, j * pieces, m], 0
            for p in range(1, pieces):
                value = Z[li, j * pieces + p, m]
                if value > best or (value != value and best == best):
                    best, best_p = value, p
            ARG[li, j, m] = best_p
            A[li + 1, j, m] = best


@inline
def weight_grads(grad, w, b, n_in, rows, A, D, li, n):
    """Adds the layer's weight and bias gradients from its inputs A[li] and dL/dpre D[li]."""
    for r in range(rows):
        if b >= 0:
            s = f32(0.0)
            for m in range(n):
                s += D[li, r, m]
            grad[b + r] += s
        for i in range(n_in):
            s = f32(0.0)
            for m in range(n):
                s += D[li, r, m] * A[li, i, m]
            grad[w + r * n_in + i] += s


@inline
def weight_and_input_grads(theta, grad, w, b, n_in, rows, A, D, li, DA, at, n, wide):
    """The layer's weight and bias gradients (as weight_grads, over the n examples) and
    DA[at, :n_in] = Wᵀ·D[li], dL/d(its inputs), over `wide` columns (elementwise: the padded
    width, see run_epoch). Each weight's sum and its share of DA are two loops: the sum stays
    the scalar loop it was, and DA's is one vector step."""
    for i in range(n_in):
        for m in range(wide):
            DA[at, i, m] = 0.0
    for r in range(rows):
        if b >= 0:
            s = f32(0.0)
            for m in range(n):
                s += D[li, r, m]
            grad[b + r] += s
        for i in range(n_in):
            wv = theta[w + r * n_in + i]
            s = f32(0.0)
            if wide == 1:  # (one example: one loop for both, the second one's entry costs more)
                dm = D[li, r, 0]
                s += dm * A[li, i, 0]
                DA[at, i, 0] += wv * dm
            else:
                for m in range(n):
                    s += D[li, r, m] * A[li, i, m]
                for m in range(wide):
                    DA[at, i, m] += wv * D[li, r, m]
            grad[w + r * n_in + i] += s


@inline
def maxout_backward(DA, at, units, pieces, ARG, D, li, n):
    """Each unit's gradient DA[at] to the piece that won (ARG[li]); the other pieces of
    D[li] get 0."""
    for i in range(units):
        for p in range(pieces):
            for m in range(n):
                D[li, i * pieces + p, m] = DA[at, i, m] if p == ARG[li, i, m] else f32(0.0)


@jit
def clip_gradient(grad, clip):
    """g ← g · min(1, c/‖g‖), the global norm."""
    norm = 0.0
    for i in range(grad.shape[0]):
        norm += grad[i] * grad[i]
    factor = min(1.0, clip / (math.sqrt(norm) + 1e-12))
    for i in range(grad.shape[0]):
        grad[i] *= factor


@jit
def limit_norm(theta, w, n_in, rows, max_norm):
    """Rescales each row of W (a unit's incoming weights) to norm ≤ max_norm."""
    for r in range(rows):
        sq = 0.0
        for i in range(n_in):
            sq += theta[w + r * n_in + i] ** 2
        norm = max(math.sqrt(sq), 1e-12)
        if norm > max_norm:
            f = max_norm / norm
            for i in range(n_in):
                theta[w + r * n_in + i] *= f


@jit
def all_finite(theta):
    for i in range(theta.shape[0]):  # noqa: SIM110 - numba compiles no generator expressions
        if not math.isfinite(theta[i]):
            return False
    return True


@jit
def right_binary(out, y, n, zero_one):
    """Correct predictions among n examples (labels y) from the linked outputs out
    (1, n): a score above 0 (or a 0/1 output above ½) is class 1."""
    right = 0
    o = out[0]
    for m in range(n):
        score = 2.0 * o[m] - 1.0 if zero_one else o[m]
        right += (1 if score > 0.0 else 0) == y[m]
    return right


@jit
def right_classes(out, y, n, n_out):
    """Correct predictions among n examples from the linked outputs out (classes, n): the
    first largest output is the class."""
    right = 0
    for m in range(n):
        best_c = 0
        for c in range(1, n_out):
            if out[c, m] > out[best_c, m]:
                best_c = c
        right += best_c == y[m]
    return right
