"""Field paths and their values in a student's words, for the Undo menu and lesson steps.

A new user read "Undo training.learning_rate = 0.3" and "Set features to x1_sq, x2_sq": the
paths are the program's names. These read "learning rate → 0.3" and "input features → x₁², x₂²".
"""

from __future__ import annotations

from typing import Any

# Names that the path's last part does not say well by itself.
_NAMES = {
    "features": "input features",
    "data.generator": "dataset",
    "data.train_fraction": "training data share",
    "data.n_points": "number of points",
    "data.n_classes": "number of classes",
    "data.seed": "data seed",
    "data.domain_half_width": "view ±",
    "training.epochs": "epoch limit",
    "training.regularization_rate": "regularization rate",
    "view.snapshot_every": "speed",
    "clustering.k": "K",
    "clustering.eps": "ε",
    "clustering.min_points": "minPoints",
}


def path_in_words(path: str) -> str:
    """'training.learning_rate' -> 'learning rate'; 'training.optimizer_params.beta1' ->
    'optimizer beta1'."""
    if path in _NAMES:
        return _NAMES[path]
    parts = path.split(".")[1:] or [path]
    words = " ".join(p.removesuffix("_params") for p in parts)
    return words.replace("_", " ")


def value_in_words(path: str, value: Any) -> str:
    """A value as the window shows it: features and datasets by their labels, numbers short."""
    from .datasets import GENERATORS
    from .features import FEATURES

    if path == "features" and isinstance(value, list | tuple):
        return ", ".join(FEATURES[f].label if f in FEATURES else str(f) for f in value) or "none"
    if path == "data.generator" and value in GENERATORS:
        return GENERATORS[value].label
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    shown = str(value)
    return shown if len(shown) <= 30 else shown[:27] + "…"


def change_in_words(path: str, value: Any) -> str:
    return f"{path_in_words(path)} → {value_in_words(path, value)}"
