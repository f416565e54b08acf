"""The Sweeps tab: capacity sweeps and learning curves of the network tab's experiment."""

from __future__ import annotations

from ..lab_tab import install_lab
from .lab import SweepLab

__all__ = ["SweepLab", "install"]


def install(window) -> SweepLab:
    """Add the "Sweeps" tab beside the network tab; a run opened from it shows there."""
    lab = SweepLab(window.qs)
    window.sweep_lab = install_lab(window, lab, "Sweeps", index=1)
    lab.set_experiment()
    lab.changed.connect(window.apply_experiment)  # "Open in the network tab": one edit
    lab.changed.connect(lambda _exp: window.tabs.setCurrentIndex(0))
    return lab
