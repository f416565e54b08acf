"""The network view at classroom scale: measured on screen (offscreen, fixed window sizes on
the tests' 1920x1080 virtual screen), every neuron map, label and click target is readable."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from playground.core import commands as C
from playground.gui.network.items import PortItem, TextTile


def settle(qtbot, window, width, height):
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size().toTuple() == (width, height), timeout=5000)
    qtbot.wait(50)


def neuron_sizes(view) -> list[float]:
    """On-screen size of every neuron map, checking that each lies inside the view."""
    area = view.viewport().rect().adjusted(-1, -1, 1, 1)
    sizes = []
    for item in view.neurons.values():
        r = view.on_screen(item)
        assert area.contains(r.toAlignedRect()), f"{item.node} unit {item.unit} is clipped"
        sizes.append(min(r.width(), r.height()))
    return sizes


def label_heights(view) -> dict[str, float]:
    """Each label's text size on screen: its font's pixel size times the view's zoom."""
    scale = view.transform().m11()
    return {i.text(): i.font().pixelSize() * scale for i in view.label_items()}


def palette_names_fit(palette) -> bool:
    """Every block name in the palette is drawn whole, inside the list."""
    from PySide6.QtGui import QFontMetrics

    metrics = QFontMetrics(palette.font())
    area = palette.viewport().rect()
    for i in range(palette.count()):
        item = palette.item(i)
        rect = palette.visualItemRect(item)
        if metrics.horizontalAdvance(item.text()) + 6 > rect.width() or \
                not area.contains(rect) or metrics.height() > rect.height():
            return False
    return True


def click_targets(view) -> list[float]:
    items = [i for i in view.scene().items() if isinstance(i, PortItem)
             or (isinstance(i, TextTile) and i.text.text() in "−+")]
    return [min(view.on_screen(i).width(), view.on_screen(i).height()) for i in items]


@pytest.mark.parametrize(("width", "height", "least"), [(1280, 800, 40), (1920, 1080, 60)])
def test_default_network_is_readable_at_classroom_window_sizes(qtbot, window, width, height,
                                                              least):
    settle(qtbot, window, width, height)
    view = window.network_view
    sizes = neuron_sizes(view)
    assert len(sizes) == 2 + 4 + 2 + 1 and min(sizes) >= least
    labels = label_heights(view)
    assert min(labels.values()) >= 11
    assert {"input", "4 tanh", "2 tanh", "output", "tanh"} <= set(labels)
    assert {"x₁", "x₂"} <= set(labels)  # input nodes carry their feature names
    targets = click_targets(view)
    assert len(targets) == 2 * 2 + 3 + 3 and min(targets) >= 16  # ± handles and ports


def test_presentation_mode_scales_the_canvas_and_its_labels(qtbot, window):
    settle(qtbot, window, 1280, 800)
    view = window.network_view
    normal = (min(neuron_sizes(view)), min(label_heights(view).values()))
    window.toggle_presentation()
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=5000)
    qtbot.wait(100)
    big = (min(neuron_sizes(view)), min(label_heights(view).values()))
    assert palette_names_fit(window.palette)
    assert big[0] >= 60 and big[1] >= 18 and big[0] > normal[0] and big[1] > normal[1]
    assert min(click_targets(view)) >= 20
    window.toggle_presentation()
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=5000)
    qtbot.wait(300)  # the platform restores the normal geometry after leaving full screen
    settle(qtbot, window, 1280, 800)
    assert min(neuron_sizes(view)) >= 40 and min(label_heights(view).values()) >= 11


def wheel(view, clicks):
    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(centre, QPointF(view.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * clicks), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)


def test_fit_fits_up_as_well_as_down(qtbot, window):
    settle(qtbot, window, 1280, 800)
    view = window.network_view
    wheel(view, -4)  # zoomed out: maps about half their size
    assert max(neuron_sizes(view)) < 30
    window.network_header.fit_button.click()
    at_1280 = min(neuron_sizes(view))
    assert at_1280 >= 40
    settle(qtbot, window, 1920, 1080)  # a bigger window: the drawing grows with it
    assert min(neuron_sizes(view)) > at_1280 * 1.3


def test_a_wide_layer_collapses_to_an_n_more_tile_that_expands_on_click(qtbot, window):
    settle(qtbot, window, 1280, 800)
    window.edit_network(C.SetParams("dense1", {"units": 32}))
    view = window.network_view
    assert sum(1 for n, _ in view.neurons if n == "dense1") == 7
    more = next(i for i in view.frames["dense1"].childItems()
                if isinstance(i, TextTile) and "more" in i.text.text())
    assert more.text.text() == "+25\nmore"
    assert min(neuron_sizes(view)) >= 40 and min(label_heights(view).values()) >= 11
    centre = view.mapFromScene(more.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert sum(1 for n, _ in view.neurons if n == "dense1") == 32
    assert min(label_heights(view).values()) >= 11
    assert min(neuron_sizes(view)) >= 8  # 32 units in one column still show as maps


def test_a_block_dropped_from_the_palette_keeps_the_drawing_readable(qtbot, window):
    """A block dropped a little to the side of a column, well below it, must not squeeze the
    columns together (the drawing fell to 4-px maps until Layout was pressed)."""
    from .test_canvas_links import drop_on

    settle(qtbot, window, 1280, 800)
    view = window.network_view
    spot = view.mapFromScene(view.frames["dense1"].sceneBoundingRect().bottomRight()
                             + QPointF(5, 60))
    drop_on(window, "dropout", spot)
    assert "dropout1" in view.frames
    qtbot.wait(50)
    assert min(neuron_sizes(view)) >= 30 and min(label_heights(view).values()) >= 11
    dropped = view.on_screen(view.neurons[("dropout1", 0)]).center()
    assert (dropped - QPointF(spot)).manhattanLength() < 120  # it lands where it was dropped


def test_a_network_too_long_for_the_canvas_stays_readable_and_scrolls(qtbot, window):
    """The residual template (11 columns) in a 1280x800 window: not shrunk to specks; labels
    stay readable, the input shows first and the rest is a scroll away."""
    settle(qtbot, window, 1280, 800)
    header = window.network_header
    header._template(header.template.findData("residual"))
    view = window.network_view
    qtbot.waitUntil(lambda: "add2" in view.frames, timeout=10000)
    qtbot.wait(50)
    assert min(label_heights(view).values()) >= 11
    assert min(min(view.on_screen(i).width(), view.on_screen(i).height())
               for i in view.neurons.values()) >= 12
    area = view.viewport().rect()
    assert area.contains(view.on_screen(view.frames["input"]).toAlignedRect().adjusted(
        0, 0, -2, -2))
    bar = view.horizontalScrollBar()
    assert bar.isVisible() and bar.maximum() > 0
    bar.setValue(bar.maximum())  # scrolled to the end: the output block comes into view
    qtbot.wait(20)
    assert area.intersects(view.on_screen(view.frames["output"]).toAlignedRect())

