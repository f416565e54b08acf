"""The clustering lab: k-means, mean shift, hierarchical clustering and DBSCAN, step by step.

One scatter view with each algorithm's overlays (centres and Voronoi regions, windows and
their trails, the merge that explains a step, eps circles and core/border/noise), a side plot
per algorithm (WCSS and elbow, dendrogram with a cut line, k-distance with an eps line), and a
paint tool for drawing data. Steps run in a ClusteringWorker, never in the GUI thread.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
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
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.clustering.dbscan import BORDER, CORE, NOISE, core_mask, k_distance
from ..core.clustering.hierarchical import LINKAGES, cut
from ..core.clustering.kmeans import INITS
from ..core.datasets import GENERATORS, build_dataset
from ..core.errors import PlaygroundError
from ..core.spec import Experiment
from . import colors
from .clustering_worker import ClusterFrame, ClusteringWorker

ALGORITHMS = [("k-means", "kmeans"), ("Mean shift", "meanshift"),
              ("Hierarchical", "hierarchical"), ("DBSCAN", "dbscan")]
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


class ClusteringLab(QWidget):
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

    def _paint_box(self) -> QGroupBox:
        box = QGroupBox("Draw data")
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.paint_modes = QButtonGroup(self)
        self.paint_modes.setExclusive(True)
        self.tool_buttons = {}
        for name, tip in (("off", "clicks step the algorithm's own tools"),
                          ("brush", "spray a handful of points"), ("point", "one point a click"),
                          ("erase", "remove the nearest point")):
            b = QToolButton(text=name)
            b.setCheckable(True)
            b.setToolTip(tip)
            self.paint_modes.addButton(b)
            self.tool_buttons[name] = b
            row.addWidget(b)
        self.tool_buttons["off"].setChecked(True)
        layout.addLayout(row)
        row2 = QHBoxLayout()
        self.paint_class = QSpinBox()
        self.paint_class.setRange(1, 8)
        self.paint_class.setPrefix("class ")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.clear_button = QPushButton("Clear")
        for w in (self.paint_class, self.undo_button, self.redo_button, self.clear_button):
            row2.addWidget(w)
        layout.addLayout(row2)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.clear_button.clicked.connect(lambda: self._edit_points([]))
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

    # ------------------------------------------------------------------- side plots
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

    # -------------------------------------------------------------------- painting
    def _table(self) -> list[list[float]]:
        if self.experiment.data.generator == "points":
            return [list(r) for r in self.experiment.data.points]
        return [[float(a), float(b), float(c)] for (a, b), c in zip(self.x, self.truth,
                                                                      strict=True)]

    def _edit_points(self, table: list[list[float]], record: bool = True) -> None:
        if record:
            self._undo.append(self._table())
            self._redo.clear()
        exp = self.experiment.copy()
        exp.data.generator = "points"
        exp.data.points = table
        if table:
            self.changed.emit(exp)
        else:  # an empty table cannot be a dataset: keep the experiment, show nothing
            self.experiment = exp
            self.x = np.zeros((0, 2))
            self.points.setData([], [])
            self.explanation.setText("canvas cleared: draw some points")

    def undo(self) -> None:
        if self._undo:
            self._redo.append(self._table())
            self._edit_points(self._undo.pop(), record=False)

    def redo(self) -> None:
        if self._redo:
            self._undo.append(self._table())
            self._edit_points(self._redo.pop(), record=False)

    def paint_at(self, x: float, y: float) -> None:
        """Apply the current paint tool at a point of the plot (data coordinates)."""
        mode = self.paint_modes.checkedButton().text()
        table = self._table()
        label = float(self.paint_class.value() - 1)
        if mode == "point":
            table.append([x, y, label])
        elif mode == "brush":
            rng = np.random.default_rng(len(table))
            spray = rng.normal([x, y], 0.35, (8, 2))
            table += [[float(a), float(b), label] for a, b in spray]
        elif mode == "erase" and table:
            pts = np.array(table)[:, :2]
            table.pop(int(((pts - [x, y]) ** 2).sum(axis=1).argmin()))
        else:
            return
        self._edit_points(table)

    def _on_click(self, event) -> None:
        pos = self.plot.getViewBox().mapSceneToView(event.scenePos())
        if self.paint_modes.checkedButton().text() != "off":
            self.paint_at(pos.x(), pos.y())
        elif self.algorithm.currentData() == "kmeans" and self.init.currentData() == "manual":
            exp = self.experiment.copy()  # click to place a centre
            exp.clustering.centres = exp.clustering.centres + [[pos.x(), pos.y(), 0.0]]
            exp.clustering.k = len(exp.clustering.centres)
            self.experiment = exp
            self.changed.emit(exp.copy())
            self.restart()

    def shutdown(self) -> None:
        self.worker.stop()
