"""Your own network's loss surface: the slice L(θ* + αδ + βη) through its current weights
(filter-normalised directions, Li et al. 2018) with the training path projected onto it,
recomputed every few epochs while a copy of the network trains in the lab's worker."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .race_worker import SliceResult
from .surface_plot import SURFACE_MAP


class NetworkSlicePanel(QWidget):
    requested = Signal(int, int, float)  # epochs, epochs between slices, extent
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.epochs = QSpinBox()
        self.epochs.setObjectName("optimizer_lab.network.epochs")
        self.epochs.setRange(1, 2000)
        self.epochs.setValue(60)
        self.epochs.setSuffix(" epochs")
        self.every = QSpinBox()
        self.every.setObjectName("optimizer_lab.network.every")
        self.every.setRange(1, 500)
        self.every.setValue(10)
        self.every.setPrefix("slice every ")
        self.extent = QDoubleSpinBox()
        self.extent.setObjectName("optimizer_lab.network.extent")
        self.extent.setRange(0.05, 5.0)
        self.extent.setSingleStep(0.1)
        self.extent.setValue(1.0)
        self.extent.setPrefix("α, β in ±")
        self.start = QPushButton("Train and slice")
        self.start.setObjectName("optimizer_lab.network.train")
        self.stop = QPushButton("Stop")
        self.stop.setObjectName("optimizer_lab.network.stop")
        self.stop.setEnabled(False)
        for w in (self.epochs, self.every, self.extent):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start)
        buttons.addWidget(self.stop)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status = QLabel("Trains a copy of the network tab's experiment (same data, "
                             "network, optimizer and seed) and shows the loss along two random "
                             "filter-normalised directions δ, η through its current weights θ*: "
                             "L(θ* + αδ + βη). The white path is the training so far, projected "
                             "onto that plane; it ends at θ*, the origin.")
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
        self.path = pg.PlotDataItem(pen=pg.mkPen("w", width=2), symbol="o", symbolSize=5,
                                    symbolBrush="w", symbolPen=pg.mkPen("k"))
        self.origin = pg.ScatterPlotItem(symbol="star", size=16, pen=pg.mkPen("k"),
                                         brush=pg.mkBrush("#ffd60a"))
        self.plot.addItem(self.path)
        self.plot.addItem(self.origin)
        layout.addWidget(self.plot, 1)
        self.result: SliceResult | None = None
        self.start.clicked.connect(self._start)
        self.stop.clicked.connect(self._stop)

    def _start(self) -> None:
        self.start.setEnabled(False)
        self.stop.setEnabled(True)
        self.status.setText("training a copy of the network ...")
        self.requested.emit(self.epochs.value(), self.every.value(), self.extent.value())

    def _stop(self) -> None:
        self.cancelled.emit()
        self.finish("stopped")

    def finish(self, text: str) -> None:
        self.start.setEnabled(True)
        self.stop.setEnabled(False)
        if text:
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
        self.path.setData(s.trajectory[:, 0], s.trajectory[:, 1])
        self.origin.setData([0.0], [0.0])
        self.plot.getPlotItem().setTitle(
            f"log₁₀ training loss; epoch {result.epochs}: L(θ*) = {s.centre_loss:.4g}",
            size="10pt")
        if result.done:
            self.finish(f"done: {result.epochs} epochs. {result.message}".strip())
        else:
            self.status.setText(f"epoch {result.epochs}: training on; the slice follows the "
                                "weights")
