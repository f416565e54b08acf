"""A block's weights and biases as a table, opened from the inspector: one row per unit, one
column per input and one for the bias, each cell the value the canvas shows (a maxout unit:
its pieces' mean). What the user changes leaves as one undoable edit."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

LIMIT = 100.0  # as the canvas's weight dialog: |value| <= 100


class WeightTable(QDialog):
    """Edit `node`'s weights; `value(row, col)` reads one (col -1: the bias), `columns` names
    the inputs. After OK, `changes()` lists (row, col, new, old) for every changed cell."""

    def __init__(self, node: str, units: int, columns: list[str], value, has_bias: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Weights of {node}")
        self.setObjectName("dialog.weights")
        self._old: dict[tuple[int, int], float] = {}
        n_cols = len(columns) + (1 if has_bias else 0)
        self.table = QTableWidget(units, n_cols)
        self.table.setObjectName("weights.table")
        self.table.setHorizontalHeaderLabels(columns + (["bias"] if has_bias else []))
        self.table.setVerticalHeaderLabels([f"unit {u + 1}" for u in range(units)])
        for r in range(units):
            for c in range(n_cols):
                col = c if c < len(columns) else -1
                w = value(r, col)
                self._old[(r, col)] = w
                item = QTableWidgetItem(f"{w:.4g}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        for button in buttons.buttons():  # Enter commits a cell; it must not close the table
            button.setAutoDefault(False)
            button.setDefault(False)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel("Rows are the block's units, columns its inputs. Edit a cell, then OK: "
                       "the change is one step on the undo stack.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        width = min(900, self.table.horizontalHeader().length()
                    + self.table.verticalHeader().sizeHint().width() + 60)
        self.resize(max(360, width), min(600, 140 + 30 * units))
        self._changes: list[tuple[int, int, float, float]] = []

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # Enter commits a cell (the editor takes it); it never closes the table
        super().keyPressEvent(event)

    def _parse(self) -> list[tuple[int, int, float, float]] | str:
        changes = []
        columns = self.table.columnCount()
        for (r, col), old in self._old.items():
            c = col if col >= 0 else columns - 1
            text = self.table.item(r, c).text().strip()
            where = f"unit {r + 1}, {self.table.horizontalHeaderItem(c).text()}"
            try:
                new = float(text)
            except ValueError:
                return f"{where}: {text[:40]!r} is not a number"
            if not math.isfinite(new) or abs(new) > LIMIT:
                return f"{where}: must be a number in [−{LIMIT:g}, {LIMIT:g}]"
            if f"{new:.4g}" != f"{old:.4g}":  # untouched cells show old rounded: not a change
                changes.append((r, col, new, old))
        return changes

    def _accept(self) -> None:
        parsed = self._parse()
        if isinstance(parsed, str):  # name the cell; nothing is applied, nothing is lost
            self.problem.setText(parsed)
            return
        self._changes = parsed
        self.accept()

    def changes(self) -> list[tuple[int, int, float, float]]:
        return list(self._changes)


__all__ = ["WeightTable"]
