"""How gradient sizes look: one sequential colour map, light for a gradient that has vanished
and dark red for the largest, on a log scale of a few decades; and numbers printed short
enough to read on a tile. NumPy only (no Qt), shared by the network view and the heat strip."""

from __future__ import annotations

import math

import numpy as np

# Near-white (nothing arrives) through orange to dark red (the largest gradient).
STOPS = np.array([(246, 246, 246), (253, 212, 158), (252, 141, 89), (215, 48, 31),
                  (127, 0, 0)], dtype=np.float64)
DECADES = 4  # the darkest colour is the largest value; four decades below it is white


def magnitude_lut(n: int = 256) -> np.ndarray:
    """(n, 4) uint8 RGBA from STOPS, evenly interpolated."""
    at = np.linspace(0.0, len(STOPS) - 1, n)
    low = np.floor(at).astype(int).clip(0, len(STOPS) - 2)
    frac = (at - low)[:, None]
    rgb = STOPS[low] * (1 - frac) + STOPS[low + 1] * frac
    return np.concatenate([rgb, np.full((n, 1), 255.0)], axis=1).astype(np.uint8)


LUT = magnitude_lut()


def log_position(values: np.ndarray, top: float, decades: float = DECADES) -> np.ndarray:
    """|values| placed on [0, 1]: 1 at `top`, 0 at `decades` decades below it or less."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    with np.errstate(divide="ignore"):
        pos = 1.0 + np.log10(np.maximum(v, 1e-300) / max(top, 1e-300)) / decades
    return np.clip(np.nan_to_num(pos, nan=0.0), 0.0, 1.0)


def rgb_of(position: float) -> tuple[int, int, int]:
    """The map's colour at a position in [0, 1]."""
    r, g, b, _ = LUT[int(round(min(max(position, 0.0), 1.0) * 255))]
    return int(r), int(g), int(b)


def short(value: float) -> str:
    """A number in at most ~7 characters: 0.532, −1.25, 3.1e-4, 0."""
    if value is None or not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    size = abs(value)
    text = f"{value:.3f}" if 0.01 <= size < 100 else f"{value:.1e}"
    return text.replace("e-0", "e-").replace("e+0", "e").replace("-", "−")


def tiny(value: float) -> str:
    """A number for a unit's tile, at most ~5 characters: 0.59, −1.03, 6e−3, 412."""
    if value is None or not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    size = abs(value)
    text = f"{value:.0f}" if size >= 100 else f"{value:.2f}" if size >= 0.01 else f"{value:.0e}"
    return text.replace("e-0", "e-").replace("e+0", "e").replace("-", "−")
