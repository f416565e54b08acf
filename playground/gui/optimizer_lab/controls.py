"""The optimizer lab's settings column: the surface (with its parameters or your formula), the
racers and the number of steps. Every control is bound to its field path on the session
(its objectName), so each edit is one undoable step, an undo shows at once, and nothing here
keeps a copy of the experiment."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import fields as F
from ...core.optimizer_race import RacerSpec
from ...core.surfaces import CUSTOM_DEFAULT, SURFACES
from ..session_qt import EntryParams, QtSession, bind_choice_buttons, bind_spin
from .racer_editor import RacerEditor

MAX_RACERS = 8
OPTIMIZER_ORDER = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")


def racers_without_own_starts(qs: QtSession) -> dict:
    """The edit that sends every racer back to the common start (empty if none has its own)."""
    racers = qs.get("optimizer_lab.racers")
    if not any(r.start for r in racers):
        return {}
    return {"optimizer_lab.racers": [{**F.to_dict(r), "start": []} for r in racers]}


class LabControls(QWidget):
    def __init__(self, qs: QtSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.qs = qs
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self._surface_box())
        column.addWidget(self._race_box())
        column.addStretch(1)

    # --------------------------------------------------------------------------- surface
    def _surface_box(self) -> QGroupBox:
        qs = self.qs
        box = QGroupBox("Loss surface")
        layout = QVBoxLayout(box)
        grid = QGridLayout()
        grid.setSpacing(2)
        self.surface_buttons: dict[str, QPushButton] = {}
        for i, (name, entry) in enumerate(SURFACES.items()):
            button = QPushButton(entry.label.replace(" (four minima)", ""))
            button.setToolTip(entry.formula)
            self.surface_buttons[name] = button
            grid.addWidget(button, i // 2, i % 2)
        # a new surface starts where it tells its story: its own start, its own parameters
        bind_choice_buttons(qs, self.surface_buttons, "optimizer_lab.surface",
                            also=lambda _: {"optimizer_lab.surface_params": {},
                                            "optimizer_lab.start": [],
                                            **racers_without_own_starts(qs)})
        layout.addLayout(grid)
        self.surface_params = EntryParams(qs, "optimizer_lab.surface",
                                          "optimizer_lab.surface_params", SURFACES)
        layout.addWidget(self.surface_params)
        form = QFormLayout()
        self.formula = QLineEdit()
        self.formula.setObjectName("optimizer_lab.formula")
        self.formula.setPlaceholderText(CUSTOM_DEFAULT)
        self.formula.setToolTip("f(x, y) with + − * / ^, exp log sin cos tanh sigmoid abs sqrt "
                                "max min; press Enter")
        self.formula_label = QLabel("f(x, y) =")
        form.addRow(self.formula_label, self.formula)
        layout.addLayout(form)
        self.formula.editingFinished.connect(self._formula_entered)
        qs.follow("optimizer_lab.surface", self._show_formula, self.formula)
        qs.follow("optimizer_lab.formula", self._show_formula, self.formula)
        return box

    def _formula_entered(self) -> None:
        # a refused formula stays in the box to be mended; the lab says what is wrong
        text = self.formula.text().strip() or CUSTOM_DEFAULT
        if text != (self.qs.get("optimizer_lab.formula") or CUSTOM_DEFAULT):
            self.qs.set("optimizer_lab.formula", text, "type f(x, y)")

    def _show_formula(self) -> None:
        custom = self.qs.get("optimizer_lab.surface") == "custom"
        self.formula.setVisible(custom)
        self.formula_label.setVisible(custom)
        with QSignalBlocker(self.formula):
            self.formula.setText(self.qs.get("optimizer_lab.formula") or CUSTOM_DEFAULT)

    # ---------------------------------------------------------------------------- racers
    def _race_box(self) -> QGroupBox:
        qs = self.qs
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
        self.steps = bind_spin(qs, QSpinBox(), "optimizer_lab.steps")
        form.addRow("steps", self.steps)
        layout.addLayout(form)
        self.add_racer.clicked.connect(self._add_racer)
        self.default_start.clicked.connect(
            lambda: qs.set("optimizer_lab.start", [], "back to the surface's start"))
        qs.follow("optimizer_lab.racers", self._show_racers, self)
        return box

    def _show_racers(self) -> None:
        """One editor per racer; they follow their own fields, so only a change in the number
        of racers rebuilds them."""
        n = len(self.qs.get("optimizer_lab.racers"))
        if n != len(self.racer_editors):
            for editor in self.racer_editors:
                self.qs.release(editor)
                self.racer_area.removeWidget(editor)
                editor.setParent(None)  # out of the window at once (found by name no more)
                editor.deleteLater()
            self.racer_editors = [RacerEditor(self.qs, i) for i in range(n)]
            for editor in self.racer_editors:
                self.racer_area.addWidget(editor)
        self.add_racer.setEnabled(n < MAX_RACERS)

    def _add_racer(self) -> None:
        racers = self.qs.get("optimizer_lab.racers")
        used = {r.optimizer for r in racers}
        name = next((n for n in OPTIMIZER_ORDER if n not in used), "sgd")
        rate = racers[0].learning_rate if racers else 0.01
        self.qs.set("optimizer_lab.racers", [*(F.to_dict(r) for r in racers),
                                             F.to_dict(RacerSpec(name, rate))],
                    "add an optimizer to the race")


def speed_spin(qs: QtSession) -> QDoubleSpinBox:
    spin = bind_spin(qs, QDoubleSpinBox(), "optimizer_lab.speed", decimals=0)
    spin.setSuffix(" steps/s")
    return spin
