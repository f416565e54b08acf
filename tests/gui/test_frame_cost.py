"""What a frame and a click cost the window's thread (issue: speed without cliffs, sustained
drawing): work that does not change what is shown is not redone. Each test counts the work
a frame or a click triggers, so it holds on any machine; benchmarks/gui_speed.py measures
the time."""

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, Qt

from .conftest import snap, wait_epoch


def test_show_test_data_click_does_not_restyle_every_point(qtbot, window, monkeypatch):
    """A view toggle went through the presentation styling, which set every scatter item's
    pen again: pyqtgraph re-renders each point's symbol (~60 ms for 500 points), so a click
    on "Show test data" froze the window that long."""
    restyled = []
    original = pg.ScatterPlotItem.setPen
    monkeypatch.setattr(pg.ScatterPlotItem, "setPen",
                        lambda self, *a, **k: (restyled.append(self), original(self, *a, **k)))
    box = window.show_test
    was = box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked() != was and window.output_view.test_points.isVisible() != was
    assert restyled == []
    window.toggle_presentation()  # a new style is still applied: larger points for F5
    assert window.output_view.train_points.opts["size"] == 12 and restyled
    window.toggle_presentation()
    assert window.output_view.train_points.opts["size"] == 7


def test_new_maps_do_not_repaint_the_boundary_plots_axes(qtbot, window, monkeypatch):
    """Each new map under an axis's rectangle replayed its tick labels (~2 ms a frame); the
    axes now paint from a cached pixmap until they change."""
    wait_epoch(qtbot, window, 0)
    axes = [window.output_view.plot.getAxis(side) for side in ("left", "bottom")]
    painted = []
    original = pg.AxisItem.paint

    def counting(self, *args):
        painted.append(self)
        return original(self, *args)

    def settle():  # the scene's pending updates, then a paint
        qtbot.wait(20)
        window.output_view.plot.viewport().repaint()

    monkeypatch.setattr(pg.AxisItem, "paint", counting)
    settle()  # (the cache fills once)
    painted.clear()
    frame = snap(window)
    for k in range(5):
        shifted = frame.output.copy() * (1.0 - 0.1 * k)  # a visibly different map
        window.output_view.update_snapshot(type(frame)(**{**frame.__dict__, "output": shifted}))
        settle()
    assert not [a for a in painted if any(a is b for b in axes)]
    # They still follow a change of their own: another data range repaints them.
    window.output_view.plot.setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
    settle()
    assert [a for a in painted if any(a is b for b in axes)]


def test_edge_widths_and_colours_show_each_weight(qtbot, window):
    """Every weighted edge: blue when its weight is positive, orange when negative, 1-10 px
    wide for |w| 0-5 (TF Playground's scale), from the frame's weights."""
    wait_epoch(qtbot, window, 0)
    view = window.network_view
    frame = snap(window)
    checked = 0
    for items in view.edges.values():
        for item in items:
            if not item.weighted:
                continue
            w = float(frame.weights[item.node][item.row, item.col])
            width = 1.0 + 9.0 * min(abs(w), 5.0) / 5.0
            assert abs(item.pen().widthF() - width * view.style_.edge_scale) <= 0.13
            blue = item.pen().color().blue() > item.pen().color().red()
            assert blue == (w > 0)
            checked += 1
    assert checked >= 10


def test_an_edge_is_clicked_along_its_line_after_it_moves(qtbot, window):
    """Its click band (at least 6 px wide) is built once per line and pen, and follows both."""
    edge = next(i for items in window.network_view.edges.values() for i in items)
    assert edge.shape() is edge.shape()  # made once, not on every ask
    edge.setLine(QLineF(QPointF(0, 0), QPointF(100, 0)))
    assert edge.shape().contains(QPointF(50, 2.5))
    assert not edge.shape().contains(QPointF(50, 20))
    wide = edge.pen()
    wide.setWidthF(20)
    edge.setPen(wide)
    assert edge.shape().contains(QPointF(50, 9))
    edge.setLine(QLineF(QPointF(0, 50), QPointF(100, 50)))
    assert edge.shape().contains(QPointF(50, 50)) and not edge.shape().contains(QPointF(50, 2))
    assert np.isfinite(edge.shape().boundingRect().width())


def test_at_full_speed_the_worker_makes_only_frames_the_window_draws(qtbot, window):
    """A snapshot costs the worker ~4 ms and the window's thread the GIL: at "as fast as
    possible" the worker made ~45 a second however few the window could draw, and the
    window fell to ~15 frames/s. Now each new frame waits until the last one was drawn."""
    from .conftest import choose

    made, drawn = [], []
    window.worker.frame_ready.connect(lambda frame: made.append(frame.snapshot.epoch))
    original = window._draw
    window._draw = lambda snap: (drawn.append(snap.epoch), original(snap))
    slow = window._paint

    def slow_paint(frame):  # a window that draws ~12 frames a second, as on a busy machine
        slow(frame)
        time.sleep(0.08)

    window._paint = slow_paint
    choose(window.training_bar.speed, 0)
    window.toggle_play()
    qtbot.wait(3000)
    window.toggle_play()
    qtbot.waitUntil(lambda: not window.latest.playing, timeout=5000)
    assert len(drawn) >= 10  # it kept drawing
    assert len(made) <= len(drawn) + 4, f"{len(made)} frames made, {len(drawn)} drawn"
    assert made[-1] > made[0]  # and training went on between them
