"""The evaluation tabs as a user meets them: a validation split from the data panel, the
confusion matrices (replayed by the history slider, a cell picking its points), the ROC
threshold moving the matrix and the decision contour, digits' picked images, and regression's
predicted-vs-true."""

import numpy as np
import pytest
from PySide6.QtCore import QObject, QPointF, Qt
from sklearn.metrics import confusion_matrix

from playground.core import metrics as M
from playground.core.graph import mlp

from .conftest import control, snap, wait_epoch
from .test_network_view_images import digits


def train(qtbot, window, epochs):
    for _ in range(epochs):
        window.step_epoch()
    wait_epoch(qtbot, window, epochs)
    window.paint()


def slide_to(slider, value: float, step: float, lo: float = 0.0) -> None:
    """Move a bound slider as the keyboard does (one valueChanged, not held down)."""
    slider.setValue(round((value - lo) / step))


def test_the_validation_slider_holds_out_points_and_the_trace_draws_them(qtbot, window):
    slide_to(control(window, "data.validation_fraction"), 0.2, 0.05)
    assert window.experiment.data.validation_fraction == pytest.approx(0.2)
    assert "validation 20% · test 30%" in window.data_panel.split_caption.text()
    qtbot.waitUntil(lambda: len(snap(window).split_outputs.get("val", [])) == 100,
                    timeout=15000)
    train(qtbot, window, 3)
    assert len(window.output_view.val_points.data) == 100
    x, y = window.trace.curves[("loss", "val")].getData()
    assert list(x) == [1, 2, 3] and np.isfinite(y).all()
    # a split leaving no test data is refused, and the slider goes back
    slide_to(control(window, "data.train_fraction"), 0.8, 0.1, lo=0.1)
    assert window.experiment.data.train_fraction == 0.5
    assert "validation" in window.statusBar().currentMessage()
    assert control(window, "data.train_fraction").value() == 4


def test_confusion_matrices_follow_training_and_replay_with_the_history_slider(qtbot, window):
    window.evaluation.setCurrentWidget(window.evaluation.confusion)
    train(qtbot, window, 30)
    panel = window.evaluation.confusion
    s = snap(window)
    for split in ("train", "test"):
        truth, scores = s.split_truth[split], s.split_outputs[split]
        np.testing.assert_array_equal(panel.views[split].counts,
                                      confusion_matrix(truth, scores > 0, labels=[0, 1]))
    live = panel.views["test"].counts.copy()
    assert np.trace(live) / live.sum() == pytest.approx(s.metrics["test_accuracy"])
    window.history_slider.setValue(0)  # the first recorded frame
    first = window._recorded[0]
    assert first.epoch < 30
    np.testing.assert_array_equal(
        panel.views["test"].counts,
        confusion_matrix(first.split_truth["test"], first.split_outputs["test"] > 0,
                         labels=[0, 1]))
    assert not np.array_equal(panel.views["test"].counts, live)
    control(window, "confusion.normalise").setChecked(True)
    assert panel.views["test"].normalise


def test_clicking_a_cell_rings_exactly_those_points(qtbot, window):
    window.evaluation.setCurrentWidget(window.evaluation.confusion)
    train(qtbot, window, 5)
    view = window.evaluation.confusion.views["train"]
    qtbot.waitUntil(lambda: (1, 1) in view._cells, timeout=5000)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.centre_of(1, 1))
    s = snap(window)
    truth, scores = s.split_truth["train"], s.split_outputs["train"]
    chosen = (truth == 1) & (scores > 0)
    ringed = window.output_view.picked.data
    assert len(ringed) == chosen.sum() > 0
    x = window._dataset.x[:len(truth)][chosen]
    assert sorted(zip(ringed["x"], ringed["y"], strict=True)) == sorted(map(tuple, x.tolist()))
    assert f"{chosen.sum()} train points of class +1 predicted +1" in \
        window.output_view.caption.text()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.centre_of(1, 1))
    assert len(window.output_view.picked.data) == 0


def test_moving_the_threshold_changes_the_matrix_as_recomputing_there_does(qtbot, window):
    exp = window.experiment.copy()
    exp.data.generator, exp.data.noise, exp.data.positive_share = "gauss", 0.4, 0.2
    window.apply_experiment(exp)
    qtbot.waitUntil(lambda: snap(window).split_outputs and
                    abs(snap(window).split_truth["test"].mean() - 0.2) < 0.05, timeout=15000)
    train(qtbot, window, 20)
    tabs = window.evaluation
    tabs.setCurrentWidget(tabs.roc)
    roc = tabs.roc
    s = snap(window)
    truth, scores = s.split_truth["test"], s.split_outputs["test"]
    curve = M.roc_curve(truth, scores)
    i = len(curve.x) // 3  # drag the handle to a point a third along the curve
    roc.handle.setPos(QPointF(curve.x[i], curve.y[i]))
    roc.handle.sigPositionChangeFinished.emit(roc.handle)
    t = window.experiment.view.threshold
    assert t == pytest.approx(np.clip(M.threshold_between(curve.thresholds, scores, i), -1, 1))
    assert t != 0 and control(window, "view.threshold").value() == pytest.approx(t, abs=0.005)
    np.testing.assert_array_equal(tabs.matrices()["test"],
                                  confusion_matrix(truth, scores > t, labels=[0, 1]))
    assert roc.handle_point() == pytest.approx((curve.x[i], curve.y[i]))
    # the output view reads the map at the threshold: a contour there
    assert window.output_view.contour.isVisible() and window.output_view.contour.level == t
    # (a drag is a look that a new run forgets: test_evaluation_legible.py)


def test_the_score_histograms_split_by_class_and_their_line_sets_the_threshold(qtbot, window):
    train(qtbot, window, 5)
    tabs = window.evaluation
    tabs.setCurrentWidget(tabs.scores)
    s = snap(window)
    _, counts = tabs.scores.positive.getData()
    assert counts.sum() == (s.split_truth["test"] == 1).sum()
    tabs.scores.line.setValue(0.25)
    tabs.scores.line.sigPositionChangeFinished.emit(tabs.scores.line)
    assert window.experiment.view.threshold == pytest.approx(0.25)


def test_digits_a_picked_cell_shows_those_test_images(qtbot, window):
    digits(window)
    qtbot.waitUntil(lambda: snap(window).n_classes == 10, timeout=20000)
    train(qtbot, window, 2)
    matrix = window.output_view.images.confusion
    counts = matrix.counts
    np.testing.assert_array_equal(counts, confusion_matrix(
        snap(window).split_truth["test"], snap(window).split_outputs["test"], labels=range(10)))
    t, p = np.unravel_index(np.argmax(counts - np.diag(np.diag(counts))), counts.shape)
    qtbot.waitUntil(lambda: (t, p) in matrix._cells, timeout=5000)
    qtbot.mouseClick(matrix, Qt.MouseButton.LeftButton, pos=matrix.centre_of(t, p))
    grid = window.output_view.images.grid
    assert len(grid.order) == counts[t, p] > 0
    assert all(guess == p and true == t for _, guess, true in grid.shown())
    assert window.evaluation.confusion.picked == ("test", t, p)


def test_regression_shows_predicted_against_true_with_rmse_and_r2(qtbot, window):
    exp = window.experiment.copy()
    exp.data.generator, exp.data.validation_fraction = "plane", 0.2
    exp.network = mlp([4], "tanh", output_activation="linear")
    window.apply_experiment(exp)
    qtbot.waitUntil(lambda: snap(window).problem == "regression", timeout=15000)
    tabs = window.evaluation
    assert not tabs.isTabVisible(tabs.indexOf(tabs.roc)) and tabs.isTabVisible(
        tabs.indexOf(tabs.fit))
    tabs.setCurrentWidget(tabs.fit)
    train(qtbot, window, 10)
    s = snap(window)
    for split in ("train", "val", "test"):
        rmse, r2 = tabs.fit.scores[split]
        assert rmse == pytest.approx(M.rmse(s.split_truth[split], s.split_outputs[split]))
        assert r2 == pytest.approx(M.r2(s.split_truth[split], s.split_outputs[split]))
    assert "R²" in window.findChild(QObject, "fit.metrics").text()
    _, r2_curve = window.trace.curves[("r2", "test")].getData()
    assert r2_curve is not None and np.isfinite(r2_curve).all()


def test_the_imbalance_control_sets_the_share_of_blue(qtbot, window):
    spin = control(window, "data.positive_share")
    spin.setValue(0.1)
    assert window.experiment.data.positive_share == pytest.approx(0.1)
    assert window._dataset.y.mean() == pytest.approx(0.1)
    window.data_panel.dataset_buttons["blobs"].click()
    assert not spin.isEnabled()
