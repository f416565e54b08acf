"""The strip above the output view that says what state the run is in and what to do next.

Stopping early, diverging and reaching the epoch limit are states of a run, not errors: each is
shown in a calm colour with the way on (Reset; a smaller learning rate; a higher limit). Only a
network that cannot train, or an unexpected failure, is shown as an error.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

STYLES = {  # background, text
    "info": ("#eef5fb", "#1d3d5c"),
    "warning": ("#fff4e0", "#6b4200"),
    "error": ("#fdecea", "#8a1c1c"),
}

NEXT_STEP = {
    "stopped": ("info", "Press Reset to train again, or raise the patience in Training settings."),
    "diverged": ("warning", "Lower the learning rate and start again."),
    "finished": ("info", "Raise or remove the epoch limit to go on, or press Reset."),
}


class RunStatus(QWidget):
    reset_requested = Signal()
    lower_rate_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("run.status")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.text = QLabel()
        self.text.setObjectName("run.status.text")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.lower_rate = QPushButton("Lower the rate")
        self.lower_rate.setObjectName("run.lower_rate")
        self.reset = QPushButton("Reset")
        self.reset.setObjectName("run.status.reset")
        layout.addWidget(self.text, 1)
        layout.addWidget(self.lower_rate)
        layout.addWidget(self.reset)
        self.reset.clicked.connect(self.reset_requested)
        self.lower_rate.clicked.connect(self.lower_rate_requested)
        self.kind = ""
        self._state: tuple[str, str] | None = None
        self.hide()

    def show_message(self, text: str, kind: str, can_reset: bool = True) -> None:
        background, colour = STYLES[kind]
        self.kind = kind
        self.setStyleSheet(f"#run\\.status {{ background: {background}; border-radius: 4px; }}"
                           f" QLabel {{ color: {colour}; }}")
        self.text.setText(text)
        self.lower_rate.setVisible(self._state is not None and self._state[0] == "diverged")
        self.reset.setVisible(can_reset)  # a Reset that cannot help is not offered
        self.show()

    def show_state(self, status: str, message: str) -> None:
        """Follow the run's state (from each frame): shown for the end states, hidden while it
        is ready or running, unless an error is up."""
        state = (status, message)
        if state == self._state:
            return
        self._state = state
        if status in NEXT_STEP:
            kind, step = NEXT_STEP[status]
            self.show_message(f"{message[:1].upper()}{message[1:]}. {step}", kind)
        elif self.kind != "error":
            self.clear()

    def clear(self) -> None:
        self.kind = ""
        self._state = None
        self.hide()

    def flash(self) -> None:
        """Draw the eye to the strip (Play was pressed where the run cannot go on)."""
        if not self.isVisible():
            return
        background, _ = STYLES.get(self.kind or "info")
        self.setStyleSheet(self.styleSheet().replace(background, "#ffe08a"))
        QTimer.singleShot(400, self, self._unflash)  # cancelled if the strip is deleted first

    def _unflash(self) -> None:
        self.show_message(self.text.text(), self.kind or "info", self.reset.isVisible())
