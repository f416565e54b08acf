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
