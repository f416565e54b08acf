"""The Backprop tab: a formula's computational graph, forward pass then reverse mode."""

from __future__ import annotations

from PySide6.QtCore import QObject

from .lab import GraphLab

__all__ = ["GraphLab", "install"]


class _FollowWindow(QObject):
    """Shows the window's experiment whenever the tab is opened, so the window needs only the
    one line that installs the lab."""

    def __init__(self, window, lab: GraphLab):
        super().__init__(lab)
        self.window, self.lab = window, lab
        window.tabs.currentChanged.connect(self.on_tab)

    def on_tab(self, index: int) -> None:
        if self.window.tabs.widget(index) is self.lab:
            self.lab.set_experiment(self.window.experiment)


def install(window) -> GraphLab:
    """Add the "Backprop" tab to the main window; edits go through its apply_experiment."""
    lab = GraphLab()
    window.graph_lab = lab
    window.tabs.addTab(lab, "Backprop")
    lab.set_experiment(window.experiment)
    lab.changed.connect(window.apply_experiment)
    _FollowWindow(window, lab)
    return lab
