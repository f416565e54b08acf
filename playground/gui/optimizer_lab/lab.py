"""The optimizer lab: optimizers race on a 2-D loss surface, step by step.

Left, the settings (surface, racers with their hyperparameters and schedules, steps); in the
middle, the surface with every racer's path, gradient and velocity arrows (or, on the second
page, the slice through your own network's loss); right, loss against step, the per-axis step
sizes, and a readout of the quantities the notes name at the current step. The worker computes
the whole race off the GUI thread; stepping, playing and going back move a cursor over it.
"""

from __future__ import annotations

import copy
import html
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core import fields as F
from ...core.errors import PlaygroundError
from ...core.optimizer_race import RacerSpec
from ...core.spec import Experiment
from ...core.surfaces import CUSTOM_DEFAULT, SURFACES
from .network_slice import NetworkSlicePanel
from .race_worker import RaceResult, RaceWorker, SliceResult
from .racer_editor import RacerEditor
from .surface_plot import SurfacePlot, racer_colour

FRAME_RATE = 60  # frames per second at most; faster speeds skip steps between frames


class OptimizerLab(QWidget):
    """Edits `experiment.optimizer_lab`; emits the edited experiment."""

    changed = Signal(object)  # a new Experiment

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("optimizer_lab")
        self.experiment = Experiment()
        self.result: RaceResult | None = None
        self.step = 0
        self._token = 0
        self._slice_token = 0
        self._updating = False
        self._play_clock, self._play_from = 0.0, 0
        self.worker = RaceWorker()
        self.worker.race_ready.connect(self.on_race)
        self.worker.slice_ready.connect(self.on_slice)
        self.worker.failed.connect(self.on_failed)
        self.destroyed.connect(self.worker.stop)  # a lab deleted without shutdown()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self._build_ui()
        self._show_settings()
        self._race()

    # ------------------------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        left = QWidget()
        controls = QVBoxLayout(left)
        controls.setContentsMargins(4, 4, 4, 4)
        controls.addWidget(self._surface_box())
        controls.addWidget(self._race_box())
        controls.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
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
        self.network_panel = NetworkSlicePanel()
        self.network_panel.requested.connect(self._train_and_slice)
        self.network_panel.cancelled.connect(self._cancel_slice)
        self.pages = QTabWidget()
        self.pages.setObjectName("optimizer_lab.page")
        self.pages.addTab(race_page, "Race on a surface")
        self.pages.addTab(self.network_panel, "Your network's surface")

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

    def _surface_box(self) -> QGroupBox:
        box = QGroupBox("Loss surface")
        layout = QVBoxLayout(box)
        grid = QGridLayout()
        grid.setSpacing(2)
        self.surface_buttons = QButtonGroup(self)
        self.surface_buttons.setExclusive(True)
        for i, (name, entry) in enumerate(SURFACES.items()):
            button = QPushButton(entry.label.replace(" (four minima)", ""))
            button.setCheckable(True)
            button.setObjectName(f"optimizer_lab.surface={name}")
            button.setToolTip(entry.formula)
            self.surface_buttons.addButton(button)
            grid.addWidget(button, i // 2, i % 2)
        self.surface_buttons.buttonClicked.connect(self._surface_clicked)
        layout.addLayout(grid)
        form = QFormLayout()
        self.condition_number = QDoubleSpinBox()
        self.condition_number.setObjectName("optimizer_lab.surface_params.condition_number")
        self.condition_number.setRange(1.0, 1000.0)
        self.condition_number.setDecimals(1)
        self.condition_number.setKeyboardTracking(False)
        self.condition_number.setToolTip("κ, the ratio of the bowl's curvatures")
        self.condition_label = QLabel("condition number κ")
        form.addRow(self.condition_label, self.condition_number)
        self.formula = QLineEdit()
        self.formula.setObjectName("optimizer_lab.formula")
        self.formula.setPlaceholderText(CUSTOM_DEFAULT)
        self.formula.setToolTip("f(x, y) with + − * / ^, exp log sin cos tanh sigmoid abs sqrt "
                                "max min; press Enter")
        self.formula_label = QLabel("f(x, y) =")
        form.addRow(self.formula_label, self.formula)
        self.extent = QDoubleSpinBox()
        self.extent.setObjectName("optimizer_lab.surface_params.extent")
        self.extent.setRange(0.01, 1000.0)
        self.extent.setKeyboardTracking(False)
        self.extent_label = QLabel("x, y in ±")
        form.addRow(self.extent_label, self.extent)
        layout.addLayout(form)
        self.surface_formula = QLabel()
        self.surface_formula.setWordWrap(True)
        self.surface_formula.setStyleSheet("color: #333;")
        layout.addWidget(self.surface_formula)
        self.condition_number.valueChanged.connect(
            lambda v: self._edit_surface_param("condition_number", v))
        self.extent.valueChanged.connect(lambda v: self._edit_surface_param("extent", v))
        self.formula.editingFinished.connect(self._formula_entered)
        return box

    def _race_box(self) -> QGroupBox:
        box = QGroupBox("Racers (all start at ★)")
        layout = QVBoxLayout(box)
        self.racer_area = QVBoxLayout()
        self.racer_area.setSpacing(4)
        layout.addLayout(self.racer_area)
        self.racer_editors: list[RacerEditor] = []
        row = QHBoxLayout()
        self.add_racer = QPushButton("+ Add optimizer")
        self.add_racer.setObjectName("optimizer_lab.racers.add")
        self.default_start = QPushButton("★ Surface's start")
        self.default_start.setObjectName("optimizer_lab.start")
        self.default_start.setToolTip("put the start back where the surface tells its story")
        row.addWidget(self.add_racer)
        row.addWidget(self.default_start)
        layout.addLayout(row)
        form = QFormLayout()
        self.steps = QSpinBox()
        self.steps.setObjectName("optimizer_lab.steps")
        self.steps.setRange(1, 5000)
        self.steps.setKeyboardTracking(False)
        form.addRow("steps", self.steps)
        layout.addLayout(form)
        self.add_racer.clicked.connect(self._add_racer)
        self.default_start.clicked.connect(lambda: self._edit(lambda lab: setattr(lab, "start",
                                                                                  [])))
        self.steps.valueChanged.connect(lambda v: self._edit(lambda lab: setattr(lab, "steps",
                                                                                 int(v))))
        return box

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
        self.speed = QSpinBox()
        self.speed.setObjectName("optimizer_lab.speed")
        self.speed.setRange(1, 240)
        self.speed.setSuffix(" steps/s")
        self.speed.setKeyboardTracking(False)
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
    def set_experiment(self, exp: Experiment) -> None:
        """Show another experiment's lab settings (a file opened, an undo)."""
        if exp.optimizer_lab == self.experiment.optimizer_lab:
            self.experiment = exp.copy()
            return
        self.experiment = exp.copy()
        if exp.title and exp.outcome.metric.startswith("race_"):
            self.lesson.setText(f"<b>{html.escape(exp.title)}</b> — "
                                f"{html.escape(exp.description)}")
            self.lesson.show()
        else:
            self.lesson.hide()
        self._show_settings()
        self._race()

    def _edit(self, change, race: bool = True) -> None:
        """Apply `change(lab_spec)` to a copy, check it, and race the result."""
        if self._updating:
            return
        exp = self.experiment.copy()
        change(exp.optimizer_lab)
        try:
            F.validate(exp.optimizer_lab, "optimizer_lab")
        except PlaygroundError as exc:
            self.show_message(str(exc))
            return
        self.show_message("")
        structural = (len(exp.optimizer_lab.racers) != len(self.experiment.optimizer_lab.racers)
                      or [r.optimizer for r in exp.optimizer_lab.racers]
                      != [r.optimizer for r in self.experiment.optimizer_lab.racers]
                      or [r.schedule for r in exp.optimizer_lab.racers]
                      != [r.schedule for r in self.experiment.optimizer_lab.racers]
                      or exp.optimizer_lab.surface != self.experiment.optimizer_lab.surface)
        self.experiment = exp
        if structural:
            self._show_settings()
        if race:
            self._race()
        self.changed.emit(exp.copy())

    def _show_settings(self) -> None:
        """Controls show the experiment's lab settings (without echoing edits back)."""
        lab = self.experiment.optimizer_lab
        self._updating = True
        try:
            for button in self.surface_buttons.buttons():
                button.setChecked(button.objectName() == f"optimizer_lab.surface={lab.surface}")
            entry = SURFACES[lab.surface]
            params = entry.resolve(lab.surface_params)
            bowl, custom = lab.surface == "bowl", lab.surface == "custom"
            for w in (self.condition_number, self.condition_label):
                w.setVisible(bowl)
            for w in (self.formula, self.formula_label, self.extent, self.extent_label):
                w.setVisible(custom)
            if bowl:
                self.condition_number.setValue(params["condition_number"])
            if custom:
                self.extent.setValue(params["extent"])
                self.formula.setText(lab.formula or CUSTOM_DEFAULT)
            self.surface_formula.setText(entry.formula if not custom else "")
            self.steps.setValue(lab.steps)
            self.speed.setValue(int(round(lab.speed)))
            self._show_racers(lab.racers)
        finally:
            self._updating = False

    def _show_racers(self, racers: list[RacerSpec]) -> None:
        for editor in self.racer_editors:
            self.racer_area.removeWidget(editor)
            editor.deleteLater()
        self.racer_editors = []
        for i, racer in enumerate(racers):
            editor = RacerEditor(i, racer)
            editor.edited.connect(self._racer_edited)
            editor.removed.connect(self._racer_removed)
            self.racer_area.addWidget(editor)
            self.racer_editors.append(editor)
        self.add_racer.setEnabled(len(racers) < 8)

    @Slot(object)
    def _surface_clicked(self, button) -> None:
        name = button.objectName().split("=", 1)[1]

        def change(lab):
            lab.surface, lab.surface_params, lab.start = name, {}, []
            for r in lab.racers:  # a rate that suits the new surface, as a first guess
                r.start = []

        self._edit(change)

    def _edit_surface_param(self, key: str, value: float) -> None:
        self._edit(lambda lab: lab.surface_params.update({key: float(value)}))

    def _formula_entered(self) -> None:
        text = self.formula.text().strip() or CUSTOM_DEFAULT
        if text != self.experiment.optimizer_lab.formula:
            self._edit(lambda lab: setattr(lab, "formula", text))

    @Slot(int, object)
    def _racer_edited(self, index: int, racer: RacerSpec) -> None:
        def change(lab):
            lab.racers[index] = racer

        self._edit(change)

    @Slot(int)
    def _racer_removed(self, index: int) -> None:
        self._edit(lambda lab: lab.racers.pop(index))

    def _add_racer(self) -> None:
        used = {r.optimizer for r in self.experiment.optimizer_lab.racers}
        name = next((n for n in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
                                 "adamw") if n not in used), "sgd")
        rate = self.experiment.optimizer_lab.racers[0].learning_rate \
            if self.experiment.optimizer_lab.racers else 0.01
        self._edit(lambda lab: lab.racers.append(RacerSpec(name, rate)))

    @Slot(float, float)
    def set_start(self, x: float, y: float) -> None:
        """A click on the map: every racer starts there (racers with their own start too)."""
        def change(lab):
            lab.start = [x, y]
            for r in lab.racers:
                r.start = []

        self._edit(change)

    # ------------------------------------------------------------------------ the worker
    def _race(self) -> None:
        self._token += 1
        self.worker.submit("race", copy.deepcopy(self.experiment.optimizer_lab), self._token)

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
        self.show_message(text)
        self.network_panel.finish("")

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _train_and_slice(self, epochs: int, every: int, extent: float) -> None:
        self._slice_token += 1
        self.worker.submit("slice", self.experiment.copy(), epochs, every, extent, 31,
                           self._slice_token)

    def _cancel_slice(self) -> None:
        self._slice_token += 1  # results still on their way are dropped
        if self.worker.isRunning():
            self.worker.post("cancel")

    @Slot(object)
    def on_slice(self, result: SliceResult) -> None:
        if result.token == self._slice_token:
            self.network_panel.show_slice(result)

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
        self.play_button.setText("⏸ Pause" if on else "▶ Play")
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

    def _speed_changed(self, value: int) -> None:
        if self.timer.isActive():
            self._play_clock, self._play_from = time.perf_counter(), self.step
            self.timer.setInterval(int(1000 / min(value, FRAME_RATE)))
        self._edit(lambda lab: setattr(lab, "speed", float(value)), race=False)

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
