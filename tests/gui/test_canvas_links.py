"""Connections as first-class canvas objects, and the scene mirroring the graph: driven by
simulated mouse, key and drop events on the view."""

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QInputDialog

from playground.core import commands as C

from .conftest import snap


def link_point(view, edge):
    """A viewport point on the link, away from the unit edges' crossing."""
    path = view.links[edge].path()
    return view.mapFromScene(path.pointAtPercent(0.5))


def test_a_click_selects_a_link_and_delete_removes_it_undo_and_redo_exact(qtbot, window):
    view = window.network_view
    before = window.experiment.network.to_json()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=link_point(view, ("dense1", "dense2")))
    assert view.selected_link == ("dense1", "dense2")
    assert view.links[("dense1", "dense2")].pen().widthF() >= 4  # highlighted
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    after = window.experiment.network.to_json()
    assert ["dense1", "dense2"] not in after["edges"] and len(after["nodes"]) == 4
    assert ("dense1", "dense2") not in view.links
    window.undo_edit()
    assert window.experiment.network.to_json() == before
    assert ("dense1", "dense2") in view.links
    window.redo_edit()
    assert window.experiment.network.to_json() == after


def test_a_click_on_a_weight_edge_selects_its_link_and_a_double_click_edits_it(
        qtbot, window, monkeypatch):
    view = window.network_view
    edge = next(e for e in view.edges[("dense1", "dense2")] if e.row == 0 and e.col == 0)
    at = view.mapFromScene(edge.line().pointAt(0.6))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert view.selected_link == ("dense1", "dense2")
    asked = []
    monkeypatch.setattr(QInputDialog, "getDouble",
                        lambda *a, **k: (asked.append(a[2]) or (2.5, True)))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert asked == ["The weight of unit 1 of dense2, from its input 1:"]
    qtbot.waitUntil(lambda: abs(snap(window).weights["dense2"][0, 0] - 2.5) < 1e-6,
                    timeout=10000)
    assert window.experiment.network.to_json()["edges"][1] == ["dense1", "dense2"]


def drop_on(window, kind, viewport_point):
    view, palette = window.network_view, window.palette
    item = next(palette.item(i) for i in range(palette.count())
                if palette.item(i).data(Qt.ItemDataRole.UserRole) == kind)
    mime = palette.mimeData([item])
    for event in (QDragEnterEvent(viewport_point, Qt.DropAction.CopyAction, mime,
                                  Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
                  QDropEvent(QPointF(viewport_point), Qt.DropAction.CopyAction, mime,
                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)):
        QApplication.sendEvent(view.viewport(), event)


def test_a_block_dropped_on_a_link_is_spliced_in_and_undo_redo_exact(qtbot, window):
    view = window.network_view
    before = window.experiment.network.to_json()
    drop_on(window, "dropout", link_point(view, ("dense1", "dense2")))
    g = window.experiment.network
    assert "dropout1" in g.nodes
    assert g.edges == [("input", "dense1"), ("dense1", "dropout1"), ("dropout1", "dense2"),
                       ("dense2", "output")]
    after = g.to_json()
    qtbot.waitUntil(lambda: "dropout1" in snap(window).neurons, timeout=10000)  # it trains
    window.undo_edit()
    assert window.experiment.network.to_json() == before
    assert "dropout1" not in view.frames
    window.redo_edit()
    assert window.experiment.network.to_json() == after
    assert "dropout1" in view.frames and ("dense1", "dropout1") in view.links


def test_a_graph_edit_patches_the_scene_and_keeps_untouched_items(qtbot, window):
    view = window.network_view
    kept = {n: view.frames[n] for n in ("input", "dense1", "output")}
    units = {k: v for k, v in view.neurons.items() if k[0] == "dense1"}
    link = view.links[("input", "dense1")]
    zoom, spot = view.transform(), view.frames["dense1"].scenePos()
    old_dense2 = view.frames["dense2"]
    window.edit_network(C.SetParams("dense2", {"activation": "relu"}))
    assert all(view.frames[n] is item for n, item in kept.items())
    assert all(view.neurons[k] is item for k, item in units.items())
    assert view.links[("input", "dense1")] is link
    assert view.frames["dense2"] is not old_dense2 and view.titles["dense2"].text() == "2 relu"
    assert view.transform() == zoom and view.frames["dense1"].scenePos() == spot  # no re-fit
    # An edit made on the graph itself (as the session does) reaches the canvas through
    # the graph's events, patched the same way.
    window.experiment.network.set_params("dense2", units=3)
    qtbot.waitUntil(lambda: view.titles["dense2"].text() == "3 relu", timeout=5000)
    assert all(view.frames[n] is item for n, item in kept.items())


def test_pasted_blocks_land_clear_of_the_originals(qtbot, window):
    view = window.network_view
    window.copy_blocks(["dense1", "dense2"])
    window.paste_blocks()
    qtbot.wait(50)
    new = {"dense3", "dense4"}
    assert new <= set(view.frames)
    for a in new:
        for b in ("dense1", "dense2"):
            assert not view.frames[a].sceneBoundingRect().intersects(
                view.frames[b].sceneBoundingRect())


def test_a_new_layout_at_the_same_tile_size_moves_items_instead_of_replacing_them(
        qtbot, window):
    view = window.network_view
    items = dict(view.neurons), dict(view.links), dict(view.frames)
    tile = view.plan.neuron
    window.resize(1280, 830)  # a little taller: the blocks spread, the tiles keep their size
    qtbot.waitUntil(lambda: window.height() == 830, timeout=5000)
    qtbot.wait(50)
    assert view.plan.neuron == tile
    assert all(view.neurons[k] is v for k, v in items[0].items())
    assert all(view.links[k] is v for k, v in items[1].items())
    assert all(view.frames[k] is v for k, v in items[2].items())
    # the links followed their blocks
    link = view.links[("dense1", "dense2")].path()
    port = view.frames["dense2"].mapToScene(QPointF(-view.plan.style.port / 2 - 2,
                                                    view.frames["dense2"].column_height / 2))
    assert (link.pointAtPercent(1.0) - port).manhattanLength() < 0.5
