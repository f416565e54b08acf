"""Your own network's loss surface: the slice L(θ* + αδ + βη) through the weights θ* of the
training run the window is showing (filter-normalised directions, Li et al. 2018), with the
weights that run went through projected onto it. The weights come with the run's frames; the
slice is computed in the lab's worker, never on the GUI thread, and follows the run as it
trains (Train and Step here drive the same run as the network tab)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..session_qt import QtSession, bind_spin
from .race_worker import SliceResult
from .surface_plot import SURFACE_MAP

RESOLUTION = 31  # samples per axis of the slice (odd: α = β = 0 is a sample)
TRAJECTORY_BYTES = 64 * 2**20  # the recorded weights never hold more than this
MARKED_POINTS = 60  # beyond this many, the path is drawn as a line only


class RunTrajectory:
    """The weights one training run reported, frame by frame: at most `limit` points, evenly
    thinned (every other one dropped) when full, the newest always kept."""

    def __init__(self) -> None:
        self.run: tuple[int, int] | None = None
        self.points: list[np.ndarray] = []
        self.moments: list[tuple[int, int]] = []  # (epoch, batch) of each point
        self.latest = None  # the newest frame's snapshot
        self.limit = 400

    def add(self, frame) -> bool:
        """Record a frame's weights; True when they are new (a step was taken, or a new run)."""
        snap = frame.snapshot
        run = (frame.token, frame.run_id)
        if run != self.run:
            self.run, self.points, self.moments = run, [], []
            self.limit = int(max(2, min(400, TRAJECTORY_BYTES // max(4 * snap.parameters.size,
                                                                      1))))
        moment = (snap.epoch, snap.batch)
        fresh = not self.moments or moment != self.moments[-1]
        if fresh:
            if len(self.points) >= self.limit:  # keep the start, every other one, the newest
                keep = list(range(0, len(self.points), 2))
                if keep[-1] != len(self.points) - 1:
                    keep.append(len(self.points) - 1)
                self.points = [self.points[i] for i in keep]
                self.moments = [self.moments[i] for i in keep]
            self.points.append(snap.parameters)
            self.moments.append(moment)
        self.latest = snap
        return fresh


class NetworkSlicePanel(QWidget):
    play_requested = Signal()
    step_requested = Signal()
    reset_requested = Signal()

    def __init__(self, qs: QtSession, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.play = QPushButton("▶ Train")
        self.play.setObjectName("optimizer_lab.network.play")
        self.play.setToolTip("train the network tab's run (Space there does the same)")
        self.step = QPushButton("Step epoch")
        self.step.setObjectName("optimizer_lab.network.step")
        self.reset = QPushButton("Reset")
        self.reset.setObjectName("optimizer_lab.network.reset")
        self.extent = bind_spin(qs, QDoubleSpinBox(), "optimizer_lab.slice_extent", decimals=2)
        self.extent.setPrefix("α, β in ±")
        for w in (self.play, self.step, self.reset, self.extent):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = QLabel("The loss of the network tab's run along two random "
                             "filter-normalised directions δ, η through its current weights θ*: "
                             "L(θ* + αδ + βη). The white path is the weights the run went "
                             "through, projected onto that plane; it ends at θ*, the origin. "
                             "Train here or on the network tab: the slice follows the run.")
        self.status.setObjectName("optimizer_lab.network.status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("optimizer_lab.network.plot")
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().setLabel("bottom", "α (along δ)")
        self.plot.getPlotItem().setLabel("left", "β (along η)")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(SURFACE_MAP.getLookupTable(nPts=256))
        self.plot.addItem(self.image)
        self.contours = pg.PlotDataItem(pen=pg.mkPen((255, 255, 255, 110)), connect="finite")
        self.plot.addItem(self.contours)
        # white on a dark edge: the path reads on the map's dark valleys and pale hills alike
        self.path_edge = pg.PlotDataItem(pen=pg.mkPen((0, 0, 0, 170), width=4))
        self.path = pg.PlotDataItem(pen=pg.mkPen("w", width=2))
        self.marks = pg.ScatterPlotItem(symbol="o", size=5, brush=pg.mkBrush("w"),
                                        pen=pg.mkPen("k"))
        self.begin = pg.ScatterPlotItem(symbol="o", size=9, brush=pg.mkBrush("w"),
                                        pen=pg.mkPen("k", width=1.5))
        self.origin = pg.ScatterPlotItem(symbol="star", size=16, pen=pg.mkPen("k"),
                                         brush=pg.mkBrush("#ffd60a"))
        for item in (self.path_edge, self.path, self.marks, self.begin, self.origin):
            self.plot.addItem(item)
        layout.addWidget(self.plot, 1)
        self.result: SliceResult | None = None
        self.play.clicked.connect(self.play_requested)
        self.step.clicked.connect(self.step_requested)
        self.reset.clicked.connect(self.reset_requested)

    def show_playing(self, playing: bool) -> None:
        self.play.setText("❚❚ Pause" if playing else "▶ Train")

    def show_waiting(self, text: str) -> None:
        self.status.setText(text)

    def show_slice(self, result: SliceResult) -> None:
        self.result = result
        s = result.slice
        z = result.shade
        lo, hi = float(z.min()), max(float(z.max()), float(z.min()) + 1e-6)
        self.image.setImage(z, levels=(lo, hi), autoLevels=False)
        a0, a1, b0, b1 = s.alphas[0], s.alphas[-1], s.betas[0], s.betas[-1]
        ha, hb = (a1 - a0) / (len(s.alphas) - 1) / 2, (b1 - b0) / (len(s.betas) - 1) / 2
        self.image.setRect(pg.QtCore.QRectF(a0 - ha, b0 - hb, a1 - a0 + 2 * ha,
                                            b1 - b0 + 2 * hb))
        self.contours.setData(*result.contours)
        xs, ys = s.trajectory[:, 0], s.trajectory[:, 1]
        self.path_edge.setData(xs, ys)
        self.path.setData(xs, ys)
        few = len(xs) <= MARKED_POINTS  # a mark per recorded step while they stay apart
        self.marks.setData(xs if few else [], ys if few else [])
        self.begin.setData(xs[:1], ys[:1])
        self.origin.setData([0.0], [0.0])
        self.plot.getPlotItem().setTitle(
            f"log₁₀ training loss at epoch {s.epoch}: L(θ*) = {s.centre_loss:.4g}", size="10pt")
        n = len(s.trajectory)
        self.status.setText(f"Epoch {s.epoch}: the slice through the run's weights; its path "
                            f"(white, {n} recorded point{'s' if n != 1 else ''}) runs from the "
                            "start (○) to θ* (★).")
