"""The window keeps one experiment: controls found by their field path, every edit undoable,
nothing silently lost (issue: "The window keeps one experiment")."""

import dataclasses
import os

import numpy as np
import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QMessageBox, QWidget

from playground.core.graph import mlp
from playground.core.spec import Experiment

from .conftest import choose, control, snap, type_into, wait_epoch

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def test_the_learning_rate_survives_picking_another_dataset(qtbot, window):
    choose(control(window, "training.learning_rate"), 0.1)
    control(window, "data.generator=spiral").click()
    assert window.experiment.data.generator == "spiral"
    assert window.experiment.training.learning_rate == 0.1
    assert control(window, "training.learning_rate").currentText() == "0.1"


def test_changing_the_optimizer_keeps_each_layers_activation(qtbot, window):
    exp = window.experiment.copy()
    exp.network = mlp([4, 2], "tanh")
    exp.network.set_params("dense2", activation="relu")
    window.replace_experiment(exp)
    assert control(window, "network.activation").currentText() == "mixed"
    choose(control(window, "training.optimizer"), "adam")
    acts = [window.experiment.network.nodes[n].param("activation") for n in ("dense1", "dense2")]
    assert acts == ["tanh", "relu"] and window.experiment.training.optimizer == "adam"
    choose(control(window, "network.activation"), "sigmoid")  # picked by the user: all layers
    acts = [window.experiment.network.nodes[n].param("activation") for n in ("dense1", "dense2")]
    assert acts == ["sigmoid", "sigmoid"]


def test_changing_the_learning_rate_marks_the_file_unsaved_and_close_asks(
        qtbot, window, monkeypatch):
    assert not window.dirty
    type_into(qtbot, control(window, "training.learning_rate"), "0.3")
    assert window.experiment.training.learning_rate == 0.3
    assert window.dirty and window.windowTitle().startswith("*")
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel)
    window.close()
    assert asked and window.isVisible()  # Cancel keeps the window open
    window.session.undo()
    assert not window.dirty


def test_view_toggles_survive_every_rebuild(qtbot, window):
    control(window, "view.show_test_data").click()
    control(window, "view.discretize").click()
    control(window, "data.generator=xor").click()
    choose(control(window, "network.activation"), "relu")
    control(window, "data.regenerate").click()
    assert control(window, "view.show_test_data").isChecked()
    assert control(window, "view.discretize").isChecked()
    assert window.output_view.show_test and window.output_view.discretize
    window.session.undo()  # the toggles are edits like any other
    window.session.undo()
    window.session.undo()
    window.session.undo()
    assert not control(window, "view.discretize").isChecked()


def test_reset_after_replaying_history_then_step_shows_the_new_run(qtbot, window):
    for epoch in range(1, 6):
        window.step_epoch()
        wait_epoch(qtbot, window, epoch)
        qtbot.waitUntil(lambda: window._drawn is window.latest)
    qtbot.waitUntil(lambda: window.history_slider.maximum() >= 3)
    window.history_slider.setValue(1)  # replaying an early epoch
    assert window._scrubbing
    qtbot.keyClick(window, "R")
    qtbot.waitUntil(lambda: snap(window).epoch == 0, timeout=10000)
    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    qtbot.waitUntil(lambda: window._drawn is window.latest)
    assert snap(window).epoch == 1
    assert window.history_label.text() == "live"
    assert window.output_view._last is snap(window)  # the boundary drawn is the new run's


def test_an_untrainable_dataset_clears_the_old_run_and_says_why(qtbot, window):
    for _ in range(3):
        window.step_epoch()
    wait_epoch(qtbot, window, 3)
    control(window, "data.generator=uniform").click()
    qtbot.waitUntil(lambda: window.run_status.isVisible(), timeout=10000)
    assert window.run_status.kind == "error" and "train" in window.run_status.text.text()
    assert window.training_bar.epoch_label.text() == "Epoch –"
    assert window._drawn is None and window.output_view._last is None
    assert not window.training_bar.play_button.isEnabled()
    window.step_epoch()  # nothing to train: the old network must not go on
    qtbot.wait(300)
    assert window._drawn is None


def test_step_batch_updates_the_readouts(qtbot, window):
    control(window, "run.step_batch").click()
    qtbot.waitUntil(lambda: window._drawn is not None and snap(window).batch == 1)
    assert "batch 1/25" in control(window, "run.epoch").text()
    assert control(window, "run.readout").text().startswith("loss train")


def test_a_new_run_is_not_squeezed_by_a_long_previous_one_and_hover_forgets_it(qtbot, window):
    choose(control(window, "view.snapshot_every"), 100)
    window.toggle_play()
    wait_epoch(qtbot, window, 600)
    window.toggle_play()
    window.trace.hover.setText("epoch 500: old")
    window.reset()
    for _ in range(10):
        window.step_epoch()
    wait_epoch(qtbot, window, 10)
    qtbot.wait(250)
    window.trace.update_history(snap(window).history, window.latest.run_id, "binary", force=True)
    qtbot.wait(300)  # pyqtgraph re-ranges when it next paints
    x0, x1 = window.trace.loss.getViewBox().viewRange()[0]
    assert x1 < 50, f"the new 10-epoch curve is drawn on an x range up to {x1:.0f}"
    assert window.trace.hover.text().strip() == ""


def test_the_default_template_on_regression_has_a_linear_output(qtbot, window):
    control(window, "data.generator=plane").click()
    choose(window.network_header.template, "tf_default")
    out = window.experiment.network.nodes["output"].params
    assert out["activation"] == "linear"
    window.session.undo()
    assert window.experiment.network.nodes["output"].params["activation"] == "linear"


def test_early_stopping_is_a_state_with_the_way_on(qtbot, window):
    control(window, "training.early_stopping").click()
    spin = control(window, "training.patience")
    spin.setValue(1)
    choose(control(window, "training.learning_rate"), 3.0)
    choose(control(window, "view.snapshot_every"), 20)
    window.toggle_play()
    qtbot.waitUntil(lambda: window._drawn is not None and snap(window).status in (
        "stopped", "diverged"), timeout=30000)
    qtbot.waitUntil(lambda: window.run_status.isVisible())
    assert window.run_status.kind in ("info", "warning")
    assert "Reset" in window.run_status.text.text() or "rate" in window.run_status.text.text()
    window.toggle_play()  # cannot go on: the strip stays, Play does not pretend
    assert not window.playing and window.run_status.isVisible()


def test_a_shipped_lesson_opens_as_an_untitled_copy_and_is_never_overwritten(
        qtbot, window, monkeypatch, tmp_path):
    from pathlib import Path

    lesson = Path(EXAMPLES) / "04_circle_by_depth.json"
    before = lesson.read_bytes()
    assert window.load_path(str(lesson))
    assert window.path == "" and "copy of" in window.windowTitle()
    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    asked = []
    from PySide6.QtWidgets import QFileDialog

    target = str(tmp_path / "mine.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: asked.append(a) or (target, ""))
    assert window.save_file(wait=True)
    assert asked and window.path == target
    assert lesson.read_bytes() == before
    assert os.stat(target).st_mode & 0o044  # readable by others, as the user's files are


def test_a_read_only_file_opens_as_a_copy(qtbot, window, tmp_path):
    path = tmp_path / "ro.json"
    path.write_text(Experiment().dumps())
    os.chmod(path, 0o444)
    assert window.load_path(str(path))
    assert window.path == ""


def test_the_unsaved_changes_question_defaults_to_cancel(qtbot, window, monkeypatch):
    defaults = []

    def question(parent, title, text, buttons, default):
        defaults.append(default)
        return default

    monkeypatch.setattr(QMessageBox, "question", question)
    choose(control(window, "training.optimizer"), "adam")
    assert not window.keep_changes_or_proceed()
    assert defaults == [QMessageBox.StandardButton.Cancel]
    window.session.undo()  # clean again, so the window closes without asking


def test_every_training_setting_is_reachable_and_undoable(qtbot, window):
    control(window, "run.more_settings").click()
    assert window.settings_window.isVisible()
    choose(control(window, "training.optimizer"), "momentum")
    control(window, "training.optimizer_params.momentum").setValue(0.5)
    choose(control(window, "training.schedule"), "step")
    control(window, "training.schedule_params.gamma").setValue(0.25)
    control(window, "training.gradient_clip").setValue(2.0)
    control(window, "training.label_smoothing").setValue(0.1)
    t = window.experiment.training
    assert (t.optimizer_params, t.schedule, t.schedule_params["gamma"], t.gradient_clip,
            t.label_smoothing) == ({"momentum": 0.5}, "step", 0.25, 2.0, 0.1)
    plot = window.training_settings.schedule_plot
    xs, ys = plot.curve.getData()
    assert ys[0] == pytest.approx(0.03) and ys[100] == pytest.approx(0.03 * 0.25)
    for _ in range(6):
        window.session.undo()
    assert window.experiment.training == Experiment().training


FILE_ONLY = {
    "data.points": "a table of points: drawn with the paint tool or imported from CSV",
    "clustering.centres": "placed by clicking on the clustering plot",
    "training.optimizer_params": "one control per hyperparameter of the chosen optimizer",
    "training.schedule_params": "one control per parameter of the chosen schedule",
    "training.regularization_params": "one control per parameter of the chosen penalty",
    "view.hidden_controls": "one View > Hide controls action per control",
    "data.generator": "one button per dataset",
}


def test_every_field_has_a_control_named_by_its_path(qtbot, window):
    from PySide6.QtCore import QObject

    missing = []
    for section in ("data", "training", "view", "clustering"):
        for f in dataclasses.fields(getattr(window.experiment, section)):
            path = f"{section}.{f.name}"
            if path in FILE_ONLY:
                continue
            if window.findChild(QObject, path) is None:
                missing.append(path)
    assert missing == []
    assert window.findChild(QObject, "data.generator=spiral") is not None
    assert window.findChild(QObject, "view.hidden_controls=noise") is not None
    assert window.findChild(QObject, "features=x1") is not None


def test_an_exception_in_the_worker_is_shown_and_reset_recovers(qtbot, window, monkeypatch):
    from playground.core.trainer import Trainer

    original = Trainer.step_epoch
    calls = {"n": 0}

    def broken(self):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("simulated failure")
        return original(self)

    monkeypatch.setattr(Trainer, "step_epoch", broken)
    before = window.experiment.copy()
    window.step_epoch()
    qtbot.waitUntil(lambda: window.run_status.isVisible() and window.run_status.kind == "error",
                    timeout=10000)
    assert "simulated failure" in window.run_status.text.text()
    assert window.experiment == before
    window.reset()
    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    assert window.worker.isRunning()


# ------------------------------------------------------------- random edits through widgets

EDITS = [
    ("choose", "training.learning_rate", [0.003, 0.01, 0.1, 0.3, 1.0]),
    ("choose", "training.optimizer", ["sgd", "momentum", "adam", "rmsprop"]),
    ("choose", "training.regularization", ["none", "l1", "l2"]),
    ("choose", "training.regularization_rate", [0.0, 0.001, 0.01]),
    ("choose", "network.activation", ["tanh", "relu", "sigmoid"]),
    ("choose", "network.loss", ["mse", "bce"]),
    ("choose", "data.problem", ["auto", "classification"]),
    ("choose", "training.schedule", ["constant", "step", "exponential"]),
    ("click", "data.generator=circle", None),
    ("click", "data.generator=xor", None),
    ("click", "data.generator=gauss", None),
    ("click", "data.generator=moons", None),
    ("click", "features=x1_sq", None),
    ("click", "features=sin_x1", None),
    ("click", "view.show_test_data", None),
    ("click", "view.discretize", None),
    ("click", "training.early_stopping", None),
    ("spin", "training.batch_size", [1, 5, 10, 30]),
    ("spin", "training.patience", [5, 10, 50]),
    ("spin", "data.n_classes", [2, 3, 5]),
    ("slider", "data.noise", [0, 2, 5, 10]),
    ("slider", "data.train_fraction", [1, 4, 8]),
    ("spin", "training.max_norm", [0.0, 1.0, 3.0]),
]


def _do(window, edit, pick):
    kind, path, values = edit
    widget = control(window, path)
    if kind == "choose":
        choose(widget, values[pick % len(values)])
    elif kind == "click":
        if isinstance(widget, QAbstractButton) and widget.isEnabled():
            widget.click()
    elif kind in ("spin", "slider"):
        widget.setValue(values[pick % len(values)])
        if kind == "slider":
            widget.sliderReleased.emit()


def _widget_values(window):
    out = {}
    for _, path, _ in EDITS:
        w = control(window, path)
        if isinstance(w, QComboBox):
            out[path] = w.currentText()
        elif isinstance(w, QAbstractButton):
            out[path] = w.isChecked()
        elif isinstance(w, QWidget):
            out[path] = w.value()
    return out


def test_random_edits_through_the_widgets_undo_redo_and_save(qtbot, window, tmp_path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=4, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.integers(0, len(EDITS) - 1), st.integers(0, 9)),
                    min_size=30, max_size=30))
    def check(steps):
        window.session.load(Experiment())
        start = window.experiment.copy()
        for index, pick in steps:
            _do(window, EDITS[index], pick)
        end = window.experiment.copy()
        while window.session.can_undo:
            window.session.undo()
        assert window.experiment == start
        while window.session.can_redo:
            window.session.redo()
        assert window.experiment == end
        shown = _widget_values(window)
        path = str(tmp_path / "round.json")
        window.path = path
        assert window.save_file(wait=True)
        window.session.load(Experiment())
        assert window.load_path(path)
        assert window.experiment == end
        assert _widget_values(window) == shown

    check()


def test_a_hand_set_weight_undoes_and_redoes(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    qtbot.waitUntil(lambda: window.network_view.weight("dense1", 0, 0) is not None)
    old = window.network_view.weight("dense1", 0, 0)
    monkeypatch.setattr(QInputDialog, "getDouble", lambda *a, **k: (1.5, True))
    window.on_weight_clicked("dense1", 0, 0)
    qtbot.waitUntil(lambda: abs(float(snap(window).weights["dense1"][0, 0]) - 1.5) < 1e-6)
    assert window.dirty and "weight" in window.session.undo_label
    window.session.undo()
    qtbot.waitUntil(lambda: abs(float(snap(window).weights["dense1"][0, 0]) - old) < 1e-6)
    window.session.redo()
    qtbot.waitUntil(lambda: abs(float(snap(window).weights["dense1"][0, 0]) - 1.5) < 1e-6)


def test_a_guided_lesson_walks_in_the_window_and_back_undoes_its_step(qtbot, window):
    """Lesson 03 in the real window: predict, let the app act (set features, train), Back."""
    assert window.load_path(os.path.join(EXAMPLES, "03_circle_by_features.json"))
    assert window.guide_dock.isVisible()
    guide = window.guide
    control(window, "lesson.choice=1").click()  # predict: one straight line
    control(window, "lesson.action").click()  # the app sets the features
    assert window.experiment.features == ["x1", "x2"]
    control(window, "lesson.next").click()
    control(window, "lesson.action").click()  # train 50 epochs on the worker
    qtbot.waitUntil(lambda: guide.action_done, timeout=60000)
    assert snap(window).epoch >= 50
    control(window, "lesson.next").click()
    control(window, "lesson.choice=1").click()
    control(window, "lesson.action").click()
    assert window.experiment.features == ["x1_sq", "x2_sq"]
    control(window, "lesson.back").click()  # back to step 2, before the features changed
    assert window.experiment.features == ["x1", "x2"] and guide.index == 1


def test_undo_and_redo_bring_back_the_run_a_rebuild_replaced(qtbot, window):
    """An accidental dataset click during a long run, then Ctrl+Z: the settings came back
    but the run was at epoch 0 with an empty trace. Undo now returns to the run that was
    trained before the change (weights, epoch, history), redo to the one trained after it;
    a new change still starts a fresh run."""
    for i in range(1, 6):
        window.step_epoch()
        wait_epoch(qtbot, window, i)
    weights = snap(window).weights["dense1"].copy()
    control(window, "data.generator=xor").click()
    qtbot.waitUntil(lambda: window.experiment.data.generator == "xor"
                    and snap(window).epoch == 0, timeout=10000)
    for i in range(1, 3):
        window.step_epoch()
        wait_epoch(qtbot, window, i)
    window.session.undo()
    qtbot.waitUntil(lambda: window.experiment.data.generator != "xor"
                    and snap(window).epoch == 5, timeout=10000)
    np.testing.assert_array_equal(snap(window).weights["dense1"], weights)
    assert len(snap(window).history["epoch"]) == 5
    window.session.redo()
    qtbot.waitUntil(lambda: window.experiment.data.generator == "xor"
                    and snap(window).epoch == 2, timeout=10000)
    control(window, "data.generator=circle").click()
    qtbot.waitUntil(lambda: window.experiment.data.generator == "circle"
                    and snap(window).epoch == 0, timeout=10000)


def test_a_run_brought_back_by_undo_and_redo_replays_its_history(qtbot, window):
    """Trial 4: after a batch-size change, Ctrl+Z and Ctrl+Shift+Z brought the 1,280-epoch
    run back, but the history slider had one frame (at the far left, saying "live",
    deaf to clicks): the run's replay frames were gone."""
    for i in range(1, 6):
        window.step_epoch()
        wait_epoch(qtbot, window, i)
    slider = window.history_slider
    qtbot.waitUntil(lambda: slider.maximum() >= 4)
    frames = slider.maximum()
    control(window, "training.batch_size").setValue(20)  # a rebuild: a fresh run
    qtbot.waitUntil(lambda: window.experiment.training.batch_size == 20
                    and snap(window).epoch == 0, timeout=10000)
    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    for back, epoch in ((window.session.undo, 5), (window.session.redo, 1),
                        (window.session.undo, 5)):
        back()
        qtbot.waitUntil(lambda e=epoch: snap(window).epoch == e, timeout=10000)
        qtbot.wait(50)
        assert slider.isEnabled()
        if epoch == 1:  # the run after the change: its frames of epochs 0 and 1
            assert [f.epoch for f in window._recorded] == [0, 1]
        if epoch == 5:
            assert slider.maximum() == frames and slider.value() == frames
            slider.setValue(1)  # the user drags it back: an early epoch of that run shows
            assert window.history_label.text() == f"epoch {window._recorded[1].epoch}"
            assert window._recorded[1].epoch < 5
            slider.setValue(slider.maximum())


def test_an_opened_run_shows_its_slider_off_at_live(qtbot, window, tmp_path):
    """Trial 5: a saved run reopened showed the history slider greyed with its handle at the
    far left while the label said "live" (an opened file has only its last state until it
    trains): it looked like a replay's start that would not move."""
    for i in range(1, 4):
        window.step_epoch()
        wait_epoch(qtbot, window, i)
    window.path = str(tmp_path / "run.json")
    assert window.save_file(wait=True)
    assert window.load_path(window.path)
    qtbot.waitUntil(lambda: [f.epoch for f in window._recorded] == [3])  # the opened run
    slider = window.history_slider
    assert not slider.isEnabled()
    assert slider.maximum() > slider.minimum() and slider.value() == slider.maximum()
    assert window.history_label.text() == "live"
    window.step_epoch()  # once it trains, its new frames replay
    wait_epoch(qtbot, window, 4)
    qtbot.waitUntil(slider.isEnabled)
    assert slider.value() == slider.maximum()
