"""Editing the network in the window: quick controls, templates, inspector, undo and redo."""

from playground.core import commands as C

from .conftest import choose, snap


def structure(window):
    return window.experiment.network.to_json()


def test_layers_and_neurons_with_plus_and_minus_then_undo_redo(qtbot, window):
    start = structure(window)
    window.network_header.more.click()
    qtbot.waitUntil(lambda: "dense3" in snap(window).weights, timeout=10000)
    assert window.network_header.layers.text() == "3 hidden layers"
    window.network_view.units_delta.emit("dense1", +1)
    qtbot.waitUntil(lambda: snap(window).weights["dense1"].shape == (5, 2), timeout=10000)
    edited = structure(window)
    window.undo_edit()
    window.undo_edit()
    assert structure(window) == start
    qtbot.waitUntil(lambda: "dense3" not in snap(window).weights, timeout=10000)
    window.redo_edit()
    window.redo_edit()
    assert structure(window) == edited
    window.network_header.less.click()
    assert window.experiment.network.dense_chain() == ["dense1", "dense2"]


def test_a_template_replaces_the_network_and_trains(qtbot, window):
    header = window.network_header
    header._template(header.template.findData("residual"))
    qtbot.waitUntil(lambda: "add2" in snap(window).neurons, timeout=10000)
    assert window.network_header.layers.text() == "custom network"
    before = snap(window).metrics["train_loss"]
    choose(window.training_bar.speed, 20)
    window.toggle_play()
    qtbot.waitUntil(lambda: snap(window).epoch >= 40, timeout=30000)
    window.toggle_play()
    assert snap(window).metrics["train_loss"] < before
    assert window.latest.path == "general"


def test_the_inspector_shows_the_formula_and_edits_the_block(qtbot, window):
    window.network_view.block_selected.emit("dense2")
    texts = [window.inspector.form.itemAt(i).widget().text()
             for i in range(window.inspector.form.count())
             if hasattr(window.inspector.form.itemAt(i).widget(), "text")]
    assert any("tanh" in t for t in texts)
    window.inspector._set({"activation": "relu"})
    assert window.experiment.network.nodes["dense2"].param("activation") == "relu"
    assert window.inspector.node_id == "dense2"
    window.undo_edit()
    assert window.experiment.network.nodes["dense2"].param("activation") == "tanh"


def test_a_refused_edit_says_why_and_changes_nothing(qtbot, window):
    start = structure(window)
    assert not window.edit_network(C.Connect("dense2", "dense1"))
    assert "cycle" in window.statusBar().currentMessage()
    assert structure(window) == start and not window.session.can_undo


def test_an_invalid_network_disables_play_and_says_why(qtbot, window):
    window.edit_network(C.AddNode("dense", {"units": 3}, node="floating"))
    qtbot.waitUntil(lambda: not window.training_bar.play_button.isEnabled(), timeout=10000)
    assert "floating" in window.training_bar.play_button.toolTip()
    assert window.run_status.isVisible() and "floating" in window.run_status.text.text()
    window.undo_edit()
    qtbot.waitUntil(lambda: window.training_bar.play_button.isEnabled(), timeout=10000)


def test_the_inspector_opens_the_weight_table_and_its_edits_undo_and_redo(qtbot, window):
    """Click a block's title, then "Weights and biases…"; type two new values and OK: both
    reach the trained network as one step that undoes and redoes."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QPushButton

    view = window.network_view
    qtbot.waitUntil(lambda: view.weight("dense2", 1, 3) is not None, timeout=10000)
    old = snap(window).weights["dense2"].copy(), snap(window).biases["dense2"].copy()
    title = view.titles["dense2"]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.mapFromScene(title.sceneBoundingRect().center()))
    assert window.inspector.node_id == "dense2"
    seen = {}

    def edit_in_the_dialog():
        from playground.gui.network.weight_dialog import WeightTable

        table = next((w for w in QApplication.topLevelWidgets()
                      if isinstance(w, WeightTable) and w.isVisible()), None)
        if table is None:  # not open yet
            QTimer.singleShot(100, edit_in_the_dialog)
            return
        try:
            fill(table)
        finally:
            if table.isVisible():  # a failure must not leave a modal dialog waiting forever
                table.reject()

    def fill(table):
        seen["columns"] = [table.table.horizontalHeaderItem(c).text()
                           for c in range(table.table.columnCount())]
        for row, col, text in ((1, 3, "2.5"), (0, 4, "-0.75")):  # a weight and a bias
            table.table.setCurrentCell(row, col)
            table.table.editItem(table.table.item(row, col))
            cell = table.table.visualItemRect(table.table.item(row, col))
            editor = next(e for e in table.table.viewport().findChildren(QLineEdit)
                          if e.isVisible() and e.geometry().intersects(cell))
            editor.selectAll()
            qtbot.keyClicks(editor, text)
            qtbot.keyClick(editor, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda r=row, c=col, t=text: table.table.item(r, c).text() == t,
                            timeout=2000)  # the cell takes the value on the next turn
        ok = table.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        seen["accepted"] = table.result()

    QTimer.singleShot(200, edit_in_the_dialog)
    qtbot.mouseClick(window.inspector.findChild(QPushButton, "inspector.weights"),
                     Qt.MouseButton.LeftButton)
    assert seen.get("accepted") == 1, seen
    assert seen["columns"] == ["dense1 1", "dense1 2", "dense1 3", "dense1 4", "bias"]

    def shows(w13, b0):
        s = snap(window)
        return abs(s.weights["dense2"][1, 3] - w13) < 1e-6 and abs(s.biases["dense2"][0] - b0) < 1e-6

    qtbot.waitUntil(lambda: shows(2.5, -0.75), timeout=10000)
    assert "2 weights" in window.session.undo_label
    window.undo_edit()  # one step takes both back
    qtbot.waitUntil(lambda: shows(old[0][1, 3], old[1][0]), timeout=10000)
    assert abs(snap(window).weights["dense2"] - old[0]).max() < 1e-6
    window.redo_edit()
    qtbot.waitUntil(lambda: shows(2.5, -0.75), timeout=10000)


def test_the_weight_table_refuses_a_bad_cell_by_name_and_keeps_the_dialog(qtbot):
    from playground.gui.network.weight_dialog import WeightTable

    table = WeightTable("dense2", 2, ["x₁", "x₂"], lambda r, c: 0.5, True)
    qtbot.addWidget(table)
    table.table.item(1, 0).setText("lots")
    table._accept()
    assert "unit 2, x₁" in table.problem.text() and "not a number" in table.problem.text()
    assert table.result() == 0 and table.changes() == []
    table.table.item(1, 0).setText("1e9")
    table._accept()
    assert "[−100, 100]" in table.problem.text()
    table.table.item(1, 0).setText("0.25")
    table._accept()
    assert table.changes() == [(1, 0, 0.25, 0.5)]

