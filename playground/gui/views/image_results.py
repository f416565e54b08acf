"""Image data's output view: a grid of test images, each with the class the network gives it
(and the true class when they differ, the image outlined), and the confusion matrix beside
it. Both follow every snapshot."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QWidget

WRONG = QColor("#d62728")


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont("Sans")
    font.setPixelSize(max(1, round(px)))
    font.setBold(bold)
    return font


class TestImageGrid(QWidget):
    """As many test images as fit at a readable size, each labelled with its prediction."""

    example_chosen = Signal(object)  # the hovered test image (side × side, 0..1)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(160, 160)
        self.images = np.zeros((0, 1, 1), np.float32)
        self.truth = np.zeros(0, np.int64)
        self.predicted: np.ndarray | None = None
        self.class_names: tuple[str, ...] = ()
        self._cells: list[tuple[int, QRectF]] = []  # test index, where it is drawn

    def set_images(self, images: np.ndarray, truth: np.ndarray, names=()) -> None:
        self.images, self.truth, self.predicted = images, truth, None
        self.class_names = tuple(names)
        self.update()

    def set_predictions(self, predicted: np.ndarray | None) -> None:
        self.predicted = predicted
        self.update()

    def name(self, k: int) -> str:
        return self.class_names[k] if k < len(self.class_names) else str(int(k))

    def layout_cells(self) -> list[tuple[int, QRectF]]:
        """Square cells of at least 56 px (image and label), filling the widget."""
        w, h = self.width(), self.height()
        n = len(self.images)
        cols = max(1, min(10, int(w // 56)))
        size = w / cols
        rows = max(1, min(int(h // size), -(-n // cols)))
        return [(i, QRectF((i % cols) * size, (i // cols) * size, size, size))
                for i in range(min(n, rows * cols))]

    def shown(self) -> list[tuple[int, int | None, int]]:
        """(test index, predicted class or None, true class) of each image drawn."""
        p = self.predicted
        return [(i, None if p is None or i >= len(p) else int(p[i]), int(self.truth[i]))
                for i, _ in self.layout_cells()]

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        self._cells = self.layout_cells()
        for (i, cell), (_, guess, true) in zip(self._cells, self.shown(), strict=True):
            pad = cell.width() * 0.08
            label_h = max(14.0, cell.height() * 0.24)
            box = QRectF(cell.x() + pad, cell.y() + pad, cell.width() - 2 * pad,
                         cell.height() - 2 * pad - label_h)
            side = min(box.width(), box.height())
            box = QRectF(box.center().x() - side / 2, box.y(), side, side)
            grey = np.ascontiguousarray(np.clip(255 * (1 - self.images[i]), 0, 255)
                                        .astype(np.uint8))
            image = QImage(grey.data, grey.shape[1], grey.shape[0], grey.shape[1],
                           QImage.Format.Format_Grayscale8)
            painter.drawImage(box, image)
            wrong = guess is not None and guess != true
            painter.setPen(QPen(WRONG, 3) if wrong else QPen(QColor("#bbb"), 1))
            painter.drawRect(box)
            text = "…" if guess is None else self.name(guess)
            if wrong:
                text += f" ({self.name(true)})"
            painter.setPen(WRONG if wrong else QColor("#222"))
            painter.setFont(_font(label_h * 0.8, bold=True))
            painter.drawText(QRectF(cell.x(), box.bottom() + 1, cell.width(), label_h),
                             Qt.AlignmentFlag.AlignCenter, text)
        painter.end()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        for i, cell in self._cells:
            if cell.contains(event.position()):
                self.example_chosen.emit(self.images[i])
                return


class ConfusionMatrix(QWidget):
    """Rows: the true class; columns: the predicted one; counts shaded, the diagonal blue,
    mistakes orange."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setToolTip("confusion matrix: rows are the true class, columns the class the "
                        "network predicts; the diagonal counts the right answers")
        self.setMinimumSize(160, 160)
        self.counts = np.zeros((0, 0), np.int64)
        self.class_names: tuple[str, ...] = ()

    def set_counts(self, truth: np.ndarray, predicted: np.ndarray | None, n_classes: int,
                   names=()) -> None:
        self.class_names = tuple(names)
        counts = np.zeros((n_classes, n_classes), np.int64)
        if predicted is not None and len(predicted) == len(truth):
            np.add.at(counts, (truth, np.clip(predicted, 0, n_classes - 1)), 1)
        self.counts = counts
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        c = len(self.counts)
        if c == 0:
            painter.end()
            return
        margin = 28.0
        cell = min(self.width() - margin, self.height() - margin - 18) / c
        top = 18.0
        total = max(self.counts.sum(), 1)
        painter.setFont(_font(13, bold=True))
        painter.setPen(QColor("#222"))
        accuracy = np.trace(self.counts) / total
        painter.drawText(QRectF(0, 0, self.width(), 16), Qt.AlignmentFlag.AlignCenter,
                         f"test accuracy {accuracy:.1%}" if self.counts.sum() else "confusion")
        peak = max(self.counts.max(), 1)
        painter.setFont(_font(max(9.0, min(14.0, cell * 0.4))))
        for t in range(c):
            for p in range(c):
                r = QRectF(margin + p * cell, top + margin + t * cell, cell, cell)
                v = self.counts[t, p]
                base = QColor("#0877bd") if t == p else QColor("#f59322")
                base.setAlphaF(0.08 + 0.92 * v / peak if v else 0.0)
                painter.fillRect(r, base)
                painter.setPen(QColor("#ddd"))
                painter.drawRect(r)
                if v and cell >= 14:
                    painter.setPen(QColor("white") if v / peak > 0.6 else QColor("#222"))
                    painter.drawText(r, Qt.AlignmentFlag.AlignCenter, str(v))
        painter.setPen(QColor("#555"))
        for k in range(c):
            name = self.class_names[k] if k < len(self.class_names) else str(k)
            painter.drawText(QRectF(margin + k * cell, top, cell, margin),
                             Qt.AlignmentFlag.AlignCenter, name)
            painter.drawText(QRectF(0, top + margin + k * cell, margin, cell),
                             Qt.AlignmentFlag.AlignCenter, name)
        painter.end()


class ImageResults(QWidget):
    """The grid and the matrix side by side."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = TestImageGrid()
        self.confusion = ConfusionMatrix()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.grid, 3)
        row.addWidget(self.confusion, 2)
        self.n_classes = 0

    def set_data(self, images: np.ndarray, truth: np.ndarray, n_classes: int) -> None:
        self.n_classes = n_classes
        self.grid.set_images(images, truth)
        self.confusion.set_counts(truth, None, n_classes)

    def update_snapshot(self, snap) -> None:
        self.grid.set_predictions(snap.predicted)
        self.confusion.set_counts(self.grid.truth, snap.predicted,
                                  max(self.n_classes, snap.n_classes))
