"""The Optimizers tab, driven as a user would: choose a surface, step, play, go back, click a
start, type a formula, slice your own network."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QPushButton

from playground.core.optimizer_race import race_of


@pytest.fixture
def lab(qtbot, window):
    lab = window.optimizer_lab
    window.tabs.setCurrentWidget(lab)
    qtbot.waitUntil(lambda: lab.result is not None and lab.result.token == lab._token,
                    timeout=30000)
    return lab


def settled(qtbot, lab):
    qtbot.waitUntil(lambda: lab.result is not None and lab.result.token == lab._token,
                    timeout=30000)


def test_every_control_is_named_by_its_field_path(lab):
    for name in ("optimizer_lab.surface=rosenbrock", "optimizer_lab.surface=himmelblau",
                 "optimizer_lab.surface=custom", "optimizer_lab.racers.add",
                 "optimizer_lab.forward", "optimizer_lab.back", "optimizer_lab.play"):
        assert lab.findChild(QPushButton, name) is not None, name
    assert lab.findChild(QDoubleSpinBox, "optimizer_lab.racers[1].params.momentum") is not None
    assert lab.findChild(QDoubleSpinBox, "optimizer_lab.racers[0].learning_rate") is not None
    assert lab.findChild(QLineEdit, "optimizer_lab.formula") is not None


def test_choosing_a_surface_races_on_it_and_edits_the_experiment(qtbot, window, lab):
    qtbot.mouseClick(lab.findChild(QPushButton, "optimizer_lab.surface=himmelblau"),
                     Qt.MouseButton.LeftButton)
    settled(qtbot, lab)
    assert window.experiment.optimizer_lab.surface == "himmelblau"
    assert window.dirty
    assert lab.result.surface == "himmelblau" and len(lab.result.minima) == 4
    # what is drawn is the core's race for that experiment
    _, tracks = race_of(window.experiment.optimizer_lab)
    np.testing.assert_array_equal(lab.result.tracks[0].position, tracks[0].position)


def test_step_back_and_play_move_every_racer_along_its_track(qtbot, lab):
    step = lab.findChild(QPushButton, "optimizer_lab.forward")
    for _ in range(3):
        qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
    assert lab.step == 3
    for path, track in zip(lab.surface_plot.paths, lab.result.tracks, strict=False):
        x, y = path.getData()
        np.testing.assert_allclose(np.c_[x, y], track.position[:4])
    qtbot.mouseClick(lab.findChild(QPushButton, "optimizer_lab.back"), Qt.MouseButton.LeftButton)
    assert lab.step == 2
    assert len(lab.surface_plot.paths[0].getData()[0]) == 3
    assert "step 2" in lab.readout.text() and "∇L" in lab.readout.text()
    lab.steps.setValue(40)
    settled(qtbot, lab)
    assert lab.step == 2  # a longer race keeps the step in view
    lab.speed.setValue(240)
    qtbot.mouseClick(lab.findChild(QPushButton, "optimizer_lab.play"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lab.step == lab.last_step and not lab.timer.isActive(),
                    timeout=20000)
    assert lab.last_step == lab.experiment.optimizer_lab.steps


def test_a_click_on_the_map_moves_every_racers_start(qtbot, window, lab):
    plot = lab.surface_plot
    vb = plot.getPlotItem().getViewBox()
    scene = vb.mapViewToScene(QPointF(0.5, 2.0))
    where = plot.mapFromScene(scene)
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(where.x(),
                                                                             where.y()))
    settled(qtbot, lab)
    start = window.experiment.optimizer_lab.start
    assert start == pytest.approx([0.5, 2.0], abs=0.05)
    for track in lab.result.tracks:
        np.testing.assert_allclose(track.position[0], start)


def test_a_typed_formula_races_and_one_that_calls_code_is_refused(qtbot, window, lab):
    qtbot.mouseClick(lab.findChild(QPushButton, "optimizer_lab.surface=custom"),
                     Qt.MouseButton.LeftButton)
    settled(qtbot, lab)
    formula = lab.findChild(QLineEdit, "optimizer_lab.formula")
    assert formula.isVisible()
    formula.setText("x^2 + 10*y^2")
    formula.editingFinished.emit()
    settled(qtbot, lab)
    assert lab.result.formula == "L = x^2 + 10*y^2"
    formula.setText("__import__('os').system('echo owned')")
    formula.editingFinished.emit()
    assert lab.message.isVisible()
    assert "optimizer_lab.formula" in lab.message.text()
    assert "not allowed" in lab.message.text()
    assert window.experiment.optimizer_lab.formula == "x^2 + 10*y^2"


def test_editing_a_racers_rate_reraces_with_it(qtbot, window, lab):
    rate = lab.findChild(QDoubleSpinBox, "optimizer_lab.racers[0].learning_rate")
    rate.setValue(0.002)
    settled(qtbot, lab)
    assert window.experiment.optimizer_lab.racers[0].learning_rate == pytest.approx(0.002)
    _, tracks = race_of(window.experiment.optimizer_lab)
    np.testing.assert_array_equal(lab.result.tracks[0].position, tracks[0].position)


def test_a_lesson_file_opens_on_the_tab_with_its_race(qtbot, window):
    import os

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert window.load_path(os.path.join(root, "examples", "opt_several_minima.json"))
    lab = window.optimizer_lab
    assert window.tabs.currentWidget() is lab
    settled(qtbot, lab)
    assert lab.lesson.isVisible() and "Several minima" in lab.lesson.text()
    ends = {tuple(np.round(t.position[-1], 2)) for t in lab.result.tracks}
    assert len(ends) == 4


def test_your_networks_slice_is_drawn_with_the_path_ending_at_the_origin(qtbot, lab):
    panel = lab.network_panel
    lab.pages.setCurrentWidget(panel)
    panel.epochs.setValue(4)
    panel.every.setValue(2)
    qtbot.mouseClick(panel.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.done, timeout=60000)
    s = panel.result.slice
    assert panel.result.epochs == 4
    assert s.trajectory.shape == (5, 2)
    np.testing.assert_allclose(s.trajectory[-1], [0.0, 0.0], atol=1e-9)
    x, _ = panel.path.getData()
    assert len(x) == 5
    assert panel.start.isEnabled()
