"""The clustering lab's side plots, which belong to the algorithm shown and reset with it:
WCSS per step and the elbow and silhouette over K (k-means: click a K to run with it), distinct
windows per step (mean shift), merge distance per step then the dendrogram coloured by the cut
with a draggable cut line (hierarchical), the sorted k-distance with a draggable eps line
(DBSCAN). Every step chart's x-axis is the step index of the run."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from ...core.clustering.hierarchical import dendrogram_by_cluster

TITLES = {"kmeans": ("within-cluster sum of squares", "step"),
          "meanshift": ("distinct windows", "step"),
          "hierarchical": ("merge distance per step", "step"),
          "dbscan": ("distance to the (minPoints-1)-th neighbour", "points, sorted")}


class SidePlots(pg.GraphicsLayoutWidget):
    cut_moved = Signal(float)  # a height on the dendrogram (dragging finished)
    eps_moving = Signal(float)  # the eps line, while dragged
    eps_moved = Signal(float)  # the eps line, dropped
    k_picked = Signal(int)  # a K clicked on the elbow or silhouette plot

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.setMinimumWidth(240)
        self.main = self.addPlot(row=0, col=0)
        self.elbow_plot = self.addPlot(row=1, col=0)
        self.silhouette_plot = self.addPlot(row=2, col=0)
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
        self.eps_line.setToolTip("drag to set eps: points above the line are not core")
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
        return [p for p in (self.main, self.elbow_plot, self.silhouette_plot) if p.isVisible()]

    def reset(self, algorithm: str) -> None:
        """Empty plots for `algorithm`, each scaling itself to its data again."""
        self.algorithm = algorithm
        self.dendrogram_shown = False
        for item in (self.cut_line, self.eps_line, *self.branches.values()):
            if item.scene() is not None:
                self.main.removeItem(item)
        self.branches.clear()
        self.curve.setData([], [])
        title, bottom = TITLES[algorithm]
        self.main.setTitle(title)
        self.main.setLabel("bottom", bottom)
        for plot in (self.main, self.elbow_plot, self.silhouette_plot):
            plot.enableAutoRange()
        self.show_elbow(self.elbow if algorithm == "kmeans" else None)

    # ---------------------------------------------------------------- step charts
    def show_steps(self, values: np.ndarray, first_step: int = 1) -> None:
        """values[i] belongs to step first_step + i."""
        values = np.asarray(values, dtype=float)
        self.curve.setData(np.arange(first_step, first_step + len(values)), values)

    # ---------------------------------------------------------------- k-means: elbow
    def show_elbow(self, result: dict | None, k: int | None = None) -> None:
        self.elbow = result
        for plot in (self.elbow_plot, self.silhouette_plot):
            plot.setVisible(result is not None)
        if result is None:
            self.elbow_curve.setData([], [])
            self.silhouette_curve.setData([], [])
            return
        self.elbow_plot.setTitle("elbow: best WCSS of 5 starts per K (click a K)")
        self.elbow_plot.setLabel("bottom", "K")
        self.silhouette_plot.setTitle("silhouette score (click a K)")
        self.silhouette_plot.setLabel("bottom", "K")
        self.elbow_curve.setData(result["k"], result["wcss"])
        ok = np.isfinite(result["silhouette"])
        self.silhouette_curve.setData(result["k"][ok], result["silhouette"][ok])
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
            self.branches[key].setPen(pg.mkPen(colour, width=1.5 if key >= 0 else 1))
            self.branches[key].setData(xs, ys)
        if self.cut_line.scene() is None:
            self.main.addItem(self.cut_line)
        self.cut_line.setValue(cut_height)
        if not self.dendrogram_shown:
            self.main.setTitle("dendrogram (drag the cut, hover a branch)")
            self.main.setLabel("bottom", "points, in tree order")
            self.main.enableAutoRange()
            self.dendrogram_shown = True

    # ---------------------------------------------------------------------- DBSCAN
    def show_k_distance(self, kd: np.ndarray, eps: float) -> None:
        self.curve.setData(np.arange(len(kd)), kd)
        if self.eps_line.scene() is None:
            self.main.addItem(self.eps_line)
        self.set_eps(eps)

    def set_eps(self, eps: float) -> None:
        self.eps_line.blockSignals(True)
        self.eps_line.setValue(eps)
        self.eps_line.blockSignals(False)

    def _eps_dragging(self) -> None:
        self.eps_moving.emit(max(1e-3, float(self.eps_line.value())))
