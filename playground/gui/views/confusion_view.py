"""Confusion matrices: rows are the true class, columns the predicted one, with each class's
precision, recall and F1 beside its row. One matrix per split shown (train and test by
default); counts or each row as shares of its class. Clicking a cell picks those points (the
output view rings them, or shows those images); clicking it again lets go."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ...core import metrics as M

RIGHT, WRONG, PICKED = QColor("#0877bd"), QColor("#f59322"), QColor("#111111")
SPLIT_WORDS = {"train": "train", "val": "validation", "test": "test"}


def font(px: float, bold: bool = False) -> QFont:
    f = QFont("Sans")
    f.setPixelSize(max(1, round(px)))
    f.setBold(bold)
    return f


@dataclass(frozen=True)
class MatrixLayout:
    start: float  # the left edge of the drawing (centred in the widget)
    px: int  # the text size of titles, names and the report
    number_px: int  # the counts' size: px where the cells allow it
    line: float  # one line of text
    cell: float
    left: float  # where the matrix starts
    top: float
    right: float  # the recall column's width (0: no report drawn)
    report: bool


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
        self._cells: dict[tuple[int, int], QRectF] = {}
        self.boxes: dict[str, QRectF] = {}  # every text drawn, by what it says (tests)
        self.clipped: set[str] = set()  # texts cut by their boxes (tests: none)
        self.text_px = self.number_px = 0

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

    def layout(self) -> MatrixLayout:
        """Where everything goes: the widget's own font size (larger in presentation mode)
        for every text when the cells allow it, smaller only where they do not; recall in a
        column beside the rows, precision and F1 in rows below the columns (dropped when
        they would squeeze the cells below readable: the tooltip has them then)."""
        c = len(self.counts)
        w, h = float(self.width()), float(self.height())
        base = max(8, QFontInfo(self.font()).pixelSize())
        widest = "100%" if self.normalise else str(int(self.counts.max(initial=0)))
        for px in range(base, 6, -1):
            metrics = QFontMetricsF(font(px))
            line = metrics.height() + 4
            names = max(metrics.horizontalAdvance(self.name(k)) for k in range(c))
            for report in ((True, False) if self.report is not None else (False,)):
                left = line + 8 + max(names, metrics.horizontalAdvance("prec.") if report
                                      else 0)
                right = (6 + max(metrics.horizontalAdvance(t) for t in ("recall", "0.00"))
                         if report else 0)
                bottom = 2 * line if report else 0
                cell = min((w - left - right - 4) / c, (h - 3 * line - bottom - 4) / c)
                if not report or cell >= 1.6 * px:
                    break
            if cell >= 1.4 * px or px == 7:
                break
        cell = max(cell, 4.0)
        x0 = max(0.0, (w - (left + c * cell + right)) / 2)  # the block centred
        number = next((n for n in range(px, 5, -1)
                       if QFontMetricsF(font(n)).horizontalAdvance(widest)
                       <= cell - 4 and n <= cell * 0.7), 6)
        return MatrixLayout(x0, px, number, line, cell, x0 + left, 3 * line, right, report)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        c = len(self.counts)
        self._cells = {}
        self.boxes = {}
        self.clipped: set[str] = set()
        if c == 0:
            painter.end()
            return
        g = self.layout()
        self.text_px, self.number_px = g.px, g.number_px
        cell, left, top, line = g.cell, g.left, g.top, g.line
        total = int(self.counts.sum())
        accuracy = M.accuracy(self.counts)
        title = f"{self.title} · accuracy {accuracy:.1%}" if total else f"{self.title} · no points"
        self._text(painter, "title", QRectF(0, 0, self.width(), line), title, g.px, bold=True,
                   color="#222")
        # the axis titles may reach past the matrix (a small one on a projector), never past
        # the widget; the type shrinks only when the widget is narrower than the words
        words = "predicted class"
        span = QFontMetricsF(font(g.px)).horizontalAdvance(words) + 6
        wide = min(max(c * cell, span), float(self.width()))
        x = min(max(left + c * cell / 2 - wide / 2, 0.0), self.width() - wide)
        self._text(painter, "predicted", QRectF(x, line, wide, line), words,
                   self._fitting(words, g.px, wide), color="#555", italic=True)
        # rows: the true class, written upwards along them
        words = "true class"
        room = self.height() - 2 * line
        true_px = self._fitting(words, g.px, room)
        used = QFontMetricsF(font(true_px)).horizontalAdvance(words) + 6
        tall = max(c * cell, used)
        y = min(max(top + c * cell / 2 - tall / 2, 2 * line), self.height() - tall)
        strip = QRectF(g.start, y, line, tall)
        painter.save()
        painter.translate(strip.center())
        painter.rotate(-90)
        self._text(painter, None, QRectF(-tall / 2, -line / 2, tall, line), words, true_px,
                   color="#555", italic=True)
        painter.restore()
        self.boxes["true"] = QRectF(strip.left(), strip.center().y() - (used - 6) / 2, line,
                                    used - 6)
        names = QRectF(g.start + line + 4, 0, left - 4 - (g.start + line + 4), 0)
        shares = M.row_normalised(self.counts)
        peak = max(int(self.counts.max()), 1)
        painter.setFont(font(g.number_px))
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
        names_px = min(g.px, max(7, int(cell * 0.8)))
        for k in range(c):
            self._text(painter, f"column {k}", QRectF(left + k * cell, 2 * line, cell, line),
                       self.name(k), names_px, color="#555")
            self._text(painter, f"row {k}", QRectF(names.left(), top + k * cell, names.width(),
                                                   cell),
                       self.name(k), names_px, color="#555",
                       align=Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
        if g.report:
            self._paint_report(painter, g)
        painter.end()

    @staticmethod
    def _fitting(words: str, px: int, room: float) -> int:
        """The largest size up to px at which `words` fit in `room` pixels."""
        return next((n for n in range(px, 6, -1)
                     if QFontMetricsF(font(n)).horizontalAdvance(words) + 6 <= room), 6)

    def _text(self, painter: QPainter, key: str | None, box: QRectF, text: str, px: float,
              bold: bool = False, italic: bool = False, color: str = "#222",
              align=Qt.AlignmentFlag.AlignCenter) -> None:
        f = font(px, bold)
        f.setItalic(italic)
        painter.setFont(f)
        painter.setPen(QColor(color))
        painter.drawText(box, align, text)
        if key is not None:  # what was drawn where, as a user sees it (tests)
            used = painter.boundingRect(box, align, text)
            self.boxes[key] = used
            if not box.adjusted(-0.5, -0.5, 0.5, 0.5).contains(used):
                self.clipped.add(key)  # drawText cuts what leaves its box

    def _paint_report(self, painter: QPainter, g: MatrixLayout) -> None:
        c, cell, left, top, line = len(self.counts), g.cell, g.left, g.top, g.line
        x = left + c * cell + 4
        below = top + c * cell + 2
        self._text(painter, "recall", QRectF(x, 2 * line, g.right, line), "recall", g.px,
                   color="#555")
        for i, word in enumerate(("prec.", "F1")):
            self._text(painter, word, QRectF(0, below + i * line, left - 4, line), word, g.px,
                       color="#555",
                       align=Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
        report = self.report
        below_px = self._fitting("0.00", g.px, cell)  # under each column, apart
        for k in range(c):
            self._text(painter, f"recall {k}", QRectF(x, top + k * cell, g.right, cell),
                       f"{report.recall[k]:.2f}", g.px)
            for i, values in enumerate((report.precision, report.f1)):
                self._text(painter, f"{('prec.', 'F1')[i]} {k}",
                           QRectF(left + k * cell, below + i * line, cell, line),
                           f"{values[k]:.2f}", below_px)

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
