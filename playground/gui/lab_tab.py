"""A lab as a tab of the main window (the optimizer, graph and sweep labs). A lab binds its controls
to the session itself (it reads the session's experiment and keeps no copy), so installing it
is adding the tab and, when it has a background worker (`shutdown`), stopping that worker as
the window closes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject


class _StopOnClose(QObject):
    def __init__(self, window, lab):
        super().__init__(lab)
        self.window, self.lab = window, lab
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.lab.shutdown()  # the worker restarts by itself if the close is cancelled
        return False


def install_lab(window, lab, title: str, index: int = -1):
    """Add `lab` as the tab `title` (at `index`; at the end by default); the window needs
    only this one call per lab."""
    window.tabs.insertTab(index, lab, title)
    if hasattr(lab, "shutdown"):
        _StopOnClose(window, lab)
    return lab
