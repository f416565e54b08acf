"""The Backprop tab: a formula's computational graph, forward pass then reverse mode."""

from __future__ import annotations

from ..lab_tab import install_lab
from .lab import GraphLab

__all__ = ["GraphLab", "install"]


def install(window) -> GraphLab:
    """Add the "Backprop" tab to the main window."""
    window.graph_lab = install_lab(window, GraphLab(window.qs), "Backprop")
    return window.graph_lab
