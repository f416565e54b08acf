"""Bugs found by a new user trying the window with real clicks (each failed before its fix)."""

from PySide6.QtCore import Qt

from .conftest import control, snap, wait_epoch


def test_going_from_four_classes_to_seven_draws_the_new_network(qtbot, window):
    """Smiley (4 groups) then packed circles (7): the old 4-output frame was painted on the new
    7-output canvas, an IndexError on every frame and an error dialog that came back forever."""
    control(window, "data.generator=smiley").click()
    qtbot.waitUntil(lambda: window._drawn is not None
                    and snap(window).output is not None and snap(window).output.shape[-1] == 4,
                    timeout=20000)
    control(window, "data.generator=packed_circles").click()
    for _ in range(5):  # the paint timer runs with whatever frame it holds
        window.paint()
        qtbot.wait(20)
    qtbot.waitUntil(lambda: window._drawn is not None and snap(window).output.shape[-1] == 7,
                    timeout=20000)
    assert window.run_status.kind != "error", window.run_status.text.text()
    window.toggle_play()
    wait_epoch(qtbot, window, snap(window).epoch + 3)
    window.toggle_play()


def _wheel(qtbot, widget, steps=-3):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    qtbot.wait(10)


def test_the_wheel_over_the_settings_panel_changes_no_setting(qtbot, window):
    """Scrolling the data panel stepped the Problem combo to 'regression' as it passed under
    the pointer, and the run restarted."""
    before = window.experiment.copy()
    window.setFocus()
    for path in ("data.problem", "training.learning_rate", "training.batch_size", "data.noise",
                 "network.activation"):
        _wheel(qtbot, control(window, path))
    assert window.experiment.to_json() == before.to_json()
    assert not window.session.can_undo


def test_a_focused_number_field_leaves_undo_and_space_to_the_window(qtbot, window):
    """Ctrl+Z after picking a learning rate undid nothing; Space typed into the batch size."""
    from .conftest import choose

    rate = control(window, "training.learning_rate")
    choose(rate, 0.1)
    rate.setFocus()
    qtbot.waitUntil(rate.hasFocus)
    qtbot.keyClick(rate.lineEdit(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.experiment.training.learning_rate == 0.03  # undone by the window
    batch = control(window, "training.batch_size")
    batch.setFocus()
    qtbot.waitUntil(batch.hasFocus)
    playing = window.playing
    qtbot.keyClick(batch, Qt.Key.Key_Space)
    assert batch.value() == window.experiment.training.batch_size == 10
    qtbot.waitUntil(lambda: window.playing != playing, timeout=5000)
    window.toggle_play() if window.playing else None


def test_quit_then_save_saves_and_quits(qtbot, settings, recovery, tmp_path, monkeypatch):
    """Ctrl+Q, Save, a file name: the file was written but the window stayed open."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from playground.gui.main_window import MainWindow

    from .conftest import choose, dispose

    w = MainWindow(settings=settings, recovery_path=recovery)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w._drawn is not None, timeout=10000)
    choose(control(w, "training.learning_rate"), 0.1)
    target = str(tmp_path / "mine.json")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Save)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (target, ""))
    post = w.worker.post

    def write_at_once(command, *args):  # a fast worker: the file is written, and answered,
        if type(command).__name__ != "Write":  # before post() returns
            return post(command, *args)
        import threading
        writer = threading.Thread(target=w.worker._write, args=(command,))
        writer.start()
        writer.join()

    monkeypatch.setattr(w.worker, "post", write_at_once)
    quit_action = next(a for a in w.findChildren(type(w.undo_action))
                       if a.shortcut() == QKeySequence("Ctrl+Q"))
    import time
    started = time.monotonic()
    quit_action.trigger()
    # It sat 30 s in a loop waiting for an answer that had already come (a hang, not a speed).
    assert time.monotonic() - started < 15
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)
    from playground.core import files
    assert files.load_experiment(target).experiment.training.learning_rate == 0.1
    dispose(w)
