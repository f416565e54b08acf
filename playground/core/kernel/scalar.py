"""Scalar helpers that kernel forms may call: plain Python on float32 values.

generate.py copies the source of each helper a form lists into the kernel it writes, where numba
inlines it; here they stay plain Python (no numba import), so the catalog can name them and
they can be read and stepped through as they are.
"""

from __future__ import annotations

import math

import numpy as np


def tanh32(x):
    """float32 tanh. Below 7.812 a rational function (float32-accurate, < 3e-7 off: unlike
    libm's tanhf it inlines and vectorizes, and tanh is the activation people use most); from
    there on the last five float32 steps below 1, each from the first float32 whose tanh
    rounds to it (exact thresholds, found by rounding float64 tanh of every float32), and
    exactly ±1 from 9.010914 on, so saturated units pass no gradient (1 − tanh² = 0), as in
    torch. The table starts below the rational's clamp: near its clamp the quotient, compiled
    with fast-math, came out as 1.0 on one CPU and 0.99999976 on another. Selects only: the
    loops still vectorize. NaN stays NaN."""
    c = np.float32(7.90531110763549805)
    xc = c if x > c else (-c if x < -c else x)
    x2 = xc * xc
    p = np.float32(-2.76076847742355e-16)
    p = p * x2 + np.float32(2.00018790482477e-13)
    p = p * x2 + np.float32(-8.60467152213735e-11)
    p = p * x2 + np.float32(5.12229709037114e-08)
    p = p * x2 + np.float32(1.48572235717979e-05)
    p = p * x2 + np.float32(6.37261928875436e-04)
    p = p * x2 + np.float32(4.89352455891786e-03)
    q = np.float32(1.19825839466702e-06)
    q = q * x2 + np.float32(1.18534705686654e-04)
    q = q * x2 + np.float32(2.26843463243900e-03)
    q = q * x2 + np.float32(4.89352518554385e-03)
    r = p * xc / q
    one = np.float32(1.0)
    r = one if r > one else (-one if r < -one else r)
    ax = abs(x)
    m = np.float32(1.0) if ax >= np.float32(9.010914) else (
        np.float32(0.99999994) if ax >= np.float32(8.461608) else (
            np.float32(0.9999999) if ax >= np.float32(8.206195) else (
                np.float32(0.9999998) if ax >= np.float32(8.037959) else (
                    np.float32(0.99999976) if ax >= np.float32(7.912301)
                    else np.float32(0.9999997)))))
    return (m if x > 0 else -m) if ax >= np.float32(7.811966) else r


def silu_slope(z):
    """d/dz of z·σ(z) = σ(z)·(1 + z·(1 − σ(z))), with σ(z) computed once."""
    s = 1.0 / (1.0 + math.exp(-z))
    return s * (1.0 + z * (1.0 - s))
