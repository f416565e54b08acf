"""Colour maps, as NumPy lookups (no Qt): TF Playground's diverging map and class colours."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

ORANGE, GREY, BLUE = (0xF5, 0x93, 0x22), (0xE8, 0xEA, 0xEB), (0x08, 0x77, 0xBD)
# The first ten class colours: class 0 orange and class 1 blue as in TF Playground, then a
# familiar qualitative set. More classes get colours chosen to stay apart from all before them.
BASE_CLASS_COLORS = np.array([
    ORANGE, BLUE, (0x2C, 0xA0, 0x2C), (0xD6, 0x27, 0x28), (0x94, 0x67, 0xBD),
    (0x8C, 0x56, 0x4B), (0xE3, 0x77, 0xC2), (0x17, 0xBE, 0xCF), (0xBC, 0xBD, 0x22),
    (0x7F, 0x7F, 0x7F)], dtype=np.float32)


def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB 0-255 -> CIE L*a*b* (D65): distances there follow what eyes tell apart."""
    c = rgb / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = c @ np.array([[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192],
                        [0.1805, 0.0722, 0.9505]])
    xyz = xyz / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    return np.stack([116.0 * f[..., 1] - 16.0, 500.0 * (f[..., 0] - f[..., 1]),
                     200.0 * (f[..., 1] - f[..., 2])], axis=-1)


@lru_cache(maxsize=8)
def _palette(n: int) -> np.ndarray:
    if n <= len(BASE_CLASS_COLORS):
        return BASE_CLASS_COLORS[:n]
    # Greedy max-min in Lab over a grid of candidates, skipping the palest and darkest (they
    # vanish on the light background or read as the black outline of test points).
    axis = np.linspace(0.0, 255.0, 18)
    grid = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(-1, 3)
    lab = _lab(grid)
    grid, lab = grid[(lab[:, 0] > 25) & (lab[:, 0] < 88)], lab[(lab[:, 0] > 25) & (lab[:, 0] < 88)]
    chosen = list(BASE_CLASS_COLORS)
    nearest = np.min(np.linalg.norm(lab[:, None] - _lab(BASE_CLASS_COLORS)[None], axis=-1), axis=1)
    while len(chosen) < n:
        best = int(np.argmax(nearest))
        chosen.append(grid[best])
        nearest = np.minimum(nearest, np.linalg.norm(lab - lab[best], axis=-1))
    return np.array(chosen, dtype=np.float32)


def class_colors(n: int) -> np.ndarray:
    """(n, 3) float32 RGB colours for n classes, all distinct (the first ten never change)."""
    return _palette(max(int(n), 1))


CLASS_COLORS = class_colors(40)


def diverging_lut(n: int = 256) -> np.ndarray:
    """n RGBA entries from orange (-1) through light grey (0) to blue (+1)."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    lo = np.array(GREY) + (np.array(ORANGE) - np.array(GREY)) * (-np.minimum(t, 0))
    hi = np.array(GREY) + (np.array(BLUE) - np.array(GREY)) * np.maximum(t, 0)
    rgb = np.where(t < 0, lo, hi)
    return np.concatenate([rgb, np.full((n, 1), 255.0)], axis=1).astype(np.uint8)


LUT = diverging_lut()


def map_values(values: np.ndarray, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    """(H, W) values -> (H, W, 4) uint8 RGBA through the diverging map."""
    scaled = (np.nan_to_num(values, nan=0.0) - lo) * (255.0 / (hi - lo))
    return LUT[np.clip(scaled, 0, 255).astype(np.uint8)]


def blend_classes(probs: np.ndarray, light: float = 0.35) -> np.ndarray:
    """(H, W, C) probabilities -> (H, W, 4) RGBA: class colours mixed by probability, paler
    where the network is unsure (so the boundary between classes reads at a glance)."""
    c = probs.shape[-1]
    rgb = probs @ class_colors(c)
    confidence = (probs.max(axis=-1, keepdims=True) - 1.0 / c) / max(1.0 - 1.0 / c, 1e-6)
    rgb = np.array(GREY) + (rgb - np.array(GREY)) * (light + (1 - light) * confidence)
    out = np.empty(probs.shape[:-1] + (4,), np.uint8)
    out[..., :3] = np.clip(rgb, 0, 255)
    out[..., 3] = 255
    return out


def class_brushes(labels: np.ndarray) -> np.ndarray:
    """(N, 3) colours of integer class labels, distinct for every class present."""
    labels = np.asarray(labels, dtype=np.int64)
    return class_colors(int(labels.max()) + 1 if labels.size else 1)[labels]
