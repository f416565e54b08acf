"""The canvas stays put under the pointer: the ± handles keep their screen position while
units are added or removed, and a block dropped on a link opens a column of its own, with
the whole network still in view. Driven by real mouse and drop events on the view."""

from PySide6.QtCore import QPoint, QRectF, Qt

from playground.gui.network.items import TextTile

from .test_canvas_links import drop_on, link_point


def handle(view, node: str, text: str) -> TextTile:
    frame = view.frames[node]
    return next(i for i in frame.childItems() if isinstance(i, TextTile)
                and i.text.text() == text)


def handle_point(view, node: str, text: str) -> QPoint:
    """The handle's centre in viewport pixels (where a user would click it)."""
    return view.mapFromScene(handle(view, node, text).sceneBoundingRect().center())


def units(window, node: str) -> int:
    return int(window.experiment.network.nodes[node].param("units"))


def test_three_clicks_on_plus_at_one_spot_add_three_units(qtbot, window):
    view = window.network_view
    qtbot.wait(50)
    start = units(window, "dense1")
    spot = handle_point(view, "dense1", "+")
    for _ in range(3):
        assert handle_point(view, "dense1", "+") == spot  # still under the pointer
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
        qtbot.wait(20)  # deferred placing and the scene patch run
    assert units(window, "dense1") == start + 3
    assert sum(1 for n, _ in view.neurons if n == "dense1") == start + 3
    assert not view.selected_blocks()  # no click fell on the column (it selects the block)
    # "−" removes them again, also without moving
    minus = handle_point(view, "dense1", "−")
    for _ in range(2):
        assert handle_point(view, "dense1", "−") == minus
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=minus)
        qtbot.wait(20)
    assert units(window, "dense1") == start + 1


def on_screen_boxes(view) -> dict[str, QRectF]:
    """Each block's drawn rectangle (title, tiles, handles) in viewport pixels."""
    return {n: view.on_screen(f) for n, f in view.frames.items()}


def test_a_block_dropped_on_a_link_overlaps_nothing_and_the_network_stays_in_view(
        qtbot, window):
    view = window.network_view
    qtbot.wait(50)
    before = window.experiment.network.to_json()
    drop_on(window, "dropout", link_point(view, ("dense1", "dense2")))
    qtbot.wait(50)
    assert "dropout1" in view.frames
    boxes = on_screen_boxes(view)
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not boxes[a].adjusted(1, 1, -1, -1).intersects(boxes[b]), (a, b)
    area = view.viewport().rect().adjusted(-1, -1, 1, 1)
    for n, r in boxes.items():
        assert area.contains(r.toAlignedRect()), f"{n} is off-screen"
    assert not view.horizontalScrollBar().isVisible()
    # in order, left to right, as the data flows
    order = ["input", "dense1", "dropout1", "dense2", "output"]
    xs = [boxes[n].center().x() for n in order]
    assert xs == sorted(xs)
    window.undo_edit()  # the blocks moved aside go back where they were
    assert window.experiment.network.to_json() == before
    assert "dropout1" not in view.frames
