"""One racer's controls: optimizer, learning rate ε₀, its hyperparameters and a schedule, each
named by its field path (``optimizer_lab.racers[0].params.momentum``)."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from ...core.catalog import SCHEDULES, Param
from ...core.optim import OPTIMIZERS
from ...core.optimizer_race import RacerSpec
from .surface_plot import racer_colour


def _spin(param: Param, value: float, name: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setObjectName(name)
    box.setDecimals(0 if param.integer else 9 if 0 < param.default < 1e-3 else 4)
    box.setRange(param.lo if param.lo is not None else -1e9,
                 param.hi if param.hi is not None else 1e9)
    box.setSingleStep(1 if param.integer else max(param.default / 10, 1e-4) if param.default
                      else 0.01)
    box.setValue(value)
    box.setToolTip(param.doc)
    box.setKeyboardTracking(False)
    return box


class RacerEditor(QGroupBox):
    edited = Signal(int, object)  # index, new RacerSpec
    removed = Signal(int)

    def __init__(self, index: int, racer: RacerSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.index = index
        self.racer = racer
        path = f"optimizer_lab.racers[{index}]"
        self.setObjectName(path)
        colour = racer_colour(index)
        self.setStyleSheet(f"QGroupBox {{ border: 2px solid {colour}; border-radius: 4px; "
                           "margin-top: 4px; padding-top: 2px; }")
        form = QFormLayout(self)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(2)
        top = QHBoxLayout()
        swatch = QLabel("●")
        swatch.setStyleSheet(f"color: {colour}; font-size: 12pt; background: #333; "
                             "border-radius: 3px; padding: 0 2px;")
        self.optimizer = QComboBox()
        self.optimizer.setObjectName(f"{path}.optimizer")
        for name, entry in OPTIMIZERS.items():
            self.optimizer.addItem(entry.label, name)
        self.optimizer.setCurrentIndex(self.optimizer.findData(racer.optimizer))
        self.optimizer.setToolTip(OPTIMIZERS[racer.optimizer].formula)
        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setObjectName(f"{path}.learning_rate")
        self.learning_rate.setDecimals(5)
        self.learning_rate.setRange(1e-5, 100.0)
        self.learning_rate.setSingleStep(0.001)
        self.learning_rate.setValue(racer.learning_rate)
        self.learning_rate.setPrefix("ε₀ ")
        self.learning_rate.setMaximumWidth(110)
        self.learning_rate.setKeyboardTracking(False)
        self.learning_rate.setToolTip("the learning rate ε₀")
        remove = QToolButton()
        remove.setText("✕")
        remove.setObjectName(f"{path}.remove")
        remove.setToolTip("take this optimizer out of the race")
        top.addWidget(swatch)
        top.addWidget(self.optimizer, 1)
        top.addWidget(self.learning_rate)
        top.addWidget(remove)
        form.addRow(top)
        formula = QLabel(OPTIMIZERS[racer.optimizer].formula)
        formula.setWordWrap(True)
        formula.setStyleSheet("color: #444; font-size: 8pt;")
        form.addRow(formula)
        hyper = OPTIMIZERS[racer.optimizer].resolve(racer.params)
        self.params: dict[str, QDoubleSpinBox] = {}
        for p in OPTIMIZERS[racer.optimizer].params:
            box = _spin(p, hyper[p.name], f"{path}.params.{p.name}")
            self.params[p.name] = box
            form.addRow(p.doc.split(",")[0], box)
        self.schedule = QComboBox()
        self.schedule.setObjectName(f"{path}.schedule")
        for name, entry in SCHEDULES.items():
            self.schedule.addItem(entry.label, name)
        self.schedule.setCurrentIndex(self.schedule.findData(racer.schedule))
        self.schedule.setToolTip(SCHEDULES[racer.schedule].formula)
        form.addRow("schedule", self.schedule)
        sched = SCHEDULES[racer.schedule].resolve(racer.schedule_params)
        self.schedule_params: dict[str, QDoubleSpinBox] = {}
        for p in SCHEDULES[racer.schedule].params:
            box = _spin(p, sched[p.name], f"{path}.schedule_params.{p.name}")
            box.setToolTip(f"{p.doc} (counted in steps here)")
            self.schedule_params[p.name] = box
            form.addRow(p.name, box)

        self.optimizer.currentIndexChanged.connect(self._optimizer_changed)
        self.schedule.currentIndexChanged.connect(self._schedule_changed)
        self.learning_rate.valueChanged.connect(self._values_changed)
        for box in (*self.params.values(), *self.schedule_params.values()):
            box.valueChanged.connect(self._values_changed)
        remove.clicked.connect(self._remove)

    def _optimizer_changed(self) -> None:
        self.edited.emit(self.index, dataclasses.replace(
            self.racer, optimizer=self.optimizer.currentData(), params={}))

    def _schedule_changed(self) -> None:
        self.edited.emit(self.index, dataclasses.replace(
            self.racer, schedule=self.schedule.currentData(), schedule_params={}))

    def _values_changed(self) -> None:
        self.edited.emit(self.index, dataclasses.replace(
            self.racer, learning_rate=self.learning_rate.value(),
            params={k: b.value() for k, b in self.params.items()},
            schedule_params={k: (int(b.value()) if b.decimals() == 0 else b.value())
                             for k, b in self.schedule_params.items()}))

    def _remove(self) -> None:
        self.removed.emit(self.index)
