import gc

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication


def free_deleted_widgets() -> None:
    """Delete what deleteLater() queued. Only an event loop does that, and tests run none: every
    window and lab a test closed stayed alive, with its timers and plots, and each teardown's
    collection walked all of them (0.22 s after one window, 0.41 s after eight; a GUI test's
    teardown took 2.2 s at the median of a loaded full run)."""
    app = QApplication.instance()
    if app is not None:
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    """After the fixtures' teardown and pytest-qt's closing of the widgets a test added."""
    result = yield
    free_deleted_widgets()
    gc.collect()
    return result


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
    """Close a window and queue its deletion, done at the test's teardown (after pytest-qt
    closed it), not at interpreter exit: PySide6 aborts when garbage collection at shutdown
    meets half-destroyed Qt objects."""
    if w.worker.isRunning():
        w.close()
    w.deleteLater()
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, 0)  # (the test's teardown frees it and collects)


def snap(w):
    return w._drawn.snapshot


def wait_epoch(qtbot, w, at_least, timeout=30000):
    qtbot.waitUntil(lambda: w._drawn is not None and snap(w).epoch >= at_least, timeout=timeout)


def pause_settled(qtbot, w, timeout=5000):
    """Pause, and wait for the worker's answer: the frame of the slice it was in the middle
    of can still arrive after the button changed (a test read epoch 31, then the header 32)."""
    w.toggle_play()
    qtbot.waitUntil(lambda: not w.playing and not w._drawn.playing, timeout=timeout)


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
