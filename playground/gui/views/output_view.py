"""The output view: decision boundary (or value map) as a heatmap with the data points on top."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from .. import colors
from .axis_titles import cache_axes
from .image_results import ImageResults

VALIDATION_RIM = "#2a9d3a"  # green: held out to choose with, not to test


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
        cache_axes(self.plot)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=1))
        self.val_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen(VALIDATION_RIM, width=1))
        self.test_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("k", width=1))
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.val_points)
        self.plot.addItem(self.test_points)
        # Two classes read at a threshold other than 0: where the answer flips.
        self.contour = pg.IsocurveItem(level=0.0, pen=pg.mkPen("#111", width=2),
                                       axisOrder="row-major")
        self.contour.setParentItem(self.image)  # in the image's pixels, placed with it
        # The points a confusion-matrix cell picked: drawn large with a thick rim, on top
        # (held-out ones too, whether or not the test data is shown).
        self.picked = pg.ScatterPlotItem(size=13, pen=pg.mkPen("#111", width=2.5))
        self.plot.addItem(self.picked)
        self.threshold = 0.0
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
                 domain: tuple[float, float, float, float] | None, n_val: int = 0) -> None:
        """The dataset's points (drawn once per dataset, not per frame), stored training
        first, then `n_val` validation points, then the test points."""
        self._points = (x, y, n_train, problem)
        self.highlight(None)
        self._domain = domain
        side = image_side(x, domain)
        self.pages.setCurrentWidget(self.plot if side is None else self.images)
        first_test = n_train + n_val
        if side is not None:
            truth = np.asarray(y, dtype=np.int64) if problem != "regression" \
                else np.zeros(len(x), np.int64)
            self.images.set_data(x.reshape(-1, side, side), truth,
                                 int(truth.max()) + 1 if len(truth) else 1,
                                 np.arange(first_test, len(x)))
        self.example_chosen.emit(None if side is None or first_test >= len(x)
                                 else x[first_test].reshape(side, side))
        if domain is None:
            self.train_points.clear()
            self.val_points.clear()
            self.test_points.clear()
            return
        if problem == "regression":
            rgba = colors.map_values(y[None, :])[0]
            brushes = [pg.mkBrush(*c) for c in rgba]
        else:
            brushes = [pg.mkBrush(*c) for c in colors.class_brushes(y).astype(int)]
        test = first_test
        self.train_points.setData(x[:n_train, 0], x[:n_train, 1], brush=brushes[:n_train])
        self.val_points.setData(x[n_train:test, 0], x[n_train:test, 1],
                                brush=brushes[n_train:test])
        self.test_points.setData(x[test:, 0], x[test:, 1], brush=brushes[test:])
        self.set_show_test(self.show_test)
        x0, x1, y0, y1 = domain
        self._rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """The data's square again at the new size: with the aspect locked, every resize
        (a banner, the inspector, another data set's shape) widened the range around the
        data, which shrank to a third of the view and stayed so."""
        super().resizeEvent(event)
        if self._domain is not None:
            x0, x1, y0, y1 = self._domain
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def set_show_test(self, on: bool) -> None:
        """Held-out points on or off: the test points (black rim) and the validation ones
        (green rim)."""
        self.show_test = on
        self.test_points.setVisible(on)
        self.val_points.setVisible(on)

    def set_point_style(self, size: float, width: float) -> None:
        """Larger points and rims for a projector (presentation mode). The same style again
        does nothing: restyling re-renders every point's symbol (~60 ms for 500 points), and
        every view change (Show test data) passes through here."""
        if getattr(self, "_point_style", None) == (size, width):
            return
        self._point_style = (size, width)
        for item, rim in ((self.train_points, "w"), (self.val_points, VALIDATION_RIM),
                          (self.test_points, "k")):
            item.setSize(size)
            item.setPen(pg.mkPen(rim, width=width))
        self.picked.setSize(size * 1.8)

    def set_threshold(self, value: float) -> None:
        """Two classes: read the network's score at `value` (discretized map and contour)."""
        self.threshold = value
        if self._last is not None:
            self.update_snapshot(self._last)

    def highlight(self, indices: np.ndarray | None, caption: str = "") -> None:
        """Ring the points with these indices into the data set (None: ring none); for
        images, show those images."""
        points = getattr(self, "_points", None)
        if indices is None or points is None:
            self.picked.clear()
            self.images.grid.show_only(None)
            if self._neuron is None and self._last is not None:
                self.caption.setText("")
            return
        x, y, _, problem = points
        if self._domain is None:
            self.images.grid.show_only(indices, caption)
        else:
            fill = colors.class_brushes(y[indices]).astype(int) if problem != "regression" \
                else np.zeros((len(indices), 3), int)
            self.picked.setData(x[indices, 0], x[indices, 1],
                                brush=[pg.mkBrush(*c) for c in fill])
        self.caption.setText(caption)

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
        binary = snap.problem == "binary"
        # The map stays the score; discretized, it flips at the threshold as the answer does.
        shown = snap.output - self.threshold if binary and self.discretize else snap.output
        self._show(output_rgba(shown, snap.problem, self.discretize))
        if binary and self.threshold:
            self.contour.setData(snap.output)
            self.contour.setLevel(self.threshold)
            self.contour.setVisible(True)
        else:
            self.contour.setVisible(False)
        if not len(self.picked.data):
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
