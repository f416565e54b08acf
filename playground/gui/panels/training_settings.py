"""Training settings: every training and view field the bar does not show, with its formula.

The optimizer's hyperparameters, the learning-rate schedule (with a small plot of ε over the
epochs), the weight penalty's parameters, max-norm, gradient clipping, input noise, label
smoothing, early stopping, shuffling, seeds, device, and the view's resolution. Every control is
bound to its field path (its objectName), so nothing here keeps a copy of the experiment.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.catalog import OTHER_REGULARIZERS, SCHEDULES, WEIGHT_PENALTIES
from ...core.optim import OPTIMIZERS
from ..session_qt import EntryParams, QtSession, bind_check, bind_combo, bind_spin, formula_label

PLOT_EPOCHS = 400  # the schedule plot's horizon (or the epoch limit when it is set)


class SchedulePlot(pg.PlotWidget):
    """ε over the epochs under the current schedule, and a marker at the current epoch."""

    def __init__(self, qs: QtSession, parent: QWidget | None = None):
        super().__init__(parent, background="w")
        self.setObjectName("training.schedule.plot")
        self.qs = qs
        self.setMinimumHeight(110)
        self.setMaximumHeight(150)
        self.setMenuEnabled(False)
        self.hideButtons()
        self.setLabel("bottom", "epoch")
        self.setLabel("left", "ε")
        self.getAxis("left").enableAutoSIPrefix(False)  # ε as it is typed: 0.03, not 30 ×0.001
        self.curve = self.plot(pen=pg.mkPen("#0877bd", width=2))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#f59322", width=1),
                                      label="now", labelOpts={"position": 0.85,
                                                              "color": "#f59322"})
        self.addItem(self.marker)
        for path in ("training.schedule", "training.schedule_params", "training.learning_rate",
                     "training.epochs"):
            qs.follow(path, self.redraw, self)

    def redraw(self) -> None:
        t = self.qs.get("training")
        entry = SCHEDULES[t.schedule]
        params = entry.resolve(t.schedule_params)
        horizon = t.epochs or PLOT_EPOCHS
        epochs = list(range(horizon + 1))
        rates = [entry.fn(k, t.learning_rate, params) for k in epochs]
        self.curve.setData(epochs, rates)
        # Fixed ranges from 0: a constant ε is a flat line, not a magnified sliver.
        self.setXRange(0, horizon, padding=0.02)
        self.setYRange(0, max(rates) * 1.15 or 1.0, padding=0)

    def set_epoch(self, epoch: int) -> None:
        self.marker.setValue(epoch)


class TrainingSettings(QWidget):
    """The whole training section and the view's resolution, in collapsible groups."""

    def __init__(self, qs: QtSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.qs = qs
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        optimizer = self._group(layout, "Optimizer")
        optimizer.addRow(EntryParams(qs, "training.optimizer", "training.optimizer_params",
                                     OPTIMIZERS))

        schedule = self._group(layout, "Learning-rate schedule")
        schedule.addRow("Schedule", bind_combo(
            qs, QComboBox(), "training.schedule", [(e.label, n) for n, e in SCHEDULES.items()],
            also=lambda _n: {"training.schedule_params": {}}))
        schedule.addRow(EntryParams(qs, "training.schedule", "training.schedule_params",
                                    SCHEDULES))
        self.schedule_plot = SchedulePlot(qs)
        schedule.addRow(self.schedule_plot)

        reg = self._group(layout, "Regularization")
        reg.addRow(EntryParams(qs, "training.regularization", "training.regularization_params",
                               WEIGHT_PENALTIES))
        for path, key in (("training.max_norm", "max_norm"),
                          ("training.gradient_clip", "gradient_clipping"),
                          ("training.input_noise", "input_noise"),
                          ("training.label_smoothing", "label_smoothing")):
            entry = OTHER_REGULARIZERS[key]
            spin = bind_spin(qs, QDoubleSpinBox(), path, decimals=3, special="off")
            reg.addRow(entry.label, spin)
            reg.addRow(formula_label(entry.formula))

        stop = self._group(layout, "Early stopping")
        stop.addRow(bind_check(qs, QCheckBox("Stop when the validation loss stops improving "
                                                 "(the test loss when there is no validation split)"),
                               "training.early_stopping"))
        stop.addRow("Patience (epochs)", bind_spin(qs, QSpinBox(), "training.patience"))
        stop.addRow(formula_label(OTHER_REGULARIZERS["early_stopping"].formula))

        run = self._group(layout, "Run")
        run.addRow(bind_check(qs, QCheckBox("Reshuffle every epoch"), "training.shuffle"))
        run.addRow("Training seed", bind_spin(qs, QSpinBox(), "training.seed"))
        run.addRow("Device", bind_combo(qs, QComboBox(), "training.device"))
        run.addRow(bind_check(qs, QCheckBox("Fused fast path for plain Dense stacks"),
                              "training.fast_path"))

        view = self._group(layout, "View")
        view.addRow("Map resolution", bind_spin(qs, QSpinBox(), "view.resolution"))
        layout.addStretch(1)

    @staticmethod
    def _group(layout: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        box.setCheckable(False)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addWidget(box)
        return form
