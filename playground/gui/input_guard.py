"""Keep the mouse wheel and the window's shortcuts doing what a user expects over controls.

Two defects found by a new user with real input:
- scrolling the settings panel with the wheel changed every combo box and spin box that passed
  under the pointer (the Problem combo stepped to "regression" and the run restarted);
- a focused number field swallowed the window's shortcuts: Ctrl+Z after picking a learning rate
  undid nothing, and Space typed into the batch-size box instead of pausing.

A guarded control takes the wheel only when it has the keyboard focus (clicked or tabbed into);
otherwise the wheel scrolls whatever holds it. In a number field, Space always goes to the
window (a number has no spaces), and undo/redo go to the window unless the user has typed into
the field and not yet pressed Enter (then they undo the typing, as in any text field).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QSlider, QWidget

_UNDO_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)


def _control(obj: QObject) -> QWidget | None:
    """The guarded control an event is for: the object itself or the editor's owner."""
    for candidate in (obj, obj.parent() if isinstance(obj, QLineEdit) else None):
        if isinstance(candidate, QComboBox | QAbstractSpinBox | QSlider):
            return candidate
    return None


def _editor(control: QWidget) -> QLineEdit | None:
    return control.lineEdit() if isinstance(control, QComboBox | QAbstractSpinBox) else None


def _numeric(control: QWidget) -> bool:
    return isinstance(control, QAbstractSpinBox) or (
        isinstance(control, QComboBox) and control.isEditable())


class InputGuard(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            control = _control(obj)
            if control is not None and not control.hasFocus():
                event.ignore()  # ignored: Qt hands the wheel on to the scroll area around it
                return True
        elif kind == QEvent.Type.ShortcutOverride:
            control = _control(obj)
            if control is not None and _numeric(control) and self._to_window(control, event):
                event.ignore()  # not taken by the field: the window's shortcut runs
                return True
        return False

    @staticmethod
    def _to_window(control: QWidget, event) -> bool:
        if event.key() == Qt.Key.Key_Space and not event.modifiers():
            return True
        if any(event.matches(k) for k in _UNDO_KEYS):
            editor = _editor(control)
            return editor is None or not editor.isModified()
        return False


_GUARD: InputGuard | None = None


def guard(control: QWidget) -> QWidget:
    """Guard one combo box, spin box or slider, and its editor if it has one (idempotent:
    call again after making a combo editable)."""
    global _GUARD
    if _GUARD is None:
        _GUARD = InputGuard()
    editor = _editor(control)
    for widget in (control, editor):
        if widget is None or widget.property("input_guarded"):
            continue
        widget.setProperty("input_guarded", True)
        widget.installEventFilter(_GUARD)
        if widget is editor:  # committed text is unmodified: undo is the window's again
            editor.editingFinished.connect(lambda e=editor: e.setModified(False))
    control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel alone never takes focus
    return control


def guard_all(root: QWidget) -> None:
    """Guard every combo box, spin box and slider inside `root` (made so far)."""
    for kind in (QComboBox, QAbstractSpinBox, QSlider):
        for control in root.findChildren(kind):
            guard(control)


__all__ = ["guard", "guard_all"]
