"""Training bar: play/pause, steps, reset, speed, and the settings TF Playground has on top."""

from __future__ import annotations

import copy

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import commands as C
from ...core.catalog import ACTIVATIONS, HIDDEN_ACTIVATIONS, LOSSES, WEIGHT_PENALTIES
from ...core.optim import OPTIMIZERS
from ..session_qt import QtSession, bind_combo, bind_number_combo, bind_spin
from .flow_layout import FlowLayout

LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
SPEEDS = [("1 epoch/frame", 1), ("5 epochs/frame", 5), ("20 epochs/frame", 20),
          ("100 epochs/frame", 100), ("as fast as possible", 0)]


class SteadyLabel(QLabel):
    """A label whose text changes every frame without re-laying out the window. A QLabel asks
    its layout for room on every setText; at full speed the epoch counter and the readout
    made the whole window (55 widgets) repaint ~22 times a second, 8-13 ms each on the GUI
    thread. This one holds a fixed size (Qt then asks nothing of the layout) and refits only
    when a text needs more room, much less room or other lines, or the font changes."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        lines = self.text().count("\n")
        super().setText(text)
        # (measured from the font: QLabel's own hint never falls below the size it holds, so
        # the counter never shrank after "Epoch 386 · batch 1/25")
        need = self._text_width(text) + self._padding
        held = self.minimumSize().width()
        if need > held or need < 0.75 * held or text.count("\n") != lines:
            self.refit()

    def _text_width(self, text: str) -> int:
        metrics = self.fontMetrics()
        return max(metrics.horizontalAdvance(line) for line in text.split("\n"))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.refit()  # (presentation mode's larger type)

    def _fit(self) -> None:
        hint = self.sizeHint()
        self.setFixedSize(hint)
        self._padding = hint.width() - self._text_width(self.text())  # (margins, frame)

    def refit(self) -> None:
        """Fit the text as it is now, after a change of type: a style sheet's font reached
        the label without clearing QLabel's remembered size hint, and the hint was never
        less than the fixed size held (the counter kept its 24-pt width at 14 pt). Unfixed,
        with its text set again, the label measures afresh."""
        text = self.text()
        self.setMinimumSize(0, 0)
        self.setMaximumSize(16777215, 16777215)  # (Qt's QWIDGETSIZE_MAX)
        QLabel.setText(self, "")
        QLabel.setText(self, text)
        self._fit()


def _combo(items: list[tuple[str, object]], tip: str) -> QComboBox:
    combo = QComboBox()
    for text, data in items:
        combo.addItem(text, data)
    combo.setToolTip(tip)
    return combo


def _labelled(label: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(2, 0, 2, 0)
    layout.setSpacing(0)
    caption = QLabel(label)
    caption.setProperty("role", "caption")  # styled by the window (presentation.py)
    layout.addWidget(caption)
    layout.addWidget(widget)
    return box


class TrainingBar(QWidget):
    """Play, step, reset and speed, and the settings TF Playground shows on top, bound to the
    session (the network's activation and loss are graph edits, undoable like any other)."""

    play_toggled = Signal()
    step_epoch = Signal()
    step_batch = Signal()
    reset = Signal()

    def __init__(self, qs: QtSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.qs = qs
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        # Three groups that wrap onto two rows when narrow (presentation type beside a
        # lesson's steps needed 1,500 px): the buttons, the speed, the epoch and its numbers.
        top = QWidget()
        top_flow = FlowLayout(top, spacing=12)
        rows.addWidget(top)
        groups = []
        for _ in range(3):
            holder = QWidget()
            line = QHBoxLayout(holder)
            line.setContentsMargins(0, 0, 0, 0)
            top_flow.addWidget(holder)
            groups.append(line)
        row = groups[0]
        settings_row = QWidget()
        settings = self.settings_flow = FlowLayout(settings_row)  # wraps when narrow
        rows.addWidget(settings_row)
        self.reset_button = QToolButton(text="⟲ Reset")
        self.play_button = QToolButton(text="▶ Play")
        self.play_button.setMinimumWidth(80)
        self.step_button = QToolButton(text="Step epoch")
        self.batch_button = QToolButton(text="Step batch")
        for button, name, tip in (
                (self.reset_button, "run.reset", "Reset the network (R)"),
                (self.play_button, "run.play", "Play / pause (Space)"),
                (self.step_button, "run.step_epoch", "Train one epoch (Right arrow)"),
                (self.batch_button, "run.step_batch", "Train one mini-batch (Shift+Right)")):
            button.setObjectName(name)
            button.setToolTip(tip)
            row.addWidget(button)
        row = groups[1]
        self.speed = bind_combo(qs, QComboBox(), "view.snapshot_every", SPEEDS)
        self.learning_rate = bind_number_combo(qs, QComboBox(), "training.learning_rate",
                                               LEARNING_RATES)
        self.optimizer = bind_combo(qs, QComboBox(), "training.optimizer",
                                    [(e.label, n) for n, e in OPTIMIZERS.items()],
                                    also=lambda _n: {"training.optimizer_params": {}})
        self.regularization = bind_combo(
            qs, QComboBox(), "training.regularization",
            [(e.label, n) for n, e in WEIGHT_PENALTIES.items()],
            also=lambda _n: {"training.regularization_params": {}})
        self.reg_rate = bind_number_combo(qs, QComboBox(), "training.regularization_rate",
                                          REGULARIZATION_RATES)
        self.batch_size = bind_spin(qs, QSpinBox(), "training.batch_size")
        self.epochs = bind_spin(qs, QSpinBox(), "training.epochs", special="no limit")
        self.loss = _combo([(e.label, n) for n, e in LOSSES.items()], "Loss of the Output block")
        self.loss.setObjectName("network.loss")
        self.activation = _combo([(ACTIVATIONS[n].label, n) for n in HIDDEN_ACTIVATIONS],
                                 "Activation of every hidden layer (picking one sets them all)")
        self.activation.setObjectName("network.activation")
        self.speed_label = QLabel("Speed")
        row.addWidget(self.speed_label)
        row.addWidget(self.speed)
        self.containers: dict[str, QWidget] = {}
        for name, label, w in (("learning_rate", "Learning rate", self.learning_rate),
                               ("optimizer", "Optimizer", self.optimizer),
                               ("loss", "Loss", self.loss),
                               ("activation", "Activation", self.activation),
                               ("regularization", "Regularization", self.regularization),
                               ("regularization_rate", "Rate", self.reg_rate),
                               ("batch_size", "Batch size", self.batch_size),
                               ("epochs", "Epoch limit", self.epochs)):
            self.containers[name] = _labelled(label, w)
            settings.addWidget(self.containers[name])
        row = groups[2]
        self.epoch_label = SteadyLabel("Epoch 0")
        self.epoch_label.setObjectName("run.epoch")  # styled by the window (presentation.py)
        self.readout = SteadyLabel("")
        self.readout.setObjectName("run.readout")
        self.readout.setStyleSheet("color: #444;")
        # Two lines (loss, accuracy): half the width, so presentation type fits 1280 px.
        row.addWidget(self.epoch_label)
        row.addWidget(self.readout)

        self.play_button.clicked.connect(self.play_toggled)
        self.step_button.clicked.connect(self.step_epoch)
        self.batch_button.clicked.connect(self.step_batch)
        self.reset_button.clicked.connect(self.reset)
        self.activation.activated.connect(self._activation_picked)
        self.loss.activated.connect(self._loss_picked)
        qs.follow("network", self._show_network, self)

    # --------------------------------------------------------------------- model -> view
    def _show_network(self) -> None:
        graph = self.qs.get("network")
        acts = {graph.nodes[n].param("activation") for n in graph.of_type("dense")}
        with QSignalBlocker(self.activation):
            mixed = self.activation.findData("mixed")
            if len(acts) == 1:
                if mixed >= 0:
                    self.activation.removeItem(mixed)
                self.activation.setCurrentIndex(self.activation.findData(acts.pop()))
            else:  # layers differ (or there are none): say so, change nothing
                if mixed < 0:
                    self.activation.addItem("", "mixed")
                    mixed = self.activation.findData("mixed")
                # ("none", not "no hidden layer": the box cut that to "no hidden la")
                self.activation.setItemText(mixed, "mixed" if acts else "none")
                self.activation.setItemData(
                    mixed, "the hidden layers' activations differ" if acts else
                    "no hidden layer: the output's activation is the block's own",
                    Qt.ItemDataRole.ToolTipRole)
                self.activation.setCurrentIndex(mixed)
        out = graph.of_type("output")
        with QSignalBlocker(self.loss):
            if out:
                self.loss.setCurrentIndex(self.loss.findData(graph.nodes[out[0]].param("loss")))

    def add_settings_button(self, action) -> None:
        """The way to every other training setting, at the end of the settings row."""
        # (the action's state, not the action itself: a default action writes its own text
        # back on every toggle, and on a projector the button is "⚙" alone, see set_compact)
        self.more_button = button = QToolButton(text="⚙ More settings")
        button.setObjectName("run.more_settings")
        button.setCheckable(True)
        button.setToolTip(action.toolTip())
        button.toggled.connect(lambda on: action.setChecked(on))
        action.toggled.connect(button.setChecked)
        self.settings_flow.addWidget(button)

    def set_compact(self, on: bool) -> None:
        """Presentation type at 1280 px: the settings button as "⚙" keeps to the settings'
        row (as "⚙ More settings" it took a row of its own, 40 px from the pictures)."""
        self.more_button.setText("⚙" if on else "⚙ More settings")

    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("❚❚ Pause" if playing else "▶ Play")

    def set_can_train(self, can: bool, why: str = "") -> None:
        """Play and both steps are off, with the reason as their tooltip, when nothing can
        train (the data or the network is not trainable)."""
        for button, tip in ((self.play_button, "Play / pause (Space)"),
                            (self.step_button, "Train one epoch (Right arrow)"),
                            (self.batch_button, "Train one mini-batch (Shift+Right)")):
            button.setEnabled(can)
            button.setToolTip(tip if can else why)

    def set_metrics(self, epoch: int | None, metrics: dict[str, float] | None, batch: int = 0,
                    batches: int = 1, replay: bool = False) -> None:
        """The epoch counter (with the batch within it) and the losses; None clears them.
        `replay`: an earlier epoch shown from the history slider, not the live run."""
        if epoch is None or metrics is None:
            self.epoch_label.setText("Epoch –")
            self.readout.setText("")
            return
        within = f" · batch {batch}/{batches}" if batch else ""
        self.epoch_label.setText(f"{'Replay: epoch' if replay else 'Epoch'} {epoch:,}{within}")
        text = f"loss train {_loss(metrics['train_loss'])} test {_loss(metrics['test_loss'])}"
        acc = metrics.get("test_accuracy", float("nan"))
        if acc == acc:
            text += f"\naccuracy train {metrics['train_accuracy']:.3f} test {acc:.3f}"
        self.readout.setText(text)

    # --------------------------------------------------------------------- view -> model
    def _activation_picked(self, index: int) -> None:
        activation = self.activation.itemData(index)
        graph = self.qs.get("network")
        if activation == "mixed":
            return
        dense = graph.of_type("dense")
        if dense and any(graph.nodes[n].param("activation") != activation for n in dense):
            trial = copy.deepcopy(graph)
            for node in dense:
                trial.set_params(node, activation=activation)
            self.qs.edit_graph(C.Replace(
                trial.to_json(), label=f"every hidden layer {ACTIVATIONS[activation].label}"))
        self._show_network()

    def _loss_picked(self, index: int) -> None:
        loss = self.loss.itemData(index)
        graph = self.qs.get("network")
        out = graph.of_type("output")
        if out and graph.nodes[out[0]].param("loss") != loss:
            params = {"loss": loss}
            if loss in FITTING_OUTPUT:
                params["activation"] = FITTING_OUTPUT[loss]
            self.qs.edit_graph(C.SetParams(out[0], params, label=f"loss {loss}"))
        self._show_network()


def _loss(value: float) -> str:
    """Three decimals as TF Playground shows them, but a small loss is not shown as 0.000."""
    return f"{value:.3f}" if not 0 < abs(value) < 0.001 else f"{value:.2e}"


# The output activation each loss needs (the others keep the block's own).
FITTING_OUTPUT = {"bce": "sigmoid", "softmax_ce": "softmax", "hinge": "linear",
                  "squared_hinge": "linear", "multiclass_hinge": "linear"}
