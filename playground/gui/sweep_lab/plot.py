"""The sweep's picture: train and validation error (and test, dotted) against the value, each a
line through the seeds' mean in a band from their lowest to their highest; every run a dot
that can be clicked; the value validation chooses marked. And the preview of one run's
decision map with the data on it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...core import sweep as S
from .. import colors
from ..views.key_row import KeyRow
from ..views.roc_view import still_plot

STYLE = {"train": ("#333333", Qt.PenStyle.SolidLine, "train"),
         "val": ("#2a9d3a", Qt.PenStyle.SolidLine, "validation"),
         "test": ("#f59322", Qt.PenStyle.DotLine, "test (shown, never chosen with)")}


HINT = "Click a run's dot to see what it learned."


def value_text(v) -> str:
    return f"{v:g}" if isinstance(v, int | float) else str(v)


class SweepPlot(QWidget):
    """Curves and bands over the values, placed at 0, 1, 2, ... and labelled by value."""

    run_clicked = Signal(int)  # index into the results

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = still_plot(grid=False)
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.bands, self.lines = {}, {}
        for split, (color, style, word) in STYLE.items():
            # the band's edges: curves with an invisible pen (a PlotDataItem without a pen
            # keeps no path for the fill to follow)
            low, high = (pg.PlotCurveItem(pen=pg.mkPen(color + "00")) for _ in range(2))
            band = pg.FillBetweenItem(low, high, brush=pg.mkBrush(color + "38"))
            if split != "test":  # the band's edges live in the plot, unseen, so it follows
                self.plot.addItem(low)
                self.plot.addItem(high)
                self.plot.addItem(band)
            self.bands[split] = (low, high, band)
            self.lines[split] = self.plot.plot(pen=pg.mkPen(color, width=2, style=style),
                                               symbol="o", symbolSize=7,
                                               symbolBrush=color, symbolPen=None, name=word)
        self.runs = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#555", width=1),
                                       brush=pg.mkBrush("#ffffffc0"), hoverable=True,
                                       hoverSize=13, tip=None)
        self.runs.setToolTip("one dot per run: click to see its decision map")
        self.plot.addItem(self.runs)
        self.best = pg.InfiniteLine(angle=90, pen=pg.mkPen("#2a9d3a", width=1,
                                                           style=Qt.PenStyle.DashLine),
                                    label="best by validation",
                                    labelOpts={"position": 0.95, "color": "#2a9d3a"})
        self.plot.addItem(self.best)
        self.caption = QLabel()
        self.caption.setObjectName("sweep.caption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # the key over the plot, not in it: in it, it hid the best value's label and curves
        self.key = KeyRow("sweep.key")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)  # apart from the preview's caption beside it
        layout.addWidget(self.caption)
        layout.addWidget(self.key)
        layout.addWidget(self.plot, 1)
        self.runs.sigClicked.connect(self._clicked)
        self.shown_rows: list[dict] = []

    def show_sweep(self, spec: S.SweepSpec, rows: list[dict], problem: str) -> None:
        """Draw `rows` (finished runs, maybe only some) of the sweep `spec` describes."""
        metric = spec.metric
        shown = S.SweepSpec(spec.setting, list(spec.values), spec.seeds, spec.epochs, metric,
                            list(rows))
        points = S.summary(shown)
        xs = np.arange(len(spec.values), dtype=float)
        has = {}
        for split in STYLE:
            mean = np.array([p[split].mean for p in points])
            low = np.array([p[split].low for p in points])
            high = np.array([p[split].high for p in points])
            ok = np.isfinite(mean)
            has[split] = bool(ok.any())
            self.lines[split].setData(xs[ok], mean[ok])
            self.bands[split][0].setData(xs[ok], low[ok])
            self.bands[split][1].setData(xs[ok], high[ok])
        self.key.set_entries([(color, "line" if style == Qt.PenStyle.SolidLine else "dash", word)
                              for split, (color, style, word) in STYLE.items()
                              if has[split] or not rows])
        where = {value_text(v): i for i, v in enumerate(spec.values)}
        self.shown_rows = list(rows)
        spots = []
        for k, row in enumerate(rows):
            y = row.get(f"val_{metric}")
            if y is not None and value_text(row["value"]) in where:
                jitter = 0.06 * ((row["seed"] % 5) - 2)  # seeds side by side
                spots.append({"pos": (where[value_text(row["value"])] + jitter, y), "data": k})
        self.runs.setData(spots)
        best = S.best_index(shown)
        self.best.setVisible(best is not None)
        if best is not None:
            self.best.setValue(best)
        ticks = [(i, value_text(v)) for i, v in enumerate(spec.values)]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.setXRange(-0.4, len(xs) - 0.6, padding=0)
        label, meaning, _ = S.SETTINGS[spec.setting]
        self.plot.setLabel("bottom", label)
        self.plot.setLabel("left", "loss" if metric == "loss" else
                           "RMSE" if problem == "regression" else "error (1 − accuracy)")
        self.caption.setText(
            f"<b>{label}</b>: {meaning}. Lines: the mean over the seeds; bands: their lowest "
            "to highest; dots: validation of each run (click one)."
            + (f" Validation is lowest at <b>{value_text(spec.values[best])}</b>."
               if best is not None else ""))

    def _clicked(self, _item, spots, *_) -> None:
        if len(spots):
            self.run_clicked.emit(int(spots[0].data()))

    def click_run(self, k: int) -> None:
        """As a click on run k's dot does (tests, keyboard)."""
        self.run_clicked.emit(k)


class RunPreview(QWidget):
    """One run's decision map (as stored with the results) with the training points on it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = still_plot(grid=False)
        self.plot.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=1))
        self.plot.addItem(self.points)
        self.caption = QLabel(HINT)
        self.caption.setWordWrap(True)
        self.caption.setObjectName("sweep.preview")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot, 1)
        self.row: dict | None = None

    def set_data(self, dataset) -> None:
        """The data the runs trained on: its domain and training points."""
        self.dataset = dataset
        self.clear()
        if dataset is None or not dataset.is_2d:
            self.points.clear()
            return
        x, y = dataset.x_train, dataset.y_train
        fill = colors.map_values(y[None, :])[0] if dataset.problem == "regression" else \
            colors.class_brushes(y)
        self.points.setData(x[:, 0], x[:, 1], brush=[pg.mkBrush(*c[:3]) for c in fill])
        x0, x1, y0, y1 = dataset.domain
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def clear(self) -> None:
        """No run shown: neither its map nor words about it stay (the data or set-up may
        have changed, e.g. after a run was opened in the network tab)."""
        self.row = None
        self.image.clear()
        self.caption.setText(HINT)

    def show_run(self, row: dict, setting: str, metric: str) -> None:
        self.row = row
        label = S.SETTINGS[setting][0]
        parts = [f"{word} {row[f'{s}_{metric}']:.3f}" for s, word in
                 (("train", "train"), ("val", "validation"), ("test", "test"))
                 if row.get(f"{s}_{metric}") is not None]
        self.caption.setText(f"<b>{label} {value_text(row['value'])}, seed {row['seed']}</b> "
                             f"({row['epochs']} epochs): {metric} " + ", ".join(parts))
        cells = S.decode_boundary(row["boundary"]) if row["boundary"] else None
        ds = getattr(self, "dataset", None)
        if cells is None or ds is None or not ds.is_2d:
            self.image.clear()
            return
        if ds.problem == "multiclass":
            rgba = colors.blend_classes(np.eye(max(ds.n_classes, 2), dtype=np.float32)[
                np.clip(cells, 0, ds.n_classes - 1)])
        else:
            rgba = colors.map_values(cells.astype(np.float32) / 127.5 - 1.0)
        x0, x1, y0, y1 = ds.domain
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255),
                            rect=QRectF(x0, y0, x1 - x0, y1 - y0))
