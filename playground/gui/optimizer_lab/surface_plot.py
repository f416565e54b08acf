"""The loss surface as a heatmap with contours, and the racers on it: a marker per step, the
start (click to move it), the minima, and at each racer's current point its −∇L and velocity
arrows."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal

from .race_worker import RaceResult

# trajectories must read on every shade of the map, from its dark valleys to its pale hills
RACER_COLOURS = ["#ff3b30", "#ffd60a", "#00e676", "#ff4fd8", "#00d8ff", "#ff9500", "#ffffff",
                 "#b388ff"]
SURFACE_MAP = pg.ColorMap([0.0, 0.5, 1.0], [(24, 38, 84), (96, 140, 190), (246, 242, 228)])


def racer_colour(i: int) -> str:
    return RACER_COLOURS[i % len(RACER_COLOURS)]


class SurfacePlot(pg.PlotWidget):
    start_clicked = Signal(float, float)

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setObjectName("optimizer_lab.surface_plot")
        self.setMenuEnabled(False)
        self.setAspectLocked(False)
        self.getPlotItem().setLabel("bottom", "x")
        self.getPlotItem().setLabel("left", "y")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(SURFACE_MAP.getLookupTable(nPts=256))
        self.addItem(self.image)
        self.contours = pg.PlotDataItem(pen=pg.mkPen((255, 255, 255, 110), width=1),
                                        connect="finite")
        self.addItem(self.contours)
        self.minima = pg.ScatterPlotItem(symbol="x", size=13, pen=pg.mkPen("w", width=2.5),
                                         brush=None)
        self.start = pg.ScatterPlotItem(symbol="star", size=18, pen=pg.mkPen("k", width=1),
                                        brush=pg.mkBrush("w"))
        self.addItem(self.minima)
        self.paths: list[pg.PlotDataItem] = []
        self.heads: list[pg.ScatterPlotItem] = []
        self.arrows: list[tuple[pg.PlotDataItem, pg.ArrowItem, pg.ArrowItem]] = []
        self.addItem(self.start)
        self.result: RaceResult | None = None
        self.show_arrows = True
        self.scene().sigMouseClicked.connect(self._on_click)

    # ---------------------------------------------------------------------------------- data
    def set_result(self, result: RaceResult) -> None:
        """A new race (and maybe a new surface): redraw the map only when the surface changed."""
        old = self.result
        self.result = result
        if old is None or old.surface != result.surface or old.formula != result.formula \
                or old.domain != result.domain or not np.array_equal(old.shade, result.shade):
            self._draw_surface(result)
        # a star where racers start: the clicked start, or each racer's own (a lesson's)
        starts = np.unique(np.array([t.position[0] for t in result.tracks]
                                    or [result.start]), axis=0)
        self.start.setData(starts[:, 0], starts[:, 1])
        self._ensure_racers(len(result.tracks))

    def _draw_surface(self, r: RaceResult) -> None:
        x0, x1, y0, y1 = r.domain
        lo, hi = float(r.shade.min()), float(r.shade.max())
        hi = hi if hi > lo else lo + 1.0
        self.image.setImage(r.shade, levels=(lo, hi), autoLevels=False)
        # samples sit at pixel centres: the image reaches half a pixel past the domain
        hx, hy = (x1 - x0) / (len(r.xs) - 1) / 2, (y1 - y0) / (len(r.ys) - 1) / 2
        self.image.setRect(pg.QtCore.QRectF(x0 - hx, y0 - hy, x1 - x0 + 2 * hx,
                                            y1 - y0 + 2 * hy))
        self.contours.setData(*r.contours)
        if r.minima:
            m = np.array(r.minima)
            self.minima.setData(m[:, 0], m[:, 1])
        else:
            self.minima.setData([], [])
        self.setXRange(x0, x1, padding=0)
        self.setYRange(y0, y1, padding=0)
        self.getPlotItem().setTitle(r.formula, size="10pt")

    def _ensure_racers(self, n: int) -> None:
        while len(self.paths) < n:
            i = len(self.paths)
            colour = racer_colour(i)
            path = pg.PlotDataItem(pen=pg.mkPen(colour, width=1.5), symbol="o", symbolSize=4,
                                   symbolBrush=colour, symbolPen=pg.mkPen((0, 0, 0, 160)))
            head = pg.ScatterPlotItem(size=11, pen=pg.mkPen("k", width=1.5),
                                      brush=pg.mkBrush(colour))
            lines = pg.PlotDataItem(pen=pg.mkPen(colour, width=2), connect="pairs")
            grad_head = pg.ArrowItem(angle=0, headLen=10, tipAngle=35, pen=None,
                                     brush=pg.mkBrush(colour))
            vel_head = pg.ArrowItem(angle=0, headLen=10, tipAngle=35,
                                    pen=pg.mkPen("k", width=1), brush=pg.mkBrush("w"))
            for item in (path, lines, head, grad_head, vel_head):
                self.addItem(item)
            self.paths.append(path)
            self.heads.append(head)
            self.arrows.append((lines, grad_head, vel_head))
        for i, items in enumerate(zip(self.paths, self.heads, self.arrows, strict=True)):
            visible = i < n
            path, head, (lines, g, v) = items
            for item in (path, head, lines, g, v):
                item.setVisible(visible)

    # ------------------------------------------------------------------------------- a step
    def show_step(self, k: int) -> None:
        r = self.result
        if r is None:
            return
        x0, x1, y0, y1 = r.domain
        reach = 0.12 * max(x1 - x0, y1 - y0)  # the longest gradient arrow
        pixel = self.getPlotItem().getViewBox().viewPixelSize()
        for i, track in enumerate(r.tracks):
            j = min(k, track.steps)
            pts = track.position[:j + 1]
            self.paths[i].setData(pts[:, 0], pts[:, 1])
            here = track.position[j]
            self.heads[i].setData([here[0]], [here[1]])
            lines, grad_head, vel_head = self.arrows[i]
            show = bool(self.show_arrows and np.isfinite(here).all())
            for item in (lines, grad_head, vel_head):
                item.setVisible(show)
            if not show:
                continue
            g = -track.gradient[j]  # downhill
            norm = float(np.hypot(*g))
            # |∇L| spans decades across a surface: the arrow saturates instead of leaving it
            g_tip = here + (g / norm * reach * norm / (norm + r.typical_gradient)
                            if norm > 0 else 0.0)
            v_tip = here + track.velocity[j]
            lines.setData([here[0], g_tip[0], here[0], v_tip[0]],
                          [here[1], g_tip[1], here[1], v_tip[1]])
            _point(grad_head, here, g_tip, pixel)
            _point(vel_head, here, v_tip, pixel)

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.result is None:
            return
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p: QPointF = vb.mapSceneToView(event.scenePos())
        x0, x1, y0, y1 = self.result.domain
        if x0 <= p.x() <= x1 and y0 <= p.y() <= y1:
            self.start_clicked.emit(round(p.x(), 3), round(p.y(), 3))


def _point(arrow: pg.ArrowItem, tail: np.ndarray, tip: np.ndarray,
           pixel: tuple[float, float]) -> None:
    """Put an arrow head at `tip`, pointing away from `tail` (hidden for a zero-length arrow).
    `pixel`: data units per screen pixel along x and y (the head is drawn in pixels)."""
    d = tip - tail
    # (a plot not laid out yet has no pixel size: no head to point then)
    if not np.isfinite(d).all() or np.hypot(*d) == 0 or 0 in pixel:
        arrow.setVisible(False)
        return
    arrow.setVisible(True)
    d = np.array([d[0] / pixel[0], d[1] / pixel[1]])
    # ArrowItem's angle 0 points left (−x); angles turn clockwise on screen, where y is down
    angle = np.degrees(np.arctan2(d[1], -d[0]))
    arrow.setStyle(angle=float(angle))
    arrow.setPos(float(tip[0]), float(tip[1]))
