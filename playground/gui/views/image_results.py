"""Image data's output view: a grid of test images, each with the class the network gives it
(and the true class when they differ, the image outlined), and the test split's confusion
matrix beside it. Both follow every snapshot; a click on a cell shows those images."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ...core import metrics as M
from .confusion_view import MatrixView, font

WRONG = QColor("#d62728")


class TestImageGrid(QWidget):
    """As many images as fit at a readable size, each labelled with its prediction: the test
    images, or the ones a confusion-matrix cell picked."""

    example_chosen = Signal(object)  # the hovered test image (side × side, 0..1)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(160, 160)
        self.all_images = np.zeros((0, 1, 1), np.float32)
        self.all_truth = np.zeros(0, np.int64)
        self.all_predicted: np.ndarray | None = None
        self.default_order = np.zeros(0, np.int64)
        self.order = self.default_order  # indices into all_* of the images drawn, in order
        self.class_names: tuple[str, ...] = ()
        self.note = ""
        self._cells: list[tuple[int, QRectF]] = []  # position in `order`, where it is drawn

    def set_images(self, images: np.ndarray, truth: np.ndarray, order: np.ndarray,
                   names=()) -> None:
        """Every image of the data set, its class, and the ones shown (the test split)."""
        self.all_images, self.all_truth, self.all_predicted = images, truth, None
        self.default_order = self.order = np.asarray(order, np.int64)
        self.class_names = tuple(names)
        self.note = ""
        self.update()

    def set_predictions(self, predicted: np.ndarray | None) -> None:
        """The class the network gives every image of the data set (None: not yet)."""
        self.all_predicted = predicted
        self.update()

    def show_only(self, indices: np.ndarray | None, note: str = "") -> None:
        """Show these images (indices into the data set) instead of the test split."""
        self.order = self.default_order if indices is None else np.asarray(indices, np.int64)
        self.note = "" if indices is None else note
        self.update()

    @property
    def images(self) -> np.ndarray:
        return self.all_images[self.order]

    @property
    def truth(self) -> np.ndarray:
        return self.all_truth[self.order]

    @property
    def predicted(self) -> np.ndarray | None:
        p = self.all_predicted
        return None if p is None or len(p) != len(self.all_truth) else p[self.order]

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
        images = self.images
        if not len(images) and self.note:
            painter.setPen(QColor("#555"))
            painter.setFont(font(14))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, "no such images")
        for (i, cell), (_, guess, true) in zip(self._cells, self.shown(), strict=True):
            pad = cell.width() * 0.08
            label_h = max(14.0, cell.height() * 0.24)
            box = QRectF(cell.x() + pad, cell.y() + pad, cell.width() - 2 * pad,
                         cell.height() - 2 * pad - label_h)
            side = min(box.width(), box.height())
            box = QRectF(box.center().x() - side / 2, box.y(), side, side)
            grey = np.ascontiguousarray(np.clip(255 * (1 - images[i]), 0, 255)
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
            painter.setFont(font(label_h * 0.8, bold=True))
            painter.drawText(QRectF(cell.x(), box.bottom() + 1, cell.width(), label_h),
                             Qt.AlignmentFlag.AlignCenter, text)
        painter.end()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        for i, cell in self._cells:
            if cell.contains(event.position()):
                self.example_chosen.emit(self.all_images[self.order[i]])
                return


class ImageResults(QWidget):
    """The grid and the test split's confusion matrix side by side; a click on a cell shows
    those images."""

    cell_picked = Signal(int, int)  # true class, predicted class (of the test split)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = TestImageGrid()
        self.confusion = MatrixView()
        self.confusion.setObjectName("images.confusion")
        self.confusion.cell_clicked.connect(self.cell_picked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.grid, 3)
        row.addWidget(self.confusion, 2)
        self.n_classes = 0
        self.names: tuple[str, ...] = ()

    def set_data(self, images: np.ndarray, truth: np.ndarray, n_classes: int,
                 test: np.ndarray, names=()) -> None:
        """Every image and class of the data set, and the test split's indices."""
        self.n_classes = n_classes
        self.names = tuple(names)
        self.grid.set_images(images, truth, test, names)
        self.confusion.set_matrix(np.zeros((n_classes, n_classes), np.int64), self.names,
                                  "test", report=False)

    def update_snapshot(self, snap) -> None:
        outputs = snap.split_outputs
        if snap.problem == "regression" or not outputs:
            self.grid.set_predictions(None)
            return
        # the splits are stored one after the other: train, validation, test
        self.grid.set_predictions(np.concatenate([outputs[s] for s in ("train", "val", "test")]))
        n = max(self.n_classes, snap.n_classes)
        self.confusion.set_matrix(M.confusion_matrix(snap.split_truth["test"], outputs["test"], n),
                                  self.names, "test", report=False)

    def pick(self, cell: tuple[int, int] | None) -> None:
        """Outline the picked cell of the test matrix (None: none)."""
        self.confusion.picked = cell
        self.confusion.update()
