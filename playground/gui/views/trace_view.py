"""Trace plots: train and test loss per epoch (and accuracy), the previous run faded behind.

However long the run, each curve draws a fixed number of points: the snapshot brings the
history already thinned to min/max per bucket of epochs (core/history.py), and the plot
thins it again to one low and one high point per pixel column of its own width.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

TRAIN, TEST = "#333333", "#f59322"


def column_envelope(x: np.ndarray, y: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Min/max decimation: the lowest and the highest y of the points falling in each of
    `columns` equal slices of x's range (x ascending), as two points per slice (NaN skipped
    where a slice has numbers). Returns the input when it is already that small."""
    if len(x) <= 2 * columns or len(x) < 2 or x[-1] <= x[0]:
        return x, y
    cell = np.minimum(((x - x[0]) * (columns / (x[-1] - x[0]))).astype(np.int64), columns - 1)
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    ends = np.r_[starts[1:], len(x)] - 1
    out_x, out_y = np.empty(2 * len(starts)), np.empty(2 * len(starts))
    out_x[0::2], out_x[1::2] = x[starts], x[ends]
    out_y[0::2], out_y[1::2] = np.fmin.reduceat(y, starts), np.fmax.reduceat(y, starts)
    return out_x, out_y


class TracePlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss = pg.PlotWidget(background="w")
        self.acc = pg.PlotWidget(background="w")
        for plot, name in ((self.loss, "loss"), (self.acc, "accuracy")):
            plot.setMenuEnabled(False)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("left", name)
            plot.getAxis("left").enableAutoSIPrefix(False)
            # No clip-to-view or auto-downsampling: they re-scan the whole curve on every
            # paint; the curves are a few thousand points at most (column_envelope).
        self.acc.setLabel("bottom", "epoch")
        self.acc.setXLink(self.loss)
        self.acc.setYRange(0, 1.02)
        self.acc.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        legend = self.loss.addLegend(offset=(-5, 5))
        self.curves = {}
        for plot, key in ((self.loss, "loss"), (self.acc, "accuracy")):
            for split, color in (("train", TRAIN), ("test", TEST)):
                # The previous run stays faded behind, but never sets the x range: a long
                # old run must not squeeze the new curve into the left edge.
                faded = pg.PlotDataItem(pen=pg.mkPen(color + "40", width=1))
                plot.addItem(faded, ignoreBounds=True)
                curve = plot.plot(pen=pg.mkPen(color, width=1, style=Qt.PenStyle.SolidLine
                                               if split == "train" else Qt.PenStyle.DashLine),
                                  name=split if key == "loss" else None, skipFiniteCheck=False)
                self.curves[(key, split)] = curve
                self.curves[(key, split, "previous")] = faded
        self.legend = legend  # names the faded curve while there is one (_fade_current)
        self.log = QCheckBox("log scale")
        self.log.toggled.connect(lambda on: self.loss.setLogMode(y=on))
        self.hover = QLabel(" ")
        self.hover.setStyleSheet("color: #555;")
        # The readout never widens the window (it pushed it past a 1280-px screen): it takes
        # the room there is and says the rest in its tooltip.
        self.hover.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hover.setMinimumWidth(0)
        top = QHBoxLayout()
        top.addWidget(self.log)
        top.addStretch(1)
        top.addWidget(self.hover)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        # Equal heights, and the epoch axis only once (the plots share it): at 1280x800 the
        # accuracy plot was ~60 px, its ticks on top of each other.
        self.loss.getAxis("bottom").setStyle(showValues=False)
        self.loss.setMinimumHeight(80)
        self.acc.setMinimumHeight(80)
        layout.addWidget(self.loss, 1)
        layout.addWidget(self.acc, 1)
        self._history: dict[str, np.ndarray] = {}
        self._run_id = None
        self.legend.removeItem(self.curves[("loss", "train", "previous")])
        self._shown_epochs = -1
        self._last_update = 0.0
        self.loss.scene().sigMouseMoved.connect(self._on_mouse)
        self.acc.scene().sigMouseMoved.connect(self._on_mouse)

    def update_history(self, history: dict[str, np.ndarray], run_id: int, problem: str,
                       force: bool = False) -> None:
        """Redraw the curves when the history grew, at most 10 times a second: pyqtgraph
        re-ranges and re-ticks both plots on every setData, the costliest part of a frame."""
        new_run = self._run_id is not None and run_id != self._run_id
        if new_run:
            self._fade_current()
            self.hover.setText(" ")  # it described the old run
            self._history = {}
        epochs = history.get("epoch", np.zeros(0))
        now = time.perf_counter()
        if not (force or new_run or self._run_id is None) and (
                len(epochs) == self._shown_epochs or now - self._last_update < 0.1):
            return
        self._run_id = run_id
        self._history = history
        self._shown_epochs = len(epochs)
        self._last_update = now
        columns = max(64, self.loss.width())
        for key in ("loss", "accuracy"):
            for split in ("train", "test"):
                values = history.get(f"{split}_{key}", np.zeros(0))
                self.curves[(key, split)].setData(*column_envelope(epochs, values, columns))
        # The x axis is this run's epochs from 0 (at least 10 wide): never a range padded
        # around one point, never stretched by the faded previous run.
        last = float(epochs[-1]) if len(epochs) else 0.0
        self.loss.setXRange(0.0, max(10.0, last), padding=0.02)
        self.acc.setVisible(problem != "regression")

    def forget_previous(self) -> None:
        """Another experiment or other data: neither the faded curve of the last run nor the
        last run itself (which the next frame would fade) means anything here."""
        for key in ("loss", "accuracy"):
            for split in ("train", "test"):
                self.curves[(key, split, "previous")].setData([], [])
        self._run_id = None

    def mark_epoch(self, epoch: int | None) -> None:
        """A vertical line at the epoch the history slider shows (None: no line, live)."""
        for plot in (self.loss, self.acc):
            line = getattr(plot, "_replay_line", None)
            if line is None:
                line = plot._replay_line = pg.InfiniteLine(angle=90, movable=False,
                                                           pen=pg.mkPen("#0877bd", width=2))
                plot.addItem(line, ignoreBounds=True)
            line.setVisible(epoch is not None)
            if epoch is not None:
                line.setValue(epoch)

    def replay_epoch(self) -> float | None:
        line = getattr(self.loss, "_replay_line", None)
        return line.value() if line is not None and line.isVisible() else None

    def set_line_width(self, width: float) -> None:
        """Thicker curves for a projector (presentation mode)."""
        for key, curve in self.curves.items():
            if len(key) == 2:
                pen = curve.opts["pen"]
                pen = pg.mkPen(pen) if not hasattr(pen, "setWidthF") else pen
                pen.setWidthF(width)
                curve.setPen(pen)

    def _fade_current(self) -> None:
        for key in ("loss", "accuracy"):
            for split in ("train", "test"):
                x, y = self.curves[(key, split)].getData()
                if x is not None and len(x):
                    self.curves[(key, split, "previous")].setData(x, y)
        faded = self.curves[("loss", "train", "previous")]
        if self.previous_points() and faded not in [item for item, _ in self.legend.items]:
            # Say what the faded curve is: the run before the last Reset or settings change.
            self.legend.addItem(faded, "previous run")

    def previous_points(self) -> int:
        x, _ = self.curves[("loss", "train", "previous")].getData()
        return 0 if x is None else len(x)

    def _on_mouse(self, pos) -> None:
        h = self._history
        if not h or not len(h.get("epoch", [])):
            return
        plot = self.loss if self.loss.sceneBoundingRect().contains(pos) else self.acc
        x = plot.getViewBox().mapSceneToView(pos).x()
        i = int(np.clip(np.searchsorted(h["epoch"], x), 0, len(h["epoch"]) - 1))
        text = (f"epoch {int(h['epoch'][i])}: loss train {h['train_loss'][i]:.4f} "
                f"test {h['test_loss'][i]:.4f}")
        if np.isfinite(h["train_accuracy"][i]):
            text += f"; accuracy train {h['train_accuracy'][i]:.3f} test {h['test_accuracy'][i]:.3f}"
        self.hover.setText(text)
        self.hover.setToolTip(text)
