"""Training settings: every training and view field the bar does not show, with its formula.

The optimizer's hyperparameters, the learning-rate schedule (with a small plot of ε over the
epochs), the weight penalty's parameters, max-norm, gradient clipping, input noise, label
smoothing, early stopping, shuffling, seeds, device, and the view's resolution. Every control is
bound to its field path (its objectName), so nothing here keeps a copy of the experiment.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.catalog import OTHER_REGULARIZERS, SCHEDULES, WEIGHT_PENALTIES, Param
from ...core.optim import OPTIMIZERS
from ..input_guard import guard
from ..session_qt import QtSession, bind_check, bind_combo, bind_spin

PLOT_EPOCHS = 400  # the schedule plot's horizon (or the epoch limit when it is set)


def _formula(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: #355; font-family: 'DejaVu Sans'; padding: 2px 0;")
    return label


class EntryParams(QWidget):
    """The parameters of the catalog entry named by `name_path` (an optimizer, a schedule, a
    penalty), each a spin box bound to ``<params_path>.<param>``; rebuilt when the entry
    changes. The entry's formula is shown above them."""

    def __init__(self, qs: QtSession, name_path: str, params_path: str, table: dict,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.qs, self.name_path, self.params_path, self.table = qs, name_path, params_path, table
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.formula = _formula("")
        self.form.addRow(self.formula)
        self.spins: dict[str, QWidget] = {}
        self._entry = None
        qs.follow(name_path, self._rebuild, self)
        qs.follow(params_path, self._refresh, self)

    def _rebuild(self) -> None:
        entry = self.table[self.qs.get(self.name_path)]
        if entry is self._entry:
            return
        self._entry = entry
        while self.form.rowCount() > 1:
            self.form.removeRow(1)
        self.spins.clear()
        self.formula.setText(entry.formula)
        for param in entry.params:
            spin = self._spin(param)
            self.spins[param.name] = spin
            self.form.addRow(param.doc or param.name, spin)
        self._refresh()

    def _spin(self, param: Param) -> QWidget:
        path = f"{self.params_path}.{param.name}"
        if param.integer:
            spin = QSpinBox()
            spin.setRange(int(param.lo or 0), int(min(param.hi or 1e9, 2**31 - 1)))
        else:
            spin = QDoubleSpinBox()
            spin.setDecimals(8 if param.default and abs(param.default) < 1e-3 else 4)
            spin.setRange(param.lo if param.lo is not None else -1e9,
                          param.hi if param.hi is not None else 1e9)
            spin.setSingleStep(max(abs(param.default) / 10, 1e-4) if param.default else 0.01)
        spin.setObjectName(path)
        guard(spin)
        spin.setKeyboardTracking(False)
        spin.setToolTip(f"{param.doc} — default {param.default:g}, range "
                        f"[{param.lo:g}, {param.hi:g}]")
        spin.valueChanged.connect(lambda v, p=path: self.qs.set(p, v) or self._refresh())
        return spin

    def _refresh(self) -> None:
        if self._entry is None:
            return
        given = self.qs.get(self.params_path)
        for param in self._entry.params:
            spin = self.spins[param.name]
            with QSignalBlocker(spin):
                spin.setValue(given.get(param.name, param.default))


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
            reg.addRow(_formula(entry.formula))

        stop = self._group(layout, "Early stopping")
        stop.addRow(bind_check(qs, QCheckBox("Stop when the test loss stops improving"),
                               "training.early_stopping"))
        stop.addRow("Patience (epochs)", bind_spin(qs, QSpinBox(), "training.patience"))
        stop.addRow(_formula(OTHER_REGULARIZERS["early_stopping"].formula))

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
