"""Switching the tabs beside the trace plots never moves their tab bar nor resizes the
output plot above them: a page that needs more room scrolls inside its tab. (A user's click
meant for the Histograms tab landed on the gradient strip, and the shrunken output plot was
remembered across restarts.)"""

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication


def _geometry(w):
    QApplication.processEvents()
    bar = w.evaluation.tabBar()
    return bar.mapToGlobal(QPoint(0, 0)), w.output_view.height()


def test_switching_tabs_keeps_the_tab_bar_and_the_output_plot_still(window, qtbot):
    w = window
    assert w.width() == 1280 and w.height() == 800
    tabs = w.evaluation
    tabs.setCurrentIndex(0)
    qtbot.wait(300)  # the first frames settle the status line above the plot
    before = _geometry(w)
    seen = []
    for i in list(range(tabs.count())) + [0]:
        if not tabs.isTabVisible(i):
            continue
        tabs.setCurrentIndex(i)
        qtbot.wait(20)
        seen.append(tabs.tabText(i))
        assert _geometry(w) == before, f"the {tabs.tabText(i)} tab moved the tab bar or " \
                                       "resized the output plot"
    assert {"Trace", "Gradients", "Histograms"} <= set(seen)


def test_the_gradients_page_fits_its_tab_at_1280x800(window, qtbot):
    """Held in a scroll area sized by height-for-width, the Gradients page came out ~1,000 px
    tall: only its first strip row was on screen, the share strip and readout below the fold."""
    from .conftest import wait_epoch

    w = window
    panel = w.backward.gradient_panel
    w.backward.tabs.setCurrentWidget(panel)
    w.step_epoch()
    wait_epoch(qtbot, w, 1)
    w.paint()
    QApplication.processEvents()
    holder = panel.parentWidget().parentWidget()  # the page's scroll area (page, viewport)
    view = holder.viewport()
    for part in (panel.norms, panel.shares, panel.readout):
        top_left = part.mapTo(view, QPoint(0, 0))
        assert top_left.y() >= 0 and top_left.y() + part.height() <= view.height(), \
            f"{type(part).__name__} lies outside the tab ({top_left.y()}+{part.height()} > " \
            f"{view.height()})"
