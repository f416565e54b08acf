"""The Sweeps tab at 1280x800 as a new user met it: the two captions side by side read as two
(they ran into one line), the key sits over the plot (inside it, it hid the best value's
label), and a run opened in the network tab is shown trained, by the worker, to the sweep's
epochs, while the preview forgets it (its caption described a run no longer shown)."""

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from playground.gui.sweep_lab.plot import HINT

from .conftest import snap
from .test_sweep_lab import run_to_the_end, small


def rect_in(widget, ancestor) -> QRectF:
    return QRectF(widget.rect().translated(widget.mapTo(ancestor, widget.rect().topLeft())))


def test_an_opened_run_is_shown_trained_and_the_captions_stay_apart(qtbot, window):
    lab = small(window, values=(1, 8), seeds=1, epochs=40)
    run_to_the_end(qtbot, lab)
    QApplication.processEvents()
    # the captions over the curves and over the preview: apart, each inside its pane
    k = next(i for i, r in enumerate(lab.plot.shown_rows) if r["value"] == 8)
    lab.plot.click_run(k)
    QApplication.processEvents()
    left, right = rect_in(lab.plot.caption, lab), rect_in(lab.preview.caption, lab)
    assert left.right() + 12 <= right.left(), (left, right)
    key = rect_in(lab.plot.key, lab)
    assert QRectF(rect_in(lab.plot, lab)).contains(key)
    assert key.bottom() <= rect_in(lab.plot.plot, lab).top()  # not over the curves
    assert lab.plot.key.words() == ["train", "validation", "test (shown, never chosen with)"]
    row = lab.plot.shown_rows[k]
    lab.open_button.click()
    assert window.tabs.currentIndex() == 0 and window.experiment.training.epochs == 40
    # trained in the background (never on this thread: the window keeps painting frames)
    qtbot.waitUntil(lambda: snap(window).epoch == 40 and not window.playing, timeout=60000)
    s = snap(window)
    assert s.status == "finished"
    # the run the sweep measured (the same seed, setting and epochs)
    assert 1 - s.metrics["train_accuracy"] == pytest.approx(row["train_error"], abs=0.02)
    window.tabs.setCurrentWidget(lab)
    QApplication.processEvents()
    assert lab.preview.caption.text() == HINT and lab.preview.row is None
