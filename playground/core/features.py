"""Input features computed from the two coordinates (x₁, x₂), as TF Playground offers and more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    fn: Callable  # works on NumPy arrays and on torch tensors alike (x1, x2) -> values


def _lib(x):
    return torch if isinstance(x, torch.Tensor) else np


FEATURES: dict[str, Feature] = {f.name: f for f in (
    Feature("x1", "x₁", lambda a, b: a),
    Feature("x2", "x₂", lambda a, b: b),
    Feature("x1_sq", "x₁²", lambda a, b: a * a),
    Feature("x2_sq", "x₂²", lambda a, b: b * b),
    Feature("x1_x2", "x₁·x₂", lambda a, b: a * b),
    Feature("sin_x1", "sin x₁", lambda a, b: _lib(a).sin(a)),
    Feature("sin_x2", "sin x₂", lambda a, b: _lib(b).sin(b)),
    Feature("cos_x1", "cos x₁", lambda a, b: _lib(a).cos(a)),
    Feature("cos_x2", "cos x₂", lambda a, b: _lib(b).cos(b)),
    Feature("r", "r = √(x₁² + x₂²)", lambda a, b: _lib(a).sqrt(a * a + b * b)),
    Feature("theta", "θ = atan2(x₂, x₁)", lambda a, b: _lib(a).atan2(b, a) if _lib(a) is torch
            else np.arctan2(b, a)),
)}

DEFAULT_FEATURES = ["x1", "x2"]


def transform(points, names: list[str]):
    """Columns of the named features for (N, 2) points, as NumPy or torch like the input."""
    a, b = points[:, 0], points[:, 1]
    cols = [FEATURES[n].fn(a, b) for n in names]
    if isinstance(points, torch.Tensor):
        return torch.stack(cols, dim=1)
    return np.stack(cols, axis=1).astype(np.float32, copy=False)
