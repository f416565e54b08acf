"""The Qt side of the session: a signal for its changes, and controls bound to field paths.

A bound control carries its field path as its Qt objectName (``training.learning_rate``; a
choice shown as buttons carries ``path=value``), takes its range, step, choices and tooltip from
the field's metadata, writes through `Session.set` (so every edit is undoable) and follows the
session's changes with its own signals blocked (no echo). No panel keeps a copy of the
experiment.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QWidget,
)

from ..core.catalog import Param
from ..core.errors import PlaygroundError
from ..core.field_words import path_in_words
from ..core.session import Change, Session, field_info
from .input_guard import guard


class QtSession(QObject):
    """Re-emits the session's changes as a Qt signal, and reports refused edits."""

    changed = Signal(object)  # Change
    refused = Signal(str)  # a refused edit's message (the field named), for the status bar

    def __init__(self, session: Session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._unsubscribe = session.subscribe(self.changed.emit)
        self._followers: list[tuple[QObject, Callable]] = []

    def set(self, path: str, value: Any, label: str | None = None) -> bool:
        """Set a field from a control; a refusal is reported, never raised into Qt."""
        try:
            return self.session.set(path, value, label)
        except PlaygroundError as exc:
            self.refused.emit(str(exc))
            return False

    def set_many(self, values: dict[str, Any], label: str | None = None) -> bool:
        try:
            return self.session.set_many(values, label)
        except PlaygroundError as exc:
            self.refused.emit(str(exc))
            return False

    def edit_graph(self, command: Any, label: str | None = None) -> bool:
        try:
            return self.session.edit_graph(command, label)
        except PlaygroundError as exc:
            self.refused.emit(f"not done: {exc}")
            return False

    def push(self, command) -> bool:
        try:
            return self.session.push(command)
        except PlaygroundError as exc:
            self.refused.emit(f"not done: {exc}")
            return False

    def get(self, path: str) -> Any:
        return self.session.get(path)

    def follow(self, path: str | tuple[str, ...], refresh: Callable[[], None],
               owner: QObject) -> None:
        """Call `refresh` now and after every change that touches `path` (or any of several
        paths: once per change) while `owner` lives."""
        paths = (path,) if isinstance(path, str) else path

        def on_change(change: Change) -> None:
            if any(change.touches(p) for p in paths):
                refresh()

        self.changed.connect(on_change)
        self._followers.append((owner, on_change))
        owner.destroyed.connect(lambda *_: self._drop(on_change))
        refresh()

    def release(self, widget: QWidget) -> None:
        """Unbind every control inside `widget` at once, before it is deleted (deleteLater
        waits for the event loop): its paths may name a list item that is gone already."""
        for owner, slot in list(self._followers):
            try:
                inside = owner is widget or (isinstance(owner, QWidget)
                                             and widget.isAncestorOf(owner))
            except RuntimeError:  # its C++ side is gone
                inside = True
            if inside:
                self._drop(slot)

    def _drop(self, slot: Callable) -> None:
        if any(s is slot for _, s in self._followers):  # (released ones are gone already)
            _disconnect(self.changed, slot)
            self._followers = [(o, s) for o, s in self._followers if s is not slot]


def _disconnect(signal, slot) -> None:
    with contextlib.suppress(RuntimeError, TypeError):
        signal.disconnect(slot)


def tooltip(path: str, extra: str = "") -> str:
    info = field_info(path)
    parts = [p for p in (info.doc, extra) if p]
    rng = ""
    if info.lo is not None and info.hi is not None:
        rng = f"{'(' if info.lo_open else '['}{info.lo:g}, {info.hi:g}]"
    return " — ".join(parts + [rng] if rng else parts) or path


# ------------------------------------------------------------------------------- binding

def bind_combo(qs: QtSession, combo: QComboBox, path: str, items: list[tuple[str, Any]] | None
               = None, also: Callable[[Any], dict[str, Any]] | None = None) -> QComboBox:
    """A combo box of the field's choices (or `items` as (text, value)); `also(value)` gives
    further fields set in the same undoable edit (e.g. reset an entry's parameters)."""
    combo.setObjectName(path)
    guard(combo)
    if items is None:
        items = [(name, name) for name in field_info(path).choices or []]
    combo.clear()
    for text, value in items:
        combo.addItem(text, value)
    combo.setToolTip(tooltip(path))

    def refresh() -> None:
        value = qs.get(path)
        with QSignalBlocker(combo):
            i = combo.findData(value)
            if i < 0:
                combo.addItem(f"{value:g}" if isinstance(value, float) else str(value), value)
                i = combo.count() - 1
            combo.setCurrentIndex(i)

    def picked(index: int) -> None:
        value = combo.itemData(index)
        values = {path: value, **(also(value) if also else {})}
        if not qs.set_many(values):
            refresh()

    combo.activated.connect(picked)
    qs.follow(path, refresh, combo)
    return combo


def bind_number_combo(qs: QtSession, combo: QComboBox, path: str, values: list[float]) -> QComboBox:
    """An editable combo of suggested numbers (TF Playground's learning rates); any typed value
    within the field's range is taken, others are refused with the range named."""
    combo.setEditable(True)
    # Enter never adds the typed text as an item (it came back as a value of None).
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    bind_combo(qs, combo, path, [(f"{v:g}", float(v)) for v in values])
    guard(combo)  # again: the editor exists only now

    def typed() -> None:
        text = combo.currentText().strip()
        try:
            value = float(text)
        except ValueError:
            info, where = field_info(path), ""
            if info.lo is not None and info.hi is not None:
                where = (f"; type one above {info.lo:g}, up to {info.hi:g}" if info.lo_open
                         else f"; type one from {info.lo:g} to {info.hi:g}")
            qs.refused.emit(f"{path_in_words(path)}: {text[:20]!r} is not a number{where}")
            combo.setEditText(f"{qs.get(path):g}")
            return
        if not qs.set(path, value):
            combo.setEditText(f"{qs.get(path):g}")

    combo.lineEdit().editingFinished.connect(typed)
    return combo


def bind_check(qs: QtSession, box: QCheckBox | QAbstractButton, path: str) -> QAbstractButton:
    box.setObjectName(path)
    box.setCheckable(True)
    box.setToolTip(tooltip(path))

    def refresh() -> None:
        with QSignalBlocker(box):
            box.setChecked(bool(qs.get(path)))

    box.toggled.connect(lambda on: qs.set(path, bool(on)) or refresh())
    qs.follow(path, refresh, box)
    return box


def bind_spin(qs: QtSession, spin: QSpinBox | QDoubleSpinBox, path: str,
              decimals: int = 3, special: str = "") -> QWidget:
    """A spin box with the field's range and step; written when editing finishes or an arrow
    is used (not at every keystroke)."""
    info = field_info(path)
    spin.setObjectName(path)
    guard(spin)
    spin.setKeyboardTracking(False)
    lo = info.lo if info.lo is not None else -1e9
    hi = info.hi if info.hi is not None else 1e9
    if isinstance(spin, QDoubleSpinBox):
        spin.setDecimals(decimals)
        step = info.step or 10 ** (-decimals + 1)
        spin.setRange(lo + (step if info.lo_open else 0.0), hi)
        spin.setSingleStep(step)
    else:
        spin.setRange(int(max(lo, -2**31 + 1)), int(min(hi, 2**31 - 1)))
        if info.step:
            spin.setSingleStep(int(info.step))
    if special:
        spin.setSpecialValueText(special)
    spin.setToolTip(tooltip(path))

    def refresh() -> None:
        with QSignalBlocker(spin):
            spin.setValue(qs.get(path))

    spin.valueChanged.connect(lambda v: qs.set(path, v) or refresh())
    qs.follow(path, refresh, spin)
    return spin


def bind_slider(qs: QtSession, slider: QSlider, path: str, step: float,
                shown: Callable[[float], None] | None = None) -> QSlider:
    """A slider over the field's range in steps of `step`; `shown(value)` updates its caption."""
    info = field_info(path)
    slider.setObjectName(path)
    guard(slider)
    lo, hi = info.lo or 0.0, info.hi if info.hi is not None else 1.0
    slider.setRange(0, round((hi - lo) / step))
    slider.setSingleStep(1)
    slider.setPageStep(1)
    slider.setToolTip(tooltip(path))

    def value_at(position: int) -> float:
        return round(lo + position * step, 10)

    def refresh() -> None:
        value = qs.get(path)
        with QSignalBlocker(slider):
            slider.setValue(round((value - lo) / step))
        if shown:
            shown(value)

    def moved(position: int) -> None:
        if shown:
            shown(value_at(position))
        if not slider.isSliderDown():
            qs.set(path, value_at(position)) or refresh()  # refused: back to the value

    slider.valueChanged.connect(moved)
    slider.sliderReleased.connect(lambda: qs.set(path, value_at(slider.value())) or refresh())
    qs.follow(path, refresh, slider)
    return slider


def bind_choice_buttons(qs: QtSession, buttons: dict[Any, QAbstractButton], path: str,
                        also: Callable[[Any], dict[str, Any]] | None = None) -> None:
    """Exclusive buttons, one per value, named ``path=value``."""
    for value, button in buttons.items():
        button.setObjectName(f"{path}={value}")
        button.setCheckable(True)
        button.clicked.connect(lambda _=False, v=value: qs.set_many(
            {path: v, **(also(v) if also else {})}) or refresh())

    def refresh() -> None:
        current = qs.get(path)
        for value, button in buttons.items():
            with QSignalBlocker(button):
                button.setChecked(value == current)

    qs.follow(path, refresh, next(iter(buttons.values())))


def finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


# ------------------------------------------------------------------ catalog entries

def formula_label(text: str) -> QLabel:
    """A formula as plain text, in the font the catalog's symbols need."""
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
                 parent: QWidget | None = None, label: Callable[[Param], str] | None = None):
        super().__init__(parent)
        self.qs, self.name_path, self.params_path, self.table = qs, name_path, params_path, table
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.formula = formula_label("")
        self.form.addRow(self.formula)
        self.spins: dict[str, QWidget] = {}
        self._entry = None
        self._label = label or (lambda param: param.doc or param.name)
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
            self.form.addRow(self._label(param), spin)
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
