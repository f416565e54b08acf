"""Two classes, judged at every threshold: the ROC curve (earlier epochs' curves faded behind
it) beside the precision-recall curve, and each class's score histogram. A handle on the ROC
curve and a line on the histograms set the threshold: the network's answer is read as +1
where its score s is above it (0 is its own rule). Dragging previews; letting go sets
`view.threshold`, one undoable edit, which the confusion matrix and the output view's
decision contour follow."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core import metrics as M
from .. import colors
from .axis_titles import FittedTitles
from .key_row import KeyRow

CURVE, FADED, POINT = "#0877bd", "#0877bd", "#d62728"
# Rates run from 0 to 1: those two always, ½ where there is room (pyqtgraph's own ticks read
# "0.20.40.60.8" in a small plot on a projector)
RATE_TICKS = [(0.0, "0"), (1.0, "1")]
RATE_MINOR_TICKS = [(0.5, "0.5")]
MAX_FADED = 8  # earlier curves kept: epochs 1, 2, 4, 8, ... (the latest eight)


def still_plot(x_label: str = "", y_label: str = "", grid: bool = True) -> pg.PlotWidget:
    """A white plot that neither pans, zooms nor offers pyqtgraph's menu: the views set its
    range (a stray drag must not lose the picture in a lesson)."""
    plot = pg.PlotWidget(background="w")
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.getViewBox().setMouseEnabled(False, False)
    if grid:
        plot.showGrid(x=True, y=True, alpha=0.2)
    plot.setLabel("bottom", x_label)
    plot.setLabel("left", y_label)
    return plot


def caption_over(owner: QWidget, plot: QWidget, key: QWidget | None = None) -> QLabel:
    """Lay out `owner` as a caption (wrapped: never wider than the plot) over `plot`, with the
    plot's key between them."""
    caption = QLabel()
    caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
    caption.setWordWrap(True)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.addWidget(caption)
    if key is not None:
        layout.addWidget(key)
    layout.addWidget(plot, 1)
    return caption


def hex_color(rgb) -> str:
    return "#" + "".join(f"{int(v):02x}" for v in tuple(rgb)[:3])


class RocPanel(QWidget):
    """ROC and PR of one split (test by default) with the threshold's operating point."""

    threshold_dragged = Signal(float, bool)  # threshold, whether the drag has ended
    split_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.split = QComboBox()
        self.split.setObjectName("roc.split")
        for text, value in (("test", "test"), ("validation", "val"), ("train", "train")):
            self.split.addItem(text, value)
        self.split.setToolTip("the split whose curves are drawn")
        self.split.currentIndexChanged.connect(lambda _i: self.split_changed.emit())
        self.top = QHBoxLayout()
        self.top.addWidget(QLabel("Split"))
        self.top.addWidget(self.split)
        self.top.addStretch(1)
        # (grid lines drawn as items: pyqtgraph's own grid makes its axes drop the labels at
        # the ends, 0 and 1, whose text reaches half a line past the plot)
        self.roc = still_plot("false-positive rate", "true-positive rate", grid=False)
        self.pr = still_plot("recall", "precision", grid=False)
        self.titles = [FittedTitles(self.roc, bottom=("false-positive rate", "FPR"),
                                    left=("true-positive rate", "TPR")),
                       FittedTitles(self.pr, bottom=("recall",), left=("precision", "prec."))]
        for plot in (self.roc, self.pr):
            plot.setXRange(0, 1, padding=0.02)
            plot.setYRange(0, 1, padding=0.02)
            for side in ("bottom", "left"):
                axis = plot.getAxis(side)
                axis.setTicks([RATE_TICKS, RATE_MINOR_TICKS])
                axis.setStyle(hideOverlappingLabels=False)  # 0 and 1 reach past the ends
            for at in (0.25, 0.5, 0.75):
                for angle in (0, 90):
                    plot.addItem(pg.InfiniteLine(at, angle=angle, pen=pg.mkPen("#00000018")))
        self.roc.plot([0, 1], [0, 1], pen=pg.mkPen("#999", width=1, style=Qt.PenStyle.DashLine))
        self.faded = []
        for _ in range(MAX_FADED):
            item = pg.PlotDataItem(pen=pg.mkPen(FADED + "30", width=1))
            self.roc.addItem(item)
            self.faded.append(item)
        self.curve = self.roc.plot(pen=pg.mkPen(CURVE, width=2))
        self.pr_curve = self.pr.plot(pen=pg.mkPen(CURVE, width=2))
        self.handle = pg.TargetItem(pos=(0, 0), size=16, symbol="o",
                                    pen=pg.mkPen(POINT, width=2), brush=pg.mkBrush(POINT + "80"),
                                    movable=True)
        self.handle.setToolTip("drag along the curve: the threshold the network is read at")
        self.roc.addItem(self.handle)
        self.pr_point = pg.ScatterPlotItem(size=12, pen=pg.mkPen(POINT, width=2),
                                           brush=pg.mkBrush(POINT + "80"))
        self.pr.addItem(self.pr_point)
        self.roc_title, self.pr_title = QLabel(), QLabel()
        plots = QHBoxLayout()
        for title, plot in ((self.roc_title, self.roc), (self.pr_title, self.pr)):
            column = QVBoxLayout()
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            title.setWordWrap(True)  # never wider than its plot
            column.addWidget(title)
            column.addWidget(plot, 1)
            plots.addLayout(column, 1)
        self.key = KeyRow("roc.key")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(self.top)
        layout.addWidget(self.key)
        layout.addLayout(plots, 1)
        self.handle.sigPositionChanged.connect(lambda *_: self._dragged(False))
        self.handle.sigPositionChangeFinished.connect(lambda *_: self._dragged(True))
        self._truth = self._scores = None
        self._roc: M.Curve | None = None
        self._placing = False
        self.kept: list[tuple[int, np.ndarray, np.ndarray]] = []  # (epoch, fpr, tpr)
        self._next_keep = 1

    @property
    def chosen_split(self) -> str:
        return self.split.currentData()

    # --------------------------------------------------------------------------- frames
    def forget(self) -> None:
        """A new run: the faded curves of the last one go."""
        self.kept, self._next_keep = [], 1
        for item in self.faded:
            item.setData([], [])

    def keep_for_fading(self, epoch: int, truth: np.ndarray, scores: np.ndarray) -> None:
        """Remember the curve of epochs 1, 2, 4, 8, ... of the live run (the latest eight)."""
        if epoch < self._next_keep or len(truth) == 0:
            return
        roc = M.roc_curve(truth, scores)
        if np.isfinite(roc.x).all() and np.isfinite(roc.y).all():
            self.kept = (self.kept + [(epoch, roc.x, roc.y)])[-MAX_FADED:]
        while self._next_keep <= epoch:
            self._next_keep *= 2

    def show_split(self, truth: np.ndarray, scores: np.ndarray, epoch: int, threshold: float) -> None:
        self._truth, self._scores = truth, scores
        earlier = [k for k in self.kept if k[0] < epoch]
        for i, item in enumerate(self.faded):  # older ones paler
            if i < len(earlier):
                e, x, y = earlier[i]
                alpha = int(40 + 120 * (i + 1) / len(earlier))
                item.setPen(pg.mkPen(f"{FADED}{alpha:02x}", width=1))
                item.setData(x, y)
            else:
                item.setData([], [])
        both = len(truth) and 0 < int(np.sum(truth == 1)) < len(truth)
        self.key.set_entries([(CURVE, "line", f"epoch {epoch}")]
                             + [("#9cc3e0", "line", "earlier epochs")] * bool(earlier)
                             + [("#999999", "dash", "chance"),
                                (POINT, "dot", "threshold")] * bool(both))
        if not both:
            self._roc = None
            self.curve.setData([], [])
            self.pr_curve.setData([], [])
            self.roc_title.setText("ROC: this split needs points of both classes")
            self.pr_title.setText("")
            return
        self._roc = M.roc_curve(truth, scores)
        self.curve.setData(self._roc.x, self._roc.y)
        pr = M.precision_recall_curve(truth, scores)
        self.pr_curve.setData(pr.x, pr.y)
        auc, ap = M.area(self._roc.x, self._roc.y), M.average_precision(truth, scores)
        self.roc_title.setText(f"<b>ROC</b> · AUC {auc:.3f} · epoch {epoch}")
        self.roc_title.setToolTip("faded: the curves of epochs " + ", ".join(
            str(k[0]) for k in earlier) if earlier else "")
        self.pr_title.setText(f"<b>Precision-recall</b> · AP {ap:.3f}")
        self.pr_title.setToolTip("AP, average precision: the area under the stepped "
                                 "precision-recall curve")
        self.place(threshold)

    def place(self, threshold: float) -> None:
        """Put the handle on the operating point of `threshold`."""
        if self._roc is None:
            return
        point = M.operating_point(self._truth, self._scores, threshold)
        self._placing = True
        try:
            self.handle.setPos(point["fpr"], point["tpr"])
        finally:
            self._placing = False
        self.pr_point.setData([point["tpr"]], [point["precision"]])

    def _dragged(self, finished: bool) -> None:
        if self._placing or self._roc is None:
            return
        pos = self.handle.pos()
        d = (self._roc.x - pos.x()) ** 2 + (self._roc.y - pos.y()) ** 2
        i = int(np.argmin(d))
        t = float(np.clip(M.threshold_between(self._roc.thresholds, self._scores, i), -1, 1))
        self.place(t)
        self.threshold_dragged.emit(t, finished)

    def plots(self) -> list[pg.PlotWidget]:
        return [self.roc, self.pr]

    def handle_point(self) -> tuple[float, float]:
        p = self.handle.pos()
        return p.x(), p.y()


class ScoresPanel(QWidget):
    """Histograms of the score s for each true class, and the threshold as a line."""

    threshold_dragged = Signal(float, bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = still_plot("score s (the network says +1 above the threshold)", "points")
        self.titles = [FittedTitles(self.plot, bottom=(
            "score s (the network says +1 above the threshold)", "score s"), left=("points",))]
        orange, blue = (colors.ORANGE, colors.BLUE)
        self.negative = pg.PlotDataItem(stepMode="center", fillLevel=0,
                                        pen=pg.mkPen(orange, width=2),
                                        brush=pg.mkBrush(*orange, 90), name="true −1 (orange)")
        self.positive = pg.PlotDataItem(stepMode="center", fillLevel=0,
                                        pen=pg.mkPen(blue, width=2),
                                        brush=pg.mkBrush(*blue, 90), name="true +1 (blue)")
        self.key = KeyRow("scores.key")
        self.key.set_entries([(hex_color(orange), "box", "true −1 (orange)"),
                              (hex_color(blue), "box", "true +1 (blue)"),
                              ("#d62728", "line", "threshold")])
        self.plot.addItem(self.negative)
        self.plot.addItem(self.positive)
        self.line = pg.InfiniteLine(0.0, angle=90, movable=True,
                                    pen=pg.mkPen("#d62728", width=2),
                                    label="threshold {value:.2f}",
                                    labelOpts={"position": 0.9, "color": "#d62728"})
        self.line.setBounds((-1.0, 1.0))
        self.plot.addItem(self.line)
        self.title = caption_over(self, self.plot, self.key)
        self.line.sigDragged.connect(lambda *_: self.threshold_dragged.emit(
            float(self.line.value()), False))
        self.line.sigPositionChangeFinished.connect(lambda *_: self.threshold_dragged.emit(
            float(self.line.value()), True))
        self.bins = np.linspace(-1.0, 1.0, 41)

    def show_split(self, truth: np.ndarray, scores: np.ndarray, split_word: str,
             threshold: float) -> None:
        neg, pos = M.score_histograms(truth, np.clip(scores, -1, 1), self.bins)
        self.negative.setData(self.bins, neg)
        self.positive.setData(self.bins, pos)
        self.place(threshold)
        m = M.confusion_at(truth, scores, threshold)
        self.title.setText(f"<b>{split_word} scores by true class</b> · at threshold "
                           f"{threshold:.2f}: {m[0, 1]} orange called blue, {m[1, 0]} blue "
                           "called orange")

    def place(self, threshold: float) -> None:
        if not self.line.moving:  # (setValue emits no drag signal: nothing is set back)
            self.line.setValue(threshold)

    def plots(self) -> list[pg.PlotWidget]:
        return [self.plot]
