"""The Optimizers tab, driven as a user would: choose a surface, step, play, go back, click a
start, type a formula, slice your own network."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QPushButton, QSpinBox

from playground.core.optimizer_race import race_of

from .conftest import snap, wait_epoch


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
    lab.findChild(QSpinBox, "optimizer_lab.steps").setValue(40)
    settled(qtbot, lab)
    assert lab.step == 2  # a longer race keeps the step in view
    lab.speed.setValue(240)
    qtbot.mouseClick(lab.findChild(QPushButton, "optimizer_lab.play"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lab.step == lab.last_step and not lab.timer.isActive(),
                    timeout=20000)
    assert lab.last_step == lab.lab.steps == 40


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


def test_your_networks_slice_follows_the_windows_training_run(qtbot, window, lab):
    """The slice is taken through the weights the run reports (not a copy trained apart): at
    the origin it is the run's training loss, and the path of the run's weights ends there."""
    panel = lab.network_panel
    lab.pages.setCurrentWidget(panel)
    for _ in range(3):  # Step epoch on this page drives the network tab's run
        qtbot.mouseClick(panel.step, Qt.MouseButton.LeftButton)
    wait_epoch(qtbot, window, 3)
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.slice.epoch == 3,
                    timeout=60000)
    s = panel.result.slice
    assert s.centre_loss == pytest.approx(snap(window).metrics["train_loss"], rel=1e-5)
    assert s.loss[len(s.betas) // 2, len(s.alphas) // 2] == pytest.approx(s.centre_loss)
    assert s.trajectory.shape == (4, 2)  # the weights at epochs 0, 1, 2 and 3
    np.testing.assert_allclose(s.trajectory[-1], [0.0, 0.0], atol=1e-9)
    assert np.hypot(*s.trajectory[0]) > 1e-6
    x, _ = panel.path.getData()
    assert len(x) == 4
    qtbot.mouseClick(panel.play, Qt.MouseButton.LeftButton)  # train on; the slice follows
    qtbot.waitUntil(lambda: panel.result.slice.epoch >= 8, timeout=60000)
    assert window.playing
    qtbot.mouseClick(panel.play, Qt.MouseButton.LeftButton)
    assert not window.playing


def test_every_edit_is_one_undoable_step_and_an_undo_shows_at_once(qtbot, window, lab):
    rate = lab.findChild(QDoubleSpinBox, "optimizer_lab.racers[0].learning_rate")
    before = rate.value()
    rate.setValue(0.004)
    settled(qtbot, lab)
    assert window.session.undo_label == "racer 1 learning rate → 0.004"
    window.undo_action.trigger()  # Ctrl+Z with the tab open
    assert rate.value() == pytest.approx(before)
    settled(qtbot, lab)
    _, tracks = race_of(window.experiment.optimizer_lab)
    np.testing.assert_array_equal(lab.result.tracks[0].position, tracks[0].position)

    qtbot.mouseClick(lab.findChild(QPushButton, "optimizer_lab.surface=bowl"),
                     Qt.MouseButton.LeftButton)
    kappa = lab.findChild(QDoubleSpinBox, "optimizer_lab.surface_params.condition_number")
    qtbot.waitUntil(kappa.isVisible, timeout=2000)  # (laid out on the next event loop turn)
    kappa.setValue(50.0)
    assert window.experiment.optimizer_lab.surface_params == {"condition_number": 50.0}
    window.undo_action.trigger()
    window.undo_action.trigger()  # back to Rosenbrock: its button, no κ
    assert lab.findChild(QPushButton, "optimizer_lab.surface=rosenbrock").isChecked()
    assert lab.findChild(QDoubleSpinBox,
                         "optimizer_lab.surface_params.condition_number") is None
    settled(qtbot, lab)
    assert lab.result.surface == "rosenbrock"

    qtbot.mouseClick(lab.findChild(QPushButton, "optimizer_lab.racers.add"),
                     Qt.MouseButton.LeftButton)
    assert len(lab.controls.racer_editors) == 5
    window.undo_action.trigger()
    assert len(lab.controls.racer_editors) == 4
    assert lab.findChild(QDoubleSpinBox, "optimizer_lab.racers[4].learning_rate") is None


def test_the_lab_shows_the_sessions_settings_not_a_copy_of_its_own(qtbot, window, lab):
    # an edit made elsewhere (a script, a lesson step) shows here at once, no tab switch
    window.qs.set("optimizer_lab.racers[1].params.momentum", 0.5)
    spin = lab.findChild(QDoubleSpinBox, "optimizer_lab.racers[1].params.momentum")
    assert spin.value() == pytest.approx(0.5)
    settled(qtbot, lab)
    _, tracks = race_of(window.experiment.optimizer_lab)
    np.testing.assert_array_equal(lab.result.tracks[1].position, tracks[1].position)
    assert not hasattr(lab, "experiment")


def test_racing_does_not_restart_the_network_tabs_run(qtbot, window, lab):
    for i in range(1, 3):
        window.step_epoch()
        wait_epoch(qtbot, window, i)
    lab.findChild(QDoubleSpinBox, "optimizer_lab.racers[0].learning_rate").setValue(0.002)
    settled(qtbot, lab)
    qtbot.wait(300)
    assert snap(window).epoch == 2  # the run goes on where it was
