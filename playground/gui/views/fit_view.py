"""Regression judged: each point's predicted value against its true one, split by split, with
the line of perfect predictions, and RMSE and R² of every split."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ...core import metrics as M
from .key_row import KeyRow
from .roc_view import caption_over, still_plot

SPLIT_STYLE = {"train": ("#333333", "train"), "val": ("#2a9d3a", "validation"),
               "test": ("#f59322", "test")}


class FitPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = still_plot("true value", "predicted")
        self.plot.setAspectLocked(True)
        self.diagonal = self.plot.plot(pen=pg.mkPen("#999", width=1,
                                                    style=Qt.PenStyle.DashLine))
        self.points = {}
        for split, (color, word) in SPLIT_STYLE.items():
            item = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(color + "b0"),
                                      name=word)
            self.plot.addItem(item)
            self.points[split] = item
        self.key = KeyRow("fit.key")
        self.table = caption_over(self, self.plot, self.key)
        self.table.setObjectName("fit.metrics")
        self.scores: dict[str, tuple[float, float]] = {}

    def show_splits(self, truth: dict[str, np.ndarray], predicted: dict[str, np.ndarray]) -> None:
        self.scores = {}
        lo, hi = np.inf, -np.inf
        for split, item in self.points.items():
            y, p = truth.get(split), predicted.get(split)
            if y is None or p is None or not len(y):
                item.setData([], [])
                continue
            item.setData(y, p)
            self.scores[split] = (M.rmse(y, p), M.r2(y, p))
            lo, hi = min(lo, float(y.min()), float(p.min())), max(hi, float(y.max()),
                                                                   float(p.max()))
        # only the splits that have points: no "validation" in the key at a 0 % split
        self.key.set_entries([(SPLIT_STYLE[s][0], "dot", SPLIT_STYLE[s][1])
                              for s in self.points if s in self.scores])
        if np.isfinite(lo):
            self.diagonal.setData([lo, hi], [lo, hi])
        cells = [f"<b>{SPLIT_STYLE[s][1]}</b> RMSE {r:.3f} · R² {q:.3f}"
                 for s, (r, q) in self.scores.items()]
        self.table.setText("&nbsp;&nbsp;|&nbsp;&nbsp;".join(cells))

    def plots(self) -> list[pg.PlotWidget]:
        return [self.plot]
