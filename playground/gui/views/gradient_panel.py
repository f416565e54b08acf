"""The gradient panel beside the trace plots: per layer, mean |∂L/∂W| by epoch as a heat strip
(layers × epochs, log scale), and the share of saturated or dead units by epoch as a second
strip, with the numbers of the epoch shown (the last, the hovered one or the replayed one).

Rows run from the first layer (top) to the output (bottom), as the backward pass reaches
them last to first: a vanishing gradient is a strip that pales towards the top."""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .. import gradient_colors as gc

HEADER = ("Top: mean |∂L/∂W| of each layer by epoch, log scale{hi}{lo}. Below: the share of "
          "saturated (sigmoid, tanh) or dead (ReLU) units, white 0 %, dark 100 %. Grey: not "
          "measured.")
NOT_MEASURED = (213, 219, 225)
REDRAWS_PER_SECOND = 10
LEFT_AXIS = 96  # px for the row names, the same on both strips so their epochs line up
WAITING = ("Gradients are measured while this panel is open or the network view's "
           "“Gradient flow” is on: train an epoch to fill the strips.")

NOT_RECORDED = ("Replay of epoch {epoch}: its gradients were not measured (they are measured "
                "only while this panel or “Gradient flow” is on during training). Hover the "
                "strips for the epochs that were; move the History slider to “live” for now.")


def decade_range(logs: np.ndarray) -> tuple[float, float]:
    """Colour levels for log10 values: whole decades around the data, 2 to 8 decades wide."""
    finite = logs[np.isfinite(logs)]
    if not finite.size:
        return -4.0, 0.0
    hi = math.ceil(float(finite.max()) + 1e-9)
    lo = max(math.floor(float(finite.min())), hi - 8)
    return float(min(lo, hi - 2)), float(hi)


def strip_rgba(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """(rows, columns) values -> RGBA through the gradient colours; NaN (not measured)
    transparent, so the plot's grey shows there and never passes for a vanished gradient."""
    position = np.clip((np.nan_to_num(values, nan=lo) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)
    rgba = gc.LUT[np.round(position * 255).astype(np.uint8)].copy()
    rgba[np.isnan(values), 3] = 0
    return np.ascontiguousarray(rgba)


def _strip() -> tuple[pg.PlotWidget, pg.ImageItem]:
    plot = pg.PlotWidget(background="w")
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.getViewBox().setMouseEnabled(False, False)
    plot.getViewBox().invertY(True)  # the first layer on top
    image = pg.ImageItem(axisOrder="row-major")
    plot.addItem(image)
    plot.getAxis("left").enableAutoSIPrefix(False)
    plot.getAxis("left").setWidth(LEFT_AXIS)
    plot.showAxis("right")  # the shown epoch's value of each row
    plot.getAxis("right").setStyle(tickLength=0)
    plot.getAxis("right").setWidth(84)
    return plot, image


class GradientPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.header = QLabel(HEADER.format(hi="", lo=""))
        self.header.setObjectName("gradients.header")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.norms, self.norm_image = _strip()
        self.shares, self.share_image = _strip()
        self.norms.hideAxis("bottom")  # the strips share the epoch axis, shown once below
        for plot in (self.norms, self.shares):  # shows through where nothing was measured
            plot.getViewBox().setBackgroundColor(NOT_MEASURED)
        self.shares.setXLink(self.norms)
        self.shares.setLabel("bottom", "epoch")
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#1f77b4", width=2))
        self.share_cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#1f77b4", width=2))
        self.norms.addItem(self.cursor, ignoreBounds=True)
        self.shares.addItem(self.share_cursor, ignoreBounds=True)
        self.readout = QLabel(WAITING)
        self.readout.setObjectName("gradients.readout")
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setStyleSheet("color: #222;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.norms, 1)
        layout.addWidget(self.shares, 1)
        layout.addWidget(self.readout)
        self._view = None
        self._stats = None
        self._run: int | None = None
        self._hovering = False
        self._last = 0.0
        self.norms.scene().sigMouseMoved.connect(self._on_mouse)
        self.shares.scene().sigMouseMoved.connect(self._on_mouse)

    # ------------------------------------------------------------------------ drawing
    def update_gradients(self, stats, view, force: bool = True,
                         replay: int | None = None, run: int | None = None) -> None:
        """`stats`: the shown epoch's GradientStats (live or replayed; None: not measured);
        `view`: the run's GradientLogView (core/gradient_log.py); `replay`: the epoch the
        history slider shows (None: the live run). While training, at most
        REDRAWS_PER_SECOND times a second unless `force` (pyqtgraph re-lays the axes out).
        `run`: the run the numbers belong to; a new run forgets the last one's strips and
        values (a run that measures nothing showed the previous run's numbers as its own)."""
        if run is not None and run != self._run:
            self._run = run
            self._forget_run()
        now = time.perf_counter()
        if not force and now - self._last < 1 / REDRAWS_PER_SECOND:
            return
        self._last = now
        if replay is not None:
            # the history slider moved: the pointer is on it, not hovering the strips (a hover
            # whose leave went unseen kept an old epoch's readout under the new replay)
            self._hovering = False
        self._stats = stats
        if view is not None:
            self._view = view
            self._draw_strips(view)
        if stats is None and replay is not None:
            # Not measured at the replayed epoch: the cursor marks it, and no live values
            # stand beside the strips as if they were its own.
            for line in (self.cursor, self.share_cursor):
                line.setVisible(True)
                line.setPos(replay)
            if self._view is not None:
                self._values(self.norms, ["—"] * len(self._view.layers))
                self._values(self.shares, ["—"] * len(self._view.share_blocks))
            if not self._hovering:
                self.readout.setText(NOT_RECORDED.format(epoch=replay))
            return
        if stats is None and self._view is None:
            self.readout.setText(WAITING)
            return
        for line in (self.cursor, self.share_cursor):
            line.setVisible(stats is not None)
            if stats is not None:
                line.setPos(stats.epoch)  # the centre of its column (epoch e spans e ± ½)
        if stats is not None:
            self._values(self.norms, [gc.short(float(v)) for v in stats.mean_abs])
            self._values(self.shares, [f"{100 * float(v):.0f} %" for v in stats.shares])
        if not self._hovering:
            self.readout.setText(self.describe(stats) if stats is not None else WAITING)

    def _forget_run(self) -> None:
        self._view, self._stats = None, None
        self.norm_image.clear()
        self.share_image.clear()
        self._values(self.norms, [])
        self._values(self.shares, [])
        for line in (self.cursor, self.share_cursor):
            line.setVisible(False)
        self.readout.setText(WAITING)

    def _draw_strips(self, view) -> None:
        k = len(view.first_epoch)
        x0 = float(view.first_epoch[0]) - 0.5 if k else 0.5
        width = float(k * view.stride) if k else 1.0
        logs = view.log_mean_abs.T  # (layers, columns)
        lo, hi = decade_range(logs)
        if k:
            self.norm_image.setImage(strip_rgba(logs, lo, hi), autoLevels=False,
                                     levels=(0, 255), rect=QRectF(x0, 0, width, len(view.layers)))
            self.shares.setVisible(bool(len(view.share_blocks)))
            if len(view.share_blocks):
                self.share_image.setImage(strip_rgba(view.shares.T, 0.0, 1.0), autoLevels=False,
                                          levels=(0, 255),
                                          rect=QRectF(x0, 0, width, len(view.share_blocks)))
        self.header.setText(HEADER.format(hi=f" (dark: 1e{int(hi)}", lo=f", white: 1e{int(lo)} "
                                                                             "or less)"))
        self._ticks(self.norms, list(view.layers))
        self._ticks(self.shares, [f"{n} {'sat.' if k == 'saturated' else k}" for n, k in
                                  zip(view.share_blocks, view.share_kinds, strict=True)])
        layout = self.layout()  # each strip as tall as its rows need
        layout.setStretch(1, max(len(view.layers), 1) + 1)
        layout.setStretch(2, max(len(view.share_blocks), 1) + 2)
        self.norms.setXRange(x0, x0 + max(width, 10.0), padding=0)

    @staticmethod
    def _values(plot: pg.PlotWidget, texts: list[str]) -> None:
        """The rows' values at the right, on the rows the left names (see _ticks)."""
        every = GradientPanel._every(plot, len(texts))
        plot.getAxis("right").setTicks([[(i + 0.5, t) for i, t in enumerate(texts)
                                         if i % every == 0]])

    @staticmethod
    def _every(plot: pg.PlotWidget, rows: int) -> int:
        """1, or the k such that every k-th row has a line of the axis type's height."""
        font = plot.getAxis("left").style.get("tickFont") or QFont()
        row_px = plot.getViewBox().height() / max(rows, 1)
        return max(1, math.ceil(QFontMetrics(font).height() / row_px)) if row_px > 0 else 1

    @staticmethod
    def _ticks(plot: pg.PlotWidget, names: list[str]) -> None:
        """One name per row, or per every k-th row when the rows are lower than a line of
        the axis type (four layers' "dense1 dead" ... "dense4 dead" were drawn over each
        other in a short panel); the readout and the hover name every row."""
        rows = max(len(names), 1)
        every = GradientPanel._every(plot, rows)
        plot.getAxis("left").setTicks([[(i + 0.5, name) for i, name in enumerate(names)
                                        if i % every == 0]])
        plot.setYRange(0, rows, padding=0)

    @staticmethod
    def describe(stats) -> str:
        """One line about the epoch shown (its values sit at the strips' right edge)."""
        text = f"Epoch {stats.epoch} (values at the right)"
        if len(stats.mean_abs) >= 2 and stats.mean_abs[-1] > 0:
            ratio = float(stats.mean_abs[0] / stats.mean_abs[-1])
            text += (f": the first layer's mean |∂L/∂W| is {gc.short(ratio)} × the output "
                     f"layer's")
            if ratio > 0:
                text += f" ({math.log10(ratio):+.1f} decades)"
        return text + ". Hover the strips for any epoch."

    def _on_mouse(self, pos) -> None:
        view = self._view
        plot = self.norms if self.norms.sceneBoundingRect().contains(pos) else self.shares
        if view is None or not len(view.first_epoch) or \
                not plot.sceneBoundingRect().contains(pos):
            self._hovering = False
            return
        x = plot.getViewBox().mapSceneToView(pos).x()
        col = int(np.clip((x - view.first_epoch[0] + 0.5) // view.stride, 0,
                          len(view.first_epoch) - 1))
        first = int(view.first_epoch[col])
        span = f"epoch {first}" if view.stride == 1 else \
            f"epochs {first}–{first + view.stride - 1}"
        parts = [f"{n} {gc.short(10.0 ** float(v)) if np.isfinite(v) else '—'}"
                 for n, v in zip(view.layers, view.log_mean_abs[col], strict=True)]
        shares = [f"{n} {100 * float(s):.0f} % {k}" if np.isfinite(s) else f"{n} —"
                  for n, s, k in zip(view.share_blocks, view.shares[col], view.share_kinds,
                                     strict=True)]
        self._hovering = True
        self.readout.setText(f"{span}: mean |∂L/∂W| " + " · ".join(parts)
                             + ("; " + " · ".join(shares) if shares else ""))

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hovering = False
        if self._stats is not None:
            self.readout.setText(self.describe(self._stats))
        super().leaveEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self._view is not None:  # (how many row names fit changes with the height)
            self._draw_strips(self._view)

    def set_presentation(self, on: bool) -> None:
        font = QFont()
        font.setPointSize(14 if on else 9)
        for plot in (self.norms, self.shares):
            for name in ("left", "bottom", "right"):
                plot.getAxis(name).setStyle(tickFont=font)
            plot.getAxis("right").setWidth(130 if on else 84)
            plot.getAxis("left").setWidth(int(LEFT_AXIS * (1.6 if on else 1.0)))

    def clear(self) -> None:
        self._view = self._stats = None
        self.norm_image.clear()
        self.share_image.clear()
        self.readout.setText(WAITING)
