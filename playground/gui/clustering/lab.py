"""The clustering lab: k-means, mean shift, hierarchical clustering and DBSCAN, step by step.

A scatter plot with the shown algorithm's overlays (drawing.py), its side plots (side.py), the
controls bound to `clustering.*` and `data.generator` (controls.py) and a paint tool
(paint.py). The lab keeps no copy of the experiment: it reads the session and edits it (centres
placed by hand, painted points, cuts and clicks on the elbow are session edits), and it restarts
its run when the session says data or the shown algorithm's settings changed. Steps run in a
ClusteringWorker, never in the GUI thread.
"""

from __future__ import annotations

import contextlib
import copy
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from ...core.clustering.dbscan import BORDER, CORE, k_distance, point_kinds
from ...core.clustering.hierarchical import cut, cut_at
from ...core.clustering.meanshift import spread_subset
from ...core.datasets import build_dataset
from ...core.errors import PlaygroundError
from ...core.session import Session, field_info
from ...core.spec import Experiment
from ..session_qt import QtSession
from .controls import ALGORITHMS, EPS_STEP, build_controls
from .drawing import ClusterView, label_colours
from .paint import PaintBar, PaintOverlay
from .side import SidePlots
from .worker import ClusterFrame, ClusteringWorker

# The settings each algorithm's run is built from: a change of another only redraws.
RUN_FIELDS = {"kmeans": {"k", "init", "centres", "seed"}, "meanshift": {"bandwidth", "kernel"},
              "hierarchical": {"linkage"}, "dbscan": {"eps", "min_points"}}
CENTRE_FIELDS = ("clustering.init", "clustering.centres", "clustering.k")
ANIMATION_S = 0.25  # how long a centre or window glides to its new place
WINDOWS_DRAWN = 8  # mean shift: windows drawn as circles; the others as dots with trails


def k_max() -> int:
    """The most centres or clusters a file may hold (the interface never offers more)."""
    return int(field_info("clustering.k").hi)


class ClusteringLab(QWidget):
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
        self.domain = (-6.0, 6.0, -6.0, 6.0)
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
        item = self.plot.getPlotItem()
        self.view = ClusterView(item, self._centres_dragged)
        self.points = self.view.points
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.paint = PaintOverlay(self.qs, item, parent=self)
        self.paint.active_changed.connect(self._painting)
        self.paint_bar = PaintBar(self.paint)
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
        split.addWidget(build_controls(self, self.qs))
        split.addWidget(self.plot)
        split.addWidget(self.side)
        split.setSizes([320, 700, 380])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.lesson)
        body = QHBoxLayout()
        body.addWidget(split)
        layout.addLayout(body, 1)

    def _sync_controls(self) -> None:
        algorithm = self.experiment.clustering.algorithm
        self.params.setCurrentIndex([name for _, name in ALGORITHMS].index(algorithm))
        self.k.setVisible(algorithm in ("kmeans", "hierarchical"))
        self.k_label.setVisible(algorithm in ("kmeans", "hierarchical"))
        self.k_label.setText("K" if algorithm == "kmeans" else "Clusters at the cut")

    def _show_lesson(self) -> None:
        exp = self.experiment
        if not exp.title:
            self.lesson.hide()
            return
        text = f"<b>{exp.title}</b> — {exp.description}"
        if exp.outcome.metric in ("clusters", "agreement") and exp.outcome.text:
            text += f"<br><i>Step through it or press To the end: {exp.outcome.text}.</i>"
        self.lesson.setText(text)
        self.lesson.show()

    # ------------------------------------------------------------------- session -> lab
    @Slot(object)
    def _on_change(self, change) -> None:
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
        if tuple(ds.domain) != self.domain:
            self.domain = tuple(float(v) for v in ds.domain)
            x0, x1, y0, y1 = self.domain
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)
        self.view.domain = self.domain

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
        self.worker.post("pause" if playing else "play")

    def back(self) -> None:
        """One step back; over a centre placed, moved or removed by hand, that edit is taken
        back (in the run and in the session)."""
        if self.frame is not None and self.frame.state.phase == "placed" and self._edits:
            before, after, label = self._edits.pop()
            with self._quietly():
                if (self.session.can_undo and self.session.undo_label == label
                        and all(self.qs.get(p) == v for p, v in after.items())):
                    self.session.undo()
                else:
                    self.qs.set_many(before, label="take back a centre edit")
        self.worker.post("back")

    @contextlib.contextmanager
    def _quietly(self):
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

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
        self.play_button.setText("⏸ Pause" if frame.playing else "▶ Play")
        self.back_button.setEnabled(frame.can_go_back)
        if self.paint.mode != "off":
            return  # painting shows the points by class; the run is drawn when it ends
        getattr(self, f"_draw_{frame.algorithm}")(frame)

    def _draw_kmeans(self, frame: ClusterFrame) -> None:
        s = frame.state
        centres = s.extra["centres"]
        self.view.show_points(self.x, label_colours(s.labels, by_rank=False))
        self.side.show_steps(s.extra["wcss"])
        self.side.mark_k(len(centres) if self.side.elbow is not None else None)
        self._move(centres, lambda c: self.view.place_centres(self.x, c, s.labels), frame)

    def _draw_meanshift(self, frame: ClusterFrame) -> None:
        s = frame.state
        bandwidth, trails = s.extra["bandwidth"], s.extra["trajectories"]
        if self._windows_shown is None:
            self._windows_shown = spread_subset(trails[0], WINDOWS_DRAWN)
        self.view.show_points(self.x, label_colours(s.labels))
        self.side.show_steps(s.extra["distinct"], first_step=0)
        if "modes" in s.extra:
            self._drawn = None
            self.view.show_modes(s.extra["modes"], bandwidth, trails)
            return
        shown = self._windows_shown
        self._move(s.extra["windows"],
                   lambda w: self.view.place_windows(w, shown, bandwidth, trails), frame)

    def _draw_hierarchical(self, frame: ClusterFrame) -> None:
        s = frame.state
        merges = s.extra["linkage"]
        if s.done and len(merges):
            self._linkage = merges
            self._recut()
            return
        self._linkage = None
        if self.side.dendrogram_shown:  # stepped back from the tree
            self.side.reset("hierarchical")
        self.view.witness.setData([], [])
        self.view.hierarchical_step(self.x, s)
        self.side.show_steps(merges[:, 2] if len(merges) else [])

    def _recut(self) -> None:
        if self._linkage is None:
            return
        z = self._linkage
        k = int(np.clip(self.experiment.clustering.k, 1, len(z) + 1))
        labels = cut(z, k)
        rgb = label_colours(labels)
        self.view.witness.setData([], [])
        self.view.show_points(self.x, rgb)
        self.side.show_dendrogram(z, labels, rgb, cut_height(z, k))

    def _draw_dbscan(self, frame: ClusterFrame) -> None:
        s = frame.state
        if s.phase == "init":
            self.shown_kinds = s.extra["preview"]
            self.view.show_kinds(self.x, self.shown_kinds)
        else:
            self.shown_kinds = None
            self.view.rings.setData([], [])
            self.view.marks.setData([], [])
            self.view.dbscan_step(self.x, s)

    # ------------------------------------------------------------------- animation
    def _move(self, target: np.ndarray, place, frame: ClusterFrame) -> None:
        """Draw centres or windows at `target`, gliding there from where they were drawn."""
        start, self._drawn = self._drawn, target
        glide = (self.animate.isChecked() and start is not None and start.shape == target.shape
                 and not np.allclose(start, target)
                 and (not frame.playing or self.speed.value() <= 4))
        if not glide:
            place(target)
            return
        self._tween_draw = lambda a: place(start + a * (target - start))
        self._tween_t0 = time.perf_counter()
        self._tween_draw(0.0)
        self._tween.start()

    def _tween_tick(self) -> None:
        a = min(1.0, (time.perf_counter() - self._tween_t0) / ANIMATION_S)
        if self._tween_draw is not None:
            self._tween_draw(a * a * (3 - 2 * a))
        if a >= 1.0:
            self._tween.stop()
            self._tween_draw = None

    def _finish_tween(self) -> None:
        """Skip the glide in progress to its end."""
        if self._tween.isActive():
            self._tween.stop()
            draw, self._tween_draw = self._tween_draw, None
            if draw is not None:
                draw(1.0)

    # ----------------------------------------------------------- centres by hand
    def _centres_now(self) -> np.ndarray:
        if self.frame is not None and "centres" in self.frame.state.extra:
            return np.asarray(self.frame.state.extra["centres"], dtype=np.float64)
        return np.zeros((0, 2))

    def _on_click(self, event) -> None:
        self._finish_tween()
        vb = self.plot.getPlotItem().getViewBox()
        pos = event.scenePos()
        if (self.paint.mode != "off" or self.experiment.clustering.algorithm != "kmeans"
                or not vb.sceneBoundingRect().contains(pos)):
            return
        p = vb.mapSceneToView(pos)
        centres = self._centres_now()
        pixel = vb.viewPixelSize()[0]
        near = (np.linalg.norm(centres - [p.x(), p.y()], axis=1) / pixel if len(centres)
                else np.zeros(0))
        if event.button() == Qt.MouseButton.RightButton:
            if len(near) and near.min() < 15:
                self.remove_centre(int(near.argmin()))
        elif event.button() == Qt.MouseButton.LeftButton and not (len(near) and near.min() < 10):
            self.add_centre(p.x(), p.y())

    def add_centre(self, x: float, y: float) -> bool:
        centres = self._centres_now()
        if len(centres) >= k_max():
            self.explanation.setText(f"at most {k_max()} centres (the limit of clustering.k); "
                                     "right-click a centre to remove it first")
            return False
        return self._edit_centres(np.vstack([centres, [[x, y]]]),
                                  f"added a centre: K = {len(centres) + 1}")

    def remove_centre(self, index: int) -> bool:
        centres = self._centres_now()
        if len(centres) <= 1:
            self.explanation.setText("k-means needs at least one centre")
            return False
        return self._edit_centres(np.delete(centres, index, axis=0),
                                  f"removed centre {index + 1}: K = {len(centres) - 1}")

    def _centres_dragged(self, centres: np.ndarray) -> None:
        self._edit_centres(centres, "moved a centre by hand: the next step reassigns")

    def _edit_centres(self, centres: np.ndarray, text: str) -> bool:
        after = {"clustering.init": "manual",
                 "clustering.centres": [[round(float(a), 6), round(float(b), 6), 0.0]
                                        for a, b in centres],
                 "clustering.k": len(centres)}
        before = {p: copy.deepcopy(self.qs.get(p)) for p in CENTRE_FIELDS}
        label = text.split(":")[0]
        with self._quietly():
            if not self.qs.set_many(after, label=label):
                return False
        self._edits.append((before, after, label))
        self.worker.post("edit_centres", np.array(centres, dtype=np.float64), text, self._token)
        return True

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
        sizes = np.full(len(self.x), 7.0)
        if row is not None:
            sizes[members(self._linkage, row)] = 13.0
        self.highlighted = row
        self.points.setSize(sizes)

    def _painting(self, on: bool) -> None:
        self.points.setVisible(not on)
        if on:
            self._finish_tween()
            self.view.clear()
        elif self.frame is not None:
            self._drawn = None
            self.draw(self.frame)

    def shutdown(self) -> None:
        self._tween.stop()
        self.worker.stop()


def cut_height(linkage_matrix: np.ndarray, k: int) -> float:
    """A height that cuts the tree into k clusters: between the (k-1)-th and k-th largest merge
    distances."""
    h = np.sort(linkage_matrix[:, 2])[::-1]
    if k <= 1:
        return float(h[0] * 1.05)
    if k - 1 >= len(h):
        return 0.0
    return float(0.5 * (h[k - 2] + h[k - 1]))
