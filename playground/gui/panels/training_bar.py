"""Training bar: play/pause, steps, reset, speed, and the settings TF Playground has on top."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.catalog import HIDDEN_ACTIVATIONS, LOSSES, WEIGHT_PENALTIES
from ...core.optim import OPTIMIZERS
from ...core.spec import Experiment

LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
SPEEDS = [("1 epoch/frame", 1), ("5 epochs/frame", 5), ("20 epochs/frame", 20),
          ("100 epochs/frame", 100), ("as fast as possible", 0)]


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
    caption.setStyleSheet("color: #666; font-size: 9pt;")
    layout.addWidget(caption)
    layout.addWidget(widget)
    return box


class TrainingBar(QWidget):
    play_toggled = Signal()
    step_epoch = Signal()
    step_batch = Signal()
    reset = Signal()
    speed_changed = Signal(int)
    learning_rate_changed = Signal(float)  # live: no reset
    changed = Signal(object)  # an edited Experiment that needs a rebuild

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._exp = Experiment()
        self._updating = False
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        row, settings = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(row)
        rows.addLayout(settings)
        self.reset_button = QToolButton(text="⟲ Reset")
        self.play_button = QToolButton(text="▶ Play")
        self.play_button.setMinimumWidth(80)
        self.step_button = QToolButton(text="Step epoch")
        self.batch_button = QToolButton(text="Step batch")
        self.reset_button.setToolTip("Reset the network (R)")
        self.play_button.setToolTip("Play / pause (Space)")
        self.step_button.setToolTip("Train one epoch (Right arrow)")
        self.batch_button.setToolTip("Train one mini-batch")
        for b in (self.reset_button, self.play_button, self.step_button, self.batch_button):
            row.addWidget(b)
        row.addSpacing(12)
        self.speed = _combo(SPEEDS, "How many epochs between frames")
        self.learning_rate = _combo([(f"{v:g}", v) for v in LEARNING_RATES], "Learning rate ε")
        self.learning_rate.setEditable(True)
        self.optimizer = _combo([(e.label, n) for n, e in OPTIMIZERS.items()], "Optimizer")
        self.loss = _combo([(e.label, n) for n, e in LOSSES.items()], "Loss")
        self.activation = _combo([(n, n) for n in HIDDEN_ACTIVATIONS], "Activation of hidden layers")
        self.regularization = _combo([(e.label, n) for n, e in WEIGHT_PENALTIES.items()],
                                     "Weight penalty (weights only, never biases)")
        self.reg_rate = _combo([(f"{v:g}", v) for v in REGULARIZATION_RATES], "Penalty rate λ")
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 4096)
        self.epochs = QSpinBox()
        self.epochs.setRange(0, 1_000_000)
        self.epochs.setSpecialValueText("no limit")
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
        settings.addStretch(1)
        row.addStretch(1)
        self.epoch_label = QLabel("Epoch 0")
        self.epoch_label.setStyleSheet("font-size: 14pt;")
        self.readout = QLabel("")
        self.readout.setStyleSheet("color: #444;")
        row.addWidget(self.epoch_label)
        row.addWidget(self.readout)

        self.play_button.clicked.connect(self.play_toggled)
        self.step_button.clicked.connect(self.step_epoch)
        self.batch_button.clicked.connect(self.step_batch)
        self.reset_button.clicked.connect(self.reset)
        self.speed.currentIndexChanged.connect(lambda i: self.speed_changed.emit(self.speed.itemData(i)))
        self.learning_rate.currentTextChanged.connect(self._lr_changed)
        for combo in (self.optimizer, self.loss, self.activation, self.regularization, self.reg_rate):
            combo.currentIndexChanged.connect(self._settings_changed)
        self.batch_size.editingFinished.connect(self._settings_changed)
        self.epochs.editingFinished.connect(self._settings_changed)

    # --------------------------------------------------------------------- model -> view
    def set_experiment(self, exp: Experiment) -> None:
        self._updating = True
        try:
            self._exp = exp.copy()
            t = exp.training
            self.learning_rate.setCurrentText(f"{t.learning_rate:g}")
            self._select(self.optimizer, t.optimizer)
            self._select(self.regularization, t.regularization)
            self._select(self.reg_rate, t.regularization_rate)
            self.batch_size.setValue(t.batch_size)
            self.epochs.setValue(t.epochs)
            out = exp.network.of_type("output")
            if out:
                self._select(self.loss, exp.network.nodes[out[0]].param("loss"))
            dense = exp.network.of_type("dense")
            if dense:
                self._select(self.activation, exp.network.nodes[dense[0]].param("activation"))
        finally:
            self._updating = False

    @staticmethod
    def _select(combo: QComboBox, data) -> None:
        i = combo.findData(data)
        if i < 0 and isinstance(data, float | int):
            combo.addItem(f"{data:g}", data)
            i = combo.count() - 1
        combo.setCurrentIndex(i)

    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("⏸ Pause" if playing else "▶ Play")

    def set_metrics(self, epoch: int, metrics: dict[str, float]) -> None:
        self.epoch_label.setText(f"Epoch {epoch:,}")
        text = f"loss train {metrics['train_loss']:.3f} test {metrics['test_loss']:.3f}"
        acc = metrics.get("test_accuracy", float("nan"))
        if acc == acc:
            text += f"  accuracy train {metrics['train_accuracy']:.3f} test {acc:.3f}"
        self.readout.setText(text)

    # --------------------------------------------------------------------- view -> model
    def _lr_changed(self, text: str) -> None:
        if self._updating:
            return
        try:
            value = float(text)
        except ValueError:
            return
        if 0 < value <= 10:
            self._exp.training.learning_rate = value
            self.learning_rate_changed.emit(value)

    def _settings_changed(self, *_) -> None:
        if self._updating:
            return
        exp = self._exp.copy()
        t = exp.training
        t.optimizer = self.optimizer.currentData()
        t.regularization = self.regularization.currentData()
        t.regularization_rate = float(self.reg_rate.currentData())
        t.batch_size = self.batch_size.value()
        t.epochs = self.epochs.value()
        activation = self.activation.currentData()
        for node in exp.network.of_type("dense"):
            exp.network.set_params(node, activation=activation)
        out = exp.network.of_type("output")
        loss = self.loss.currentData()
        if out and exp.network.nodes[out[0]].param("loss") != loss:
            fitting = {"bce": "sigmoid", "softmax_ce": "softmax", "hinge": "linear",
                       "squared_hinge": "linear", "multiclass_hinge": "linear"}
            params = {"loss": loss}
            if loss in fitting:
                params["activation"] = fitting[loss]
            exp.network.set_params(out[0], **params)
        if exp == self._exp:
            return
        self._exp = exp
        self.changed.emit(exp.copy())
