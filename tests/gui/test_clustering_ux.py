"""The clustering tab as a new user met it with real clicks: controls that stay where they were
clicked, a view that holds still under the brush, painted data that say where they go, axes
that count in whole numbers, and text that fits at 1280x800 and in presentation mode."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from tests.gui.conftest import control
from tests.gui.test_clustering_lab import example, go_back, settle, step, to_end
from tests.gui.test_clustering_lab import make_lab as make_lab  # noqa: F401 - the fixture

ALGORITHMS = ("kmeans", "meanshift", "hierarchical", "dbscan")
TAB_1280 = (1280, 680)  # what the tab gets of a 1280x800 window (title, menus, tabs, status)


def settled_layout(qtbot):
    qtbot.wait(30)  # layouts and the plots' ranges settle on the next event-loop turns
    QApplication.processEvents()


def places(lab, widgets):
    return [(w.mapTo(lab, QPoint(0, 0)), w.size()) for w in widgets]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_step_and_the_other_controls_stay_put_as_the_status_text_changes(
        qtbot, make_lab, algorithm):
    """Clicking Step three times in one place steps three times: the explanation's changing
    length never pushes a control."""
    lab = make_lab("circle", algorithm)
    lab.resize(*TAB_1280)
    settled_layout(qtbot)
    watched = [lab.step_button, lab.back_button, lab.end_button, lab.play_button,
               lab.paint_bar.tool_buttons["brush"], lab.paint_bar.undo_button]
    before = places(lab, watched)
    texts = {lab.explanation.text()}
    for _ in range(3):
        step(qtbot, lab)
        settled_layout(qtbot)
        texts.add(lab.explanation.text())
        assert places(lab, watched) == before, lab.explanation.text()
    to_end(qtbot, lab)
    settled_layout(qtbot)
    texts.add(lab.explanation.text())
    assert places(lab, watched) == before, lab.explanation.text()
    go_back(qtbot, lab)
    settled_layout(qtbot)
    assert places(lab, watched) == before
    assert len({len(t) // 30 for t in texts}) > 1  # the texts did differ in length


def test_the_step_controls_stay_put_across_algorithms(qtbot, make_lab):
    """Switching the algorithm changes the settings above; Step stays under the mouse."""
    lab = make_lab("circle", "kmeans")
    lab.resize(*TAB_1280)
    settled_layout(qtbot)
    watched = [lab.step_button, lab.back_button, lab.end_button, lab.restart_button]
    before = places(lab, watched)
    for algorithm in (*ALGORITHMS[1:], "kmeans"):
        lab.qs.set("clustering.algorithm", algorithm)
        settle(qtbot, lab)
        settled_layout(qtbot)
        assert places(lab, watched) == before, algorithm


def test_a_real_click_on_step_three_times_steps_three_times(qtbot, make_lab):
    lab = make_lab("circle", "kmeans")
    lab.resize(*TAB_1280)
    settled_layout(qtbot)
    at = lab.step_button.mapTo(lab, lab.step_button.rect().center())
    for n in (1, 2, 3):
        target = lab.childAt(at)  # whatever is under that pixel now gets the click
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(lab, at))
        qtbot.waitUntil(lambda n=n: lab.frame.position == n, timeout=5000)
        settled_layout(qtbot)


# ------------------------------------------------------------------------- painting
def plot_pixel(lab, x, y):
    vb = lab.plot.getPlotItem().getViewBox()
    p = lab.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
    return QPoint(p.x(), p.y())


def test_a_horizontal_brush_stroke_stays_horizontal_and_the_view_holds_still(qtbot, make_lab):
    lab = make_lab("circle", "kmeans")
    vb = lab.plot.getPlotItem().getViewBox()
    lab.paint_bar.tool_buttons["brush"].click()
    lab.paint_bar.size.setValue(5)  # radius 0.5
    settled_layout(qtbot)
    before = np.array(vb.viewRange())
    n0 = len(lab.x)
    pixels = [plot_pixel(lab, x, 5.6) for x in np.linspace(-5, 5, 30)]  # fixed on screen
    viewport = lab.plot.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=pixels[0])
    for p in pixels[1:]:
        QTest.mouseMove(viewport, p)
        qtbot.wait(5)  # the view repaints (and would re-range) between moves
        np.testing.assert_allclose(vb.viewRange(), before, atol=1e-9)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=pixels[-1])
    qtbot.waitUntil(lambda: len(lab.x) > n0, timeout=5000)
    settled_layout(qtbot)
    np.testing.assert_allclose(vb.viewRange(), before, atol=1e-9)  # the next stroke lands
    new = np.array(lab.qs.get("data.points"))[n0:]
    assert len(new) >= 40 and np.abs(new[:, 1] - 5.6).max() <= 0.5 + 1e-6  # a line, no arc
    lab.paint_bar.tool_buttons["off"].click()
    settled_layout(qtbot)
    (x0, x1), (y0, y1) = vb.viewRange()
    assert x0 <= lab.x[:, 0].min() and lab.x[:, 0].max() <= x1  # painting done: all in view
    assert y0 <= lab.x[:, 1].min() and lab.x[:, 1].max() <= y1


def test_step_while_painting_shows_the_run_again(qtbot, make_lab):
    """The run is hidden while painting; Step, Play, To the end and Back end painting, so a
    click on them always shows what it did."""
    lab = make_lab("circle", "kmeans")
    for button, done in ((lab.step_button, lambda: lab.frame.position == 1),
                         (lab.play_button, lambda: lab.frame.playing),
                         (lab.end_button, lambda: lab.frame.state.done),
                         (lab.back_button, lambda: not lab.frame.state.done)):
        lab.paint_bar.tool_buttons["brush"].click()
        assert not lab.points.isVisible()
        button.click()
        qtbot.waitUntil(done, timeout=10000)
        assert lab.paint.mode == "off" and lab.paint_bar.tool_buttons["off"].isChecked()
        assert lab.points.isVisible() and lab.view.handles


def test_the_play_buttons_symbols_are_in_its_font(qtbot, make_lab):
    from PySide6.QtGui import QFontMetrics

    lab = make_lab("circle", "meanshift")
    lab.speed.setValue(1)
    lab.play_button.click()
    qtbot.waitUntil(lambda: lab.frame.playing, timeout=5000)
    texts = {lab.play_button.text()}
    lab.play_button.click()
    qtbot.waitUntil(lambda: not lab.frame.playing, timeout=5000)
    texts.add(lab.play_button.text())
    metrics = QFontMetrics(lab.play_button.font())
    missing = {ch for text in texts for ch in text if not metrics.inFontUcs4(ord(ch))}
    assert missing == set() and len(texts) == 2  # no empty box where the pause sign is


def test_dragging_a_centre_out_of_the_data_keeps_the_view(qtbot, make_lab):
    lab = make_lab("circle", "kmeans")
    vb = lab.plot.getPlotItem().getViewBox()
    settled_layout(qtbot)
    before = np.array(vb.viewRange())
    handle = lab.view.handles[0]
    for x in np.linspace(0, 9, 10):  # what a drag does to the handle, move by move
        handle.setPos(float(x), float(x))
        qtbot.wait(5)
        np.testing.assert_allclose(vb.viewRange(), before, atol=1e-9)


def test_painting_tells_that_it_edits_the_experiments_data_for_every_tab(qtbot, make_lab):
    lab = make_lab("circle", "kmeans")
    note = lab.paint_note
    assert note.isVisible()
    assert "Circle" in note.text() and "Neural network" in note.text()
    assert "Ctrl+Z" in note.text()
    lab.paint_bar.tool_buttons["put"].click()
    lab.paint.press(1.0, 1.0)
    lab.paint.release()
    assert lab.qs.get("data.generator") == "points"
    assert "your points" in note.text().lower() and "Ctrl+Z" in note.text()


def test_the_network_tab_shows_drawn_points_as_the_chosen_data(qtbot, window):
    """Painted on the clustering tab, the data are the network's too: its gallery shows
    "Your points" chosen, with their picture; undo brings the old set back, chosen."""
    lab = window.clustering_lab
    window.tabs.setCurrentWidget(lab)
    settle(qtbot, lab)
    points = control(window, "data.generator=points")
    assert not points.isVisibleTo(window.data_panel)  # nothing drawn yet
    lab.paint_bar.tool_buttons["brush"].click()
    lab.paint.press(-2.0, -2.0)
    lab.paint.move(2.0, 2.0)
    lab.paint.release()
    assert window.experiment.data.generator == "points"
    assert points.isVisibleTo(window.data_panel) and points.isChecked()
    assert not points.icon().isNull()
    assert not any(b.isChecked() for name, b in window.data_panel.dataset_buttons.items()
                   if name != "points")
    window.undo_action.trigger()  # Ctrl+Z
    generator = window.experiment.data.generator
    assert generator != "points"
    assert control(window, f"data.generator={generator}").isChecked()
    assert not points.isChecked()
    window.redo_action.trigger()
    assert points.isChecked()  # drawn points stay a choice after undo and redo
    control(window, "data.generator=circle").click()
    assert points.isVisibleTo(window.data_panel) and not points.isChecked()
    points.click()
    assert window.experiment.data.generator == "points"
    lab.paint_bar.clear_button.click()  # all points cleared: still the chosen data
    assert window.experiment.data.points == []
    assert points.isVisibleTo(window.data_panel) and points.isChecked()


# ----------------------------------------------------------------------------- axes
def tick_values(axis, lo, hi):
    return [v for _, values in axis.tickValues(lo, hi, 300) for v in values]


def test_step_and_k_axes_tick_whole_numbers(qtbot, make_lab):
    lab = make_lab("circle", "kmeans")
    step(qtbot, lab, 4)
    settled_layout(qtbot)
    for plot in (lab.side.main, lab.side.elbow_plot, lab.side.silhouette_plot):
        axis = plot.getAxis("bottom")
        for lo, hi in ((0.5, 4.5), (0.6, 1.4), (0.0, 10.0), (0.0, 500.0)):
            values = tick_values(axis, lo, hi)
            assert values and all(float(v).is_integer() for v in values), (lo, hi, values)
        assert all(s.isdigit() for s in axis.tickStrings([1.0, 2.0, 3.0], 1.0, 1.0))


def test_a_single_step_gets_a_sensible_range(qtbot, make_lab):
    lab = make_lab("circle", "kmeans")
    step(qtbot, lab)
    settled_layout(qtbot)
    wcss = lab.side.curve.getData()[1]
    (x0, x1), (y0, y1) = lab.side.main.getViewBox().viewRange()
    assert x0 < 1 < x1 and y0 < wcss[0] < y1
    assert y1 - y0 >= 0.2 * wcss[0]  # not 3213.8 .. 3214.7
    assert y0 <= 0  # a sum of squares, read from zero
    assert 0.5 <= x1 - x0 <= 4  # one step, not a fraction of one


def test_the_dendrograms_axis_counts_the_points(qtbot, make_lab):
    lab = make_lab("circle", "hierarchical", linkage="single")
    to_end(qtbot, lab)
    settled_layout(qtbot)
    n = len(lab.x)
    (x0, x1), _ = lab.side.main.getViewBox().viewRange()
    assert x0 <= 1 and n <= x1 <= 1.1 * n  # 500 points: 0..500, not 0..5000
    assert all(float(v).is_integer() for v in tick_values(lab.side.main.getAxis("bottom"),
                                                          x0, x1))


# ----------------------------------------------------------------------- legibility
def clipped_texts(lab) -> list[str]:
    """Control texts that do not fit their widget, in the left column."""
    out = []
    for w in lab.controls.findChildren(QAbstractButton):
        if w.isVisibleTo(lab) and w.text() and w.width() < w.sizeHint().width():
            out.append(f"button {w.text()!r}: {w.width()} < {w.sizeHint().width()}")
    for w in lab.controls.findChildren(QLabel):
        if not w.isVisibleTo(lab) or not w.text():
            continue
        need = w.heightForWidth(w.width()) if w.wordWrap() else w.sizeHint().height()
        if w.height() < need or (not w.wordWrap() and w.width() < w.sizeHint().width()):
            out.append(f"label {w.text()[:40]!r}: {w.size().toTuple()}, needs {need}")
    return out


def present(lab) -> None:
    from playground.gui.presentation import PRESENTATION_STYLE

    lab.setStyleSheet(PRESENTATION_STYLE)  # what the window's presentation mode sets
    lab.qs.set("view.presentation", True)


@pytest.mark.parametrize("size, presentation", [(TAB_1280, False), ((1920, 990), True)])
def test_every_control_text_fits_for_each_algorithm(qtbot, make_lab, size, presentation):
    lab = make_lab("circle", "kmeans")
    if presentation:
        present(lab)
    lab.resize(*size)
    for algorithm in ALGORITHMS:
        lab.qs.set("clustering.algorithm", algorithm)
        settle(qtbot, lab)
        step(qtbot, lab)
        settled_layout(qtbot)
        assert clipped_texts(lab) == [], algorithm
        assert lab.controls.verticalScrollBar().maximum() == 0, algorithm  # all in sight


def test_side_plot_titles_fit(qtbot, make_lab):
    lab = make_lab("circle", "kmeans")
    lab.resize(*TAB_1280)
    lab.elbow_button.click()
    qtbot.waitUntil(lambda: lab.side.elbow is not None, timeout=30000)
    settled_layout(qtbot)
    shown = lab.side.viewport().width()
    for plot in lab.side.plots():
        title = plot.titleLabel.item.boundingRect().width()
        assert title <= plot.width(), plot.titleLabel.text
        assert plot.sceneBoundingRect().right() <= shown, plot.titleLabel.text  # not cut off


def test_plot_text_and_points_grow_in_presentation_mode(qtbot, make_lab):
    lab = make_lab("circle", "kmeans")
    plots = [lab.plot.getPlotItem(), lab.side.main, lab.side.elbow_plot,
             lab.side.silhouette_plot]

    def tick_sizes():
        return {plot.getAxis(n).style["tickFont"].pointSize() if plot.getAxis(n).style[
            "tickFont"] else 9 for plot in plots for n in ("left", "bottom")}

    small = lab.points.data["size"].max()
    present(lab)
    assert min(tick_sizes()) >= 14
    assert lab.points.data["size"].max() >= 1.5 * small
    lab.paint_bar.tool_buttons["put"].click()  # painting shows the points large too
    assert lab.paint.scatter.data["size"].min() >= 1.5 * 8
    lab.paint_bar.tool_buttons["off"].click()
    lab.qs.set("view.presentation", False)
    assert max(tick_sizes()) <= 10
    assert lab.points.data["size"].max() == pytest.approx(small)


def test_a_network_lessons_banner_stays_off_the_clustering_tab(qtbot, make_lab):
    lab = make_lab(exp=example("03_circle_by_features"))
    assert not lab.lesson.isVisible()
    lab.session.load(example("21_dbscan_pimpled_smiley"))
    settle(qtbot, lab)
    assert lab.lesson.isVisible() and "DBSCAN" in lab.lesson.text()
