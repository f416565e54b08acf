"""The output view: decision boundary (or value map) as a heatmap with the data points on top."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from .. import colors
from .image_results import ImageResults


def image_side(x: np.ndarray, domain) -> int | None:
    """The side of square images when the inputs are pixels (8 for the 8×8 digits)."""
    if domain is not None or x.ndim != 2:
        return None
    side = int(round(np.sqrt(x.shape[1])))
    return side if side * side == x.shape[1] and side >= 4 else None


def output_rgba(output: np.ndarray, problem: str, discretize: bool) -> np.ndarray:
    """RGBA image for a snapshot's output: binary score, class probabilities or value."""
    if problem == "multiclass":
        probs = output
        if discretize:
            probs = np.eye(output.shape[-1], dtype=np.float32)[output.argmax(axis=-1)]
        return colors.blend_classes(probs)
    values = np.sign(output) if discretize else output
    return colors.map_values(values)


class OutputView(QWidget):
    """pyqtgraph plot of the output heatmap, train points (white rim) and test points (black);
    for image data, the test images with their predicted classes and a confusion matrix."""

    example_chosen = Signal(object)  # the input image the network view shows (None: 2-D)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.getViewBox().setMouseEnabled(False, False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=1))
        self.test_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("k", width=1))
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.test_points)
        self.caption = QLabel("")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Wrapped: a long caption must never widen the column (it pushed a 1280-px window
        # past the screen's edge and re-laid the network out on every frame).
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.images = ImageResults()
        self.images.grid.example_chosen.connect(self.example_chosen)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.plot)
        self.pages.addWidget(self.images)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.caption)
        self.show_test = False
        self.discretize = False
        self._domain = None
        self._neuron: np.ndarray | None = None
        self._last = None
        self._rect = QRectF(-6, -6, 12, 12)

    # ------------------------------------------------------------------------ data points
    def set_data(self, x: np.ndarray, y: np.ndarray, n_train: int, problem: str,
                 domain: tuple[float, float, float, float] | None) -> None:
        """The dataset's points (drawn once per dataset, not per frame)."""
        self._points = (x, y, n_train, problem)
        self._domain = domain
        side = image_side(x, domain)
        self.pages.setCurrentWidget(self.plot if side is None else self.images)
        if side is not None:
            test = x[n_train:].reshape(-1, side, side)
            truth = np.asarray(y[n_train:], dtype=np.int64) if problem != "regression" \
                else np.zeros(len(test), np.int64)
            self.images.set_data(test, truth, int(truth.max()) + 1 if len(truth) else 1)
        self.example_chosen.emit(None if side is None or n_train >= len(x)
                                 else x[n_train].reshape(side, side))
        if domain is None:
            self.train_points.clear()
            self.test_points.clear()
            return
        if problem == "regression":
            rgba = colors.map_values(y[None, :])[0]
            brushes = [pg.mkBrush(*c) for c in rgba]
        else:
            brushes = [pg.mkBrush(*c) for c in colors.class_brushes(y).astype(int)]
        self.train_points.setData(x[:n_train, 0], x[:n_train, 1], brush=brushes[:n_train])
        self.test_points.setData(x[n_train:, 0], x[n_train:, 1], brush=brushes[n_train:])
        self.test_points.setVisible(self.show_test)
        x0, x1, y0, y1 = domain
        self._rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def set_show_test(self, on: bool) -> None:
        self.show_test = on
        self.test_points.setVisible(on)

    def set_discretize(self, on: bool) -> None:
        self.discretize = on
        if self._last is not None:
            self.update_snapshot(self._last)

    # ---------------------------------------------------------------------------- frames
    def update_snapshot(self, snap) -> None:
        self._last = snap
        if snap.output is None:
            self.image.clear()
            if self.pages.currentWidget() is self.images:
                self.images.update_snapshot(snap)
                self.caption.setText("test images: the network's class (true class in "
                                     "brackets when wrong, outlined)")
            else:
                self.caption.setText("no 2-D map for these inputs; see the trace plots")
            return
        if self._neuron is not None:
            self._show(colors.map_values(self._neuron))
            return
        self._show(output_rgba(snap.output, snap.problem, self.discretize))
        self.caption.setText("")

    def _show(self, rgba: np.ndarray) -> None:
        # The rect must follow each setImage: pyqtgraph sizes it from the image it holds.
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255), rect=self._rect)

    def show_map(self, values: np.ndarray | None, caption: str = "") -> None:
        """Show one neuron's full map in place of the output (None: back to the output)."""
        self._neuron = values
        self.caption.setText(caption)
        if values is None and self._last is not None:
            self.update_snapshot(self._last)
        elif values is not None:
            self._show(colors.map_values(values))

    def clear_run(self) -> None:
        """No run to show (the data or the network cannot train): the points stay, the map of
        an older run goes."""
        self._last = None
        self._neuron = None
        self.image.clear()
        self.caption.setText("")

    def pixels(self) -> np.ndarray:
        """The heatmap's current pixels (for tests and exports)."""
        return np.asarray(self.image.image)
