"""Painting data as in Orange's Paint Data: brush strokes, put, select and move, jitter and
erase within a radius, in a chosen class; each stroke is one undoable session edit, the drawn
set saves and reopens exactly, and the tool works on any plot (the network tab's too)."""

import numpy as np
import pyqtgraph as pg
import pytest

from playground.core import files
from playground.core.session import Session
from playground.core.spec import Experiment
from playground.gui import colors


@pytest.fixture
def painted(qtbot):
    """A bare plot with the paint tool, on a session holding the gaussian mixture."""
    from playground.gui.clustering import PaintBar, PaintOverlay
    from playground.gui.session_qt import QtSession

    exp = Experiment()
    exp.data.generator = "gaussian_mixture"
    qs = QtSession(Session(exp))
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    overlay = PaintOverlay(qs, plot.getPlotItem(), parent=plot)
    bar = PaintBar(overlay)
    qtbot.addWidget(bar)
    plot.resize(600, 600)
    plot.setRange(xRange=(-6, 6), yRange=(-6, 6), padding=0)
    plot.show()
    return qs, overlay, bar, plot


def table(qs):
    return np.array(qs.get("data.points")).reshape(-1, 3)


def drag(overlay, path):
    overlay.press(*path[0])
    for p in path[1:]:
        overlay.move(*p)
    overlay.release()


def test_brush_sprays_along_the_drag_in_the_chosen_class_and_undoes_whole(painted):
    qs, overlay, bar, _ = painted
    n0 = len(overlay._table_of())
    bar.tool_buttons["brush"].click()
    bar.class_buttons[2].click()
    bar.size.setValue(5)  # radius 0.5
    path = [(x, 0.0) for x in np.linspace(-4, 4, 41)]
    drag(overlay, path)
    t = table(qs)
    new = t[n0:]
    assert qs.get("data.generator") == "points"
    assert len(new) >= 4 * 20  # sprayed all along the stroke, not once
    assert (new[:, 2] == 2).all()
    assert (np.abs(new[:, 1]) <= 0.5 + 1e-9).all() and new[:, 0].min() < -3.4 < 3.4 < new[:, 0].max()
    assert qs.session.undo_label == "spray points"
    qs.session.undo()
    assert qs.get("data.generator") == "gaussian_mixture"  # one stroke, one undo


def test_put_select_move_jitter_and_erase_within_a_radius(painted):
    qs, overlay, bar, _ = painted
    overlay.set_mode("put")
    for x, y in ((0, 0), (0.3, 0), (3, 3), (-3, -3)):
        overlay.press(x, y)
        overlay.release()
    base = table(qs)
    n = len(base)
    np.testing.assert_allclose(base[-4:, :2], [[0, 0], [0.3, 0], [3, 3], [-3, -3]])
    overlay.set_mode("select")  # a box around the two points at the origin, then drag them
    drag(overlay, [(-0.5, -0.5), (0.5, 0.5)])
    assert overlay.selected.sum() == 2 + int(((np.abs(base[:-4, :2]) <= 0.5).all(axis=1)).sum())
    chosen = overlay.selected.copy()
    drag(overlay, [(0.0, 0.0), (1.0, 2.0)])
    moved = table(qs)
    np.testing.assert_allclose(moved[chosen, :2], base[chosen, :2] + [1.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(moved[~chosen], base[~chosen], atol=1e-6)
    overlay.radius = 0.5
    overlay.set_mode("jitter")
    drag(overlay, [(3, 3), (3, 3)])
    jittered = table(qs)
    near = np.linalg.norm(moved[:, :2] - [3, 3], axis=1) <= 0.5
    assert not np.allclose(jittered[near, :2], moved[near, :2])
    np.testing.assert_allclose(jittered[~near], moved[~near], atol=1e-6)
    overlay.set_mode("erase")  # erases what is under the brush, nothing farther
    drag(overlay, [(-3, -3)])
    erased = table(qs)
    gone = np.linalg.norm(jittered[:, :2] - [-3, -3], axis=1) <= 0.5
    assert len(erased) == n - gone.sum()
    drag(overlay, [(-5.9, 5.9)])  # an empty spot: no point taken, however near the nearest
    assert len(table(qs)) == len(erased)


def test_painted_points_show_their_class(painted):
    qs, overlay, bar, _ = painted
    bar.tool_buttons["put"].click()
    bar.class_buttons[1].click()
    overlay.press(1.0, 1.0)
    overlay.release()
    assert overlay.scatter.isVisible()
    colour = overlay.scatter.data["brush"][-1].color()
    r, g, b = colors.CLASS_COLORS[1].astype(int)
    assert (colour.red(), colour.green(), colour.blue()) == (r, g, b)
    bar.tool_buttons["off"].click()
    assert not overlay.scatter.isVisible()


def test_a_painted_set_saves_reopens_identically_and_its_edits_undo(painted, tmp_path):
    qs, overlay, bar, _ = painted
    original = qs.session.experiment.copy()
    overlay.set_mode("brush")
    drag(overlay, [(-2, -2), (-1, -1), (0, 0)])
    overlay.set_mode("select")
    drag(overlay, [(-6, -6), (0, 6)])
    drag(overlay, [tuple(table(qs)[overlay.selected][0, :2]), (-1.0, 0.5)])
    overlay.set_mode("erase")
    drag(overlay, [(2, 2), (3, 3)])
    path = tmp_path / "drawn.json"
    files.save_experiment(str(path), qs.session.experiment)
    reopened = files.load_experiment(str(path)).experiment
    assert reopened.data.points == qs.get("data.points")
    assert reopened.data == qs.session.experiment.data
    for _ in range(3):
        qs.session.undo()
    assert qs.session.experiment.data == original.data
    bar.redo_button.click()
    assert qs.session.undo_label == "spray points"


def test_a_real_mouse_drag_paints(painted, qtbot):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtTest import QTest

    qs, overlay, bar, plot = painted
    bar.tool_buttons["brush"].click()
    vb = plot.getPlotItem().getViewBox()

    def pixel(x, y):
        p = plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
        return QPoint(p.x(), p.y())

    n0 = len(overlay._table_of())
    viewport = plot.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=pixel(-3, 3))
    for x in np.linspace(-3, 3, 13):
        QTest.mouseMove(viewport, pixel(x, 3))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=pixel(3, 3))
    new = table(qs)[n0:]
    assert len(new) >= 4 * 5
    assert new[:, 0].min() < -2 and new[:, 0].max() > 2  # followed the drag
    assert vb.viewRange()[0] == pytest.approx([-6, 6], abs=0.5)  # and did not pan the view


def test_painting_in_the_windows_lab_reaches_the_window(qtbot, window):
    lab = window.clustering_lab
    lab.paint_bar.tool_buttons["put"].click()
    before = len(lab.x)
    lab.paint.press(1.0, 2.0)
    lab.paint.release()
    qtbot.waitUntil(lambda: window.experiment.data.generator == "points", timeout=5000)
    assert [1.0, 2.0, 0.0] in window.experiment.data.points
    qtbot.waitUntil(lambda: len(lab.x) == before + 1, timeout=5000)
    lab.paint_bar.undo_button.click()
    qtbot.waitUntil(lambda: window.experiment.data.generator != "points", timeout=5000)


def test_the_paint_tool_works_on_the_network_tabs_output_view(qtbot):
    """What the network tab gets: the same tool on its output plot, writing data the network
    can train on (a "points" data set of the painted classes)."""
    from playground.core.datasets import build_dataset
    from playground.gui.clustering import PaintBar, PaintOverlay
    from playground.gui.session_qt import QtSession
    from playground.gui.views.output_view import OutputView

    qs = QtSession(Session(Experiment()))
    view = OutputView()
    qtbot.addWidget(view)
    overlay = PaintOverlay(qs, view.plot.getPlotItem(), show_points=False, parent=view)
    bar = PaintBar(overlay)
    qtbot.addWidget(bar)
    n0 = len(overlay._table_of())
    bar.tool_buttons["put"].click()
    for label, (x, y) in ((0, (-4.0, -4.0)), (1, (4.0, 4.0))):
        bar.class_buttons[label].click()
        overlay.press(x, y)
        overlay.release()
    assert not overlay.scatter.isVisible()  # the view draws its own points
    ds = build_dataset(qs.session.experiment.data)
    assert len(ds.x) == n0 + 2 and ds.problem == "binary"


def test_the_draw_panels_undo_steps_through_drawing_only(painted):
    """Trial 4: the Draw data panel's Undo undid an eps change made a click away (the
    session's last edit, whatever it was); Ctrl+Z is the undo of any edit."""
    qs, overlay, bar, _ = painted
    bar.tool_buttons["put"].click()
    drag(overlay, [(1.0, 1.0)])
    assert bar.undo_button.isEnabled()
    qs.set("clustering.eps", 0.7, "eps")  # an edit of another kind, last
    assert not bar.undo_button.isEnabled()
    qs.session.undo()  # (Ctrl+Z) the eps goes: the drawing's edit is last again
    assert bar.undo_button.isEnabled()
    n = len(table(qs))
    bar.undo_button.click()
    assert qs.get("data.generator") == "gaussian_mixture" and n > 0
    assert bar.redo_button.isEnabled() and not bar.undo_button.isEnabled()
    bar.redo_button.click()
    assert len(table(qs)) == n
