"""The main window: data panel, network view, output view, trace plots, training bar."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from PySide6.QtCore import QSettings, QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSlider,
    QSplitter,
    QTabWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..core import commands as C
from ..core.checks import check_training_data
from ..core.datasets import build_dataset
from ..core.errors import PlaygroundError
from ..core.features import FEATURES
from ..core.session import Change, Session
from ..core.session import SetWeight as SessionSetWeight
from ..core.spec import Experiment
from .evaluation_host import EvaluationHost
from .file_actions import FileActions
from .input_guard import guard_all
from .lesson_host import LessonHost
from .network_edits import NetworkEdits
from .panels.data_panel import DataPanel
from .panels.network_tools import Inspector, NetworkHeader, Palette
from .panels.training_bar import TrainingBar
from .panels.training_settings import TrainingSettings
from .presentation import Presentation
from .run_status import RunStatus
from .session_qt import QtSession, bind_check
from .views.network_view import NetworkView
from .views.output_view import OutputView
from .views.trace_view import TracePlot
from .worker import (
    ApplyLive,
    Build,
    Frame,
    KeepState,
    Pause,
    Play,
    SetWeight,
    StepBatch,
    StepEpoch,
    TrainingWorker,
)

PAINT_INTERVAL_MS = 16  # at most ~60 redraws a second, whatever the worker produces
MAX_RECORDED = 300  # frames kept for the history slider (thinned evenly when full)
KEPT_RUNS = 4  # runs kept for undo and redo to bring back (each with its history: ~10 MB
# compressed at 10M epochs)


def even_frames(frames: list, n: int) -> tuple[list, float]:
    """About n of `frames` (epochs ascending) spread evenly over their epochs, the first and
    the last kept, and the epochs between two of them: the step later frames keep. Halving
    by frame count (every other) left the early run thin and the last minutes dense: half the
    slider was the last few percent of a long run."""
    epochs = np.array([f.epoch for f in frames], dtype=float)
    targets = np.linspace(epochs[0], epochs[-1], n)
    kept = np.unique(np.searchsorted(epochs, targets))
    return [frames[i] for i in kept], (epochs[-1] - epochs[0]) / (n - 1)


def _shrink(snap):
    """A recorded copy with small neuron maps (the slider's memory stays modest)."""
    step = max(1, snap.resolution // 25)
    return dataclasses.replace(snap, neurons={k: v[:, ::step, ::step].copy()
                                              for k, v in snap.neurons.items()}, history={},
                               gradient_log=None)  # the live one is drawn, cursor at the epoch


def rate_text(playing: bool, epochs_per_second: float, frames_per_second: int) -> str:
    """The status bar's speed: the rates while training; paused, it says so (the last rate
    stayed on screen and read as if the run were still going)."""
    if not playing:
        return "paused"
    return f"{epochs_per_second:,.0f} epochs/s  |  {frames_per_second} frames/s"


class MainWindow(NetworkEdits, FileActions, Presentation, LessonHost, EvaluationHost,
                 QMainWindow):
    run_frame = Signal(object)  # each frame of the run the window shows (the labs follow it)

    def __init__(self, experiment: Experiment | None = None, settings: QSettings | None = None,
                 recovery_path: str | None = None):
        super().__init__()
        self.setWindowTitle("playground")
        self.settings = settings or QSettings("playground", "playground")
        self.session = Session(experiment)
        self.qs = QtSession(self.session, self)
        self.playing = False
        self.latest: Frame | None = None
        self._drawn: Frame | None = None
        self._recorded: list = []
        self._kept_frames: dict[int, tuple[list, float]] = {}  # kept runs' slider frames
        self._record_step = 0.0  # epochs between recorded frames (0: every frame)
        # (id(command), undone) -> (command, KeepState key): the run trained before a command
        # (False) or after it (True), for undo and redo to bring back
        self._runs: dict[tuple[int, bool], tuple[object, int]] = {}
        self._scrubbing = False
        self._paint_times: list[float] = []
        self._token = 0  # the build whose frames are drawn; older ones are stale
        self._build_ui()
        self.worker = TrainingWorker(self.experiment)
        self.worker.frame_ready.connect(self.on_frame)
        self.worker.build_failed.connect(self.on_build_failed)
        self.worker.failed.connect(self.on_worker_failed)
        self._init_files(recovery_path)
        self._init_lessons()
        self._build_menus()
        self.qs.changed.connect(self.on_session_changed)
        self.qs.refused.connect(self.on_refused)
        self._show_experiment(post=False)  # the worker builds its first trainer as it starts
        self._update_title()
        self.worker.start()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.paint)
        self.timer.start(PAINT_INTERVAL_MS)
        self._restore_layout()
        guard_all(self)  # controls not bound to a field (the history slider, the labs' own)

    @property
    def experiment(self) -> Experiment:
        """The session's one experiment (read it; edit it through `self.qs`)."""
        return self.session.experiment

    # ------------------------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        qs = self.qs
        self.training_bar = TrainingBar(qs)
        self.data_panel = DataPanel(qs)
        self.network_view = NetworkView()
        self.network_header = NetworkHeader()
        self.palette = Palette()
        self.inspector = Inspector()
        network_box = self.network_box = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.network_header)
        canvas = QHBoxLayout()
        canvas.addWidget(self.palette)
        canvas.addWidget(self.network_view, 1)
        top_layout.addLayout(canvas, 1)
        network_box.addWidget(top)
        network_box.addWidget(self.inspector)
        network_box.setSizes([560, 160])
        self.output_view = OutputView()
        self.trace = TracePlot()
        data_scroll = self.data_scroll = QScrollArea()
        data_scroll.setWidget(self.data_panel)
        data_scroll.setWidgetResizable(True)
        data_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fit_data_column()

        from .clustering import PaintBar, PaintOverlay

        # Points drawn on the output view are a data set the network can train on.
        self.paint_overlay = PaintOverlay(qs, self.output_view.plot.getPlotItem(),
                                          show_points=False, parent=self)
        paint_box = QGroupBox("Draw data")
        QVBoxLayout(paint_box).addWidget(PaintBar(self.paint_overlay))
        self.data_panel.layout().insertWidget(3, paint_box)
        self.run_status = RunStatus()
        self.show_test = bind_check(qs, QCheckBox("Show test data"), "view.show_test_data")
        self.discretize = bind_check(qs, QCheckBox("Discretize output"), "view.discretize")
        bind_check(qs, self.trace.log, "view.log_loss")
        self.history_slider = QSlider(Qt.Orientation.Horizontal)
        self.history_slider.setObjectName("run.history")
        self.history_slider.setRange(0, 1)  # (see _show_slider_range)
        self.history_slider.setValue(1)
        self.history_slider.setEnabled(False)  # (until there are two frames to choose from)
        self.history_slider.setToolTip(
            "Replay how the boundary and the neurons evolved: frames are kept as the run "
            "trains in this window (an opened file has only its last state until it trains)")
        self.history_label = QLabel("live")
        toggles = QHBoxLayout()
        toggles.addWidget(self.show_test)
        toggles.addWidget(self.discretize)
        toggles.addStretch(1)
        replay = QHBoxLayout()
        self.history_caption = QLabel("History")
        replay.addWidget(self.history_caption)
        replay.addWidget(self.history_slider, 1)
        replay.addWidget(self.history_label)
        output_box = QWidget()
        out_layout = QVBoxLayout(output_box)
        out_layout.setContentsMargins(0, 0, 0, 0)
        out_layout.addWidget(self.run_status)
        out_layout.addWidget(self.output_view, 1)
        out_layout.addLayout(toggles)
        out_layout.addLayout(replay)

        self.right_split = QSplitter(Qt.Orientation.Vertical)
        self.right_split.addWidget(output_box)
        self.right_split.addWidget(self._build_evaluation())  # the trace plots' tab and more
        self.right_split.setSizes([440, 360])
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(data_scroll)
        self.main_split.addWidget(network_box)
        self.main_split.addWidget(self.right_split)
        self.main_split.setSizes([350, 500, 430])  # the network gets the room its header needs
        network_tab = QWidget()
        layout = QVBoxLayout(network_tab)
        layout.setContentsMargins(4, 4, 4, 4)
        self.lesson = QLabel()
        self.lesson.setObjectName("lesson.text")
        self.lesson.setTextFormat(Qt.TextFormat.PlainText)  # a file's title is text, not HTML
        self.lesson.setWordWrap(True)
        self.lesson.setStyleSheet("background: #eef5fb; padding: 6px; border-radius: 4px;")
        self.lesson.hide()
        layout.addWidget(self.lesson)
        layout.addWidget(self.training_bar)
        layout.addWidget(self.main_split, 1)
        from .clustering_lab import ClusteringLab

        self.clustering_lab = ClusteringLab(qs)
        self.tabs = QTabWidget()
        self.tabs.addTab(network_tab, "Neural network")
        self.tabs.addTab(self.clustering_lab, "Clustering")
        from .optimizer_lab import install as install_optimizer_lab  # the "Optimizers" tab
        install_optimizer_lab(self)
        from .graph_lab import install as install_graph_lab  # the "Backprop" tab
        install_graph_lab(self)
        from .sweep_lab import install as install_sweep_lab  # the "Sweeps" tab
        install_sweep_lab(self)
        # A lab makes some controls as it is used (a racer's row): guard them when shown.
        self.tabs.currentChanged.connect(lambda _i: guard_all(self.tabs.currentWidget()))
        from .backward_views import BackwardViews  # gradient flow, histograms, one example

        self.backward = BackwardViews(self)
        self.setCentralWidget(self.tabs)
        self.training_settings = TrainingSettings(qs)
        settings_scroll = QScrollArea()
        settings_scroll.setWidget(self.training_settings)
        settings_scroll.setWidgetResizable(True)
        # A window of its own beside the main one: readable at any main-window size, and the
        # first screen stays as calm as TF Playground's.
        self.settings_window = QDialog(self)
        self.settings_window.setObjectName("window.training_settings")
        self.settings_window.setWindowTitle("Training settings")
        self.settings_window.setModal(False)
        QVBoxLayout(self.settings_window).addWidget(settings_scroll)
        self.settings_window.resize(460, 680)
        self.status_device = QLabel()
        self.status_rate = QLabel()
        self.statusBar().addPermanentWidget(self.status_device)
        self.statusBar().addPermanentWidget(self.status_rate)
        for button in self.training_bar.findChildren(QToolButton):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space belongs to play/pause

        bar = self.training_bar
        bar.play_toggled.connect(self.toggle_play)
        bar.step_epoch.connect(self.step_epoch)
        bar.step_batch.connect(self.step_batch)
        bar.reset.connect(self.reset)
        self.run_status.reset_requested.connect(self.reset)
        self.run_status.lower_rate_requested.connect(self.lower_learning_rate)
        self.network_view.neuron_hovered.connect(self.on_neuron_hovered)
        self.network_view.weight_clicked.connect(self.on_weight_clicked)
        self.network_view.block_selected.connect(
            lambda n: self.inspector.show_node(self.experiment.network, n))
        self.network_view.units_delta.connect(self.change_units)
        self.network_view.block_dropped.connect(self.add_block)
        self.network_view.connect_requested.connect(
            lambda a, b: self.edit_network(C.Connect(a, b)))
        self.network_view.block_moved.connect(
            lambda n, x, y: self.edit_network(C.Move(n, (round(x, 1), round(y, 1)))))
        self.network_view.delete_requested.connect(self.delete_blocks)
        self.network_view.edit_requested.connect(self.edit_network)  # Disconnect, Splice
        self.output_view.example_chosen.connect(self.network_view.set_example)
        self.network_view.copy_requested.connect(self.copy_blocks)
        self.network_view.paste_requested.connect(self.paste_blocks)
        self.network_header.auto_layout.connect(self.auto_layout)
        self.network_header.fit.connect(self.network_view.fit_all)
        self.palette.add_block.connect(self.add_block_at_end)
        self.network_header.command.connect(self.edit_network)
        self.network_header.undo.connect(self.undo_edit)
        self.network_header.redo.connect(self.redo_edit)
        self.inspector.command.connect(self.edit_network)
        self.inspector.weights_requested.connect(self.edit_block_weights)
        self.history_slider.valueChanged.connect(self.on_history_moved)

    def fit_data_column(self) -> None:
        """The data column at least as wide as its panel needs at the type shown (it never
        scrolls sideways: at presentation type it kept its normal width and cut the
        gallery's fourth column off)."""
        scroll = self.data_scroll
        scroll.setMinimumWidth(self.data_panel.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width()
                               + 2 * scroll.frameWidth())

    def _build_menus(self) -> None:
        def action(menu, text, slot, shortcut=None, name=""):
            act = QAction(text, self)
            if name:
                act.setObjectName(name)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
                act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            act.triggered.connect(slot)
            menu.addAction(act)
            self.addAction(act)
            return act

        self._build_file_menu(action)
        edit = self.menuBar().addMenu("&Edit")
        self.undo_action = action(edit, "Undo", self.undo_edit, "Ctrl+Z", "edit.undo")
        self.redo_action = action(edit, "Redo", self.redo_edit, "Ctrl+Shift+Z", "edit.redo")
        # (Ctrl+Y too, as on Windows and in most editors: a trial's teacher pressed it first)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        train = self.menuBar().addMenu("&Training")
        self.play_action = action(train, "Play / Pause", self.toggle_play, "Space")
        action(train, "Step one epoch", self.step_epoch, "Right")
        action(train, "Step one batch", self.step_batch, "Shift+Right")
        action(train, "Reset", self.reset, "R")
        train.addSeparator()
        settings = QAction("⚙ More settings", self)  # the bar's button shows this text too
        settings.setCheckable(True)
        settings.toggled.connect(self.settings_window.setVisible)
        self.settings_window.finished.connect(lambda _=0: settings.setChecked(False))
        settings.setToolTip("Optimizer hyperparameters, schedules, regularizers, early stopping, "
                            "seeds (Ctrl+T)")
        settings.setShortcut(QKeySequence("Ctrl+T"))
        settings.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        settings.setObjectName("run.more_settings.action")
        train.addAction(settings)
        self.addAction(settings)
        self.training_bar.add_settings_button(settings)
        self._build_view_menu(action)
        self._update_undo_actions()

    # ------------------------------------------------------------------------ commands
    def toggle_play(self) -> None:
        if self._scrubbing:
            self.history_slider.setValue(self.history_slider.maximum())
        if not self.playing and self._drawn is not None and self._drawn.snapshot.status in (
                "diverged", "stopped", "finished"):
            self.run_status.flash()  # Play cannot go on from here: the strip says why
            return
        self.playing = not self.playing
        self.worker.post(Play() if self.playing else Pause())
        self.training_bar.set_playing(self.playing)
        if not self.playing:
            self.status_rate.setText(rate_text(False, 0.0, 0))  # at once, not at the next frame

    def step_epoch(self) -> None:
        self._go_live()
        self.playing = False
        self.training_bar.set_playing(False)
        self.worker.post(StepEpoch())

    def step_batch(self) -> None:
        self._go_live()
        self.playing = False
        self.training_bar.set_playing(False)
        self.worker.post(StepBatch())

    def reset(self) -> None:
        self.restart()

    def restart(self, state: dict | None = None) -> None:
        """A fresh run of the experiment, or the run `state` holds (a lesson's Back)."""
        self.playing = False
        self.training_bar.set_playing(False)
        self.latest = self._drawn  # a frame of the old run, not drawn yet, must not be
        self._forget_recorded()
        self._go_live()
        self._post_build(state)

    def lower_learning_rate(self) -> None:
        """The way out of divergence: a rate ten times smaller, then a fresh start."""
        self.qs.set("training.learning_rate", max(self.experiment.training.learning_rate / 10,
                                                  1e-6))
        self.reset()

    def _go_live(self) -> None:
        """Leave the history replay: the views show the run as it is now."""
        self._scrubbing = False
        self.trace.mark_epoch(None)
        self.history_label.setText("live")
        with QSignalBlocker(self.history_slider):
            self.history_slider.setValue(self.history_slider.maximum())

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # ------------------------------------------------------------------ session changes
    def replace_experiment(self, exp: Experiment, label: str = "replace the experiment") -> bool:
        """Swap in another whole experiment as one undoable edit (CSV import, scripts, tests)."""
        values = {f.name: getattr(exp, f.name) for f in dataclasses.fields(exp)}
        return self.qs.set_many(values, label)

    apply_experiment = replace_experiment

    @Slot(object)
    def on_session_changed(self, change: Change) -> None:
        """Bring every view up to the session's change. A failure here must not leave a half
        drawn window unexplained: it is kept for the caller (opening a file puts the old
        experiment back) and shown."""
        self.show_error = None
        try:
            self._follow_change(change)
        except Exception as exc:  # noqa: BLE001 - any failure is shown, never swallowed
            self.show_error = exc
            self.run_status.show_message(f"Cannot show this: {type(exc).__name__}: "
                                         f"{str(exc)[:200]}", "error", can_reset=False)

    def _follow_change(self, change: Change) -> None:
        self._update_title()
        self._update_undo_actions()
        if change.loaded or change.needs_rebuild:
            state = self.__dict__.pop("_pending_state", None) if change.loaded else None
            if change.touches("data"):  # a curve of other data compares with nothing here
                self.trace.forget_previous()
            kept = None if change.loaded else self._swap_runs(change)
            if change.loaded:
                self._forget_runs()
                # another experiment: no block of it is picked (after Ctrl+N the panel still
                # said "Dense: dense2", the last file's pick, with nothing selected)
                self.inspector.node_id = None
                self.network_view.scene().clearSelection()
                self.network_view.select_link(None)
            self._show_experiment(post=True, state=state, kept=kept)
            if change.loaded:
                self.show_lesson_steps()
            return
        kinds = change.kinds
        if kinds & {"live", "view"}:
            self.worker.post(ApplyLive(self.experiment.copy()))
        if "view" in kinds:  # (the speed goes with ApplyLive's experiment)
            self.apply_view()
        if "layout" in kinds:
            self._layout_network(self.experiment, self._dataset)
            if self._drawn is not None:
                self.network_view.update_snapshot(self._drawn.snapshot)
        if "state" in kinds:  # hand-set weights: one, or a table's worth at once
            parts = getattr(change.command, "parts", [change.command])
            for cmd in parts if not change.undone else reversed(parts):
                if isinstance(cmd, SessionSetWeight):
                    self.worker.post(SetWeight(cmd.node, cmd.row, cmd.col,
                                               cmd.current(change.undone)))
        if "meta" in kinds:
            self._show_lesson_text()

    @Slot(str)
    def on_refused(self, message: str) -> None:
        """A refused edit is said where the user is looking (the field they typed into), and
        in the status bar: a reverted value with no word looked like a lost keystroke."""
        self.statusBar().showMessage(message, 8000)
        field = QApplication.focusWidget()
        if field is not None and field.window() is self:
            QToolTip.showText(field.mapToGlobal(field.rect().bottomLeft()), message, field)

    def _swap_runs(self, change: Change) -> int | None:
        """Keep the run being left by a change that rebuilds, and say which kept run to bring
        back: undo returns to the run trained before the change, redo to the one after it
        (an accidental dataset click and Ctrl+Z lost a 1.4M-epoch run). A new change starts
        a fresh run, as ever."""
        command = change.command
        if command is None:
            return None
        self._marks += 1
        self.worker.post(KeepState(self._marks))  # (ignored while nothing can train)
        # the frames recorded for the history slider go with the run (after undo and redo
        # the slider had one frame: the replay of the run brought back was gone)
        self._kept_frames[self._marks] = (self._recorded, self._record_step)
        self._recorded = []
        self._runs[(id(command), change.undone)] = (command, self._marks)
        while len(self._runs) > KEPT_RUNS:
            _, key = self._runs.pop(next(iter(self._runs)))
            self.worker.kept.pop(key, None)
            self._kept_frames.pop(key, None)
        back = self._runs.get((id(command), not change.undone))
        return back[1] if back is not None and back[0] is command else None

    def _forget_runs(self) -> None:
        for _, key in self._runs.values():
            self.worker.kept.pop(key, None)
        self._runs.clear()
        self._kept_frames.clear()

    def _show_experiment(self, post: bool = True, state: dict | None = None,
                         kept: int | None = None) -> None:
        """Lay out every view for the session's experiment; with `post`, rebuild the trainer
        (with a file's trained `state` when one is given, or the run kept under `kept`)."""
        exp = self.experiment
        self.run_status.clear()
        self._forget_recorded()
        self._go_live()
        # The view first: the rows rebuilt below take the type of the mode the experiment is
        # shown in (built under presentation type and restyled after, the Block panel's rows
        # kept 15 pt when Ctrl+N left presentation mode).
        self.apply_view()
        self.network_header.set_graph(exp.network, self.session.can_undo, self.session.can_redo)
        self.inspector.show_node(exp.network, self.inspector.node_id)
        self._show_lesson_text()
        self.playing = False
        self.training_bar.set_playing(False)
        try:
            dataset = build_dataset(exp.data)
        except PlaygroundError as exc:
            self._dataset = None
            self._token += 1  # frames of the previous run are stale now
            self._clear_run(str(exc))
            return
        self._dataset = dataset
        self.network_header.problem = dataset.problem
        self.output_view.set_data(dataset.x, dataset.y, len(dataset.train_idx), dataset.problem,
                                  dataset.domain, len(dataset.val_idx))
        self.evaluation.set_dataset(dataset)
        valid = self._layout_network(exp, dataset)
        try:
            check_training_data(dataset)  # drawn data may be too little to train on yet
        except PlaygroundError as exc:
            valid = False
            self._clear_run(str(exc))
        if post and valid:
            self._post_build(state, kept)
            if kept is not None and kept in self._kept_frames:
                self._recall_frames(*self._kept_frames[kept])
        elif post:
            self._token += 1

    def _post_build(self, state: dict | None = None, kept: int | None = None) -> None:
        self._token += 1
        self.worker.post(Build(self.experiment.copy(), self._token, state, kept))

    def _clear_run(self, message: str) -> None:
        """Nothing can train: no epoch, no boundary and no maps of an older run stay on
        screen, and the strip says why."""
        self.latest = self._drawn = None
        self.output_view.clear_run()
        self.network_view.clear_run()
        self.trace.update_history({}, -self._token, "binary", force=True)
        self.training_bar.set_metrics(None, None)
        self.training_bar.set_can_train(False, message)
        self.play_action.setEnabled(False)
        self.run_status.show_message(f"Cannot train this: {message}", "error",
                                     can_reset=False)

    def show_lesson(self, title: str, description: str) -> None:
        self.lesson.setText(f"{title} — {description}" if description else title)
        self.lesson.setVisible(bool(title))

    def _show_lesson_text(self, finished: bool = False) -> None:
        """The lesson's title and what it shows. A guided lesson's description is its
        conclusion, so until its last step is done the banner says the lesson's goal instead:
        it answered the steps' questions ("With x₁² and x₂² as inputs the circle is a
        straight cut" above "What shape will the boundary take?")."""
        exp = self.experiment
        lesson = getattr(exp, "lesson", None)
        if self.clustering_lab.is_lesson_of(exp):
            self.show_lesson("", "")  # its text is on the Clustering tab, where it runs
        elif lesson is not None and lesson.steps and not finished:
            self.show_lesson(exp.title, lesson.goal)
        else:
            self.show_lesson(exp.title, exp.description)

    def _layout_network(self, exp: Experiment, dataset) -> bool:
        """Draw the network, valid or not: offending blocks are outlined with the reason and
        play is disabled until the graph is fixed. True when it is valid."""
        from ..core.graph import tolerant_widths

        if dataset is None:
            return False
        n_in = len(exp.features) if dataset.is_2d else dataset.x.shape[1]
        n_out = dataset.n_classes if dataset.problem == "multiclass" else 1
        errors = exp.network.validate(n_in, n_out)
        problems: dict[str, str] = {}
        for e in errors:
            if e.node:
                problems[e.node] = "; ".join(filter(None, [problems.get(e.node), e.message]))
        labels = [FEATURES[f].label for f in exp.features] if dataset.is_2d else [
            f"pixel {i}" for i in range(n_in)]
        self.network_view.set_network(exp.network, tolerant_widths(exp.network, n_in, n_out),
                                      labels, problems)
        if errors:
            self._clear_run(str(errors[0]))
        return not errors

    def _update_undo_actions(self) -> None:
        s = self.session
        self.undo_action.setEnabled(s.can_undo)
        self.redo_action.setEnabled(s.can_redo)
        self.undo_action.setText(f"Undo {s.undo_label}" if s.can_undo else "Undo")
        self.redo_action.setText(f"Redo {s.redo_label}" if s.can_redo else "Redo")
        self.network_header.set_graph(self.experiment.network, s.can_undo, s.can_redo)

    # -------------------------------------------------------------------------- frames
    @Slot(object)
    def on_frame(self, frame: Frame) -> None:
        if frame.token != self._token:
            return  # from a network the views no longer show
        self.latest = frame  # drawn by the paint timer; older undrawn frames are dropped
        self.run_frame.emit(frame)

    @Slot(str)
    def on_build_failed(self, message: str) -> None:
        self._clear_run(message)

    @Slot(str)
    def on_worker_failed(self, message: str) -> None:
        """An unexpected error in the worker: say so; the session is unchanged and Reset
        starts a fresh run."""
        self.playing = False
        self.training_bar.set_playing(False)
        self.run_status.show_message(f"Something went wrong while training ({message}). "
                                     "Press Reset to start again.", "error")

    def paint(self) -> None:
        frame = self.latest
        if frame is None or frame is self._drawn:
            return  # nothing new
        if frame.token != self._token:  # a frame of a network the views no longer show
            self.worker.frame_drawn()  # (the worker may make the next one now)
            return
        self._drawn = frame
        try:
            self._paint(frame)
        except Exception as exc:  # noqa: BLE001 - shown in the strip, never a dialog per frame
            self.run_status.show_message(f"Cannot draw this frame: {type(exc).__name__}: "
                                         f"{str(exc)[:200]}", "error")
        finally:
            self.worker.frame_drawn()

    def _paint(self, frame: Frame) -> None:
        snap = frame.snapshot
        self.play_action.setEnabled(True)
        self.training_bar.set_can_train(True)
        if self.playing != frame.playing:
            self.playing = frame.playing
            self.training_bar.set_playing(frame.playing)
        if snap.epoch != self._saved_epoch or snap.batch:
            self.session.mark_dirty()  # trained weights differ from the saved ones
        self.backward.on_frame(frame)
        self._record(snap)
        if not self._scrubbing:
            self._draw(snap)
        self.run_status.show_state(snap.status, snap.message)
        self.trace.update_history(snap.history, frame.run_id, snap.problem,
                                  force=not frame.playing)
        self.evaluation.follow_run(frame.run_id, snap)
        if not self._scrubbing:
            self.training_bar.set_metrics(snap.epoch, snap.metrics, snap.batch,
                                          frame.batches_per_epoch)
        self.training_settings.schedule_plot.set_epoch(snap.epoch)
        self._check_lesson_training(snap.epoch, snap.status)
        now = time.perf_counter()
        self._paint_times = [t for t in self._paint_times if now - t < 1.0] + [now]
        note = f"  ({frame.device_note})" if frame.device_note else ""
        self.status_device.setText(f"device: {frame.device}{note}  |  {frame.path} path")
        self.status_device.setToolTip(frame.path_reason)
        self.status_rate.setText(rate_text(frame.playing, frame.epochs_per_second,
                                           len(self._paint_times)))

    def _draw(self, snap) -> None:
        self.output_view.update_snapshot(snap)
        self.network_view.update_snapshot(snap)
        self.backward.draw(snap)
        self.evaluation.update_snapshot(snap)

    def _record(self, snap) -> None:
        """Keep a small copy of the frame for the history slider: every frame until
        MAX_RECORDED, then frames a step of epochs apart (and always the newest, replaced
        until the next is a step past the one before it), so they stay even over the run."""
        rec = self._recorded
        if rec and ((rec[-1].epoch == snap.epoch and snap.batch == 0)
                    or (len(rec) >= 2 and snap.epoch - rec[-2].epoch < self._record_step)):
            rec[-1] = _shrink(snap)
        else:
            rec.append(_shrink(snap))
        if len(rec) > MAX_RECORDED:
            self._recorded, self._record_step = even_frames(rec, MAX_RECORDED // 2)
        self._show_slider_range(live=not self._scrubbing)

    def _show_slider_range(self, live: bool = True) -> None:
        """The slider over the recorded frames; with fewer than two (an opened file has only
        its last state until it trains) it is off, its handle at the right beside "live"
        (at the left, it looked like the start of a replay that would not move)."""
        frames = len(self._recorded)
        self.history_slider.blockSignals(True)
        self.history_slider.setRange(0, max(frames - 1, 1))
        self.history_slider.setEnabled(frames > 1)
        if live or frames < 2:
            self.history_slider.setValue(self.history_slider.maximum())
        self.history_slider.blockSignals(False)

    def _recall_frames(self, frames: list, step: float) -> None:
        """The history slider's frames of a run brought back by undo or redo."""
        self._recorded, self._record_step = list(frames), step
        self._show_slider_range()
        self._go_live()

    def _forget_recorded(self) -> None:
        """A new run (or another experiment): nothing of the last one to replay."""
        self._recorded.clear()
        self._record_step = 0.0
        self._show_slider_range()

    def on_history_moved(self, index: int) -> None:
        if not self._recorded or self.latest is None:
            return
        self._scrubbing = index < len(self._recorded) - 1
        if self._scrubbing and self.playing:
            self.toggle_play()
        snap = self._recorded[index] if self._scrubbing else self.latest.snapshot
        self.history_label.setText(f"epoch {snap.epoch}" if self._scrubbing else "live")
        self._draw(snap)
        # The header and the curves say which epoch is shown (they kept the live one).
        self.training_bar.set_metrics(snap.epoch, snap.metrics, snap.batch,
                                      self.latest.batches_per_epoch, replay=self._scrubbing)
        self.trace.mark_epoch(snap.epoch if self._scrubbing else None)

    def on_neuron_hovered(self, node: str, unit: int) -> None:
        snap = self._drawn.snapshot if self._drawn else None
        if not node or snap is None or node not in snap.neurons:
            self.output_view.show_map(None)
            return
        self.output_view.show_map(snap.neurons[node][unit], f"{node}, unit {unit + 1}")

    def on_weight_clicked(self, node: str, row: int, col: int) -> None:
        current = self.network_view.weight(node, row, col)
        what = "bias" if col < 0 else "weight"
        where = f"unit {row + 1} of {node}" + ("" if col < 0 else f", from its input {col + 1}")
        value, ok = QInputDialog.getDouble(self, f"Edit {what}", f"The {what} of {where}:",
                                           current or 0.0, -100.0, 100.0, 3)
        if ok and value != current:
            self.qs.push(SessionSetWeight(node, row, None if col < 0 else col, value,
                                          current or 0.0, label=f"edit a {what} of {node}"))

    # ---------------------------------------------------------------------- lifecycle
    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        for key, split in (("main_split", self.main_split), ("right_split", self.right_split),
                           ("network_box", self.network_box)):
            state = self.settings.value(key)
            if state is not None:
                split.restoreState(state)

    def show_first(self) -> None:
        """Show the window as the app starts: where it was last time, else fitted to the
        screen (a 1280x800 window on a 1280x800 screen hid its status bar below the edge; on
        1920x1080 it opened small in the middle)."""
        if self.settings.value("geometry") is not None:
            self.show()
            return
        screen = self.screen().availableGeometry()
        if screen.width() <= 1440 or screen.height() <= 900:
            self.showMaximized()
            return
        width, height = min(1680, int(screen.width() * 0.88)), min(1050, int(screen.height() * 0.9))
        self.resize(width, height)
        self.move(screen.x() + (screen.width() - width) // 2,
                  screen.y() + (screen.height() - height) // 2)
        self.show()

    def closeEvent(self, event) -> None:
        if not self.keep_changes_or_proceed():
            event.ignore()
            return
        self.autosave_timer.stop()
        self.discard_recovery()
        self.settings.setValue("geometry", self.saveGeometry())
        for key, state in self.split_states().items():  # (as they are outside presentation)
            self.settings.setValue(key, state)
        self.settings.sync()
        self.timer.stop()
        self.worker.stop()
        self.clustering_lab.shutdown()
        super().closeEvent(event)

