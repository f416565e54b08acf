"""The base of the app's background workers: a QThread fed by a queue of commands that its
`run` loop handles between steps; `stop` asks it to quit and waits for it."""

from __future__ import annotations

import queue

from PySide6.QtCore import QThread


class CommandThread(QThread):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._commands: queue.Queue = queue.Queue()

    def post(self, command, *args) -> None:
        """Called from the GUI thread; handled by the worker between two steps. `command` is a
        typed command object (or a name, for the workers that take names and arguments)."""
        self._commands.put((command, args))

    def stop(self) -> None:
        self.post("quit")
        self.wait(5000)
