"""A plot's legend as a line of text over it: laid out by Qt, so it always lies inside its
panel (wrapped when narrow) and its type follows the window's style sheet, growing in
presentation mode with every other label. pyqtgraph's own legend, drawn inside the plot, was
cut off at the plot's edge and stayed small on a projector."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MARKS = {"line": "━━", "dash": "╍╍", "dot": "●", "box": "■", "faded": "━━"}


class KeyRow(QLabel):
    """Entries of (colour, mark, words); marks from MARKS: a solid or dashed line, a dot, a
    filled box."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.entries: list[tuple[str, str, str]] = []

    def set_entries(self, entries: list[tuple[str, str, str]]) -> None:
        entries = list(entries)
        if entries == self.entries:
            return
        self.entries = entries
        parts = [f'<span style="white-space: nowrap"><span style="color: {color}">'
                 f"{MARKS[mark]}</span>&nbsp;{escape(words)}</span>"
                 for color, mark, words in entries]
        self.setText("&nbsp;&nbsp; ".join(parts))
        self.setVisible(bool(entries))

    def words(self) -> list[str]:
        return [w for _c, _m, w in self.entries]
