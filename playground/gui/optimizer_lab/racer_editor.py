"""One racer's controls: optimizer, learning rate ε₀, its hyperparameters and a schedule, each
bound to its field path on the session (``optimizer_lab.racers[0].params.momentum``), so every
edit is one undoable step and an undo shows here at once."""

from __future__ import annotations

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

from ...core import fields as F
from ...core.catalog import SCHEDULES
from ...core.optim import OPTIMIZERS
from ..session_qt import EntryParams, QtSession, bind_combo, bind_spin
from .surface_plot import racer_colour


class RacerEditor(QGroupBox):
    def __init__(self, qs: QtSession, index: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.qs, self.index = qs, index
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
        self.optimizer = bind_combo(qs, QComboBox(), f"{path}.optimizer",
                                    [(e.label, n) for n, e in OPTIMIZERS.items()],
                                    also=lambda _: {f"{path}.params": {}})
        self.learning_rate = bind_spin(qs, QDoubleSpinBox(), f"{path}.learning_rate",
                                       decimals=5)
        self.learning_rate.setPrefix("ε₀ ")
        self.learning_rate.setMaximumWidth(120)
        remove = QToolButton()
        remove.setText("✕")
        remove.setObjectName(f"{path}.remove")
        remove.setToolTip("take this optimizer out of the race")
        remove.clicked.connect(self._remove)
        top.addWidget(swatch)
        top.addWidget(self.optimizer, 1)
        top.addWidget(self.learning_rate)
        top.addWidget(remove)
        form.addRow(top)
        short = lambda p: p.doc.split(",")[0] or p.name  # noqa: E731 - "α", "β₁", "ν ..."
        self.params = EntryParams(qs, f"{path}.optimizer", f"{path}.params", OPTIMIZERS,
                                  label=short)
        form.addRow(self.params)
        self.schedule = bind_combo(qs, QComboBox(), f"{path}.schedule",
                                   [(e.label, n) for n, e in SCHEDULES.items()],
                                   also=lambda _: {f"{path}.schedule_params": {}})
        form.addRow("schedule", self.schedule)
        self.schedule_params = EntryParams(qs, f"{path}.schedule", f"{path}.schedule_params",
                                           SCHEDULES, label=lambda p: f"{p.name} (steps)"
                                           if p.integer else p.name)
        form.addRow(self.schedule_params)

    def _remove(self) -> None:
        racers = [F.to_dict(r) for r in self.qs.get("optimizer_lab.racers")]
        del racers[self.index]
        self.qs.set("optimizer_lab.racers", racers, "take an optimizer out of the race")
