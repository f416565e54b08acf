"""The optimizer lab: optimizers race on a 2-D loss surface, step by step.

Left, the settings (surface, racers with their hyperparameters and schedules, steps), each
bound to its field path on the session; in the middle, the surface with every racer's path,
gradient and velocity arrows (or, on the second page, the slice through the network tab's
training run); right, loss against step, the per-axis step sizes, and a readout of the
quantities the notes name at the current step. The lab reads the session's experiment and
never keeps a copy: an edit anywhere (an undo included) re-races at once. The worker computes
the race and the slice off the GUI thread; stepping, playing and going back move a cursor.
"""

from __future__ import annotations

import copy
import html
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..session_qt import QtSession
from .controls import LabControls, racers_without_own_starts, speed_spin
from .network_slice import RESOLUTION, NetworkSlicePanel, RunTrajectory
from .race_worker import RaceResult, RaceWorker, SliceJob, SliceResult
from .surface_plot import SurfacePlot, racer_colour

RACE_FIELDS = tuple(f"optimizer_lab.{name}" for name in ("surface", "surface_params", "formula",
                                                           "start", "racers", "steps"))
FRAME_RATE = 60  # frames per second at most; faster speeds skip steps between frames


class OptimizerLab(QWidget):
    """Shows and edits `optimizer_lab` of the session's experiment; follows the window's
    training run on its second page (`follow_run`)."""

    def __init__(self, qs: QtSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("optimizer_lab")
        self.qs = qs
        self.result: RaceResult | None = None
        self.step = 0
        self._token = 0
        self._slice_token = 0
        self._slicing = False  # a slice is being computed; the next waits for it
        self._sliced_run: tuple[int, int] | None = None  # the run the worker has the network of
        self._sliced_key: tuple | None = None  # run, moment and extent of the last slice
        self.trajectory = RunTrajectory()
        self._play_clock, self._play_from = 0.0, 0
        self.worker = RaceWorker()
        self.worker.race_ready.connect(self.on_race)
        self.worker.slice_ready.connect(self.on_slice)
        self.worker.failed.connect(self.on_failed)
        self.destroyed.connect(self.worker.stop)  # a lab deleted without shutdown()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self._build_ui()
        qs.refused.connect(self._refused)
        qs.follow(RACE_FIELDS, self._race, self)  # (speed and the slice's extent do not)
        qs.follow("optimizer_lab.slice_extent", self._slice_if_shown, self)
        qs.follow(("title", "description", "outcome"), self._show_lesson, self.lesson)

    @property
    def lab(self):
        """The session's optimizer-lab settings (read them; edit through the session)."""
        return self.qs.session.experiment.optimizer_lab

    # ------------------------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        self.controls = LabControls(self.qs)
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(300)
        scroll.setMaximumWidth(400)

        self.surface_plot = SurfacePlot()
        self.surface_plot.start_clicked.connect(self.set_start)
        race_page = QWidget()
        race_layout = QVBoxLayout(race_page)
        race_layout.setContentsMargins(0, 0, 0, 0)
        race_layout.addLayout(self._transport())
        race_layout.addWidget(self.surface_plot, 1)
        legend = QLabel("★ start (click the map to move it)   ✕ minima   coloured arrow: −∇L "
                        "(length saturates)   white-headed arrow: velocity v = θₖ − θₖ₋₁")
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #444; font-size: 8pt;")
        race_layout.addWidget(legend)
        self.network_panel = NetworkSlicePanel(self.qs)
        self.pages = QTabWidget()
        self.pages.setObjectName("optimizer_lab.page")
        self.pages.addTab(race_page, "Race on a surface")
        self.pages.addTab(self.network_panel, "Your network's surface")
        self.pages.currentChanged.connect(lambda _: self._slice_if_shown())

        right = QSplitter(Qt.Orientation.Vertical)
        self.loss_plot = pg.PlotWidget(background="w")
        self.loss_plot.setObjectName("optimizer_lab.loss_plot")
        self.loss_plot.setLogMode(y=True)
        self.loss_plot.getPlotItem().setTitle("L − L_min against step", size="10pt")
        self.loss_plot.getPlotItem().setLabel("bottom", "step")
        self.loss_cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen((0, 0, 0, 120)))
        self.loss_plot.addItem(self.loss_cursor)
        self.size_plot = pg.PlotWidget(background="w")
        self.size_plot.setObjectName("optimizer_lab.step_size_plot")
        self.size_plot.setLogMode(y=True)
        self.size_plot.getPlotItem().setTitle("step size per axis ε/√(a + ν): x ━ y ┅",
                                              size="10pt")
        self.size_plot.getPlotItem().setLabel("bottom", "step")
        self.size_cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen((0, 0, 0, 120)))
        self.size_plot.addItem(self.size_cursor)
        self.readout = QLabel()
        self.readout.setObjectName("optimizer_lab.readout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.readout.setWordWrap(True)
        readout_scroll = QScrollArea()
        readout_scroll.setWidget(self.readout)
        readout_scroll.setWidgetResizable(True)
        for w in (self.loss_plot, self.size_plot, readout_scroll):
            right.addWidget(w)
        right.setSizes([260, 200, 300])
        right.setMinimumWidth(240)
        self.loss_curves: list[pg.PlotDataItem] = []
        self.size_curves: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(self.pages)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([350, 570, 340])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.message = QLabel()
        self.message.setObjectName("optimizer_lab.message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("background: #fdecea; color: #8a1c12; padding: 4px;")
        self.message.hide()
        self.lesson = QLabel()
        self.lesson.setObjectName("optimizer_lab.lesson")
        self.lesson.setWordWrap(True)
        self.lesson.setStyleSheet("background: #eef5fb; padding: 6px; border-radius: 4px;")
        self.lesson.hide()
        layout.addWidget(self.lesson)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    def _transport(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        row = QHBoxLayout()
        self.restart_button = QPushButton("Restart")
        self.restart_button.setObjectName("optimizer_lab.restart")
        self.restart_button.setToolTip("back to step 0")
        self.back_button = QPushButton("◀ Back")
        self.back_button.setObjectName("optimizer_lab.back")
        self.step_button = QPushButton("Step ▶")
        self.step_button.setObjectName("optimizer_lab.forward")
        self.play_button = QPushButton("▶ Play")
        self.play_button.setObjectName("optimizer_lab.play")
        self.play_button.setCheckable(True)
        self.speed = speed_spin(self.qs)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("optimizer_lab.cursor")
        self.counter = QLabel("step 0")
        self.counter.setMinimumWidth(80)
        self.arrows = QCheckBox("arrows")
        self.arrows.setObjectName("optimizer_lab.arrows")
        self.arrows.setChecked(True)
        for w in (self.restart_button, self.back_button, self.step_button, self.play_button):
            row.addWidget(w)
        row.addStretch(1)
        rows.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(self.slider, 1)
        row2.addWidget(self.counter)
        row2.addWidget(self.speed)
        row2.addWidget(self.arrows)
        rows.addLayout(row2)
        self.restart_button.clicked.connect(lambda: self.go_to(0))
        self.back_button.clicked.connect(self.back)
        self.step_button.clicked.connect(self.forward)
        self.play_button.toggled.connect(self.set_playing)
        self.slider.valueChanged.connect(self.go_to)
        self.speed.valueChanged.connect(self._speed_changed)
        self.arrows.toggled.connect(self._arrows_toggled)
        return rows

    # ------------------------------------------------------------------- the experiment
    def _show_lesson(self) -> None:
        exp = self.qs.session.experiment
        if exp.title and exp.outcome.metric.startswith("race_"):
            self.lesson.setText(f"<b>{html.escape(exp.title)}</b> — "
                                f"{html.escape(exp.description)}")
            self.lesson.show()
        else:
            self.lesson.hide()

    @Slot(str)
    def _refused(self, text: str) -> None:
        if text.startswith("optimizer_lab"):  # a refused edit of ours: say it here too
            self.show_message(text)

    @Slot(float, float)
    def set_start(self, x: float, y: float) -> None:
        """A click on the map: every racer starts there (racers with their own start too)."""
        self.qs.set_many({"optimizer_lab.start": [x, y], **racers_without_own_starts(self.qs)},
                         "move the start")

    # ------------------------------------------------------------------------ the worker
    def _race(self) -> None:
        self.show_message("")
        self._token += 1
        self.worker.submit("race", copy.deepcopy(self.lab), self._token)  # for the worker

    @Slot(object)
    def on_race(self, result: RaceResult) -> None:
        if result.token != self._token:
            return  # a newer race is on its way
        first = self.result is None
        same_story = (not first and self.result.surface == result.surface
                      and self.result.start == result.start)
        self.result = result
        self.surface_plot.set_result(result)
        self._draw_curves(result)
        n = max(t.steps for t in result.tracks) if result.tracks else 0
        self.slider.blockSignals(True)
        self.slider.setRange(0, n)
        self.slider.blockSignals(False)
        # an edited hyperparameter keeps the step in view; a new surface or start replays
        self.go_to(min(self.step, n) if same_story else 0)

    @Slot(str)
    def on_failed(self, text: str) -> None:
        self._slicing = False
        self._sliced_run = None  # the next slice sends the experiment again
        self.show_message(text)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------ your network's surface
    @Slot(object)
    def follow_run(self, frame) -> None:
        """A frame of the window's training run: its weights join the path; the slice follows
        when the page is on screen."""
        self.network_panel.show_playing(frame.playing)
        if self.trajectory.add(frame):
            self._slice_if_shown()

    def _slice_if_shown(self) -> None:
        """Slice through the newest reported weights, one job at a time (the answer to one
        starts the next, so a fast run never queues up work)."""
        latest, run = self.trajectory.latest, self.trajectory.run
        if self._slicing or latest is None or not self.network_panel.isVisible():
            return
        key = (run, self.trajectory.moments[-1], self.lab.slice_extent)
        if key == self._sliced_key:
            return  # nothing new since the last slice
        self._slicing, self._sliced_key = True, key
        self._slice_token += 1
        # the worker builds the run's network once, from the experiment it was built from
        # (frames of other builds never reach the lab), and keeps it while the run lasts
        experiment = self.qs.session.experiment.copy() if run != self._sliced_run else None
        self.worker.submit("slice", SliceJob(
            run, experiment, latest.parameters, latest.buffers, list(self.trajectory.points),
            latest.epoch, self.lab.slice_extent, RESOLUTION, self._slice_token))
        self._sliced_run = run

    @Slot(object)
    def on_slice(self, result: SliceResult) -> None:
        self._slicing = False
        if result.token == self._slice_token:
            self.network_panel.show_slice(result)
        self._slice_if_shown()  # the run may have moved on meanwhile

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._slice_if_shown()

    # -------------------------------------------------------------------------- stepping
    @property
    def last_step(self) -> int:
        return self.slider.maximum()

    def forward(self) -> None:
        self.set_playing(False)
        self.go_to(self.step + 1)

    def back(self) -> None:
        self.set_playing(False)
        self.go_to(self.step - 1)

    @Slot(int)
    def go_to(self, k: int) -> None:
        k = max(0, min(int(k), self.last_step))
        self.step = k
        if self.slider.value() != k:
            self.slider.blockSignals(True)
            self.slider.setValue(k)
            self.slider.blockSignals(False)
        self.counter.setText(f"step {k} / {self.last_step}")
        self.back_button.setEnabled(k > 0)
        self.step_button.setEnabled(k < self.last_step)
        if self.result is None:
            return
        self.surface_plot.show_step(k)
        self.loss_cursor.setValue(k)
        self.size_cursor.setValue(k)
        self.readout.setText(self._readout(k))

    def set_playing(self, on: bool) -> None:
        if on and self.step >= self.last_step:
            self.go_to(0)
        if self.play_button.isChecked() != on:
            self.play_button.blockSignals(True)
            self.play_button.setChecked(on)
            self.play_button.blockSignals(False)
        self.play_button.setText("❚❚ Pause" if on else "▶ Play")
        if on:
            self._play_clock, self._play_from = time.perf_counter(), self.step
            self.timer.start(int(1000 / min(self.speed.value(), FRAME_RATE)))
        else:
            self.timer.stop()

    def _tick(self) -> None:
        # the step follows the clock, so a slow frame skips steps instead of slowing the race
        elapsed = time.perf_counter() - self._play_clock
        target = self._play_from + int(elapsed * self.speed.value())
        if target > self.step:
            self.go_to(target)
        if self.step >= self.last_step:
            self.set_playing(False)

    def _speed_changed(self, value: float) -> None:
        if self.timer.isActive():
            self._play_clock, self._play_from = time.perf_counter(), self.step
            self.timer.setInterval(int(1000 / min(value, FRAME_RATE)))

    def _arrows_toggled(self, on: bool) -> None:
        self.surface_plot.show_arrows = on
        self.go_to(self.step)

    # ------------------------------------------------------------------------ side plots
    def _draw_curves(self, r: RaceResult) -> None:
        for curve in self.loss_curves:
            self.loss_plot.removeItem(curve)
        for cx, cy in self.size_curves:
            self.size_plot.removeItem(cx)
            self.size_plot.removeItem(cy)
        self.loss_curves, self.size_curves = [], []
        for i, t in enumerate(r.tracks):
            colour = racer_colour(i)
            dark = pg.mkColor(colour).darker(130)
            steps = np.arange(t.steps + 1, dtype=np.float64)
            gap = np.maximum(t.loss - r.loss_floor, 1e-16)
            loss = pg.PlotDataItem(steps, gap, pen=pg.mkPen(dark, width=2), name=t.label)
            self.loss_plot.addItem(loss)
            self.loss_curves.append(loss)
            sx = pg.PlotDataItem(steps, np.maximum(t.step_size[:, 0], 1e-16),
                                 pen=pg.mkPen(dark, width=2))
            sy = pg.PlotDataItem(steps, np.maximum(t.step_size[:, 1], 1e-16),
                                 pen=pg.mkPen(dark, width=2, style=Qt.PenStyle.DashLine))
            self.size_plot.addItem(sx)
            self.size_plot.addItem(sy)
            self.size_curves.append((sx, sy))
        self.loss_plot.getPlotItem().enableAutoRange()
        self.size_plot.getPlotItem().enableAutoRange()

    def _readout(self, k: int) -> str:
        rows = [f"<b>step {k}</b>"]
        for i, t in enumerate(self.result.tracks):
            j = min(k, t.steps)
            colour = racer_colour(i)
            lines = [f"<span style='background:#333;color:{colour}'>&nbsp;●&nbsp;</span> "
                     f"<b>{html.escape(t.label)}</b>"]
            if t.diverged_at is not None and k >= t.diverged_at:
                lines.append(f"<span style='color:#b00'>diverged at step {t.diverged_at}: "
                             "θ left the surface</span>")
            lines.append(f"θ = {_vec(t.position[j])} &nbsp; L = {t.loss[j]:.4g}")
            lines.append(f"∇L = {_vec(t.gradient[j])} &nbsp; v = {_vec(t.velocity[j])}")
            if t.optimizer in ("adagrad", "rmsprop", "adam", "adamw"):
                lines.append(f"step size ε/√(a+ν) = {_vec(t.step_size[j])}")
            else:
                lines.append(f"ε = {t.learning_rate[j]:.4g}")
            if t.optimizer in ("adam", "adamw") and j > 0:
                lines.append(f"ṽ = {_vec(t.first_moment[j])} &nbsp; ã = "
                             f"{_vec(t.second_moment[j])}")
            rows.append("<br>".join(lines))
        return "<p style='margin:0'>" + "</p><p style='margin:4px 0 0 0'>".join(rows) + "</p>"

    # ------------------------------------------------------------------------- shutdown
    def shutdown(self) -> None:
        self.timer.stop()
        self.worker.stop()


def _vec(v: np.ndarray) -> str:
    return f"({v[0]:.3g}, {v[1]:.3g})"
