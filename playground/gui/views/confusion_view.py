"""Confusion matrices: rows are the true class, columns the predicted one, with each class's
precision, recall and F1 beside its row. One matrix per split shown (train and test by
default); counts or each row as shares of its class. Clicking a cell picks those points (the
output view rings them, or shows those images); clicking it again lets go."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ...core import metrics as M

RIGHT, WRONG, PICKED = QColor("#0877bd"), QColor("#f59322"), QColor("#111111")
SPLIT_WORDS = {"train": "train", "val": "validation", "test": "test"}


def font(px: float, bold: bool = False) -> QFont:
    f = QFont("Sans")
    f.setPixelSize(max(1, round(px)))
    f.setBold(bold)
    return f


class MatrixView(QWidget):
    """One split's matrix, painted to fill the widget; `counts` holds what it shows."""

    cell_clicked = Signal(int, int)  # true class, predicted class

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(96, 96)
        self.setToolTip("rows: the true class; columns: the class the network predicts; the "
                        "diagonal counts the right answers. Beside each row: precision, "
                        "recall and F1 of that class. Click a cell to pick those points.")
        self.counts = np.zeros((0, 0), np.int64)
        self.names: tuple[str, ...] = ()
        self.title = ""
        self.normalise = False
        self.report: M.ClassReport | None = None
        self.picked: tuple[int, int] | None = None
        self.scale = 1.0  # presentation mode: larger type
        self._cells: dict[tuple[int, int], QRectF] = {}

    def set_matrix(self, counts: np.ndarray, names=(), title: str = "",
                   normalise: bool = False, report: bool = True) -> None:
        self.counts = np.asarray(counts, np.int64)
        self.names = tuple(names)
        self.title = title
        self.normalise = normalise
        self.report = M.class_report(self.counts) if report and self.counts.size else None
        if self.report is not None:  # every class's numbers, however narrow the view
            rows = "".join(f"<tr><td>{self.name(k)}</td><td>{p:.2f}</td><td>{r:.2f}</td>"
                           f"<td>{f:.2f}</td><td>{n}</td></tr>" for k, (p, r, f, n) in
                           enumerate(zip(self.report.precision, self.report.recall,
                                         self.report.f1, self.report.support, strict=True)))
            self.setToolTip(f"<b>{self.title}</b>: rows are the true class, columns the "
                            "predicted one. Click a cell to pick those points.<table>"
                            "<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th>"
                            f"<th>points</th></tr>{rows}</table>")
        self.update()

    def name(self, k: int) -> str:
        return self.names[k] if k < len(self.names) else str(k)

    def geometry_for(self, c: int) -> tuple[float, float, float, float]:
        """(cell size, left of the matrix, top of the matrix, width of the P/R/F1 columns;
        0 when they would be too narrow to read: the tooltip has them then)."""
        head = 18.0 * self.scale
        metrics = QFontMetricsF(font(13.0 * self.scale))  # the largest the names are drawn
        label = 8.0 + max(metrics.horizontalAdvance(self.name(k)) for k in range(c))
        tall = (self.height() - 2 * head - 6) / c
        for extra_units in ((3 * 1.45, 0.0) if self.report is not None else (0.0,)):
            cell = min((self.width() - label - 4) / (c + extra_units), tall)
            if extra_units == 0 or cell * 1.45 >= 34 * self.scale:
                break
        return max(cell, 4.0), label, 2 * head, cell * extra_units

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        c = len(self.counts)
        self._cells = {}
        if c == 0:
            painter.end()
            return
        cell, left, top, extra = self.geometry_for(c)
        total = int(self.counts.sum())
        painter.setFont(font(13 * self.scale, bold=True))
        painter.setPen(QColor("#222"))
        accuracy = M.accuracy(self.counts)
        title = f"{self.title} · accuracy {accuracy:.1%}" if total else f"{self.title} · no points"
        painter.drawText(QRectF(0, 0, self.width(), top / 2), Qt.AlignmentFlag.AlignCenter, title)
        shares = M.row_normalised(self.counts)
        peak = max(int(self.counts.max()), 1)
        text_px = max(8.0, min(15.0 * self.scale, cell * 0.36))
        painter.setFont(font(text_px))
        for t in range(c):
            for p in range(c):
                r = QRectF(left + p * cell, top + t * cell, cell, cell)
                self._cells[(t, p)] = r
                v = int(self.counts[t, p])
                strength = shares[t, p] if self.normalise else v / peak
                base = QColor(RIGHT if t == p else WRONG)
                base.setAlphaF(0.08 + 0.92 * strength if v else 0.0)
                painter.fillRect(r, base)
                painter.setPen(QPen(QColor("#ddd"), 1))
                painter.drawRect(r)
                if v and cell >= 12:
                    painter.setPen(QColor("white") if strength > 0.6 else QColor("#222"))
                    text = f"{shares[t, p]:.0%}" if self.normalise else str(v)
                    painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
        if self.picked in self._cells:
            painter.setPen(QPen(PICKED, max(2.0, cell * 0.08)))
            painter.drawRect(self._cells[self.picked].adjusted(1, 1, -1, -1))
        painter.setPen(QColor("#555"))
        painter.setFont(font(max(8.0, min(13.0 * self.scale, cell * 0.4))))
        for k in range(c):
            painter.drawText(QRectF(left + k * cell, top - top / 2, cell, top / 2),
                             Qt.AlignmentFlag.AlignCenter, self.name(k))
            painter.drawText(QRectF(0, top + k * cell, left - 4, cell),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             self.name(k))
        if self.report is not None and extra > 0:
            self._paint_report(painter, cell, left + c * cell + 4, top, extra - 4)
        painter.end()

    def _paint_report(self, painter: QPainter, cell: float, x: float, top: float,
                      width: float) -> None:
        col = width / 3
        painter.setFont(font(max(8.0, min(12.0 * self.scale, col * 0.32))))
        painter.setPen(QColor("#555"))
        for i, head in enumerate(("prec.", "recall", "F1")):
            painter.drawText(QRectF(x + i * col, top - top / 2, col, top / 2),
                             Qt.AlignmentFlag.AlignCenter, head)
        rows = (self.report.precision, self.report.recall, self.report.f1)
        painter.setPen(QColor("#222"))
        for k in range(len(self.counts)):
            for i, values in enumerate(rows):
                painter.drawText(QRectF(x + i * col, top + k * cell, col, cell),
                                 Qt.AlignmentFlag.AlignCenter, f"{values[k]:.2f}")

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        for key, r in self._cells.items():
            if r.contains(x, y):
                return key
        return None

    def centre_of(self, t: int, p: int):
        """Where cell (t, p) is drawn (for tests that click as users do)."""
        return self._cells[(t, p)].center().toPoint()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        hit = self.cell_at(event.position().x(), event.position().y())
        if hit is not None:
            self.cell_clicked.emit(*hit)


class ConfusionPanel(QWidget):
    """The matrices of the chosen splits side by side, with counts or row shares."""

    cell_chosen = Signal(object)  # (split, true, predicted), or None when let go

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.split_buttons: dict[str, QToolButton] = {}
        top = QHBoxLayout()
        top.addWidget(QLabel("Splits:"))
        for split, on in (("train", True), ("val", False), ("test", True)):
            b = QToolButton()
            b.setText(SPLIT_WORDS[split])
            b.setCheckable(True)
            b.setChecked(on)
            b.setObjectName(f"confusion.split={split}")
            b.toggled.connect(self._redraw)
            top.addWidget(b)
            self.split_buttons[split] = b
        self.normalise = QCheckBox("row shares")
        self.normalise.setObjectName("confusion.normalise")
        self.normalise.setToolTip("each row as shares of its true class (the diagonal is then "
                                  "each class's recall); off: counts")
        self.normalise.toggled.connect(self._redraw)
        top.addWidget(self.normalise)
        top.addStretch(1)
        self.caption = QLabel("")
        self.caption.setStyleSheet("color: #555;")
        self.caption.setWordWrap(True)
        self.row = QHBoxLayout()
        self.views: dict[str, MatrixView] = {}
        for split in ("train", "val", "test"):
            v = MatrixView()
            v.setObjectName(f"confusion.{split}")
            v.cell_clicked.connect(lambda t, p, s=split: self.pick(s, t, p))
            self.row.addWidget(v, 1)
            self.views[split] = v
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addLayout(self.row, 1)
        layout.addWidget(self.caption)
        self.matrices: dict[str, np.ndarray] = {}
        self.names: tuple[str, ...] = ()
        self.picked: tuple[str, int, int] | None = None
        self._has = {"train": True, "val": False, "test": True}

    def set_splits(self, present: dict[str, bool]) -> None:
        """Which splits have points (validation only when the data holds one)."""
        self._has = dict(present)
        self.split_buttons["val"].setEnabled(present.get("val", False))
        self.split_buttons["val"].setToolTip("" if present.get("val") else
                                             "no validation split: set one in the data panel")
        self.picked = None
        self._redraw()

    def show_matrices(self, matrices: dict[str, np.ndarray], names, note: str = "") -> None:
        self.matrices, self.names = matrices, tuple(names)
        self.caption.setText(note)
        self._redraw()

    def pick(self, split: str, t: int, p: int) -> None:
        self.picked = None if self.picked == (split, t, p) else (split, t, p)
        self._redraw()
        self.cell_chosen.emit(self.picked)

    def let_go(self) -> None:
        if self.picked is not None:
            self.picked = None
            self._redraw()
            self.cell_chosen.emit(None)

    def set_scale(self, scale: float) -> None:
        for v in self.views.values():
            v.scale = scale
            v.update()

    def _redraw(self) -> None:
        for split, view in self.views.items():
            shown = self.split_buttons[split].isChecked() and self._has.get(split, False) \
                and split in self.matrices
            view.setVisible(shown)
            if shown:
                view.picked = self.picked[1:] if self.picked and self.picked[0] == split \
                    else None
                view.set_matrix(self.matrices[split], self.names, SPLIT_WORDS[split],
                                self.normalise.isChecked())
