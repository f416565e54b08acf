"""The optimizer lab tab: optimizers race on 2-D loss surfaces; your network's loss slice."""

from __future__ import annotations

from ..lab_tab import install_lab
from .lab import OptimizerLab

__all__ = ["OptimizerLab", "install"]


def install(window) -> OptimizerLab:
    """Add the "Optimizers" tab to the main window; its second page follows the window's
    training run and drives it (Train, Step, Reset)."""
    lab = install_lab(window, OptimizerLab(window.qs), "Optimizers")
    window.run_frame.connect(lab.follow_run)
    panel = lab.network_panel
    panel.play_requested.connect(window.toggle_play)
    panel.step_requested.connect(window.step_epoch)
    panel.reset_requested.connect(window.reset)
    window.optimizer_lab = lab
    return lab
