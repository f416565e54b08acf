"""The main window: data panel, network view, output view, trace plots, training bar."""

from __future__ import annotations

import dataclasses
import time

from PySide6.QtCore import QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSlider,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core import commands as C
from ..core.datasets import build_dataset
from ..core.errors import PlaygroundError
from ..core.features import FEATURES
from ..core.graph import LOSSES, adapt_output
from ..core.spec import Experiment
from .file_actions import FileActions
from .network_edits import NetworkEdits
from .panels.data_panel import DataPanel
from .panels.network_tools import Inspector, NetworkHeader, Palette
from .panels.training_bar import TrainingBar
from .presentation import Presentation
from .views.network_view import NetworkView
from .views.output_view import OutputView
from .views.trace_view import TracePlot
from .worker import Frame, TrainingWorker

PAINT_INTERVAL_MS = 16  # at most ~60 redraws a second, whatever the worker produces
MAX_RECORDED = 300  # frames kept for the history slider (thinned evenly when full)


def _shrink(snap):
    """A recorded copy with small neuron maps (the slider's memory stays modest)."""
    step = max(1, snap.resolution // 25)
    return dataclasses.replace(snap, neurons={k: v[:, ::step, ::step].copy()
                                              for k, v in snap.neurons.items()}, history={})


class MainWindow(NetworkEdits, FileActions, Presentation, QMainWindow):
    def __init__(self, experiment: Experiment | None = None, settings: QSettings | None = None,
                 recovery_path: str | None = None):
        super().__init__()
        self.setWindowTitle("playground")
        self.settings = settings or QSettings("playground", "playground")
        self.experiment = (experiment or Experiment()).copy()
        self.playing = False
        self.latest: Frame | None = None
        self._drawn: Frame | None = None
        self._recorded: list = []
        self._scrubbing = False
        self._paint_times: list[float] = []
        self._problem: str | None = None
        self._token = 0  # the build whose frames are drawn; older ones are stale
        self._build_ui()
        self.worker = TrainingWorker(self.experiment)
        self.worker.frame_ready.connect(self.on_frame)
        self.worker.build_failed.connect(self.on_build_failed)
        self._init_files(recovery_path)
        self._build_menus()
        self.apply_experiment(self.experiment, rebuild=False)
        self._update_title()
        self.worker.start()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.paint)
        self.timer.start(PAINT_INTERVAL_MS)
        self._restore_layout()

    # ------------------------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        self.training_bar = TrainingBar()
        self.data_panel = DataPanel()
        self.network_view = NetworkView()
        self.network_header = NetworkHeader()
        self.palette = Palette()
        self.inspector = Inspector()
        self.undo_stack = C.UndoStack()
        network_box = QSplitter(Qt.Orientation.Vertical)
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
        data_scroll = QScrollArea()
        data_scroll.setWidget(self.data_panel)
        data_scroll.setWidgetResizable(True)
        data_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        data_scroll.setMinimumWidth(self.data_panel.minimumSizeHint().width() + 20)

        self.show_test = QCheckBox("Show test data")
        self.discretize = QCheckBox("Discretize output")
        self.history_slider = QSlider(Qt.Orientation.Horizontal)
        self.history_slider.setRange(0, 0)
        self.history_slider.setToolTip("Replay how the boundary and the neurons evolved")
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
        out_layout.addWidget(self.output_view, 1)
        out_layout.addLayout(toggles)
        out_layout.addLayout(replay)

        self.right_split = QSplitter(Qt.Orientation.Vertical)
        self.right_split.addWidget(output_box)
        self.right_split.addWidget(self.trace)
        self.right_split.setSizes([500, 300])
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(data_scroll)
        self.main_split.addWidget(network_box)
        self.main_split.addWidget(self.right_split)
        self.main_split.setSizes([360, 480, 460])
        network_tab = QWidget()
        layout = QVBoxLayout(network_tab)
        layout.setContentsMargins(4, 4, 4, 4)
        self.lesson = QLabel()
        self.lesson.setWordWrap(True)
        self.lesson.setStyleSheet("background: #eef5fb; padding: 6px; border-radius: 4px;")
        self.lesson.hide()
        layout.addWidget(self.lesson)
        layout.addWidget(self.training_bar)
        layout.addWidget(self.main_split, 1)
        from .clustering_lab import ClusteringLab

        self.clustering_lab = ClusteringLab()
        self.tabs = QTabWidget()
        self.tabs.addTab(network_tab, "Neural network")
        self.tabs.addTab(self.clustering_lab, "Clustering")
        from .optimizer_lab import install as install_optimizer_lab  # the "Optimizers" tab
        install_optimizer_lab(self)
        from .graph_lab import install as install_graph_lab  # the "Backprop" tab
        install_graph_lab(self)
        self.setCentralWidget(self.tabs)
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
        bar.speed_changed.connect(lambda v: self.worker.post("speed", v))
        bar.learning_rate_changed.connect(self.set_learning_rate)
        bar.changed.connect(self.on_settings_changed)
        self.data_panel.changed.connect(self.apply_experiment)
        self.clustering_lab.changed.connect(self.apply_experiment)
        self.output_view.reset_requested.connect(self.reset)
        self.show_test.toggled.connect(self.output_view.set_show_test)
        self.discretize.toggled.connect(self.output_view.set_discretize)
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
        self.network_view.copy_requested.connect(self.copy_blocks)
        self.network_view.paste_requested.connect(self.paste_blocks)
        self.network_header.auto_layout.connect(self.auto_layout)
        self.network_header.fit.connect(self.network_view.fit_all)
        self.palette.add_block.connect(self.add_block_at_end)
        self.network_header.command.connect(self.edit_network)
        self.network_header.undo.connect(self.undo_edit)
        self.network_header.redo.connect(self.redo_edit)
        self.inspector.command.connect(self.edit_network)
        self.history_slider.valueChanged.connect(self.on_history_moved)

    def _build_menus(self) -> None:
        def action(menu, text, slot, shortcut=None):
            act = QAction(text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
                act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            act.triggered.connect(slot)
            menu.addAction(act)
            self.addAction(act)
            return act

        self._build_file_menu(action)
        edit = self.menuBar().addMenu("&Edit")
        action(edit, "Undo", self.undo_edit, "Ctrl+Z")
        action(edit, "Redo", self.redo_edit, "Ctrl+Shift+Z")
        train = self.menuBar().addMenu("&Training")
        self.play_action = action(train, "Play / Pause", self.toggle_play, "Space")
        action(train, "Step one epoch", self.step_epoch, "Right")
        action(train, "Step one batch", self.step_batch, "Shift+Right")
        action(train, "Reset", self.reset, "R")
        self._build_view_menu(action)

    # ------------------------------------------------------------------------ commands
    def toggle_play(self) -> None:
        if self._scrubbing:
            self.history_slider.setValue(self.history_slider.maximum())
        self.playing = not self.playing
        self.worker.post("play" if self.playing else "pause")
        self.training_bar.set_playing(self.playing)

    def step_epoch(self) -> None:
        self.playing = False
        self.training_bar.set_playing(False)
        self.worker.post("step_epoch")

    def step_batch(self) -> None:
        self.playing = False
        self.training_bar.set_playing(False)
        self.worker.post("step_batch")

    def reset(self) -> None:
        self.playing = False
        self.training_bar.set_playing(False)
        self._recorded.clear()
        self._post_build(self.experiment)

    def set_learning_rate(self, value: float) -> None:
        self.experiment.training.learning_rate = value
        self.worker.post("learning_rate", value)

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def apply_experiment(self, exp: Experiment, rebuild: bool = True,
                         state: dict | None = None) -> None:
        """Take an edited experiment: adapt the output to the problem, redraw, rebuild (with a
        file's trained `state` when one is given)."""
        exp = exp.copy()
        if rebuild and state is None:
            self.mark_dirty()
        try:
            dataset = build_dataset(exp.data)
        except PlaygroundError as exc:
            self.output_view.banner_text.setText(str(exc))
            self.output_view.banner.show()
            self.data_panel.set_experiment(self.experiment)  # the controls show what runs
            return
        before = self.experiment
        trains_the_same = (exp.data, exp.features, exp.network.structure(), exp.training) == (
            before.data, before.features, before.network.structure(), before.training)
        if rebuild and trains_the_same and state is None:  # clustering, view or positions
            self.experiment = exp
            if (exp.data, exp.clustering) != (self.clustering_lab.experiment.data,
                                               self.clustering_lab.experiment.clustering):
                self.clustering_lab.set_experiment(exp)
            if exp.network != before.network:  # blocks moved: redraw, keep training
                self._layout_network(exp, dataset)
                if self._drawn is not None:
                    self.network_view.update_snapshot(self._drawn.snapshot)
            self.network_header.set_graph(exp.network, bool(self.undo_stack.done),
                                          bool(self.undo_stack.undone))
            self.apply_view()
            return
        if adapt_output(exp.network, dataset.problem, self._problem):
            out = exp.network.nodes[exp.network.of_type("output")[0]]
            self.statusBar().showMessage(
                f"output set to {out.param('activation')} with "
                f"{LOSSES[out.param('loss')].label} for this {dataset.problem} problem", 6000)
        self.experiment = exp
        self._problem = dataset.problem
        self.data_panel.set_experiment(exp)
        self.training_bar.set_experiment(exp)
        lab = self.clustering_lab.experiment
        if not rebuild or (exp.data, exp.clustering) != (lab.data, lab.clustering):
            self.clustering_lab.set_experiment(exp)
        n_train = len(dataset.train_idx)
        self.output_view.set_data(dataset.x, dataset.y, n_train, dataset.problem, dataset.domain)
        self._layout_network(exp, dataset)
        self._recorded.clear()
        self.history_slider.setRange(0, 0)
        if not exp.title:
            self.lesson.hide()
        self.network_header.set_graph(exp.network, bool(self.undo_stack.done),
                                      bool(self.undo_stack.undone))
        self.inspector.show_node(exp.network, self.inspector.node_id)
        self.apply_view()
        if rebuild:
            self.playing = False
            self.training_bar.set_playing(False)
            self._post_build(exp, state)

    def _post_build(self, exp: Experiment, state: dict | None = None) -> None:
        self._token += 1
        self.worker.post("build", exp.copy(), self._token, state)

    def show_lesson(self, title: str, description: str) -> None:
        self.lesson.setText(f"<b>{title}</b> — {description}")
        self.lesson.show()

    def _layout_network(self, exp: Experiment, dataset) -> None:
        """Draw the network, valid or not: offending blocks are outlined with the reason and
        play is disabled until the graph is fixed."""
        from ..core.graph import tolerant_widths

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
            self.on_build_failed(str(errors[0]))

    # -------------------------------------------------------------------------- frames
    @Slot(object)
    def on_frame(self, frame: Frame) -> None:
        if frame.token != self._token:
            return  # from a network the views no longer show
        self.latest = frame  # drawn by the paint timer; older undrawn frames are dropped

    @Slot(str)
    def on_build_failed(self, message: str) -> None:
        self.playing = False
        self.training_bar.set_playing(False)
        self.output_view.banner_text.setText(f"Cannot train this network: {message}")
        self.output_view.banner.show()
        self.play_action.setEnabled(False)
        self.training_bar.play_button.setEnabled(False)
        self.training_bar.play_button.setToolTip(message)
        if self._drawn is not None:  # the blocks that still exist keep their last maps
            self.network_view.update_snapshot(self._drawn.snapshot)

    def paint(self) -> None:
        frame = self.latest
        if frame is None or frame is self._drawn:
            return
        self._drawn = frame
        snap = frame.snapshot
        self.play_action.setEnabled(True)
        self.training_bar.play_button.setEnabled(True)
        self.training_bar.play_button.setToolTip("Play / pause (Space)")
        if self.playing != frame.playing:
            self.playing = frame.playing
            self.training_bar.set_playing(frame.playing)
        if snap.epoch != self._saved_epoch:
            self.mark_dirty()
        self._record(snap)
        if not self._scrubbing:
            self._draw(snap)
        self.trace.update_history(snap.history, frame.run_id, snap.problem,
                                  force=not frame.playing)
        self.training_bar.set_metrics(snap.epoch, snap.metrics)
        now = time.perf_counter()
        self._paint_times = [t for t in self._paint_times if now - t < 1.0] + [now]
        note = f"  ({frame.device_note})" if frame.device_note else ""
        self.status_device.setText(f"device: {frame.device}{note}  |  {frame.path} path")
        self.status_device.setToolTip(frame.path_reason)
        self.status_rate.setText(f"{frame.epochs_per_second:,.0f} epochs/s  |  "
                                 f"{len(self._paint_times)} frames/s")

    def _draw(self, snap) -> None:
        self.output_view.update_snapshot(snap)
        self.network_view.update_snapshot(snap)

    def _record(self, snap) -> None:
        if self._recorded and self._recorded[-1].epoch == snap.epoch and snap.batch == 0:
            self._recorded[-1] = _shrink(snap)
        else:
            self._recorded.append(_shrink(snap))
        if len(self._recorded) > MAX_RECORDED:
            self._recorded = self._recorded[::2]
        live = not self._scrubbing
        self.history_slider.blockSignals(True)
        self.history_slider.setRange(0, len(self._recorded) - 1)
        if live:
            self.history_slider.setValue(len(self._recorded) - 1)
        self.history_slider.blockSignals(False)

    def on_history_moved(self, index: int) -> None:
        if not self._recorded:
            return
        self._scrubbing = index < len(self._recorded) - 1
        if self._scrubbing and self.playing:
            self.toggle_play()
        snap = self._recorded[index]
        self.history_label.setText(f"epoch {snap.epoch}" if self._scrubbing else "live")
        self._draw(snap if self._scrubbing else self.latest.snapshot)

    def on_neuron_hovered(self, node: str, unit: int) -> None:
        snap = self._drawn.snapshot if self._drawn else None
        if not node or snap is None or node not in snap.neurons:
            self.output_view.show_map(None)
            return
        self.output_view.show_map(snap.neurons[node][unit], f"{node}, unit {unit + 1}")

    def on_weight_clicked(self, node: str, row: int, col: int) -> None:
        current = self.network_view.weight(node, row, col)
        what = "bias" if col < 0 else "weight"
        value, ok = QInputDialog.getDouble(self, f"Edit {what}", f"{node} {what}:",
                                           current or 0.0, -100.0, 100.0, 3)
        if ok:
            self.worker.post("set_weight", node, row, None if col < 0 else col, value)

    # ---------------------------------------------------------------------- lifecycle
    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        for key, split in (("main_split", self.main_split), ("right_split", self.right_split)):
            state = self.settings.value(key)
            if state is not None:
                split.restoreState(state)

    def closeEvent(self, event) -> None:
        if not self.keep_changes_or_proceed():
            event.ignore()
            return
        self.autosave_timer.stop()
        self.discard_recovery()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("main_split", self.main_split.saveState())
        self.settings.setValue("right_split", self.right_split.saveState())
        self.settings.sync()
        self.timer.stop()
        self.worker.stop()
        self.clustering_lab.shutdown()
        super().closeEvent(event)

