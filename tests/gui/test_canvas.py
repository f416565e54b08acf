"""The network canvas, driven by mouse, keyboard and drop events on the view."""

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from .conftest import choose, snap

XOR = [[x, y, float(x != y)] for x, y in ((0, 0), (0, 1), (1, 0), (1, 1))] * 10


def view_point(view, scene_point: QPointF) -> QPoint:
    return view.mapFromScene(scene_point)


def drop_block(window, kind: str, x: float, y: float) -> str:
    """Drag a block from the palette and drop it on the canvas at scene point (x, y)."""
    view, palette = window.network_view, window.palette
    item = next(palette.item(i) for i in range(palette.count())
                if palette.item(i).data(Qt.ItemDataRole.UserRole) == kind)
    mime = palette.mimeData([item])
    pos = view_point(view, QPointF(x, y))
    before = set(window.experiment.network.nodes)
    QApplication.sendEvent(view.viewport(), QDragEnterEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(view.viewport(), QDropEvent(
        QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier))
    (added,) = set(window.experiment.network.nodes) - before
    return added


def out_port(view, node):
    return next(c for c in view.frames[node].childItems()
                if type(c).__name__ == "PortItem" and c.outgoing)


def drag_connect(qtbot, window, src: str, dst: str) -> None:
    """Press on src's out port, move onto dst's block, release."""
    view = window.network_view
    start = view_point(view, out_port(view, src).sceneBoundingRect().center())
    end = view_point(view, view.frames[dst].sceneBoundingRect().center())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), pos=(start + end) / 2)
    qtbot.mouseMove(view.viewport(), pos=end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)


def click_block(qtbot, window, node, modifier=Qt.KeyboardModifier.NoModifier):
    view = window.network_view
    title = view.titles[node]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier,
                     view_point(view, title.sceneBoundingRect().center()))


def start_with_input_and_output(qtbot, window):
    """Select the hidden blocks of the default net and delete them with the keyboard."""
    click_block(qtbot, window, "dense1")
    click_block(qtbot, window, "dense2", Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.network_view, Qt.Key.Key_Delete)
    assert set(window.experiment.network.nodes) == {"input", "output"}
    assert window.experiment.network.edges == [("input", "output")]  # the chain stays whole
    window.network_view.select_link(("input", "output"))  # then the link goes too
    qtbot.keyClick(window.network_view, Qt.Key.Key_Delete)
    assert window.experiment.network.edges == []


def set_units(qtbot, window, node, units):
    click_block(qtbot, window, node)
    assert window.inspector.node_id == node
    spin = window.inspector.form.itemAt(0, window.inspector.form.ItemRole.FieldRole).widget()
    spin.setValue(units)
    spin.editingFinished.emit()


def test_xor_network_built_with_the_mouse_trains_to_100_percent(qtbot, window):
    exp = window.experiment.copy()
    exp.data.generator = "points"
    exp.data.points = XOR
    exp.data.train_fraction = 0.9
    exp.training.optimizer = "adam"
    exp.training.learning_rate = 0.05
    exp.training.batch_size = 4
    window.apply_experiment(exp)
    start_with_input_and_output(qtbot, window)
    hidden = drop_block(window, "dense", 200.0, 0.0)
    drag_connect(qtbot, window, "input", hidden)
    drag_connect(qtbot, window, hidden, "output")
    assert window.experiment.network.edges == [("input", hidden), (hidden, "output")]
    set_units(qtbot, window, hidden, 6)
    assert window.experiment.network.nodes[hidden].param("units") == 6
    qtbot.waitUntil(lambda: window.training_bar.play_button.isEnabled()
                    and snap(window).weights[hidden].shape == (6, 2), timeout=10000)
    choose(window.training_bar.speed, 20)
    window.toggle_play()
    qtbot.waitUntil(lambda: snap(window).metrics["train_accuracy"] == 1.0
                    and snap(window).metrics["test_accuracy"] == 1.0, timeout=30000)
    window.toggle_play()


def test_a_cycle_is_refused_with_a_message(qtbot, window):
    drag_connect(qtbot, window, "dense2", "dense1")
    assert "cycle" in window.statusBar().currentMessage()
    assert ("dense2", "dense1") not in window.experiment.network.edges


def test_width_mismatch_at_add_is_flagged_on_that_block(qtbot, window):
    add = drop_block(window, "add", 300.0, 200.0)
    drag_connect(qtbot, window, "input", add)  # width 2
    drag_connect(qtbot, window, "dense1", add)  # width 4
    frame = window.network_view.frames[add]
    assert "different widths (2, 4)" in frame.toolTip()
    assert frame.pen().color().name() == "#d62728"
    qtbot.waitUntil(lambda: not window.training_bar.play_button.isEnabled(), timeout=10000)
    window.undo_edit()
    window.undo_edit()
    window.undo_edit()
    assert add not in window.experiment.network.nodes


def test_a_residual_mlp_drawn_on_the_canvas_trains(qtbot, window):
    window.experiment.training.optimizer = "adam"
    exp = window.experiment.copy()
    exp.training.optimizer, exp.training.learning_rate = "adam", 0.01
    exp.data.generator = "spiral"
    window.apply_experiment(exp)
    drag_connect(qtbot, window, "dense2", "output")  # refused: Output takes one input
    start_with_input_and_output(qtbot, window)
    first = drop_block(window, "dense", 150.0, 0.0)
    second = drop_block(window, "dense", 300.0, -120.0)
    add = drop_block(window, "add", 450.0, 0.0)
    for a, b in (("input", first), (first, second), (second, add), (first, add),
                 (add, "output")):
        drag_connect(qtbot, window, a, b)
    assert len(window.experiment.network.edges) == 5
    qtbot.waitUntil(lambda: window.training_bar.play_button.isEnabled()
                    and add in snap(window).neurons, timeout=10000)
    before = snap(window).metrics["train_loss"]
    choose(window.training_bar.speed, 20)
    window.toggle_play()
    qtbot.waitUntil(lambda: snap(window).epoch >= 40, timeout=30000)
    window.toggle_play()
    assert snap(window).metrics["train_loss"] < before and window.latest.path == "general"


def test_moving_a_block_keeps_training_and_undoes(qtbot, window):
    for i in range(1, 3):
        window.step_epoch()
        qtbot.waitUntil(lambda i=i: snap(window).epoch == i, timeout=5000)
    view = window.network_view
    frame = view.frames["dense1"]
    start = view_point(view, window.network_view.titles["dense1"].sceneBoundingRect().center())
    end = start + QPoint(0, 60)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), pos=end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    moved = window.experiment.network.nodes["dense1"].position
    assert moved != (200.0, 0.0) and frame is not None
    qtbot.wait(200)
    assert snap(window).epoch == 2  # a move is not a reset
    window.undo_edit()
    assert window.experiment.network.nodes["dense1"].position == (200.0, 0.0)


def test_copy_and_paste_blocks_with_their_connection(qtbot, window):
    click_block(qtbot, window, "dense1")
    click_block(qtbot, window, "dense2", Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.network_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.network_view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    g = window.experiment.network
    assert {"dense3", "dense4"} <= set(g.nodes) and ("dense3", "dense4") in g.edges
    assert g.nodes["dense4"].param("units") == 2
    window.undo_edit()
    assert "dense3" not in window.experiment.network.nodes


def test_training_bar_network_choices_are_undoable(qtbot, window):
    bar = window.training_bar
    choose(bar.activation, "relu")
    assert window.experiment.network.nodes["dense1"].param("activation") == "relu"
    window.undo_edit()
    assert window.experiment.network.nodes["dense1"].param("activation") == "tanh"
    window.redo_edit()
    assert window.experiment.network.nodes["dense2"].param("activation") == "relu"


def test_wheel_zoom_and_fit(qtbot, window):
    view = window.network_view
    before = view.transform().m11()
    from PySide6.QtCore import QPointF as P
    from PySide6.QtGui import QWheelEvent

    centre = P(view.viewport().rect().center())
    event = QWheelEvent(centre, P(view.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 240), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.transform().m11() > before * 1.2 and view.user_zoomed
    window.network_header.fit_button.click()
    assert not view.user_zoomed
