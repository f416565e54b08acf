"""The clustering lab: k-means, mean shift, hierarchical clustering and DBSCAN, step by step.

A scatter plot with the shown algorithm's overlays (drawing.py), its side plots (side.py), the
controls bound to `clustering.*` and `data.generator` (controls.py) and a paint tool
(paint.py). The lab keeps no copy of the experiment: it reads the session and edits it (centres
placed by hand, painted points, cuts and clicks on the elbow are session edits), and it restarts
its run when the session says data or the shown algorithm's settings changed. Steps run in a
ClusteringWorker, never in the GUI thread.
"""

from __future__ import annotations

import copy
import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from ...core.checks import is_clustering_lesson
from ...core.clustering.dbscan import BORDER, CORE, k_distance, point_kinds
from ...core.clustering.hierarchical import cut_at
from ...core.datasets import GENERATORS, build_dataset
from ...core.errors import PlaygroundError
from ...core.session import Session
from ...core.spec import Experiment
from ..session_qt import QtSession
from .centres import CentreEditing, k_max
from .controls import ALGORITHMS, EPS_STEP, build_controls
from .drawing import ClusterView, label_colours
from .frames import FrameDrawing
from .paint import MODES, PaintBar, PaintOverlay
from .plot_text import set_plot_text
from .side import SidePlots
from .worker import ClusterFrame, ClusteringWorker

# The settings each algorithm's run is built from: a change of another only redraws.
RUN_FIELDS = {"kmeans": {"k", "init", "centres", "seed"}, "meanshift": {"bandwidth", "kernel"},
              "hierarchical": {"linkage"}, "dbscan": {"eps", "min_points"}}
# (no label longer than "Algorithm": a wider label column would rewrap the hints below)
K_LABELS = {"kmeans": "K", "hierarchical": "Clusters", "meanshift": "Clusters",
            "dbscan": "Clusters"}
# A lesson's banner shows here only when the lesson is about clustering.
CLUSTERING_TOPICS = ("k-means", "Mean shift", "Hierarchical clustering", "DBSCAN")
POINT_SCALE = 1.6  # points in presentation mode, as the network tab's grow from 7 to 12


class ClusteringLab(FrameDrawing, CentreEditing, QWidget):
    """The clustering tab on the session `qs`. Without one (the window before it owns a
    session) the lab makes its own, takes experiments by `set_experiment` and emits `changed`
    with the edited experiment."""

    changed = Signal(object)  # only when the lab owns its session: the edited Experiment

    def __init__(self, qs: QtSession | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.owns_session = qs is None
        self.qs = qs if qs is not None else QtSession(Session(), self)
        self._outside: Experiment | None = None  # own-session mode: the window's experiment
        self.x = np.zeros((0, 2))
        self.truth = np.zeros(0, int)
        self.domain: tuple[float, ...] | None = None  # the data's, as the plot shows it
        self._presented = False
        self.frame: ClusterFrame | None = None
        self.shown_kinds: np.ndarray | None = None  # DBSCAN's preview now on screen
        self.highlighted: int | None = None
        self._token = 0
        self._data_token = 0
        self._quiet = 0
        self._edits: list[tuple[dict, dict, str]] = []  # hand edits of the centres, for Back
        self._linkage: np.ndarray | None = None
        self._drawn: np.ndarray | None = None  # centres or windows as last drawn
        self._windows_shown: np.ndarray | None = None
        self._tween = QTimer(self)
        self._tween.setInterval(16)
        self._tween.timeout.connect(self._tween_tick)
        self._tween_draw = None
        self._tween_t0 = 0.0
        self.worker = ClusteringWorker(self)
        self.worker.frame_ready.connect(self.on_frame)
        self.worker.failed.connect(self.on_failed)
        self.worker.elbow_ready.connect(self.on_elbow)
        self._build_ui()
        self.qs.changed.connect(self._on_change)
        self.worker.start()
        self._read_data()
        self._show_lesson()
        self._follow_presentation()
        self.restart()

    @property
    def session(self) -> Session:
        return self.qs.session

    @property
    def experiment(self) -> Experiment:
        """The session's experiment (read-only; edit through the session)."""
        return self.qs.session.experiment

    # ------------------------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        self.plot = pg.PlotWidget(background="w")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()  # no stray "A": the range is the data's, set by the lab
        item = self.plot.getPlotItem()
        self.view = ClusterView(item, self._centres_dragged)
        self.points = self.view.points
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.paint = PaintOverlay(self.qs, item, parent=self)
        self.paint.active_changed.connect(self._painting)
        self.paint_bar = PaintBar(self.paint, tools_per_row=len(MODES))  # one row: room for
        # the steps' text above it at 1280x800
        self.side = SidePlots()
        self.side.cut_moved.connect(self._cut_moved)
        self.side.eps_moving.connect(self.preview_eps)
        self.side.eps_moved.connect(lambda eps: self.qs.set("clustering.eps", round(eps, 4)))
        self.side.k_picked.connect(lambda k: self.qs.set("clustering.k", k))
        self.side.scene().sigMouseMoved.connect(self._on_side_hover)
        self.lesson = QLabel()
        self.lesson.setObjectName("lesson")
        self.lesson.setWordWrap(True)
        self.lesson.setStyleSheet("background: #eef5fb; padding: 6px; border-radius: 4px;")
        self.lesson.hide()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)  # each side keeps the width its text needs
        self.controls = build_controls(self, self.qs)
        split.addWidget(self.controls)
        split.addWidget(self.plot)
        split.addWidget(self.side)
        split.setSizes([300, 580, 380])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.lesson)
        body = QHBoxLayout()
        body.addWidget(split)
        layout.addLayout(body, 1)

    def _sync_controls(self) -> None:
        algorithm = self.experiment.clustering.algorithm
        self.params.setCurrentIndex([name for _, name in ALGORITHMS].index(algorithm))
        self.k_row.setCurrentWidget(self.k if algorithm in ("kmeans", "hierarchical")
                                    else self.k_note)
        self.k_label.setText(K_LABELS[algorithm])
        self.k_row.setToolTip("" if algorithm in ("kmeans", "hierarchical") else
                              "the run finds the number of clusters from the "
                              + ("bandwidth" if algorithm == "meanshift" else "eps and minPoints"))

    @staticmethod
    def is_lesson_of(exp) -> bool:
        """Whether `exp` is a clustering lesson: its outcome measures a clustering, or its
        topic is one (the elbow and init lessons measure inertia, the eps lesson noise)."""
        return bool(exp.title) and (is_clustering_lesson(exp)
                                    or exp.lesson.topic in CLUSTERING_TOPICS)

    def _show_lesson(self, finished: bool = False) -> None:
        """The lesson's title and text; a guided lesson says its goal until its last step
        is done (its description and outcome are the answers to the steps' questions, see
        MainWindow._show_lesson_text)."""
        exp = self.experiment
        if not self.is_lesson_of(exp):
            self.lesson.hide()  # a network lesson's text belongs to its own tab
            return
        guided = bool(exp.lesson.steps) and not finished
        # A file's text is escaped: markup in a title (an <img> of /dev/zero) is only text.
        text = (f"<b>{html.escape(exp.title)}</b> — "
                f"{html.escape(exp.lesson.goal if guided else exp.description)}")
        if exp.outcome.metric in ("clusters", "agreement") and exp.outcome.text and not guided:
            text += (f"<br><i>Step through it or press To the end: "
                     f"{html.escape(exp.outcome.text)}.</i>")
        self.lesson.setText(text)
        self.lesson.show()

    # ------------------------------------------------------------------- session -> lab
    def _show_paint_note(self) -> None:
        generator = self.experiment.data.generator
        what = ("Your points are the data of all tabs" if generator == "points" else
                f"Painting replaces {GENERATORS[generator].label} on all tabs")
        self.paint_note.setText(f"{what} (Neural network too); Ctrl+Z undoes.")

    def _follow_presentation(self) -> None:
        """Plot text and points at the window's presentation size (or back)."""
        on = bool(self.experiment.view.presentation)
        if on == self._presented:
            return
        self._presented = on
        set_plot_text(self.plot.getPlotItem(), on)
        self.side.set_presentation(on)
        self.view.point_scale = POINT_SCALE if on else 1.0
        self.paint.point_scale = self.view.point_scale
        if self.frame is not None:
            self._finish_tween()
            self._drawn = None
            self.draw(self.frame)

    @Slot(object)
    def _on_change(self, change) -> None:
        if change.loaded or change.touches("view.presentation"):
            self._follow_presentation()
        if change.loaded or change.touches("data"):
            self._read_data()
            self._show_lesson()
            self.restart()
        else:
            if any(change.touches(p) for p in ("title", "description", "outcome")):
                self._show_lesson()
            names = {p.split(".", 1)[1] if "." in p else "*" for p in change.paths
                     if p.split(".")[0] == "clustering"}
            if names and not (self._quiet and names <= {"init", "centres", "k"}):
                algorithm = self.experiment.clustering.algorithm
                if names & ({"*", "algorithm"} | RUN_FIELDS[algorithm]):
                    self.restart()
                elif algorithm == "hierarchical" and "k" in names:
                    self._recut()
        if self.owns_session and (change.paths or change.command is not None):
            self.changed.emit(self._merged())

    def _merged(self) -> Experiment:
        exp = (self._outside or self.experiment).copy()
        exp.data = copy.deepcopy(self.experiment.data)
        exp.clustering = copy.deepcopy(self.experiment.clustering)
        return exp

    def set_experiment(self, exp: Experiment) -> None:
        """Own-session mode: the window's experiment (a file opened, a lesson, an edit made
        elsewhere). The lab's session starts over on it when its data or clustering differ."""
        self._outside = exp.copy()
        cur = self.experiment
        if (exp.data, exp.clustering, exp.title, exp.description) != (
                cur.data, cur.clustering, cur.title, cur.description):
            self.session.load(exp)

    def _read_data(self) -> None:
        self._data_token += 1
        self.side.show_elbow(None)
        self._show_paint_note()
        self.x = np.zeros((0, 2))
        try:
            ds = build_dataset(self.experiment.data)
        except PlaygroundError as exc:
            self.explanation.setText(str(exc))
            return
        if not ds.is_2d:
            self.explanation.setText("the clustering lab works on 2-D data; pick another set")
            return
        self.x = ds.x.astype(np.float64)
        self.truth = ds.y if ds.problem != "regression" else np.zeros(len(ds.x), int)
        domain = tuple(float(v) for v in ds.domain)
        if domain != self.domain:
            self.domain = domain
            self.view.domain = domain
            if self.paint.mode == "off":  # while painting, the view holds still
                self._fit_view()

    def _fit_view(self) -> None:
        """Show the data's domain, as a fixed range: an auto-ranging view would run away
        under a brush stroke or a dragged centre."""
        if self.domain is not None:
            x0, x1, y0, y1 = self.domain
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)

    # ------------------------------------------------------------------------ the run
    def restart(self) -> None:
        self._finish_tween()
        self._token += 1
        self.frame = None
        self._edits.clear()
        self._linkage = None
        self._drawn = None
        self._windows_shown = None
        self.shown_kinds = None
        c = self.experiment.clustering
        self.view.clear()
        self.side.reset(c.algorithm)
        self._sync_controls()
        self.counter.setText("step 0")
        if len(self.x) == 0:
            self.points.setData([], [])
            return
        self.view.show_points(self.x, label_colours(np.full(len(self.x), -1)))
        if c.algorithm == "dbscan":
            self.side.show_k_distance(k_distance(self.x, c.min_points), c.eps)
        self.worker.post("build", self.x, c.algorithm, copy.deepcopy(c), self._token)

    def toggle_play(self) -> None:
        playing = self.frame is not None and self.frame.playing
        self.run_command("pause" if playing else "play")

    def run_command(self, command: str) -> None:
        """Step, play or run to the end; the run shows again if painting hid it."""
        self.stop_painting()
        self.worker.post(command)

    def stop_painting(self) -> None:
        if self.paint.mode != "off":
            self.paint_bar.tool_buttons["off"].setChecked(True)  # as a click on "off"

    @Slot(object)
    def on_frame(self, frame: ClusterFrame) -> None:
        if frame.token != self._token:
            return
        self._finish_tween()
        self.frame = frame
        self.draw(frame)

    @Slot(object)
    def on_failed(self, failure) -> None:
        token, message = failure
        if token == self._token:
            self.view.clear()  # nothing of an earlier run stays on screen
            self.explanation.setText(message)

    def draw(self, frame: ClusterFrame) -> None:
        s = frame.state
        self.counter.setText(f"step {frame.position}" + ("  (done)" if s.done else ""))
        self.explanation.setText(s.explanation)
        # U+275A, as the network tab's button: U+23F8 is missing from common fonts
        self.play_button.setText("❚❚ Pause" if frame.playing else "▶ Play")
        self.back_button.setEnabled(frame.can_go_back)
        if self.paint.mode != "off":
            return  # painting shows the points by class; the run is drawn when it ends
        getattr(self, f"_draw_{frame.algorithm}")(frame)

    # ------------------------------------------------------------ other controls
    def show_elbow(self) -> None:
        if len(self.x) >= 2:
            self.explanation.setText("computing the elbow and silhouette for K = 1..10 ...")
            self.worker.post("elbow", self.x, self.experiment.clustering.seed, self._data_token)

    @Slot(object)
    def on_elbow(self, result) -> None:
        token, curves = result
        if token == self._data_token and self.experiment.clustering.algorithm == "kmeans":
            self.side.show_elbow(curves, self.experiment.clustering.k)
            self.explanation.setText("click a K on the elbow or silhouette plot to run with it")

    def estimate_bandwidth(self) -> None:
        from ...core.clustering.meanshift import estimate_bandwidth

        if len(self.x) > 1:
            self.qs.set("clustering.bandwidth", round(estimate_bandwidth(self.x), 3))

    def eps_slider_moved(self, position: int) -> None:
        eps = round(position * EPS_STEP, 6)
        self.preview_eps(eps)
        if not self.eps_slider.isSliderDown():
            self.qs.set("clustering.eps", eps)

    def preview_eps(self, eps: float) -> None:
        """DBSCAN's core, border and noise for this eps, live, as a slider or the eps line
        moves (the run restarts on the value when it is let go)."""
        if self.experiment.clustering.algorithm != "dbscan" or len(self.x) == 0:
            return
        kinds = point_kinds(self.x, eps, self.experiment.clustering.min_points)
        self.shown_kinds = kinds
        self.view.clear()
        self.view.show_kinds(self.x, kinds)
        self.side.set_eps(eps)
        with QSignalBlocker(self.eps):
            self.eps.setValue(eps)
        self.explanation.setText(
            f"eps {eps:.2f}: {int((kinds == CORE).sum())} core (dark), "
            f"{int((kinds == BORDER).sum())} border (grey), the rest noise (white)")

    def _cut_moved(self, height: float) -> None:
        if self._linkage is not None:
            k = len(np.unique(cut_at(self._linkage, height)))
            self.qs.set("clustering.k", int(np.clip(k, 1, k_max())))
            self._recut()

    def _on_side_hover(self, pos) -> None:
        """Hovering a branch of the dendrogram highlights the points under it."""
        if self._linkage is None or not self.side.main.sceneBoundingRect().contains(pos):
            return
        from ...core.clustering.hierarchical import link_at, members

        p = self.side.main.getViewBox().mapSceneToView(pos)
        row = link_at(self._linkage, p.x(), p.y())
        sizes = np.full(len(self.x), 7.0 * self.view.point_scale)
        if row is not None:
            sizes[members(self._linkage, row)] = 13.0 * self.view.point_scale
        self.highlighted = row
        self.points.setSize(sizes)

    def _painting(self, on: bool) -> None:
        self.points.setVisible(not on)
        if on:
            self._finish_tween()
            self.view.clear()
            return
        self._fit_view()  # painting done: the view takes the painted data's domain
        if self.frame is not None:
            self._drawn = None
            self.draw(self.frame)

    def shutdown(self) -> None:
        self._tween.stop()
        self.worker.stop()
