"""The clustering lab's paint tool: brush (sprays points), single point, erase, class colour,
clear, undo and redo. Strokes edit the experiment's drawn points (`data.points`), so drawn data
saves with the experiment. A mixin of ClusteringLab."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
)


class PaintTool:
    def _paint_box(self) -> QGroupBox:
        box = QGroupBox("Draw data")
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.paint_modes = QButtonGroup(self)
        self.paint_modes.setExclusive(True)
        self.tool_buttons = {}
        for name, tip in (("off", "clicks step the algorithm's own tools"),
                          ("brush", "spray a handful of points"), ("point", "one point a click"),
                          ("erase", "remove the nearest point")):
            b = QToolButton(text=name)
            b.setCheckable(True)
            b.setToolTip(tip)
            self.paint_modes.addButton(b)
            self.tool_buttons[name] = b
            row.addWidget(b)
        self.tool_buttons["off"].setChecked(True)
        layout.addLayout(row)
        row2 = QHBoxLayout()
        self.paint_class = QSpinBox()
        self.paint_class.setRange(1, 8)
        self.paint_class.setPrefix("class ")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.clear_button = QPushButton("Clear")
        for w in (self.paint_class, self.undo_button, self.redo_button, self.clear_button):
            row2.addWidget(w)
        layout.addLayout(row2)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.clear_button.clicked.connect(lambda: self._edit_points([]))
        return box

    def _table(self) -> list[list[float]]:
        if self.experiment.data.generator == "points":
            return [list(r) for r in self.experiment.data.points]
        return [[float(a), float(b), float(c)] for (a, b), c in zip(self.x, self.truth,
                                                                      strict=True)]

    def _edit_points(self, table: list[list[float]], record: bool = True) -> None:
        if record:
            self._undo.append(self._table())
            self._redo.clear()
        exp = self.experiment.copy()
        exp.data.generator = "points"
        exp.data.points = table
        if table:
            self.changed.emit(exp)
        else:  # an empty table cannot be a dataset: keep the experiment, show nothing
            self.experiment = exp
            self.x = np.zeros((0, 2))
            self.points.setData([], [])
            self.explanation.setText("canvas cleared: draw some points")

    def undo(self) -> None:
        if self._undo:
            self._redo.append(self._table())
            self._edit_points(self._undo.pop(), record=False)

    def redo(self) -> None:
        if self._redo:
            self._undo.append(self._table())
            self._edit_points(self._redo.pop(), record=False)

    def paint_at(self, x: float, y: float) -> None:
        """Apply the current paint tool at a point of the plot (data coordinates)."""
        mode = self.paint_modes.checkedButton().text()
        table = self._table()
        label = float(self.paint_class.value() - 1)
        if mode == "point":
            table.append([x, y, label])
        elif mode == "brush":
            rng = np.random.default_rng(len(table))
            spray = rng.normal([x, y], 0.35, (8, 2))
            table += [[float(a), float(b), label] for a, b in spray]
        elif mode == "erase" and table:
            pts = np.array(table)[:, :2]
            table.pop(int(((pts - [x, y]) ** 2).sum(axis=1).argmin()))
        else:
            return
        self._edit_points(table)

    def _on_click(self, event) -> None:
        pos = self.plot.getViewBox().mapSceneToView(event.scenePos())
        if self.paint_modes.checkedButton().text() != "off":
            self.paint_at(pos.x(), pos.y())
        elif self.algorithm.currentData() == "kmeans" and self.init.currentData() == "manual":
            from ..core.limits import MAX_CENTRES

            if len(self.experiment.clustering.centres) >= MAX_CENTRES:
                return  # k's limit: a file the app writes must open again
            exp = self.experiment.copy()  # click to place a centre
            exp.clustering.centres = exp.clustering.centres + [[pos.x(), pos.y(), 0.0]]
            exp.clustering.k = len(exp.clustering.centres)
            self.experiment = exp
            self.changed.emit(exp.copy())
            self.restart()

