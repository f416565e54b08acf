"""The optimizer lab tab: optimizers race on 2-D loss surfaces; your network's loss slice."""

from __future__ import annotations

from ..lab_tab import install_lab
from .lab import OptimizerLab

__all__ = ["OptimizerLab", "install"]


def install(window) -> OptimizerLab:
    """Add the "Optimizers" tab to the main window."""
    window.optimizer_lab = install_lab(window, OptimizerLab(), "Optimizers")
    return window.optimizer_lab
