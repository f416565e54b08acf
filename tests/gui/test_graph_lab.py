"""The Backprop tab, driven as a user would: pick a notes' example, step forward then back,
type a formula, be refused, open a lesson."""

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QTableWidget

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def lab(window):
    window.tabs.setCurrentWidget(window.graph_lab)
    return window.graph_lab


def click(qtbot, lab, name):
    qtbot.mouseClick(lab.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def column(lab, col):
    table = lab.findChild(QTableWidget, "graph_lab.table")
    rows = {table.item(r, 0).text(): table.item(r, col) for r in range(table.rowCount())}
    return {k: (v.text() if v is not None else "") for k, v in rows.items()}


def test_the_tab_and_every_control_is_named_by_its_path(window, lab):
    assert window.tabs.tabText(window.tabs.indexOf(lab)) == "Backprop"
    for name in ("graph_lab.next", "graph_lab.back", "graph_lab.start", "graph_lab.end"):
        assert lab.findChild(QPushButton, name) is not None, name
    for name in ("graph_lab.expression", "graph_lab.inputs"):
        assert lab.findChild(QLineEdit, name) is not None, name
    assert lab.findChild(QComboBox, "graph_lab.wrt") is not None
    for key in ("sum_product", "logistic", "neuron", "prelu_elu"):
        assert lab.findChild(QAction, f"graph_lab.example={key}") is not None, key


def test_stepping_the_logistic_example_fills_values_then_adjoints_to_the_signed_gradient(
        qtbot, window, lab):
    lab.findChild(QAction, "graph_lab.example=logistic").trigger()
    assert window.experiment.graph_lab.expression == lab.graph.expression.text  # saved with it
    assert column(lab, 2)["W"] == "3" and column(lab, 2)["ξ8"] == ""  # only inputs at first
    for _ in range(8):  # the eight operations of the forward table
        click(qtbot, lab, "graph_lab.next")
    values, adjoints = column(lab, 2), column(lab, 5)
    assert values["ξ2"] == "-9" and values["ξ3"] == "0.00012341"
    assert not any(adjoints.values())  # reverse mode has not started
    assert column(lab, 4)["ξ8"] == "-0.00037018"  # the forward-mode tangent along W
    click(qtbot, lab, "graph_lab.end")
    adjoints = column(lab, 5)
    assert adjoints["ξ8"].startswith("1")
    assert adjoints["W"].endswith("= -0.00037018")  # the sign the notes drop
    assert not lab.findChild(QPushButton, "graph_lab.next").isEnabled()
    click(qtbot, lab, "graph_lab.back")
    assert column(lab, 5)["W"] == ""  # Back takes the last adjoint away again
    assert "reverse" in lab.findChild(QLabel, "graph_lab.step").text()


def test_a_typed_formula_gives_the_notes_gradient_and_its_costs(qtbot, lab):
    lab.expression.setText("(x + y)*z")
    lab.inputs.setText("x = -2, y = 5, z = -4")
    qtbot.keyClick(lab.expression, Qt.Key.Key_Return)
    click(qtbot, lab, "graph_lab.end")
    adjoints = column(lab, 5)
    assert [adjoints[k].rsplit("= ", 1)[1] for k in "xyz"] == ["-4", "-4", "3"]
    counts = lab.findChild(QLabel, "graph_lab.counts").text()
    assert "3 × (N + E) = <b>18</b>" in counts and "N + E = <b>6</b>" in counts
    assert "autograd differs by at most 0.0e+00" in lab.findChild(QLabel, "graph_lab.check").text()


@pytest.mark.parametrize("text", ["__import__('os').system('ls')", "x.__class__",
                                  "open('/etc/passwd')"])
def test_a_formula_that_calls_or_imports_anything_is_refused_with_a_message(qtbot, lab, text):
    before = lab.graph
    lab.expression.setText(text)
    qtbot.keyClick(lab.expression, Qt.Key.Key_Return)
    assert "not allowed" in lab.findChild(QLabel, "graph_lab.message").text()
    assert lab.graph is before  # the last good graph stays on screen


def test_bad_input_values_are_named(qtbot, lab):
    lab.inputs.setText("x = 1, y = five")
    qtbot.keyClick(lab.inputs, Qt.Key.Key_Return)
    assert "inputs: 'y = five'" in lab.findChild(QLabel, "graph_lab.message").text()


def test_choosing_the_tangent_input_changes_the_forward_mode_column(qtbot, lab):
    lab.findChild(QAction, "graph_lab.example=sum_product").trigger()
    click(qtbot, lab, "graph_lab.end")
    combo = lab.findChild(QComboBox, "graph_lab.wrt")
    combo.setCurrentIndex(combo.findText("z"))
    combo.activated.emit(combo.currentIndex())
    assert column(lab, 4)["ξ2"] == "3"  # df/dz by forward mode
    assert lab.position == lab.last_step  # the walk-through stays where it was


def test_opening_a_graph_lesson_shows_the_backprop_tab_on_its_example(window):
    assert window.load_path(os.path.join(ROOT, "examples", "graph_prelu_elu.json"),
                            remember=False)
    assert window.tabs.currentWidget() is window.graph_lab
    lab = window.graph_lab
    assert "prelu" in lab.expression.text() and lab.graph.wrt == "W1"
    lab.go_to(lab.last_step)
    assert column(lab, 5)["W1"].endswith("= -1.1602")


def test_every_edit_is_one_undoable_step_and_an_undo_shows_at_once(qtbot, window, lab):
    lab.expression.setText("x*y + z")
    qtbot.keyClick(lab.expression, Qt.Key.Key_Return)
    assert window.experiment.graph_lab.expression == "x*y + z"
    combo = lab.findChild(QComboBox, "graph_lab.wrt")
    combo.setCurrentIndex(combo.findText("y"))
    combo.activated.emit(combo.currentIndex())
    assert window.experiment.graph_lab.wrt == "y"
    window.undo_action.trigger()  # with the tab open: the tangent goes back to x
    assert lab.graph.wrt == "x" and combo.currentText() == "x"
    window.undo_action.trigger()  # and the formula to the one before
    assert lab.expression.text() == "(x + y)*z" and lab.graph.expression.text == "(x + y)*z"
    window.qs.set("graph_lab.inputs", {"x": 1.0, "y": 2.0, "z": 3.0})  # from elsewhere
    assert lab.inputs.text() == "x = 1, y = 2, z = 3" and lab.graph.inputs["z"] == 3.0
    assert not hasattr(lab, "experiment")
