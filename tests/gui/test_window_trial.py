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
