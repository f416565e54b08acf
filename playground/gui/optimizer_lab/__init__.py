"""The optimizer lab tab: optimizers race on 2-D loss surfaces; your network's loss slice."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from .lab import OptimizerLab

__all__ = ["OptimizerLab", "install"]


class _FollowWindow(QObject):
    """Keeps the lab on the window's experiment and stops its worker when the window closes,
    so the window needs only the one line that installs the lab."""

    def __init__(self, window, lab: OptimizerLab):
        super().__init__(lab)
        self.window, self.lab = window, lab
        window.installEventFilter(self)
        window.tabs.currentChanged.connect(self.on_tab)

    def on_tab(self, index: int) -> None:
        if self.window.tabs.widget(index) is self.lab:
            self.lab.set_experiment(self.window.experiment)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.lab.shutdown()  # the worker restarts by itself if the close is cancelled
        return False


def install(window) -> OptimizerLab:
    """Add the "Optimizers" tab to the main window; edits go through its apply_experiment."""
    lab = OptimizerLab()
    window.optimizer_lab = lab
    window.tabs.addTab(lab, "Optimizers")
    lab.set_experiment(window.experiment)
    lab.changed.connect(window.apply_experiment)
    _FollowWindow(window, lab)
    return lab
