"""The clustering lab's side plots, which belong to the algorithm shown and reset with it:
WCSS per step and the elbow and silhouette over K (k-means: click a K to run with it), distinct
windows per step (mean shift), merge distance per step then the dendrogram coloured by the cut
with a draggable cut line (hierarchical), the sorted k-distance with a draggable eps line
(DBSCAN). Every step chart's x-axis is the step index of the run.

Each plot's range is set from what it shows, never left to auto-ranging: counts (steps, K,
points) tick in whole numbers, sums and distances are read from zero, and a single value gets
a range around it rather than a sliver of one unit. Titles are short enough for the column at
presentation size; their longer sense is in the tooltip."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Signal

from ...core.clustering.hierarchical import dendrogram_by_cluster
from .plot_text import WholeAxis, set_plot_text, title_size

# title, bottom label, whether the left axis counts (no plot-wide tooltips: they would cover
# the dendrogram's hover and the lines being dragged)
TITLES = {"kmeans": ("within-cluster sum of squares", "step", False),
          "meanshift": ("distinct windows", "step", True),
          "hierarchical": ("merge distance per step", "step", False),
          "dbscan": ("k-distance, k = minPoints − 1", "points, sorted", False)}
DENDROGRAM_TITLE = "dendrogram: drag the cut"
ELBOW_TITLE = "elbow: WCSS per K (click)"
SILHOUETTE_TITLE = "silhouette per K (click)"
TITLE_ROOM = 40  # px beside a title: the plot's own margins


class SidePlots(pg.GraphicsLayoutWidget):
    cut_moved = Signal(float)  # a height on the dendrogram (dragging finished)
    eps_moving = Signal(float)  # the eps line, while dragged
    eps_moved = Signal(float)  # the eps line, dropped
    k_picked = Signal(int)  # a K clicked on the elbow or silhouette plot

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.presentation = False
        # room on the right for the last tick's number (it is centred on the axis' end)
        self.ci.setContentsMargins(4, 4, 18, 4)
        self.main = self.addPlot(row=0, col=0, axisItems={
            "bottom": WholeAxis("bottom"), "left": WholeAxis("left", whole=False)})
        self.elbow_plot = self.addPlot(row=1, col=0, axisItems={"bottom": WholeAxis("bottom")})
        self.silhouette_plot = self.addPlot(row=2, col=0,
                                            axisItems={"bottom": WholeAxis("bottom")})
        for plot in self.all_plots():
            plot.hideButtons()  # each range is set from what the plot shows
        self.elbow_plot.setToolTip("the best WCSS of 5 k-means++ starts for each K: the bend "
                                   "(elbow) suggests a K; click one to run with it")
        self.silhouette_plot.setToolTip("mean silhouette for each K (higher: tighter, better "
                                        "separated clusters); click one to run with it")
        self.curve = self.main.plot(pen=pg.mkPen("#0877bd", width=2), symbol="o", symbolSize=5)
        self.elbow_curve = self.elbow_plot.plot(pen=pg.mkPen("#0877bd", width=2), symbol="o",
                                                symbolSize=7)
        self.silhouette_curve = self.silhouette_plot.plot(pen=pg.mkPen("#f59322", width=2),
                                                          symbol="o", symbolSize=7)
        self.k_lines = [pg.InfiniteLine(angle=90, pen=pg.mkPen("#d62728", width=1.5))
                        for _ in range(2)]
        self.elbow_plot.addItem(self.k_lines[0])
        self.silhouette_plot.addItem(self.k_lines[1])
        self.cut_line = pg.InfiniteLine(angle=0, movable=True, pen=pg.mkPen("#d62728", width=2))
        self.cut_line.setToolTip("drag to cut the tree at another height")
        self.eps_line = pg.InfiniteLine(angle=0, movable=True, pen=pg.mkPen("#d62728", width=2))
        self.eps_line.setToolTip("drag to set eps: points whose (minPoints − 1)-th neighbour "
                                 "is farther (above the line) are not core")
        self.branches: dict[int, pg.PlotDataItem] = {}
        self.cut_line.sigPositionChangeFinished.connect(
            lambda: self.cut_moved.emit(float(self.cut_line.value())))
        self.eps_line.sigPositionChanged.connect(self._eps_dragging)
        self.eps_line.sigPositionChangeFinished.connect(
            lambda: self.eps_moved.emit(float(self.eps_line.value())))
        self.scene().sigMouseClicked.connect(self._clicked)
        self.algorithm = ""
        self.elbow: dict | None = None
        self.dendrogram_shown = False
        self.reset("kmeans")

    def plots(self) -> list[pg.PlotItem]:
        """The plots now shown."""
        return [p for p in self.all_plots() if p.isVisible()]

    def all_plots(self) -> list[pg.PlotItem]:
        return [self.main, self.elbow_plot, self.silhouette_plot]

    def set_presentation(self, on: bool) -> None:
        """Text and lines at presentation size (or back)."""
        self.presentation = on
        for plot in self.all_plots():
            set_plot_text(plot, on)
            plot.setTitle(plot.titleLabel.text, size=title_size(on))
        width = self._line_width(2)
        self.curve.setPen(pg.mkPen("#0877bd", width=width))
        self.elbow_curve.setPen(pg.mkPen("#0877bd", width=width))
        self.silhouette_curve.setPen(pg.mkPen("#f59322", width=width))
        for key, branch in self.branches.items():
            branch.setPen(pg.mkPen(branch.opts["pen"].color(),
                                   width=self._line_width(1.5 if key >= 0 else 1)))
        self.updateGeometry()

    def _line_width(self, width: float) -> float:
        return width * 1.75 if self.presentation else width

    def _title(self, plot: pg.PlotItem, text: str) -> None:
        plot.setTitle(text, size=title_size(self.presentation))
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Wide enough for every title: a title wider than its plot would push the plot's
        right side out of sight."""
        widest = max(p.titleLabel.item.boundingRect().width() for p in self.all_plots())
        return QSize(max(240, int(widest) + TITLE_ROOM), 200)

    def reset(self, algorithm: str) -> None:
        """Empty plots for `algorithm`."""
        self.algorithm = algorithm
        self.dendrogram_shown = False
        for item in (self.cut_line, self.eps_line, *self.branches.values()):
            if item.scene() is not None:
                self.main.removeItem(item)
        self.branches.clear()
        self.curve.setData([], [])
        title, bottom, counts = TITLES[algorithm]
        self._title(self.main, title)
        self.main.setLabel("bottom", bottom)
        self.main.getAxis("left").whole = counts
        fit(self.main, [], [])
        self.show_elbow(self.elbow if algorithm == "kmeans" else None)

    # ---------------------------------------------------------------- step charts
    def show_steps(self, values: np.ndarray, first_step: int = 1) -> None:
        """values[i] belongs to step first_step + i."""
        values = np.asarray(values, dtype=float)
        steps = np.arange(first_step, first_step + len(values))
        self.curve.setData(steps, values)
        fit(self.main, steps, values)

    # ---------------------------------------------------------------- k-means: elbow
    def show_elbow(self, result: dict | None, k: int | None = None) -> None:
        self.elbow = result
        for plot in (self.elbow_plot, self.silhouette_plot):
            plot.setVisible(result is not None)
        if result is None:
            self.elbow_curve.setData([], [])
            self.silhouette_curve.setData([], [])
            return
        self._title(self.elbow_plot, ELBOW_TITLE)
        self.elbow_plot.setLabel("bottom", "K")
        self._title(self.silhouette_plot, SILHOUETTE_TITLE)
        self.silhouette_plot.setLabel("bottom", "K")
        self.elbow_curve.setData(result["k"], result["wcss"])
        fit(self.elbow_plot, result["k"], result["wcss"])
        ok = np.isfinite(result["silhouette"])
        self.silhouette_curve.setData(result["k"][ok], result["silhouette"][ok])
        # over the elbow's K range (silhouette starts at K = 2): the two K axes line up
        fit(self.silhouette_plot, result["k"], result["silhouette"][ok], from_zero=False)
        self.mark_k(k)

    def mark_k(self, k: int | None) -> None:
        for line in self.k_lines:
            line.setVisible(k is not None)
            if k is not None:
                line.setValue(k)

    def _clicked(self, event) -> None:
        if self.elbow is None:
            return
        for plot in (self.elbow_plot, self.silhouette_plot):
            if plot.isVisible() and plot.sceneBoundingRect().contains(event.scenePos()):
                x = plot.getViewBox().mapSceneToView(event.scenePos()).x()
                ks = self.elbow["k"]
                self.k_picked.emit(int(ks[np.abs(ks - x).argmin()]))
                return

    # --------------------------------------------------------------- hierarchical
    def show_dendrogram(self, linkage: np.ndarray, labels: np.ndarray, rgb: np.ndarray,
                        cut_height: float) -> None:
        """The tree with each cluster's branches in the colour of its points (`rgb` per point),
        the links above the cut grey, and the cut line."""
        self.curve.setData([], [])
        paths = dendrogram_by_cluster(linkage, labels)
        for key in list(self.branches):
            if key not in paths:
                self.main.removeItem(self.branches.pop(key))
        for key, (xs, ys) in paths.items():
            if key not in self.branches:
                self.branches[key] = pg.PlotDataItem(connect="finite")
                self.main.addItem(self.branches[key])
            colour = (120, 120, 120) if key < 0 else tuple(
                int(v) for v in rgb[np.flatnonzero(labels == key)[0]])
            self.branches[key].setPen(pg.mkPen(colour, width=self._line_width(
                1.5 if key >= 0 else 1)))
            self.branches[key].setData(xs, ys)
        if self.cut_line.scene() is None:
            self.main.addItem(self.cut_line)
        self.cut_line.setValue(cut_height)
        if not self.dendrogram_shown:
            self._title(self.main, DENDROGRAM_TITLE)
            self.main.setLabel("bottom", "points, in tree order")
            self.main.getAxis("left").whole = False
            n = len(linkage) + 1  # leaves sit at 1..n
            fit(self.main, [1, n], [0.0, max(float(linkage[:, 2].max()), cut_height)])
            self.dendrogram_shown = True

    # ---------------------------------------------------------------------- DBSCAN
    def show_k_distance(self, kd: np.ndarray, eps: float) -> None:
        rank = np.arange(1, len(kd) + 1)
        self.curve.setData(rank, kd)
        fit(self.main, rank, np.append(kd, eps))  # the eps line in sight, even above them all
        if self.eps_line.scene() is None:
            self.main.addItem(self.eps_line)
        self.set_eps(eps)

    def set_eps(self, eps: float) -> None:
        self.eps_line.blockSignals(True)
        self.eps_line.setValue(eps)
        self.eps_line.blockSignals(False)

    def _eps_dragging(self) -> None:
        self.eps_moving.emit(max(1e-3, float(self.eps_line.value())))


def fit(plot: pg.PlotItem, xs, ys, from_zero: bool = True) -> None:
    """Show xs (whole numbers: steps, K, ranks) and ys: a margin of half a step at least on x;
    y from zero for sums, counts and distances (from_zero), and a span of at least a tenth of
    the value for a single one."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    ys = ys[np.isfinite(ys)]
    if len(xs) == 0 or len(ys) == 0:
        plot.setRange(xRange=(0, 10), yRange=(0, 1), padding=0)
        return
    x0, x1 = float(xs.min()), float(xs.max())
    pad = max(0.5, 0.02 * (x1 - x0))
    lo, hi = float(ys.min()), float(ys.max())
    if from_zero:
        lo = min(lo, 0.0)
    span = hi - lo
    if span <= 1e-12 * max(1.0, abs(hi)):
        span = max(0.1 * abs(hi), 0.1)
        lo, hi = lo - span / 2, hi + span / 2
        if from_zero:
            lo = min(0.0, float(ys.min()))
    plot.setRange(xRange=(x0 - pad, x1 + pad), yRange=(lo - 0.04 * span, hi + 0.06 * span),
                  padding=0)
