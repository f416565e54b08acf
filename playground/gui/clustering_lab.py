"""The clustering lab: k-means, mean shift, hierarchical clustering and DBSCAN, step by step.

One scatter view with each algorithm's overlays (centres and Voronoi regions, windows and
their trails, the merge that explains a step, eps circles and core/border/noise), a side plot
per algorithm (WCSS and elbow, dendrogram with a cut line, k-distance with an eps line), and a
paint tool for drawing data. Steps run in a ClusteringWorker, never in the GUI thread.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.clustering.dbscan import core_mask
from ..core.clustering.hierarchical import LINKAGES, cut
from ..core.clustering.kmeans import INITS
from ..core.datasets import GENERATORS, build_dataset
from ..core.errors import PlaygroundError
from ..core.spec import Experiment
from .clustering_drawing import ClusteringDrawing, label_colours
from .clustering_worker import ClusterFrame, ClusteringWorker
from .paint_tool import PaintTool

ALGORITHMS = [("k-means", "kmeans"), ("Mean shift", "meanshift"),
              ("Hierarchical", "hierarchical"), ("DBSCAN", "dbscan")]
class ClusteringLab(ClusteringDrawing, PaintTool, QWidget):
    """Edits `experiment.clustering` and the drawn points; emits the edited experiment."""

    changed = Signal(object)  # a new Experiment (data or clustering settings edited)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.experiment = Experiment()
        self.x = np.zeros((0, 2))
        self.truth = np.zeros(0, int)
        self.frame: ClusterFrame | None = None
        self._token = 0
        self._updating = False
        self._undo: list[list] = []
        self._redo: list[list] = []
        self._linkage: np.ndarray | None = None
        self.worker = ClusteringWorker(self)
        self.worker.frame_ready.connect(self.on_frame)
        self.worker.failed.connect(self.on_failed)
        self._build_ui()
        self.worker.start()

    # ------------------------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        controls = QVBoxLayout()
        algo_box = QGroupBox("Algorithm")
        form = QFormLayout(algo_box)
        self.dataset = QComboBox()
        for name, gen in GENERATORS.items():
            if gen.group != "image":
                self.dataset.addItem(gen.label, name)
        self.algorithm = QComboBox()
        for label, name in ALGORITHMS:
            self.algorithm.addItem(label, name)
        form.addRow("Data", self.dataset)
        form.addRow("Algorithm", self.algorithm)
        self.params = QStackedWidget()
        self.params.addWidget(self._kmeans_params())
        self.params.addWidget(self._meanshift_params())
        self.params.addWidget(self._hierarchical_params())
        self.params.addWidget(self._dbscan_params())
        form.addRow(self.params)
        controls.addWidget(algo_box)

        run_box = QGroupBox("Steps")
        run = QVBoxLayout(run_box)
        row = QHBoxLayout()
        self.back_button = QPushButton("◀ Back")
        self.step_button = QPushButton("Step ▶")
        self.play_button = QPushButton("▶ Play")
        self.restart_button = QPushButton("⟲ Restart")
        self.end_button = QPushButton("To the end")
        for b in (self.back_button, self.step_button, self.play_button):
            row.addWidget(b)
        run.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(self.restart_button)
        row2.addWidget(self.end_button)
        run.addLayout(row2)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, 60)
        self.speed.setValue(10)
        self.speed.setToolTip("steps per second")
        run.addWidget(QLabel("Speed (steps per second)"))
        run.addWidget(self.speed)
        self.counter = QLabel("step 0")
        self.counter.setStyleSheet("font-size: 13pt;")
        self.explanation = QLabel("")
        self.explanation.setWordWrap(True)
        run.addWidget(self.counter)
        run.addWidget(self.explanation)
        controls.addWidget(run_box)
        controls.addWidget(self._paint_box())
        controls.addStretch(1)
        left = QWidget()
        left.setLayout(controls)
        left.setMaximumWidth(340)

        self.plot = pg.PlotWidget(background="w")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.regions = pg.ImageItem(axisOrder="row-major")
        self.regions.setOpacity(0.35)
        self.plot.addItem(self.regions)
        self.members = pg.PlotDataItem(pen=pg.mkPen((150, 150, 150, 90), width=1), connect="pairs")
        self.trails = pg.PlotDataItem(pen=pg.mkPen((60, 60, 60, 140), width=1), connect="finite")
        self.rings = pg.PlotDataItem(pen=pg.mkPen((40, 40, 40), width=1.5), connect="finite")
        self.witness = pg.PlotDataItem(pen=pg.mkPen("k", width=2, style=Qt.PenStyle.DashLine))
        self.points = pg.ScatterPlotItem(size=7, pen=pg.mkPen((60, 60, 60), width=0.5))
        self.marks = pg.ScatterPlotItem(size=16, symbol="x", pen=pg.mkPen("k", width=2.5))
        for item in (self.members, self.trails, self.points, self.rings, self.witness, self.marks):
            self.plot.addItem(item)
        self.centre_handles: list[pg.TargetItem] = []
        self.plot.scene().sigMouseClicked.connect(self._on_click)

        self.side = pg.GraphicsLayoutWidget()
        self.side.setBackground("w")
        self.side_plot = self.side.addPlot(row=0, col=0)
        self.side_plot2 = self.side.addPlot(row=1, col=0)
        self.side_curve = self.side_plot.plot(pen=pg.mkPen("#0877bd", width=2), symbol="o",
                                              symbolSize=5)
        self.side_curve2 = self.side_plot2.plot(pen=pg.mkPen("#f59322", width=2), symbol="o",
                                                symbolSize=5)
        self.cut_line = pg.InfiniteLine(angle=0, movable=True, pen=pg.mkPen("#d62728", width=2))
        self.eps_line = pg.InfiniteLine(angle=0, movable=True, pen=pg.mkPen("#d62728", width=2))
        self.dendrogram = pg.PlotDataItem(pen=pg.mkPen("#333", width=1), connect="finite")
        self.cut_line.sigPositionChangeFinished.connect(self._cut_moved)
        self.highlighted: int | None = None
        self.side.scene().sigMouseMoved.connect(self._on_side_hover)
        self.eps_line.sigPositionChangeFinished.connect(self._eps_line_moved)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.plot)
        split.addWidget(self.side)
        split.setSizes([320, 700, 380])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

        self.dataset.currentIndexChanged.connect(self._dataset_changed)
        self.algorithm.currentIndexChanged.connect(self._settings_changed)
        self.step_button.clicked.connect(lambda: self.worker.post("forward"))
        self.back_button.clicked.connect(lambda: self.worker.post("back"))
        self.play_button.clicked.connect(self.toggle_play)
        self.restart_button.clicked.connect(self.restart)
        self.end_button.clicked.connect(lambda: self.worker.post("run_to_end"))
        self.speed.valueChanged.connect(lambda v: self.worker.post("interval", 1.0 / v))

    def _kmeans_params(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        self.k = QSpinBox()
        self.k.setRange(1, 10)
        self.init = QComboBox()
        for name in INITS:
            self.init.addItem({"manual": "click to place", "random_points": "random data points",
                               "random_positions": "random positions",
                               "random_assignment": "random assignment",
                               "farthest": "farthest point", "kmeans++": "k-means++"}[name], name)
        self.elbow_button = QPushButton("Elbow and silhouette (K = 1..10)")
        self.elbow_button.clicked.connect(self.show_elbow)
        form.addRow("K", self.k)
        form.addRow("Start", self.init)
        form.addRow(self.elbow_button)
        self.k.valueChanged.connect(self._settings_changed)
        self.init.currentIndexChanged.connect(self._settings_changed)
        return box

    def _meanshift_params(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        self.kernel = QComboBox()
        self.kernel.addItems(["flat", "gaussian"])
        self.bandwidth = QDoubleSpinBox()
        self.bandwidth.setRange(0.05, 50.0)
        self.bandwidth.setSingleStep(0.1)
        estimate = QPushButton("Estimate")
        estimate.clicked.connect(self._estimate_bandwidth)
        row = QHBoxLayout()
        row.addWidget(self.bandwidth)
        row.addWidget(estimate)
        form.addRow("Kernel", self.kernel)
        form.addRow("Bandwidth", row)
        self.kernel.currentIndexChanged.connect(self._settings_changed)
        self.bandwidth.editingFinished.connect(self._settings_changed)
        return box

    def _hierarchical_params(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        self.linkage = QComboBox()
        self.linkage.addItems(list(LINKAGES))
        self.n_clusters = QSlider(Qt.Orientation.Horizontal)
        self.n_clusters.setRange(1, 12)
        self.n_clusters.setValue(3)
        self.n_clusters_label = QLabel("3 clusters")
        form.addRow("Linkage", self.linkage)
        form.addRow(self.n_clusters_label, self.n_clusters)
        self.linkage.currentIndexChanged.connect(self._settings_changed)
        self.n_clusters.valueChanged.connect(self._count_moved)
        return box

    def _dbscan_params(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        self.eps = QDoubleSpinBox()
        self.eps.setRange(0.02, 20.0)
        self.eps.setSingleStep(0.02)
        self.min_points = QSpinBox()
        self.min_points.setRange(1, 20)
        form.addRow("eps", self.eps)
        form.addRow("minPoints", self.min_points)
        self.eps.valueChanged.connect(self._preview_core)
        self.min_points.valueChanged.connect(self._preview_core)
        self.eps.editingFinished.connect(self._settings_changed)
        self.min_points.editingFinished.connect(self._settings_changed)
        return box

    # --------------------------------------------------------------------- model -> view
    def set_experiment(self, exp: Experiment) -> None:
        self.experiment = exp.copy()
        c = exp.clustering
        self._updating = True
        try:
            self.dataset.setCurrentIndex(max(0, self.dataset.findData(exp.data.generator)))
            self.algorithm.setCurrentIndex(self.algorithm.findData(c.algorithm))
            self.params.setCurrentIndex(self.algorithm.currentIndex())
            self.k.setValue(c.k)
            self.init.setCurrentIndex(self.init.findData(c.init))
            self.kernel.setCurrentText(c.kernel)
            self.bandwidth.setValue(c.bandwidth)
            self.linkage.setCurrentText(c.linkage)
            self.eps.setValue(c.eps)
            self.min_points.setValue(c.min_points)
        finally:
            self._updating = False
        try:
            ds = build_dataset(exp.data)
        except PlaygroundError as exc:
            self.explanation.setText(str(exc))
            return
        if not ds.is_2d:
            self.explanation.setText("the clustering lab works on 2-D data; pick another set")
            return
        self.x = ds.x.astype(np.float64)
        self.truth = ds.y if ds.problem != "regression" else np.zeros(len(ds.x), int)
        x0, x1, y0, y1 = ds.domain
        self.domain = ds.domain
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)
        self.restart()

    def restart(self) -> None:
        self._token += 1
        self._linkage = None
        algorithm = self.experiment.clustering.algorithm
        self._setup_side(algorithm)
        if len(self.x) == 0:
            return
        self.worker.post("build", self.x, algorithm, self.experiment.clustering, self._token)

    def toggle_play(self) -> None:
        playing = self.frame is not None and self.frame.playing
        self.worker.post("pause" if playing else "play")

    @Slot(object)
    def on_frame(self, frame: ClusterFrame) -> None:
        if frame.token != self._token:
            return
        self.frame = frame
        self.draw(frame)

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.explanation.setText(message)

    def draw(self, frame: ClusterFrame) -> None:
        s = frame.state
        self.counter.setText(f"step {frame.position}" + ("  (done)" if s.done else ""))
        self.explanation.setText(s.explanation)
        self.play_button.setText("⏸ Pause" if frame.playing else "▶ Play")
        self.back_button.setEnabled(frame.can_go_back)
        rgb = label_colours(s.labels, by_rank=frame.algorithm != "kmeans")
        sizes = np.full(len(self.x), 7.0)
        for item in (self.members, self.trails, self.rings, self.witness, self.marks):
            item.setData([], [])
        self.regions.clear()
        getattr(self, f"_draw_{frame.algorithm}")(s, rgb, sizes)
        brushes = [pg.mkBrush(*c) for c in rgb.astype(int)]
        self.points.setData(self.x[:, 0], self.x[:, 1], brush=brushes, size=sizes)

    # --------------------------------------------------------------- view -> model
    def _clustering_from_controls(self, exp: Experiment) -> None:
        c = exp.clustering
        c.algorithm = self.algorithm.currentData()
        c.k = self.k.value()
        c.init = self.init.currentData()
        c.kernel = self.kernel.currentText()
        c.bandwidth = round(self.bandwidth.value(), 6)
        c.linkage = self.linkage.currentText()
        c.eps = round(self.eps.value(), 6)
        c.min_points = self.min_points.value()

    def _settings_changed(self, *_) -> None:
        if self._updating:
            return
        self.params.setCurrentIndex(self.algorithm.currentIndex())
        exp = self.experiment.copy()
        self._clustering_from_controls(exp)
        if exp == self.experiment:
            return
        self.experiment = exp
        self.changed.emit(exp.copy())
        self.restart()

    def _dataset_changed(self, *_) -> None:
        if self._updating:
            return
        exp = self.experiment.copy()
        exp.data.generator = self.dataset.currentData()
        exp.data.problem = "auto"
        self.changed.emit(exp)

    def _estimate_bandwidth(self) -> None:
        from ..core.clustering.meanshift import estimate_bandwidth

        if len(self.x) > 1:
            self.bandwidth.setValue(estimate_bandwidth(self.x))
            self._settings_changed()

    def _preview_core(self, *_) -> None:
        """Which points would be core, live, as eps and minPoints move (before running)."""
        if self._updating or len(self.x) == 0 or self.algorithm.currentData() != "dbscan":
            return
        core = core_mask(self.x, self.eps.value(), self.min_points.value())
        sizes = np.where(core, 10.0, 5.0)
        brushes = [pg.mkBrush(40, 40, 40) if c else pg.mkBrush(255, 255, 255) for c in core]
        self.points.setData(self.x[:, 0], self.x[:, 1], brush=brushes, size=sizes)
        self.explanation.setText(f"preview: {int(core.sum())} core points (dark); press Step")
        self.eps_line.setValue(self.eps.value())

    def _eps_line_moved(self) -> None:
        self.eps.setValue(max(0.02, float(self.eps_line.value())))
        self._settings_changed()

    def _cut_moved(self) -> None:
        if self._linkage is None:
            return
        from ..core.clustering.hierarchical import cut_at

        labels = cut_at(self._linkage, float(self.cut_line.value()))
        k = len(np.unique(labels))
        self.n_clusters.blockSignals(True)
        self.n_clusters.setValue(min(k, self.n_clusters.maximum()))
        self.n_clusters.blockSignals(False)
        self.n_clusters_label.setText(f"{k} clusters")
        self._recolour(labels)

    def _count_moved(self, k: int) -> None:
        self.n_clusters_label.setText(f"{k} clusters")
        if self._linkage is not None:
            self._recolour(cut(self._linkage, k))
            self._draw_dendrogram()

    def _recolour(self, labels: np.ndarray) -> None:
        brushes = [pg.mkBrush(*c) for c in label_colours(labels).astype(int)]
        self.points.setBrush(brushes)

    def _centre_dragged(self) -> None:
        centres = np.array([[h.pos().x(), h.pos().y()] for h in self.centre_handles])
        self.worker.post("move_centres", centres)

    def shutdown(self) -> None:
        self.worker.stop()
