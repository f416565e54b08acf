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

from PySide6.QtCore import QObject, QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QSlider,
    QSpinBox,
    QWidget,
)

from ..core.errors import PlaygroundError
from ..core.session import Change, Session, field_info


class QtSession(QObject):
    """Re-emits the session's changes as a Qt signal, and reports refused edits."""

    changed = Signal(object)  # Change
    refused = Signal(str)  # a refused edit's message (the field named), for the status bar

    def __init__(self, session: Session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._unsubscribe = session.subscribe(self.changed.emit)

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

    def follow(self, path: str, refresh: Callable[[], None], owner: QObject) -> None:
        """Call `refresh` now and after every change that touches `path` (while `owner` lives)."""

        def on_change(change: Change) -> None:
            if change.touches(path):
                refresh()

        self.changed.connect(on_change)
        owner.destroyed.connect(lambda *_: _disconnect(self.changed, on_change))
        refresh()


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
    bind_combo(qs, combo, path, [(f"{v:g}", float(v)) for v in values])

    def typed() -> None:
        text = combo.currentText().strip()
        try:
            value = float(text)
        except ValueError:
            qs.refused.emit(f"{path}: {text!r} is not a number")
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
