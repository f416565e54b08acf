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
