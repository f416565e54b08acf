"""How the clustering lab draws each algorithm's state and its side plot (WCSS and elbow,
window count, dendrogram with its cut line, k-distance with its eps line). A mixin of
ClusteringLab."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from ..core.clustering.dbscan import BORDER, CORE, NOISE, k_distance
from ..core.clustering.hierarchical import cut
from . import colors

NOISE_BRUSH = (255, 255, 255)
UNASSIGNED = (170, 170, 170)


def label_colours(labels: np.ndarray, by_rank: bool = True) -> np.ndarray:
    """RGB per point, grey for none: colours in order of first appearance (labels that are
    arbitrary ids), or by the label itself (k-means: the centre's number, as its region)."""
    rgb = np.tile(np.array(UNASSIGNED, np.float32), (len(labels), 1))
    assigned = labels >= 0
    if assigned.any() and not by_rank:
        rgb[assigned] = colors.CLASS_COLORS[labels[assigned] % len(colors.CLASS_COLORS)]
    elif assigned.any():
        _, first, inverse = np.unique(labels[assigned], return_index=True, return_inverse=True)
        rank = np.argsort(np.argsort(first))  # colour by order of first appearance
        rgb[assigned] = colors.CLASS_COLORS[rank[inverse] % len(colors.CLASS_COLORS)]
    return rgb


def circles(centres: np.ndarray, radius: float, segments: int = 48) -> tuple[np.ndarray, ...]:
    """x, y of closed circles separated by NaN (one PlotDataItem draws them all)."""
    t = np.linspace(0, 2 * np.pi, segments)
    xs = (centres[:, :1] + radius * np.cos(t)).astype(float)
    ys = (centres[:, 1:2] + radius * np.sin(t)).astype(float)
    pad = np.full((len(centres), 1), np.nan)
    return np.hstack([xs, pad]).ravel(), np.hstack([ys, pad]).ravel()


class ClusteringDrawing:
    def _draw_kmeans(self, s, rgb, sizes) -> None:
        centres = s.extra["centres"]
        if s.labels.max() >= 0:
            ends = np.empty((2 * len(self.x), 2))
            ends[0::2] = self.x
            ends[1::2] = centres[s.labels]
            self.members.setData(ends[:, 0], ends[:, 1])
        self._voronoi(centres)
        self._centre_handles(centres)
        wcss = s.extra["wcss"]
        if self._elbow is None:
            self.side_curve.setData(np.arange(1, len(wcss) + 1), wcss)

    def _voronoi(self, centres: np.ndarray, res: int = 120) -> None:
        x0, x1, y0, y1 = self.domain
        gx, gy = np.meshgrid(np.linspace(x0, x1, res), np.linspace(y0, y1, res))
        grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
        nearest = ((grid[:, None] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
        rgb = colors.CLASS_COLORS[nearest % len(colors.CLASS_COLORS)].reshape(res, res, 3)
        self.regions.setImage(rgb.astype(np.uint8), autoLevels=False, levels=(0, 255),
                              rect=QRectF(x0, y0, x1 - x0, y1 - y0))

    def _centre_handles(self, centres: np.ndarray) -> None:
        while len(self.centre_handles) > len(centres):
            self.plot.removeItem(self.centre_handles.pop())
        while len(self.centre_handles) < len(centres):
            handle = pg.TargetItem(size=18, movable=True, pen=pg.mkPen("k", width=2))
            handle.sigPositionChangeFinished.connect(self._centre_dragged)
            self.plot.addItem(handle)
            self.centre_handles.append(handle)
        for handle, c in zip(self.centre_handles, centres, strict=True):
            handle.blockSignals(True)
            handle.setPos(float(c[0]), float(c[1]))
            handle.blockSignals(False)

    def _draw_meanshift(self, s, rgb, sizes) -> None:
        windows, bandwidth = s.extra["windows"], s.extra["bandwidth"]
        shown = s.extra.get("modes", windows)
        self.rings.setData(*circles(shown, bandwidth))
        trails = s.extra["trajectories"]  # (steps, windows, 2)
        if len(trails) > 1:
            pad = np.full((1, trails.shape[1], 2), np.nan)
            path = np.concatenate([trails, pad]).transpose(1, 0, 2).reshape(-1, 2)
            self.trails.setData(path[:, 0], path[:, 1])
        self.marks.setData(shown[:, 0], shown[:, 1])
        counts = self._counts
        counts.append(len(np.unique(np.round(windows / (1e-3 * bandwidth)), axis=0)))
        self.side_curve.setData(np.arange(len(counts)), counts)

    def _draw_hierarchical(self, s, rgb, sizes) -> None:
        pair = s.extra.get("pair")
        if pair is not None:
            self.witness.setData(self.x[pair, 0], self.x[pair, 1])
        if s.done:
            self._linkage = s.extra["linkage"]
            self._draw_dendrogram()
            labels = cut(self._linkage, self.n_clusters.value())
            rgb[:] = label_colours(labels)
        merges = s.extra["linkage"]
        if not s.done and len(merges):
            self.side_curve.setData(np.arange(1, len(merges) + 1), merges[:, 2])

    def _draw_dendrogram(self) -> None:
        from ..core.clustering.hierarchical import dendrogram_path

        self.side_curve.setData([], [])
        self.dendrogram.setData(*dendrogram_path(self._linkage))
        self.side_plot.setTitle("dendrogram (drag the cut, hover a branch)")
        self.side_plot.setLabel("bottom", "points, in tree order")
        self.cut_line.setValue(self._cut_height(self.n_clusters.value()))
        self.side_plot.autoRange(items=[self.dendrogram])

    def _on_side_hover(self, pos) -> None:
        """Hovering a branch of the dendrogram highlights the points under it."""
        if self._linkage is None or not self.side_plot.sceneBoundingRect().contains(pos):
            return
        from ..core.clustering.hierarchical import link_at, members

        p = self.side_plot.getViewBox().mapSceneToView(pos)
        row = link_at(self._linkage, p.x(), p.y())
        sizes = np.full(len(self.x), 7.0)
        if row is not None:
            sizes[members(self._linkage, row)] = 13.0
        self.highlighted = row
        self.points.setSize(sizes)

    def _cut_height(self, k: int) -> float:
        """A height that cuts the tree into k clusters: between the (k-1)-th and k-th
        largest merge distances."""
        h = np.sort(self._linkage[:, 2])[::-1]
        if k <= 1:
            return float(h[0] * 1.05)
        if k - 1 >= len(h):
            return 0.0
        return float(0.5 * (h[k - 2] + h[k - 1]))

    def _draw_dbscan(self, s, rgb, sizes) -> None:
        kind = s.extra["kind"]
        rgb[kind == NOISE] = NOISE_BRUSH
        sizes[kind == CORE] = 9.0
        sizes[kind == BORDER] = 6.0
        p = s.extra["point"]
        if p >= 0:
            self.rings.setData(*circles(self.x[p:p + 1], s.extra["eps"]))
        queue = s.extra["queue"]
        if len(queue):
            self.marks.setData(self.x[queue, 0], self.x[queue, 1], size=8, symbol="o")

    def _setup_side(self, algorithm: str) -> None:
        self._elbow = None
        self._counts: list[int] = []
        for item in (self.cut_line, self.eps_line, self.dendrogram):
            if item.scene() is not None:
                self.side_plot.removeItem(item)
        self.side_curve.setData([], [])
        self.side_curve2.setData([], [])
        self.side_plot2.hide()
        titles = {"kmeans": ("within-cluster sum of squares", "step"),
                  "meanshift": ("distinct windows", "step"),
                  "hierarchical": ("merge distance (dendrogram when done)", "merge"),
                  "dbscan": ("distance to the (minPoints-1)-th neighbour", "points, sorted")}
        title, bottom = titles[algorithm]
        self.side_plot.setTitle(title)
        self.side_plot.setLabel("bottom", bottom)
        if algorithm == "hierarchical":
            self.side_plot.addItem(self.dendrogram)
            self.side_plot.addItem(self.cut_line)
            self.dendrogram.setData([], [])
        if algorithm == "dbscan" and len(self.x):
            kd = k_distance(self.x, self.experiment.clustering.min_points)
            self.side_curve.setData(np.arange(len(kd)), kd)
            self.side_plot.addItem(self.eps_line)
            self.eps_line.setValue(self.experiment.clustering.eps)

    def show_elbow(self) -> None:
        from ..core.clustering.kmeans import elbow

        if len(self.x) < 2:
            return
        ks = range(1, min(10, len(self.x)) + 1)
        self._elbow = elbow(self.x, ks, restarts=5, seed=self.experiment.clustering.seed)
        self.side_plot.setTitle("elbow: best WCSS of 5 starts per K")
        self.side_plot.setLabel("bottom", "K")
        self.side_curve.setData(self._elbow["k"], self._elbow["wcss"])
        self.side_plot2.show()
        self.side_plot2.setTitle("silhouette score")
        ok = np.isfinite(self._elbow["silhouette"])
        self.side_curve2.setData(self._elbow["k"][ok], self._elbow["silhouette"][ok])

