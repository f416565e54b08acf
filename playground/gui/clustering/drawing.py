"""What the clustering lab draws on its scatter plot for each algorithm's state: points coloured
by cluster, exact Voronoi cells and draggable centres (k-means), a readable subset of windows
with trails for the rest (mean shift), stable cluster colours with the merge of the step
(hierarchical), core/border/noise with the eps circle and the queue (DBSCAN). Only the shown
algorithm's items exist; `clear` removes every overlay."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsPolygonItem

from ...core.clustering.dbscan import BORDER, CORE, NOISE, UNSEEN
from ...core.clustering.voronoi import voronoi_cells
from .. import colors

NOISE_RGB = (255, 255, 255)
UNASSIGNED = (170, 170, 170)
KIND_RGB = {CORE: (40, 40, 40), BORDER: (150, 150, 150), NOISE: NOISE_RGB}
KIND_SIZE = {CORE: 9.0, BORDER: 7.0, NOISE: 6.0, UNSEEN: 7.0}


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


_BRUSHES: dict[tuple[int, int, int], QBrush] = {}


def brushes(rgb: np.ndarray) -> list[QBrush]:
    out = []
    for c in rgb.astype(int):
        key = (int(c[0]), int(c[1]), int(c[2]))
        if key not in _BRUSHES:
            _BRUSHES[key] = pg.mkBrush(*key)
        out.append(_BRUSHES[key])
    return out


class ClusterView:
    """The overlays of one scatter plot. `on_centres_moved(centres)` hears a dragged centre."""

    def __init__(self, plot: pg.PlotItem, on_centres_moved: Callable[[np.ndarray], None]):
        self.plot = plot
        self.on_centres_moved = on_centres_moved
        self.cells: list[QGraphicsPolygonItem] = []
        self.members = pg.PlotDataItem(pen=pg.mkPen((150, 150, 150, 90), width=1),
                                       connect="pairs")
        self.trails = pg.PlotDataItem(pen=pg.mkPen((60, 60, 60, 70), width=1), connect="finite")
        self.rings = pg.PlotDataItem(pen=pg.mkPen((40, 40, 40), width=1.5), connect="finite")
        self.witness = pg.PlotDataItem(pen=pg.mkPen("k", width=2, style=Qt.PenStyle.DashLine))
        self.points = pg.ScatterPlotItem(size=7, pen=pg.mkPen((60, 60, 60), width=0.5))
        self.dots = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(40, 40, 40, 160))
        self.marks = pg.ScatterPlotItem(size=16, symbol="x", pen=pg.mkPen("k", width=2.5))
        for item in (self.members, self.trails, self.points, self.rings, self.dots,
                     self.witness, self.marks):
            plot.addItem(item)
        self.handles: list[pg.TargetItem] = []
        self.domain = (-6.0, 6.0, -6.0, 6.0)
        self.point_scale = 1.0  # larger in presentation mode

    # ----------------------------------------------------------------------- common
    def clear(self) -> None:
        """No overlay left: no cells, no handles, no circles (the points stay)."""
        for item in (self.members, self.trails, self.rings, self.witness, self.marks, self.dots):
            item.setData([], [])
        for cell in self.cells:
            cell.hide()
        while self.handles:
            self.plot.removeItem(self.handles.pop())

    def show_points(self, x: np.ndarray, rgb: np.ndarray, sizes: np.ndarray | float = 7.0,
                    pen=None) -> None:
        self.points.setData(x[:, 0], x[:, 1], brush=brushes(rgb),
                            size=sizes * self.point_scale,
                            pen=pen if pen is not None else pg.mkPen((60, 60, 60), width=0.5))

    # ---------------------------------------------------------------------- k-means
    def place_centres(self, x: np.ndarray, centres: np.ndarray, labels: np.ndarray) -> None:
        """Cells, membership lines and handles for centres at these positions (also mid-move
        during an animation)."""
        if len(labels) and labels.max() >= 0 and labels.max() < len(centres):
            ends = np.empty((2 * len(x), 2))
            ends[0::2] = x
            ends[1::2] = centres[labels]
            self.members.setData(ends[:, 0], ends[:, 1])
        else:
            self.members.setData([], [])
        self._cells(centres)
        self._handles(centres)

    def _cells(self, centres: np.ndarray) -> None:
        polygons = voronoi_cells(centres, self.domain)
        while len(self.cells) < len(polygons):
            cell = QGraphicsPolygonItem()
            cell.setPen(QPen(Qt.PenStyle.NoPen))
            cell.setZValue(-10)
            self.plot.addItem(cell)
            self.cells.append(cell)
        for i, cell in enumerate(self.cells):
            if i >= len(polygons) or len(polygons[i]) < 3:
                cell.hide()
                continue
            r, g, b = colors.CLASS_COLORS[i % len(colors.CLASS_COLORS)].astype(int)
            cell.setBrush(QBrush(QColor(int(r), int(g), int(b), 70)))
            cell.setPolygon(QPolygonF([QPointF(float(px), float(py)) for px, py in polygons[i]]))
            cell.show()

    def _handles(self, centres: np.ndarray) -> None:
        while len(self.handles) > len(centres):
            self.plot.removeItem(self.handles.pop())
        while len(self.handles) < len(centres):
            handle = pg.TargetItem(size=18, movable=True, pen=pg.mkPen("k", width=2))
            handle.setToolTip("drag to move this centre; right-click to remove it")
            handle.sigPositionChangeFinished.connect(self._handle_dropped)
            self.plot.addItem(handle)
            self.handles.append(handle)
        for handle, c in zip(self.handles, centres, strict=True):
            handle.blockSignals(True)
            handle.setPos(float(c[0]), float(c[1]))
            handle.blockSignals(False)

    def handle_positions(self) -> np.ndarray:
        return np.array([[h.pos().x(), h.pos().y()] for h in self.handles]).reshape(-1, 2)

    def _handle_dropped(self, *_) -> None:
        self.on_centres_moved(self.handle_positions())

    # -------------------------------------------------------------------- mean shift
    def place_windows(self, windows: np.ndarray, shown: np.ndarray, bandwidth: float,
                      trails: np.ndarray | None) -> None:
        """Circles for the `shown` windows, dots for the others, every window's trail."""
        self.rings.setData(*circles(windows[shown], bandwidth))
        self.marks.setData(windows[shown, 0], windows[shown, 1], size=16, symbol="x")
        rest = np.ones(len(windows), bool)
        rest[shown] = False
        self.dots.setData(windows[rest, 0], windows[rest, 1])
        if trails is not None and len(trails) > 1:
            pad = np.full((1, trails.shape[1], 2), np.nan)
            path = np.concatenate([trails, pad]).transpose(1, 0, 2).reshape(-1, 2)
            self.trails.setData(path[:, 0], path[:, 1])
        else:
            self.trails.setData([], [])

    def show_modes(self, modes: np.ndarray, bandwidth: float, trails: np.ndarray) -> None:
        self.place_windows(modes, np.arange(len(modes)), bandwidth, trails)
        self.dots.setData([], [])

    # ------------------------------------------------------------------ hierarchical
    def hierarchical_step(self, x: np.ndarray, state) -> None:
        """Single points grey, each cluster in its own stable colour, this step's merge big."""
        colour = state.extra["colour"]
        rgb = np.tile(np.array(UNASSIGNED, np.float32), (len(x), 1))
        grouped = colour >= 0
        rgb[grouped] = colors.CLASS_COLORS[colour[grouped] % len(colors.CLASS_COLORS)]
        sizes = np.where(grouped, 7.0, 5.0)
        merged = state.extra.get("merged")
        if merged is not None:
            sizes[state.labels == merged[0]] = 11.0
        self.show_points(x, rgb, sizes)
        pair = state.extra.get("pair")
        if pair is not None:
            self.witness.setData(x[pair, 0], x[pair, 1])

    # ------------------------------------------------------------------------ DBSCAN
    def show_kinds(self, x: np.ndarray, kinds: np.ndarray) -> None:
        """The preview: core dark and large, border grey, noise white and small."""
        rgb = np.array([KIND_RGB[k] for k in kinds], np.float32).reshape(-1, 3)
        sizes = np.array([KIND_SIZE[k] for k in kinds]).reshape(-1)
        self.show_points(x, rgb, sizes)

    def dbscan_step(self, x: np.ndarray, state) -> None:
        kind = state.extra["kind"]
        rgb = label_colours(state.labels)
        rgb[kind == NOISE] = NOISE_RGB
        sizes = np.array([KIND_SIZE[k] for k in kind]).reshape(-1)
        self.show_points(x, rgb, sizes)
        p = state.extra["point"]
        if p >= 0:
            self.rings.setData(*circles(x[p:p + 1], state.extra["eps"]))
        queue = state.extra["queue"]
        if len(queue):
            self.marks.setData(x[queue, 0], x[queue, 1], size=8, symbol="o")
