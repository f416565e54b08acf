"""The clustering lab driven as a user would, on its own session: play each algorithm, step
back, place centres, cut the tree, move eps; every plot shows what the run holds."""

import numpy as np
import pyqtgraph as pg
import pytest
from sklearn.cluster import DBSCAN

from playground.core import files
from playground.core.clustering import Stepper
from playground.core.clustering.dbscan import CORE, dbscan_steps
from playground.core.clustering.hierarchical import agglomerative_steps, cut
from playground.core.clustering.kmeans import initial_centres, kmeans_steps
from playground.core.clustering.meanshift import meanshift_steps
from playground.core.clustering.voronoi import voronoi_cells
from playground.core.session import Session
from playground.core.spec import Experiment


def example(name):
    return files.load_experiment(f"examples/{name}.json").experiment


@pytest.fixture
def make_lab(qtbot):
    from playground.gui.clustering import ClusteringLab
    from playground.gui.session_qt import QtSession

    labs = []

    def make(generator="gaussian_mixture", algorithm="kmeans", exp=None, wait=True,
             **settings):
        if exp is None:
            exp = Experiment()
            exp.data.generator = generator
            exp.clustering.algorithm = algorithm
            for key, value in settings.items():
                setattr(exp.clustering, key, value)
        lab = ClusteringLab(QtSession(Session(exp)))
        labs.append(lab)
        qtbot.addWidget(lab)
        lab.resize(1280, 800)
        lab.show()
        lab.speed.setValue(60)
        lab.animate.setChecked(False)
        if wait:
            settle(qtbot, lab)
        return lab

    yield make
    for lab in labs:
        lab.shutdown()


def settle(qtbot, lab, timeout=10000):
    qtbot.waitUntil(lambda: lab.frame is not None and lab.frame.token == lab._token,
                    timeout=timeout)


def to_end(qtbot, lab, timeout=30000):
    lab.end_button.click()
    qtbot.waitUntil(lambda: lab.frame.state.done, timeout=timeout)


def step(qtbot, lab, n=1):
    for _ in range(n):
        at = lab.frame.position
        lab.step_button.click()
        qtbot.waitUntil(lambda at=at: lab.frame.position == at + 1, timeout=5000)


def go_back(qtbot, lab):
    at = lab.frame.position
    lab.back()
    qtbot.waitUntil(lambda: lab.frame.position == at - 1, timeout=5000)


def test_kmeans_plays_to_convergence_and_the_plot_agrees(qtbot, make_lab):
    lab = make_lab("gaussian_mixture", "kmeans", k=3, init="random_points", seed=2)
    lab.toggle_play()
    qtbot.waitUntil(lambda: lab.frame.state.done and not lab.frame.playing, timeout=30000)
    expected = Stepper(kmeans_steps(lab.x, initial_centres(lab.x, 3, "random_points", 2))).run()
    np.testing.assert_array_equal(lab.frame.state.labels, expected.labels)
    assert lab.frame.position == expected.step
    steps, wcss = lab.side.curve.getData()
    np.testing.assert_allclose(wcss, expected.extra["wcss"])
    np.testing.assert_array_equal(steps, np.arange(1, expected.step + 1))  # x-axis = step
    np.testing.assert_allclose(lab.view.handle_positions(), expected.extra["centres"])


def test_voronoi_cells_are_exact_polygons_and_centres_glide(qtbot, make_lab):
    lab = make_lab("gaussian_mixture", "kmeans", k=4, init="random_positions", seed=1)
    step(qtbot, lab, 2)  # assign, then the centres move to their means
    centres = lab.frame.state.extra["centres"]
    expected = voronoi_cells(centres, lab.domain)
    shown = [c for c in lab.view.cells if c.isVisible()]
    assert len(shown) == 4
    for cell, poly in zip(shown, expected, strict=True):
        got = np.array([[p.x(), p.y()] for p in cell.polygon()])
        np.testing.assert_allclose(got, poly, atol=1e-9)
    lab.animate.setChecked(True)
    before = lab.view.handle_positions()
    step(qtbot, lab, 2)
    after = lab.frame.state.extra["centres"]
    assert not np.allclose(before, after)  # seed 1 still moves its centres on this step
    mid = lab.view.handle_positions()
    assert lab._tween.isActive() and not np.allclose(mid, after)  # still gliding
    qtbot.waitUntil(lambda: not lab._tween.isActive(), timeout=2000)
    np.testing.assert_allclose(lab.view.handle_positions(), after)


def test_step_back_shows_the_previous_state(qtbot, make_lab):
    lab = make_lab("uniform", "kmeans", k=5, init="random_positions")
    step(qtbot, lab, 3)
    third = lab.frame.state
    step(qtbot, lab)
    go_back(qtbot, lab)
    assert lab.frame.state is third
    assert lab.explanation.text() == third.explanation


def test_centres_under_the_users_hands_and_back_takes_each_edit_back(qtbot, make_lab):
    lab = make_lab("gaussian_mixture", "kmeans", k=3, init="kmeans++")
    step(qtbot, lab)
    start = lab.frame.state.extra["centres"].copy()
    assert lab.add_centre(0.0, 5.0)  # in any init mode
    qtbot.waitUntil(lambda: lab.frame.position == 2, timeout=5000)
    assert len(lab.frame.state.extra["centres"]) == 4 and len(lab.view.handles) == 4
    assert lab.qs.get("clustering.k") == 4 and lab.k.value() == 4  # K follows
    assert lab.qs.get("clustering.init") == "manual"
    lab.view.handles[0].setPos(9.0, 9.0)  # drag
    lab.view._handle_dropped()
    qtbot.waitUntil(lambda: lab.frame.position == 3, timeout=5000)
    np.testing.assert_allclose(lab.frame.state.extra["centres"][0], [9.0, 9.0])
    assert lab.qs.get("clustering.centres")[0] == [9.0, 9.0, 0.0]
    assert lab.remove_centre(3)  # right-click
    qtbot.waitUntil(lambda: lab.frame.position == 4, timeout=5000)
    assert lab.qs.get("clustering.k") == 3
    step(qtbot, lab)  # the run goes on from the edited centres
    assert lab.frame.state.phase == "assign"
    go_back(qtbot, lab)
    for k in (4, 4, 3):  # Back over each edit takes it back, K included
        go_back(qtbot, lab)
        assert lab.qs.get("clustering.k") == k
    go_back(qtbot, lab)
    np.testing.assert_allclose(lab.frame.state.extra["centres"], start)
    assert lab.qs.get("clustering.k") == 3 and lab.qs.get("clustering.init") == "kmeans++"


def test_a_real_click_adds_a_centre_and_a_right_click_removes_it(qtbot, make_lab):
    from PySide6.QtCore import QPoint, QPointF, Qt

    lab = make_lab("gaussian_mixture", "kmeans", k=2, init="farthest")
    vb = lab.plot.getPlotItem().getViewBox()

    def pixel(x, y):
        scene = vb.mapViewToScene(QPointF(x, y))
        p = lab.plot.mapFromScene(scene)
        return QPoint(p.x(), p.y())

    qtbot.mouseClick(lab.plot.viewport(), Qt.MouseButton.LeftButton, pos=pixel(-3.0, 4.0))
    qtbot.waitUntil(lambda: len(lab.frame.state.extra["centres"]) == 3, timeout=5000)
    np.testing.assert_allclose(lab.frame.state.extra["centres"][2], [-3.0, 4.0], atol=0.1)
    qtbot.mouseClick(lab.plot.viewport(), Qt.MouseButton.RightButton, pos=pixel(-3.0, 4.0))
    qtbot.waitUntil(lambda: len(lab.frame.state.extra["centres"]) == 2, timeout=5000)
    assert lab.qs.get("clustering.k") == 2


def test_placed_centres_stop_at_the_files_limit_and_the_file_reopens(qtbot, make_lab):
    lab = make_lab("gaussian_mixture", "kmeans", k=3)
    lab.qs.set("clustering.init", "manual")  # no centres placed yet
    qtbot.waitUntil(lambda: "place at least one centre" in lab.explanation.text(), timeout=5000)
    assert not any(c.isVisible() for c in lab.view.cells) and not lab.view.handles
    from playground.gui.clustering.centres import k_max

    limit = k_max()  # the file's own limit on clustering.k
    rng = np.random.default_rng(0)
    near_full = [[float(x), float(y), 0.0] for x, y in rng.uniform(-5, 5, (limit - 2, 2))]
    lab.qs.set_many({"clustering.centres": near_full, "clustering.k": limit - 2})
    qtbot.waitUntil(lambda: lab.frame is not None and len(
        lab.frame.state.extra.get("centres", [])) == limit - 2, timeout=10000)
    for n, (x, y) in enumerate(rng.uniform(-5, 5, (3, 2)), start=limit - 1):
        added = lab.add_centre(x, y)
        assert added == (n <= limit)
        if added:
            qtbot.waitUntil(lambda n=n: lab.frame is not None
                            and len(lab.frame.state.extra["centres"]) == n, timeout=5000)
    assert f"at most {limit} centres" in lab.explanation.text()
    c = lab.experiment.clustering
    assert c.k == len(c.centres) == limit
    reopened = files.loads(files.dumps(lab.experiment)).experiment
    assert reopened.clustering == c


def test_only_the_shown_algorithms_handles_exist(qtbot, make_lab):
    lab = make_lab("gaussian_mixture", "kmeans", k=3)
    targets = lambda: [i for i in lab.plot.getPlotItem().items  # noqa: E731
                       if isinstance(i, pg.TargetItem)]
    assert len(targets()) == 3
    for algorithm in ("meanshift", "hierarchical", "dbscan"):
        lab.qs.set("clustering.algorithm", algorithm)
        settle(qtbot, lab)
        assert targets() == [] and not any(c.isVisible() for c in lab.view.cells)
    lab.session.load(example("24_meanshift_blobs"))  # a lesson opened later
    settle(qtbot, lab)
    assert targets() == []


def visible_range_holds_its_data(plot):
    (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
    for item in plot.listDataItems():
        xs, ys = item.getData()
        if xs is None or not item.isVisible():
            continue
        xs, ys = np.asarray(xs, float), np.asarray(ys, float)
        ok = np.isfinite(xs) & np.isfinite(ys)
        if ok.any():
            assert x0 <= xs[ok].min() and xs[ok].max() <= x1, plot.titleLabel.text
            assert y0 <= ys[ok].min() and ys[ok].max() <= y1, plot.titleLabel.text
            return True
    return False


def test_side_plots_hold_their_data_after_any_algorithm_switches(qtbot, make_lab):
    lab = make_lab("gaussian_mixture", "hierarchical", linkage="average")
    for algorithm in ("hierarchical", "kmeans", "meanshift", "hierarchical", "dbscan",
                      "kmeans"):
        lab.qs.set("clustering.algorithm", algorithm)
        settle(qtbot, lab)
        to_end(qtbot, lab)
        qtbot.wait(50)  # let the plots repaint (ranges follow their data lazily)

        def all_hold():
            return all(visible_range_holds_its_data(p) for p in lab.side.plots())
        qtbot.waitUntil(all_hold, timeout=3000)


def test_meanshift_window_chart_counts_steps_under_back_and_play(qtbot, make_lab):
    lab = make_lab("gaussian_mixture", "meanshift", bandwidth=2.5)
    to_end(qtbot, lab)
    last = lab.frame.state.step
    xs, counts = lab.side.curve.getData()
    np.testing.assert_array_equal(xs, np.arange(last + 1))
    assert counts[0] == len(lab.x) and counts[-1] == 3
    go_back(qtbot, lab)
    np.testing.assert_array_equal(lab.side.curve.getData()[0], np.arange(last))
    lab.toggle_play()
    qtbot.waitUntil(lambda: lab.frame.state.done and not lab.frame.playing, timeout=10000)
    np.testing.assert_array_equal(lab.side.curve.getData()[0], np.arange(last + 1))
    expected = Stepper(meanshift_steps(lab.x, 2.5)).run()
    np.testing.assert_allclose(lab.frame.state.extra["modes"], expected.extra["modes"])


def test_meanshift_draws_a_readable_subset_of_windows(qtbot, make_lab):
    lab = make_lab(exp=example("24_meanshift_blobs"))
    xs, _ = lab.view.rings.getData()
    circles = int(np.isnan(xs).sum())
    assert circles <= 8  # not 250 overlapping circles
    assert len(lab.view.dots.getData()[0]) == len(lab.x) - circles  # the rest as dots
    step(qtbot, lab)
    assert len(lab.view.trails.getData()[0]) > 0


def test_lesson_22_opens_at_its_files_cut_and_the_cut_is_saved(qtbot, make_lab):
    lab = make_lab(exp=example("22_single_link_chaining"))
    assert lab.experiment.clustering.k == 2
    to_end(qtbot, lab)
    z = lab.frame.state.extra["linkage"]
    np.testing.assert_allclose(z, Stepper(agglomerative_steps(lab.x, "single")).run()
                               .extra["linkage"])
    colours = {b.color().name() for b in lab.points.data["brush"]}
    assert len(colours) == 2  # the chained blobs and the stray point, as the text says
    assert set(lab.side.branches) == {-1, 0}  # one cluster's branches (the stray point is a
    # leaf) and the links above the cut
    heights = np.sort(z[:, 2])
    lab.side.cut_line.setValue(0.5 * (heights[-4] + heights[-3]))  # drag the cut down
    lab._cut_moved(float(lab.side.cut_line.value()))
    assert lab.experiment.clustering.k == 4
    assert len({b.color().name() for b in lab.points.data["brush"]}) == 4
    assert files.loads(files.dumps(lab.experiment)).experiment.clustering.k == 4


def test_hierarchical_steps_are_readable(qtbot, make_lab):
    lab = make_lab("gaussian_mixture", "hierarchical", linkage="average")
    step(qtbot, lab, 40)
    s = lab.frame.state
    sizes = np.bincount(s.labels, minlength=len(lab.x))[s.labels]
    grey = pg.mkColor(170, 170, 170).name()
    colour = np.array([b.color().name() for b in lab.points.data["brush"]])
    assert ((colour == grey) == (sizes == 1)).all()  # lone points neutral grey
    merged = s.labels == s.extra["merged"][0]
    assert (lab.points.data["size"][merged] == 11.0).all()  # this step's merge stands out
    kept = {row: colour[s.labels == row][0] for row in np.unique(s.labels[sizes > 2])}
    step(qtbot, lab)
    colour = np.array([b.color().name() for b in lab.points.data["brush"]])
    for row, c in kept.items():  # clusters not merged keep their colour
        if row not in lab.frame.state.extra["merged"]:
            assert colour[lab.frame.state.labels == row][0] == c


def test_hovering_a_dendrogram_branch_highlights_its_points(qtbot, make_lab):
    from PySide6.QtCore import QPointF

    from playground.core.clustering.hierarchical import dendrogram_layout, members

    lab = make_lab("gaussian_mixture", "hierarchical", linkage="ward")
    to_end(qtbot, lab)
    z = lab._linkage
    assert len(np.unique(cut(z, 3))) == 3
    xs, _ = dendrogram_layout(z)
    row = len(z) - 2
    a, b = int(z[row, 0]), int(z[row, 1])

    def hover_the_branch():  # mapped anew on each try: the plot ranges itself when it paints
        lab._on_side_hover(lab.side.main.getViewBox().mapViewToScene(
            QPointF(0.5 * (xs[a] + xs[b]), z[row, 2] * 0.999)))
        return lab.highlighted == row

    qtbot.waitUntil(hover_the_branch, timeout=10000)
    assert (lab.points.data["size"] == 13.0).sum() == len(members(z, row))


def sklearn_core(x, eps, min_points):
    mask = np.zeros(len(x), bool)
    mask[DBSCAN(eps=eps, min_samples=min_points).fit(x).core_sample_indices_] = True
    return mask


def test_dbscan_preview_follows_the_sliders_and_equals_scikit_learn(qtbot, make_lab):
    lab = make_lab(exp=example("21_dbscan_pimpled_smiley"))
    np.testing.assert_array_equal(lab.shown_kinds == CORE, sklearn_core(lab.x, 1.2, 4))
    lab.eps_slider.setSliderDown(True)  # dragging: the preview follows every position
    for position in (20, 33, 47, 60, 75):
        lab.eps_slider.setValue(position)
        eps = position * 0.02
        np.testing.assert_array_equal(lab.shown_kinds == CORE, sklearn_core(lab.x, eps, 4))
        dark = np.array([b.color().name() == "#282828" for b in lab.points.data["brush"]])
        np.testing.assert_array_equal(dark, lab.shown_kinds == CORE)
        assert lab.side.eps_line.value() == pytest.approx(eps)
    lab.eps_slider.setSliderDown(False)
    lab.eps_slider.sliderReleased.emit()
    settle(qtbot, lab)  # the run restarts on the value let go, and keeps showing it
    assert lab.experiment.clustering.eps == pytest.approx(1.5)
    np.testing.assert_array_equal(lab.shown_kinds == CORE, sklearn_core(lab.x, 1.5, 4))
    lab.min_points.setValue(6)  # minPoints too
    settle(qtbot, lab)
    np.testing.assert_array_equal(lab.shown_kinds == CORE, sklearn_core(lab.x, 1.5, 6))
    to_end(qtbot, lab)
    expected = Stepper(dbscan_steps(lab.x, 1.5, 6)).run()
    np.testing.assert_array_equal(lab.frame.state.labels, expected.labels)
    assert (np.diff(lab.side.curve.getData()[1]) <= 0).all()


def test_clicking_a_k_on_the_elbow_plot_runs_with_it(qtbot, make_lab):
    lab = make_lab("gaussian_mixture", "kmeans", k=2)
    lab.elbow_button.click()
    qtbot.waitUntil(lambda: lab.side.elbow is not None, timeout=30000)
    assert lab.side.elbow_plot.isVisible() and lab.side.silhouette_plot.isVisible()
    lab.side.k_picked.emit(3)  # what a click near K = 3 emits (the click is tested below)
    settle(qtbot, lab)
    assert lab.experiment.clustering.k == 3 and len(lab.frame.state.extra["centres"]) == 3
    assert lab.side.elbow is not None  # the curves stay for the next pick
    from PySide6.QtCore import QPointF

    picked = []
    lab.side.k_picked.connect(picked.append)

    class Click:
        def scenePos(self):
            return lab.side.silhouette_plot.getViewBox().mapViewToScene(QPointF(5.1, 0.3))

    lab.side._clicked(Click())
    assert picked == [5]


def test_lesson_text_shows_on_the_clustering_tab(qtbot, make_lab):
    lab = make_lab(exp=example("19_kmeans_smiley"))
    assert lab.lesson.isVisible() and "k-means on the smiley" in lab.lesson.text()
    lab.session.load(Experiment())
    settle(qtbot, lab)
    assert not lab.lesson.isVisible()


def test_the_windows_lab_edits_reach_the_window(qtbot, window):
    """Until the window hands the lab its session, edits travel as experiments."""
    lab = window.clustering_lab
    exp = window.experiment.copy()
    exp.data.generator = "gaussian_mixture"
    exp.clustering.algorithm = "kmeans"
    window.apply_experiment(exp)
    settle(qtbot, lab)
    assert lab.add_centre(1.0, 1.0)
    qtbot.waitUntil(lambda: window.experiment.clustering.init == "manual", timeout=5000)
    assert window.experiment.clustering.k == len(window.experiment.clustering.centres) == 4
