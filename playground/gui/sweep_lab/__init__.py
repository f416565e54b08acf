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
    lab.changed.connect(lambda exp: open_run(window, exp))
    return lab


def open_run(window, exp) -> None:
    """"Open in the network tab": the run's experiment as one undoable edit, then trained to
    its epoch limit (the sweep's epochs) as fast as the worker goes, never on this thread;
    the window shows it training and stops where the sweep's run stopped."""
    from ..worker import Play

    window.tabs.setCurrentIndex(0)
    window.apply_experiment(exp, "open a sweep's run")
    if window._dataset is None or not window.play_action.isEnabled():
        return  # it cannot train: the status strip says why
    window.playing = True
    window.training_bar.set_playing(True)
    window.worker.post(Play(fast=True))
