"""Per-layer histograms, updated live: each block's activations over the training data (top
row) and its weights (bottom row), one column per block in the network's order.

What an initialization does is visible at epoch 0: zero weights put a whole layer on one value
(a single bar, "units differ by 0"), weights too large pile tanh and sigmoid units up at the
ends of their range, Glorot and He keep every layer spread out."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .. import colors

REDRAWS_PER_SECOND = 4
WAITING = "Histograms of each layer's activations and weights appear here as the network runs."
NOT_RECORDED = ("Replay of epoch {epoch}: no histograms were recorded at that epoch (they are "
                "taken only while this tab is open during training). Move the History slider "
                "to “live” for the network as it is now.")
ACT_BRUSH = pg.mkBrush(*colors.BLUE)  # opaque: blending a fill costs several times more
WEIGHT_BRUSH = pg.mkBrush(*colors.ORANGE)


class HistogramPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = pg.GraphicsLayoutWidget()
        self.grid.setBackground("w")
        self.caption = QLabel(WAITING)
        self.caption.setObjectName("histograms.caption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.caption)
        self._layout_key: tuple = ()
        self._shown: dict | None = None
        self._last = 0.0
        self._bars: dict[tuple[str, str], pg.PlotDataItem] = {}
        self._plots: dict[tuple[str, str], pg.PlotItem] = {}
        self._font = QFont()
        self._font.setPointSize(8)
        self._title_size = "9pt"

    def update_histograms(self, histograms: dict | None, force: bool = True,
                          replay: int | None = None) -> None:
        """Redraw, at most REDRAWS_PER_SECOND times a second unless `force` (a paused or
        replayed frame): a dozen small plots cost tens of milliseconds to paint. `replay`: the
        epoch the history slider shows (None: the live run)."""
        if not histograms:
            if replay is None:
                self.caption.setText(WAITING)
                return
            # No histograms were taken at that epoch: the live ones must not pass for it.
            self.grid.clear()
            self._bars.clear()
            self._plots.clear()
            self._layout_key = ()
            self._shown = None
            self.caption.setText(NOT_RECORDED.format(epoch=replay))
            return
        now = time.perf_counter()
        if histograms is self._shown or (not force and now - self._last < 1 / REDRAWS_PER_SECOND):
            return
        self._shown, self._last = histograms, now
        key = tuple((n, h.weight_counts is not None) for n, h in histograms.items())
        if key != self._layout_key:
            self._build(histograms)
            self._layout_key = key
        spreads = []
        for node, h in histograms.items():
            self._set(node, "act", h.act_edges, h.act_counts,
                      f"{node}<br>{h.activation or h.kind}")
            if h.weight_counts is not None:
                self._set(node, "weights", h.weight_edges, h.weight_counts, None)
            if h.kind in ("dense", "activation"):
                spreads.append(f"{node} {h.unit_spread:.3g}")
        shown = f"Replay of epoch {replay}: " if replay is not None else ""
        self.caption.setText(shown + "Blue: each layer's outputs over the training data; "
                             "orange: its weights. How much a layer's units differ (std across "
                             "units): " + ", ".join(spreads))

    def _build(self, histograms: dict) -> None:
        self.grid.clear()
        self._bars.clear()
        self._plots.clear()
        for col, (node, h) in enumerate(histograms.items()):
            for row, part in enumerate(("act", "weights")):
                if part == "weights" and h.weight_counts is None:
                    continue
                plot = self.grid.addPlot(row=row, col=col)
                plot.setMenuEnabled(False)
                plot.hideButtons()
                plot.getViewBox().setMouseEnabled(False, False)
                plot.hideAxis("left")
                plot.setMinimumWidth(20)  # a deep net's columns share the width
                plot.getAxis("bottom").setStyle(tickFont=self._font, tickLength=-4)
                # one filled step outline: a single polygon paints far faster than a rect a bin
                bars = pg.PlotDataItem([0.0, 1.0], [0.0], stepMode="center", fillLevel=0.0,
                                       brush=ACT_BRUSH if part == "act" else WEIGHT_BRUSH,
                                       pen=None)
                plot.addItem(bars)
                self._bars[(node, part)] = bars
                self._plots[(node, part)] = plot

    def _set(self, node: str, part: str, edges: np.ndarray, counts: np.ndarray,
             title: str | None) -> None:
        bars, plot = self._bars[(node, part)], self._plots[(node, part)]
        bars.setData(edges, counts)
        lo, hi = float(edges[0]), float(edges[-1])
        plot.setXRange(lo, hi, padding=0.15)  # room for the end labels
        plot.setYRange(0, max(float(counts.max()), 1e-6), padding=0.05)
        plot.getAxis("bottom").setTicks([[(lo, f"{lo:.2g}"), (hi, f"{hi:.2g}")]])
        if title is not None and plot.titleLabel.text != title:
            plot.setTitle(title, size=self._title_size, color="#222")

    def set_presentation(self, on: bool) -> None:
        self._font.setPointSize(13 if on else 8)
        self._title_size = "15pt" if on else "9pt"
        self._layout_key = ()  # rebuilt with the new fonts at the next update
        self._shown = None
        self.caption.setStyleSheet(f"font-size: {15 if on else 9}pt;")

    def clear(self) -> None:
        self.grid.clear()
        self._bars.clear()
        self._plots.clear()
        self._layout_key = ()
        self._shown = None
        self.caption.setText(WAITING)
