"""The evaluation tabs read as a user at 1280x800 and on a projector (F5) meets them: the
confusion matrix names its axes and its counts are at the window's type size; keys (legends)
and axis titles lie inside their panels and grow in presentation mode; the fit key names only
splits with points; a dragged threshold is a look that a new run forgets."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication

from playground.core import metrics as M
from playground.core.graph import mlp

from .conftest import control, snap, wait_epoch


def train(qtbot, window, epochs):
    start = snap(window).epoch
    for _ in range(epochs):
        window.step_epoch()
    wait_epoch(qtbot, window, start + epochs)
    window.paint()


def px(widget) -> int:
    return QFontInfo(widget.font()).pixelSize()


def inside(widget, child_rect: QRectF) -> bool:
    return QRectF(widget.rect()).contains(child_rect)


def shown_in(qtbot, window, page):
    tabs = window.evaluation
    tabs.setCurrentWidget(page)
    QApplication.processEvents()
    window.paint()
    QApplication.processEvents()


def present(qtbot, window, on=True):
    if window.experiment.view.presentation != on:
        window.toggle_presentation()
    window.showNormal()  # offscreen the "screen" is small: judge at the test's window size
    # as on a 1280-px screen, where presentation mode hides the data column (on this
    # 1920-px test screen it stays, wider with the type: the window could not be 1280 wide)
    window.data_panel_action.setChecked(not on)
    window.resize(1280, 800)
    QApplication.processEvents()
    window.paint()
    QApplication.processEvents()


def matrix_read(view):
    view.grab()  # paints it as the screen would
    assert not view.clipped, f"texts cut short: {sorted(view.clipped)}"
    return dict(view.boxes), view.number_px, px(view)


def test_the_confusion_matrix_names_its_axes_and_its_counts_read_at_window_type(qtbot, window):
    exp = window.experiment.copy()
    exp.data.generator = "blobs"
    window.apply_experiment(exp)
    qtbot.waitUntil(lambda: snap(window).n_classes == 3, timeout=15000)
    train(qtbot, window, 3)
    shown_in(qtbot, window, window.evaluation.confusion)
    view = window.evaluation.confusion.views["test"]
    boxes, number_px, type_px = matrix_read(view)
    cells = QRectF(view._cells[(0, 0)]).united(view._cells[(2, 2)])
    assert "true class" and {"true", "predicted"} <= set(boxes)
    for key, box in boxes.items():
        assert inside(view, box), f"{key} drawn outside its widget at 1280x800: {box}"
    assert boxes["predicted"].bottom() <= cells.top() and boxes["true"].right() <= cells.left()
    assert number_px >= type_px and view.text_px >= type_px  # the window's type, not 9 px
    present(qtbot, window)
    boxes, big_number_px, big_type_px = matrix_read(view)
    assert big_type_px > type_px and big_number_px > number_px
    for key, box in boxes.items():
        assert inside(view, box), f"{key} outside its widget in presentation mode"
    window.resize(1920, 1080)  # a projector's full HD: the report rows keep apart too
    QApplication.processEvents()
    boxes, _, _ = matrix_read(view)
    assert all(inside(view, box) for box in boxes.values())


def key_fits(panel, key) -> None:
    assert key.isVisible() and key.text()
    where = QRectF(key.geometry().translated(key.parentWidget().mapTo(panel, key.pos())
                                             - key.pos()))
    assert inside(panel, where), f"{key.objectName()} leaves its panel: {where}"
    assert key.heightForWidth(key.width()) <= key.height(), f"{key.objectName()} is cut"


def test_keys_and_axis_titles_lie_inside_their_plots_and_grow_with_presentation(qtbot, window):
    train(qtbot, window, 3)
    tabs = window.evaluation
    sizes = {}
    for on in (False, True):
        present(qtbot, window, on)
        for page in (tabs.scores, tabs.roc):
            shown_in(qtbot, window, page)
            key_fits(page, page.key)
            sizes[(page.objectName(), on)] = px(page.key)
            for plot in page.plots():
                for name in ("left", "bottom"):
                    axis = plot.getAxis(name)
                    length = axis.geometry().height() if name == "left" else \
                        axis.geometry().width()
                    assert not axis.label.isVisible() or \
                        axis.label.boundingRect().width() <= length, \
                        f"{page.objectName()}: {axis.label.toPlainText()!r} is cut"
                    if page is tabs.roc:
                        tick_labels_apart(axis)
        shown_in(qtbot, window, window.trace)
        axis = window.trace.acc.getAxis("left")
        assert not axis.label.isVisible() or \
            axis.label.boundingRect().width() <= axis.geometry().height(), \
            f"the accuracy axis title is clipped: {axis.label.toPlainText()!r}"
    for page in (tabs.scores, tabs.roc):
        assert sizes[(page.objectName(), True)] > sizes[(page.objectName(), False)]
    assert "true −1 (orange)" in tabs.scores.key.words()


def tick_labels_apart(axis) -> None:
    """The tick numbers pyqtgraph would draw on `axis` do not run into each other (the ROC
    axes read "0.20.40.60.8" in presentation mode at 1280x800)."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        texts = axis.generateDrawSpecs(painter)[2]
    finally:
        painter.end()
    rects = [QRectF(rect) for rect, _flags, text in texts if text]
    assert len(rects) >= 2, f"an axis with fewer than two numbers: {[t[2] for t in texts]}"
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.intersects(b), f"tick numbers overlap: {[t[2] for t in texts]}"


def regression(window, validation):
    exp = window.experiment.copy()
    exp.data.generator, exp.data.validation_fraction = "plane", validation
    exp.network = mlp([4], "tanh", output_activation="linear")
    window.apply_experiment(exp)


def test_the_fit_key_names_only_splits_that_have_points(qtbot, window):
    regression(window, 0.0)
    qtbot.waitUntil(lambda: snap(window).problem == "regression", timeout=15000)
    shown_in(qtbot, window, window.evaluation.fit)
    train(qtbot, window, 2)
    fit = window.evaluation.fit
    assert fit.key.words() == ["train", "test"]
    key_fits(fit, fit.key)
    slider = control(window, "data.validation_fraction")
    slider.setValue(4)  # 20 %
    qtbot.waitUntil(lambda: len(snap(window).split_outputs.get("val", [])) > 0, timeout=15000)
    train(qtbot, window, 1)
    assert fit.key.words() == ["train", "validation", "test"]


def drag_handle(window, fraction=3):
    roc = window.evaluation.roc
    s = snap(window)
    curve = M.roc_curve(s.split_truth["test"], s.split_outputs["test"])
    i = len(curve.x) // fraction
    roc.handle.setPos(QPointF(curve.x[i], curve.y[i]))
    roc.handle.sigPositionChangeFinished.emit(roc.handle)
    return window.experiment.view.threshold


def test_a_dragged_threshold_is_a_look_that_a_new_run_forgets(qtbot, window):
    exp = window.experiment.copy()
    exp.data.generator, exp.data.noise, exp.data.positive_share = "gauss", 0.4, 0.2
    window.apply_experiment(exp)
    qtbot.waitUntil(lambda: abs(snap(window).split_truth["test"].mean() - 0.2) < 0.05,
                    timeout=15000)
    train(qtbot, window, 10)
    shown_in(qtbot, window, window.evaluation.roc)
    undo_steps = window.session.can_undo, window.undo_action.text()
    t = drag_handle(window)
    assert t != 0 and control(window, "view.threshold").value() == pytest.approx(t, abs=0.005)
    assert window.output_view.contour.isVisible()
    # looking: no step on the undo stack
    assert (window.session.can_undo, window.undo_action.text()) == undo_steps
    run = window.evaluation._run
    window.reset()
    qtbot.waitUntil(lambda: window.evaluation._run != run, timeout=15000)
    assert window.experiment.view.threshold == 0.0
    assert control(window, "view.threshold").value() == 0.0
    assert not window.output_view.contour.isVisible()
    # the experiment's own threshold (typed: an edit) is what a new run goes back to
    control(window, "view.threshold").setValue(0.3)
    control(window, "view.threshold").editingFinished.emit()
    assert window.experiment.view.threshold == pytest.approx(0.3)
    train(qtbot, window, 3)
    shown_in(qtbot, window, window.evaluation.roc)
    assert drag_handle(window, 2) != pytest.approx(0.3)
    exp = window.experiment.copy()
    exp.data.noise = 0.2  # other data: a new run too
    window.apply_experiment(exp)
    qtbot.waitUntil(lambda: window.experiment.view.threshold == pytest.approx(0.3),
                    timeout=15000)
    np.testing.assert_allclose(window.evaluation._threshold, 0.3)


def test_precision_and_f1_under_narrow_columns_keep_apart(qtbot):
    """On a projector the columns can be narrower than "0.95" in the window's type: the
    numbers under them ran together ("0.950.950.95")."""
    from playground.gui.views.confusion_view import MatrixView

    view = MatrixView()
    qtbot.addWidget(view)
    big = view.font()
    big.setPixelSize(20)
    view.setFont(big)
    view.resize(260, 300)
    view.set_matrix(np.array([[74, 1, 2], [0, 77, 3], [4, 3, 86]]), ("0", "1", "2"), "train")
    view.grab()
    assert "prec. 0" in view.boxes and not view.clipped, sorted(view.clipped)
    assert view.number_px == 20  # the counts still at the widget's type


def test_a_longer_axis_title_stays_inside_its_axis_without_a_resize(qtbot):
    """The accuracy plot's title grows to "accuracy · AUC" when a run turns out to have two
    classes; pyqtgraph placed a title only on a resize, so the longer one kept the shorter
    one's place and ran off the top of the axis ("accuracy · A" at 1280x800)."""
    from playground.gui.views.trace_view import TracePlot

    plot = TracePlot()
    qtbot.addWidget(plot)
    plot.resize(430, 330)
    plot.show()
    qtbot.waitExposed(plot)
    epochs = np.arange(1, 101, dtype=float)
    loss = 0.5 / np.sqrt(epochs)
    history = {"epoch": epochs, "train_loss": loss, "test_loss": loss,
               "train_accuracy": 1 - loss, "test_accuracy": 1 - loss,
               "train_auc": 1 - loss, "test_auc": 1 - loss}
    plot.update_history(history, 1, "binary", force=True)
    axis = plot.acc.getAxis("left")
    assert axis.label.isVisible() and "AUC" in axis.labelText
    title = axis.label.mapRectToParent(axis.label.boundingRect())
    assert title.top() >= -1 and title.bottom() <= axis.geometry().height() + 1, \
        f"{axis.labelText!r} spans {title.top():.0f}..{title.bottom():.0f} of an axis " \
        f"{axis.geometry().height():.0f} px long"
