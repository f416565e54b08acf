import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture(autouse=True)
def no_modal_questions(monkeypatch):
    """Offscreen, a modal question would wait forever: unsaved work is discarded unless a
    test says otherwise."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)


@pytest.fixture
def recovery(tmp_path):
    return str(tmp_path / "recovery" / "recovery.json")


@pytest.fixture
def window(qtbot, settings, recovery):
    from playground.gui.main_window import MainWindow

    w = MainWindow(settings=settings, recovery_path=recovery)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitUntil(lambda: w._drawn is not None, timeout=10000)
    yield w
    dispose(w)


def dispose(w):
    """Close and delete a window inside the test, not at interpreter exit: PySide6 aborts when
    garbage collection at shutdown meets half-destroyed Qt objects."""
    import gc

    from PySide6.QtWidgets import QApplication

    if w.worker.isRunning():
        w.close()
    w.deleteLater()
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, 0)
    gc.collect()


def snap(w):
    return w._drawn.snapshot


def wait_epoch(qtbot, w, at_least, timeout=30000):
    qtbot.waitUntil(lambda: w._drawn is not None and snap(w).epoch >= at_least, timeout=timeout)


def control(w, path):
    """The control bound to a field path, found as a user's tools find it: by objectName."""
    from PySide6.QtCore import QObject

    found = w.findChild(QObject, path)
    assert found is not None, f"no control named {path!r}"
    return found


def choose(combo, value):
    """Pick `value` from a combo box as a user does (the `activated` signal)."""
    index = combo.findData(value)
    if index < 0:
        index = combo.findText(str(value))
    assert index >= 0, f"{combo.objectName()}: no item {value!r}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def type_into(qtbot, widget, text):
    """Replace a field's text by typing, then press Enter."""
    from PySide6.QtCore import Qt

    editor = widget.lineEdit() if hasattr(widget, "lineEdit") and widget.lineEdit() else widget
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
