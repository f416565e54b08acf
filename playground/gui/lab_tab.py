"""A lab as a tab of the main window (the optimizer and graph labs): it shows the window's
experiment whenever its tab is opened, hands its edits to the session as one undoable
replacement, and, when it has a background worker (`shutdown`), stops it as the window closes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject


class _FollowWindow(QObject):
    def __init__(self, window, lab):
        super().__init__(lab)
        self.window, self.lab = window, lab
        window.tabs.currentChanged.connect(self.on_tab)
        if hasattr(lab, "shutdown"):
            window.installEventFilter(self)

    def on_tab(self, index: int) -> None:
        if self.window.tabs.widget(index) is self.lab:
            self.lab.set_experiment(self.window.experiment)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.lab.shutdown()  # the worker restarts by itself if the close is cancelled
        return False


def install_lab(window, lab, title: str, index: int = -1):
    """Add `lab` as the tab `title` (at `index`; at the end by default); the window needs
    only this one call per lab."""
    window.tabs.insertTab(index, lab, title)
    lab.set_experiment(window.experiment)
    lab.changed.connect(window.apply_experiment)
    _FollowWindow(window, lab)
    return lab
