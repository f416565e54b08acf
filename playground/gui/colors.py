"""Colour maps, as NumPy lookups (no Qt): TF Playground's diverging map and class colours."""

from __future__ import annotations

import numpy as np

ORANGE, GREY, BLUE = (0xF5, 0x93, 0x22), (0xE8, 0xEA, 0xEB), (0x08, 0x77, 0xBD)
# Class colours for multi-class sets: class 0 orange and class 1 blue as in TF Playground.
CLASS_COLORS = np.array([ORANGE, BLUE, (0x2C, 0xA0, 0x2C), (0xD6, 0x27, 0x28), (0x94, 0x67, 0xBD),
                         (0x8C, 0x56, 0x4B), (0xE3, 0x77, 0xC2), (0x17, 0xBE, 0xCF),
                         (0xBC, 0xBD, 0x22), (0x7F, 0x7F, 0x7F)], dtype=np.float32)


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
    rgb = probs @ CLASS_COLORS[:c]
    confidence = (probs.max(axis=-1, keepdims=True) - 1.0 / c) / (1.0 - 1.0 / c)
    rgb = np.array(GREY) + (rgb - np.array(GREY)) * (light + (1 - light) * confidence)
    out = np.empty(probs.shape[:-1] + (4,), np.uint8)
    out[..., :3] = np.clip(rgb, 0, 255)
    out[..., 3] = 255
    return out


def class_brushes(labels: np.ndarray) -> np.ndarray:
    return CLASS_COLORS[labels % len(CLASS_COLORS)]
