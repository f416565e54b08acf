"""The clustering lab, driven as a user would: play each algorithm to the end, paint data."""

import numpy as np
import pytest

from playground.core.clustering import Stepper
from playground.core.clustering.dbscan import dbscan_steps
from playground.core.clustering.hierarchical import agglomerative_steps, cut
from playground.core.clustering.kmeans import initial_centres, kmeans_steps
from playground.core.clustering.meanshift import meanshift_steps


@pytest.fixture
def lab(qtbot, window):
    window.tabs.setCurrentIndex(1)
    lab = window.clustering_lab
    lab.speed.setValue(60)
    return lab


def choose(qtbot, window, lab, generator, algorithm, **settings):
    exp = window.experiment.copy()
    exp.data.generator = generator
    exp.clustering.algorithm = algorithm
    for key, value in settings.items():
        setattr(exp.clustering, key, value)
    window.apply_experiment(exp)
    qtbot.waitUntil(lambda: lab.frame is not None and lab.frame.algorithm == algorithm
                    and lab.frame.token == lab._token, timeout=10000)


def play_to_end(qtbot, lab, timeout=60000):
    lab.toggle_play()
    qtbot.waitUntil(lambda: lab.frame.state.done and not lab.frame.playing, timeout=timeout)


def test_kmeans_plays_to_convergence_and_the_plot_agrees(qtbot, window, lab):
    choose(qtbot, window, lab, "gaussian_mixture", "kmeans", k=3, init="random_points", seed=2)
    play_to_end(qtbot, lab)
    frame = lab.frame
    expected = Stepper(kmeans_steps(lab.x, initial_centres(lab.x, 3, "random_points", 2))).run()
    np.testing.assert_array_equal(frame.state.labels, expected.labels)
    assert lab.counter.text().startswith(f"step {frame.position}")
    assert frame.position == expected.step
    _, wcss = lab.side_curve.getData()
    np.testing.assert_allclose(wcss, expected.extra["wcss"])
    handles = np.array([[h.pos().x(), h.pos().y()] for h in lab.centre_handles])
    np.testing.assert_allclose(handles, expected.extra["centres"])


def test_step_back_shows_the_previous_state(qtbot, window, lab):
    choose(qtbot, window, lab, "uniform", "kmeans", k=5, init="random_positions")
    for i in range(1, 4):
        lab.step_button.click()
        qtbot.waitUntil(lambda i=i: lab.frame.position == i, timeout=5000)
    third = lab.frame.state
    lab.step_button.click()
    qtbot.waitUntil(lambda: lab.frame.position == 4, timeout=5000)
    lab.back_button.click()
    qtbot.waitUntil(lambda: lab.frame.position == 3, timeout=5000)
    assert lab.frame.state is third
    assert lab.explanation.text() == third.explanation


def test_dragging_a_centre_continues_from_there(qtbot, window, lab):
    choose(qtbot, window, lab, "gaussian_mixture", "kmeans", k=3, init="random_points")
    lab.step_button.click()
    qtbot.waitUntil(lambda: lab.frame.position == 1, timeout=5000)
    lab.centre_handles[0].setPos(9.0, 9.0)
    lab._centre_dragged()
    qtbot.waitUntil(lambda: lab.frame.position == 2, timeout=5000)
    np.testing.assert_allclose(lab.frame.state.extra["centres"][0], [9.0, 9.0])


def test_meanshift_plays_to_its_modes(qtbot, window, lab):
    choose(qtbot, window, lab, "gaussian_mixture", "meanshift", bandwidth=2.5)
    play_to_end(qtbot, lab)
    expected = Stepper(meanshift_steps(lab.x, 2.5)).run()
    np.testing.assert_allclose(lab.frame.state.extra["modes"], expected.extra["modes"])
    xs, _ = lab.marks.getData()
    assert len(xs) == len(expected.extra["modes"]) == 3
    assert lab.counter.text().startswith(f"step {lab.frame.position}")


def test_hierarchical_plays_to_one_cluster_then_the_cut_recolours(qtbot, window, lab):
    choose(qtbot, window, lab, "gaussian_mixture", "hierarchical", linkage="ward")
    lab.end_button.click()
    qtbot.waitUntil(lambda: lab.frame.state.done, timeout=30000)
    z = lab.frame.state.extra["linkage"]
    expected = Stepper(agglomerative_steps(lab.x, "ward")).run()
    np.testing.assert_allclose(z, expected.extra["linkage"])
    assert lab.frame.position == len(lab.x) - 1
    xs, _ = lab.dendrogram.getData()
    assert len(xs) > 0
    lab.n_clusters.setValue(3)
    brushes = {b.color().name() for b in lab.points.data["brush"]}
    assert len(brushes) == len(np.unique(cut(z, 3))) == 3


def test_dbscan_preview_then_play_to_the_end(qtbot, window, lab):
    choose(qtbot, window, lab, "pimpled_smiley", "dbscan", eps=1.0, min_points=4)
    lab.eps.setValue(1.2)  # the live preview before running
    assert "core points" in lab.explanation.text()
    lab.eps.setValue(1.0)
    lab.end_button.click()
    qtbot.waitUntil(lambda: lab.frame.state.done, timeout=30000)
    expected = Stepper(dbscan_steps(lab.x, 1.0, 4)).run()
    np.testing.assert_array_equal(lab.frame.state.labels, expected.labels)
    assert lab.frame.position == expected.step
    _, kd = lab.side_curve.getData()
    assert (np.diff(kd) <= 0).all()


def test_paint_strokes_undo_and_redo(qtbot, window, lab):
    choose(qtbot, window, lab, "gaussian_mixture", "kmeans")
    n0 = len(lab.x)
    lab.tool_buttons["point"].setChecked(True)
    lab.paint_at(1.0, 2.0)
    qtbot.waitUntil(lambda: len(lab.x) == n0 + 1, timeout=5000)
    lab.tool_buttons["brush"].setChecked(True)
    lab.paint_at(-3.0, -3.0)
    qtbot.waitUntil(lambda: len(lab.x) == n0 + 9, timeout=5000)
    assert window.experiment.data.generator == "points"
    lab.undo()
    qtbot.waitUntil(lambda: len(lab.x) == n0 + 1, timeout=5000)
    lab.undo()
    qtbot.waitUntil(lambda: len(lab.x) == n0, timeout=5000)
    lab.redo()
    qtbot.waitUntil(lambda: len(lab.x) == n0 + 1, timeout=5000)
    assert [1.0, 2.0, 0.0] in window.experiment.data.points
    lab.tool_buttons["erase"].setChecked(True)
    lab.paint_at(1.0, 2.0)
    qtbot.waitUntil(lambda: len(lab.x) == n0, timeout=5000)


def test_hovering_a_dendrogram_branch_highlights_its_points(qtbot, window, lab):
    from playground.core.clustering.hierarchical import dendrogram_layout, members

    choose(qtbot, window, lab, "gaussian_mixture", "hierarchical", linkage="average")
    lab.end_button.click()
    qtbot.waitUntil(lambda: lab.frame.state.done and lab._linkage is not None, timeout=30000)
    z = lab._linkage
    xs, hs = dendrogram_layout(z)
    row = len(z) - 2  # the second-highest merge
    a, b = int(z[row, 0]), int(z[row, 1])
    vb = lab.side_plot.getViewBox()
    from PySide6.QtCore import QPointF

    point = vb.mapViewToScene(QPointF(0.5 * (xs[a] + xs[b]), z[row, 2] * 0.999))
    lab._on_side_hover(point)
    assert lab.highlighted == row
    sizes = lab.points.data["size"]
    assert (sizes == 13.0).sum() == len(members(z, row))
