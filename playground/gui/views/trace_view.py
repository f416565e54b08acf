"""Trace plots: loss per epoch of each split, and accuracy (with AUC for two classes) or R²
(regression), the previous run faded behind.

However long the run, each curve draws a fixed number of points: the snapshot brings the
history already thinned to min/max per bucket of epochs (core/history.py), and the plot
thins it again to one low and one high point per pixel column of its own width.

The ranges move in steps (`nice_above`, `steady_span`): the epoch axis reaches the next of
1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k past the last epoch, the loss axis the next
multiple of a round step past the lowest and highest loss. An axis whose range moves is
drawn afresh, its tick labels and grid (~5 ms each for three axes, 10 times a second at full
speed, the longest wait a click had); in steps, the labels also hold still long enough to read.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .axis_titles import FittedTitles, cache_axes

TRAIN, TEST, VALIDATION = "#333333", "#f59322", "#2a9d3a"


NICE = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_above(value: float) -> float:
    """The least of 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x a power of ten that is >= value
    (value > 0): an axis end that holds while the value grows by a quarter to a third."""
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in NICE if m * power >= value * (1 - 1e-9))


def steady_span(low: float, high: float, log: bool = False) -> tuple[float, float]:
    """A range holding low..high whose ends move in round steps: half decades on a log
    scale (low > 0), else multiples of half the power of ten below the span."""
    if log:
        return (10.0 ** (math.floor(2 * math.log10(low)) / 2),
                10.0 ** (math.ceil(2 * math.log10(high)) / 2))
    span = high - low if high > low else (abs(high) or 1.0)
    step = 10.0 ** math.floor(math.log10(span)) / 2
    lo, hi = math.floor(low / step) * step, math.ceil(high / step) * step
    return lo, hi if hi > lo else lo + step


def epoch_text(value: float) -> str:
    """An epoch tick as a reader says it: 800k, 1.5M (pyqtgraph wrote 1e+06 past a million)."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:g}M"
    if size >= 1e4:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


class EpochAxis(pg.AxisItem):
    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        return [epoch_text(v * scale) for v in values]


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


# (plot, history column, split, colour, style, legend): what each curve draws. Validation in
# green; AUC (two classes) and R² (regression) share the lower plot with accuracy, dotted.
SPLIT_COLORS = {"train": TRAIN, "val": VALIDATION, "test": TEST}
SPLIT_WORDS = {"train": "train", "val": "validation", "test": "test"}
SPLIT_STYLES = {"train": Qt.PenStyle.SolidLine, "val": Qt.PenStyle.DashDotLine,
                "test": Qt.PenStyle.DashLine}
SERIES = [(key, f"{split}_{key}", split) for key in ("loss", "accuracy", "auc", "r2")
          for split in ("train", "val", "test")]


class TracePlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss = pg.PlotWidget(background="w", axisItems={"bottom": EpochAxis("bottom")})
        self.acc = pg.PlotWidget(background="w", axisItems={"bottom": EpochAxis("bottom")})
        for plot, name in ((self.loss, "loss"), (self.acc, "accuracy")):
            plot.setMenuEnabled(False)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("left", name)
            plot.getAxis("left").enableAutoSIPrefix(False)
            cache_axes(plot)
            # No clip-to-view or auto-downsampling: they re-scan the whole curve on every
            # paint; the curves are a few thousand points at most (column_envelope).
        self.acc.setLabel("bottom", "epoch")
        self.acc.setXLink(self.loss)
        self.acc.setYRange(0, 1.02)
        # On a white ground of their own, in dark type: the curves pass under the keys, and
        # light-grey names over them could not be read (new-user trial)
        key = {"brush": pg.mkBrush(255, 255, 255, 225), "pen": pg.mkPen("#ccc"),
               "labelTextColor": "#222"}
        self.loss_legend = self.loss.addLegend(offset=(-5, 5), **key)
        self.acc_legend = self.acc.addLegend(offset=(-5, -5), **key)
        self._shown_keys: tuple[str, ...] = ("accuracy",)
        self._acc_titles: tuple[str, ...] = ("accuracy",)
        self.acc_titles = FittedTitles(self.acc, left=self._acc_titles)
        self._has_val = False
        self.curves = {}
        for key, _column, split in SERIES:
            plot = self.loss if key == "loss" else self.acc
            color = SPLIT_COLORS[split]
            dotted = key in ("auc", "r2")
            # The previous run stays faded behind, but never sets the x range: a long
            # old run must not squeeze the new curve into the left edge.
            faded = pg.PlotDataItem(pen=pg.mkPen(color + "40", width=1))
            plot.addItem(faded, ignoreBounds=True)
            curve = pg.PlotDataItem(pen=pg.mkPen(color, width=1, style=Qt.PenStyle.DotLine
                                                 if dotted else SPLIT_STYLES[split]),
                                    skipFiniteCheck=False)
            plot.addItem(curve, ignoreBounds=True)  # (the frame below sets the ranges)
            self.curves[(key, split)] = curve
            self.curves[(key, split, "previous")] = faded
        # An unseen item from (0, lowest) to (last, highest) in steps (module docstring): the
        # loss plot's auto-range fits it, so a user's zoom and the "A" button work as ever.
        self.frame = pg.PlotDataItem([0.0, 10.0], [0.0, 1.0], pen=pg.mkPen(0, 0, 0, 0))
        self.loss.addItem(self.frame)
        self._frame_at: tuple[float, ...] = ()
        self._log = False  # the loss on a log scale
        self.log = QCheckBox("log scale")
        self.log.toggled.connect(self.set_log)
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
        self._unshown: tuple | None = None  # (history, run_id, problem) held back, see below
        self._late_timer = QTimer(self)
        self._late_timer.setSingleShot(True)
        self._late_timer.timeout.connect(self._show_late)
        self._shown_epochs = -1
        self._last_update = 0.0
        self._problem = ""
        self.loss.scene().sigMouseMoved.connect(self._on_mouse)
        self.acc.scene().sigMouseMoved.connect(self._on_mouse)

    def update_history(self, history: dict[str, np.ndarray], run_id: int, problem: str,
                       force: bool = False) -> None:
        """Redraw the curves when the history grew, at most 10 times a second: pyqtgraph
        re-ranges and re-ticks both plots on every setData, the costliest part of a frame."""
        new_run = self._run_id is not None and run_id != self._run_id
        if new_run:
            late, self._unshown = self._unshown, None
            if late is not None:  # the old run's last frames, held back below: faded too
                self.update_history(*late, force=True)
            self._fade_current()
            self.hover.setText(" ")  # it described the old run
            self._history = {}
        epochs = history.get("epoch", np.zeros(0))
        now = time.perf_counter()
        if not (force or new_run or self._run_id is None) and (
                len(epochs) == self._shown_epochs or now - self._last_update < 0.1):
            if len(epochs) != self._shown_epochs:
                # drawn when the 0.1 s are up, even if no frame follows: a run paused or
                # reset within them kept a curve short of its last epochs (and a Reset then
                # faded an empty curve: no "previous run")
                self._unshown = (history, run_id, problem)
                self._late_timer.start(max(1, int(1000 * (0.1 - (now - self._last_update)))))
            return
        self._unshown = None
        self._late_timer.stop()
        self._run_id = run_id
        self._history = history
        self._shown_epochs = len(epochs)
        self._last_update = now
        self._set_problem(problem)
        has_val = bool(np.isfinite(history.get("val_loss", np.zeros(0))).any())
        if has_val != self._has_val:
            self._name_curves(has_val)
        columns = max(64, self.loss.width())
        for key, column, split in SERIES:
            values = history.get(column, np.zeros(0))
            x = epochs
            if key in ("auc", "r2") or split == "val":  # measured at frames, or no split
                kept = np.isfinite(values)
                x, values = epochs[kept], values[kept]
            self.curves[(key, split)].setData(*column_envelope(x, values, columns))
        self._fit_frame()
        if problem == "regression":  # (down to -1 in tenths)
            r2 = np.concatenate([history.get(f"{s}_r2", np.zeros(0)) for s in SPLIT_COLORS])
            r2 = r2[np.isfinite(r2)]
            low = math.floor(float(r2.min()) * 10) / 10 if len(r2) else 0.0
            self.acc.setYRange(max(-1.0, min(0.0, low)), 1.02)

    def _show_late(self) -> None:
        late, self._unshown = self._unshown, None
        if late is not None:
            self.update_history(*late, force=True)

    def _fit_frame(self) -> None:
        """The x axis is this run's epochs from 0 (at least 10 wide): never a range padded
        around one point, never stretched by the faded previous run; y holds its losses."""
        h = self._history
        epochs = h.get("epoch", np.zeros(0))
        last = float(epochs[-1]) if len(epochs) else 0.0
        log = self.log.isChecked()
        losses = np.concatenate([h.get(f"{s}_loss", np.zeros(0)) for s in SPLIT_COLORS])
        losses = losses[np.isfinite(losses) & (losses > 0 if log else True)]
        y = (steady_span(float(losses.min()), float(losses.max()), log) if len(losses)
             else (0.1, 1.0) if log else (0.0, 1.0))
        at = (nice_above(max(10.0, last)), *y)
        if at != self._frame_at:  # (the same frame again: pyqtgraph would re-range anyway)
            self._frame_at = at
            self.frame.setData([0.0, at[0]], [at[1], at[2]])

    def set_log(self, on: bool) -> None:
        """The loss on a log scale or not (the experiment's view.log_loss)."""
        with QSignalBlocker(self.log):
            self.log.setChecked(on)
        if on != self._log:
            self._log = on
            self.loss.setLogMode(y=on)
            self._fit_frame()

    def _set_problem(self, problem: str) -> None:
        """The lower plot: accuracy and AUC for two classes, accuracy for more, R² for
        regression."""
        if problem == self._problem:
            return
        self._problem = problem
        shown = {"binary": ("accuracy", "auc"), "multiclass": ("accuracy",),
                 "regression": ("r2",)}.get(problem, ("accuracy",))
        for key, _column, split in SERIES:
            if key != "loss":
                for item in (self.curves[(key, split)], self.curves[(key, split, "previous")]):
                    item.setVisible(key in shown)
        self._acc_titles = {"binary": ("accuracy · AUC", "acc. · AUC", "accuracy", "acc."),
                            "regression": ("R²",)}.get(problem, ("accuracy", "acc."))
        self.fit_axis_title()
        if problem != "regression":
            self.acc.setYRange(0, 1.02)
        self._shown_keys = shown
        self._name_curves(self._has_val)

    def set_legend_size(self, size: str) -> None:
        """The legends' type size (CSS, "13pt"): pyqtgraph's setLabelTextSize only keeps the
        size for the next text, so the names on show stayed at 8 pt in presentation mode
        until a validation split renamed the curves; each is written again at the new size."""
        for legend in (self.loss_legend, self.acc_legend):
            legend.setLabelTextSize(size)
            for _, label in legend.items:
                label.setText(label.text)
            legend.updateSize()

    def _name_curves(self, has_val: bool) -> None:
        """Legends name only the curves on show (validation only when there is any)."""
        self._has_val = has_val
        self.loss_legend.clear()
        self.acc_legend.clear()
        splits = [s for s in SPLIT_COLORS if s != "val" or has_val]
        for split in splits:
            self.loss_legend.addItem(self.curves[("loss", split)], SPLIT_WORDS[split])
        for key in self._shown_keys:
            if key != "accuracy":
                for split in splits:
                    self.acc_legend.addItem(self.curves[(key, split)],
                                            f"{'AUC' if key == 'auc' else 'R²'} {split}")

    def forget_previous(self) -> None:
        """Another experiment or other data: neither the faded curve of the last run nor the
        last run itself (which the next frame would fade) means anything here."""
        for key, _column, split in SERIES:
            self.curves[(key, split, "previous")].setData([], [])
        self._run_id = None
        self._unshown = None  # (the last run's frames held back: they mean nothing here)
        self._late_timer.stop()
        self.loss_legend.removeItem(self.curves[("loss", "train", "previous")])

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

    def fit_axis_title(self) -> None:
        """The lower plot's axis title: the longest form that fits the plot's height in the
        type it has now (at 1280x800 in presentation type "accuracy · AUC dotted" was cut
        to "accuracy · AUC dotte")."""
        self.acc_titles.set("left", self._acc_titles)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_axis_title()

    def set_line_width(self, width: float) -> None:
        """Thicker curves for a projector (presentation mode)."""
        for key, curve in self.curves.items():
            if len(key) == 2:
                pen = curve.opts["pen"]
                pen = pg.mkPen(pen) if not hasattr(pen, "setWidthF") else pen
                pen.setWidthF(width)
                curve.setPen(pen)

    def _fade_current(self) -> None:
        for key, _column, split in SERIES:
            x, y = self.curves[(key, split)].getData()
            if x is not None and len(x):
                self.curves[(key, split, "previous")].setData(x, y)
        faded = self.curves[("loss", "train", "previous")]
        named = [label.text for _, label in self.loss_legend.items]
        if self.previous_points() and "previous run" not in named:
            # Say what the faded curve is: the run before the last Reset or settings change.
            self.loss_legend.addItem(faded, "previous run")

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
        text = hover_text(h, i)
        self.hover.setText(text)
        self.hover.setToolTip(text)


def hover_text(h: dict[str, np.ndarray], i: int) -> str:
    """The numbers of row `i` of a history view, split by split, for those measured."""

    def row(metric: str, digits: int) -> str:
        parts = [f"{word} {h[f'{split}_{metric}'][i]:.{digits}f}"
                 for split, word in (("train", "train"), ("val", "val"), ("test", "test"))
                 if f"{split}_{metric}" in h and np.isfinite(h[f"{split}_{metric}"][i])]
        return " ".join(parts)

    text = f"epoch {int(h['epoch'][i])}: loss {row('loss', 4)}"
    for metric, word in (("accuracy", "accuracy"), ("auc", "AUC"), ("r2", "R²")):
        values = row(metric, 3)
        if values:
            text += f"; {word} {values}"
    return text
