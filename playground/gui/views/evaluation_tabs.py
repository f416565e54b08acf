"""The tabs beside the output view that judge the network: the trace plots, the confusion
matrices, ROC and precision-recall, the score histograms (two classes) and predicted against
true (regression). Each frame's snapshot carries what the network says about every point
(core/evaluation.py), so the history slider replays all of them; only the tab on show is
redrawn."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QFrame, QLabel, QScrollArea, QTabWidget, QWidget

from ...core import metrics as M
from ...core.errors import PlaygroundError
from ..session_qt import QtSession, bind_spin
from .confusion_view import SPLIT_WORDS, ConfusionPanel
from .fit_view import FitPanel
from .roc_view import RocPanel, ScoresPanel
from .trace_view import TracePlot


class _PageHolder(QScrollArea):
    """A tab's page inside a scroll area that asks for its page's width but no height: a
    page that needs more height than the tab gives scrolls inside it. (QTabWidget asks for the
    tallest page's minimum height, and QSplitter granted it by taking the room from the
    output view above: opening the Gradients tab moved the tab bar by ~80 px, and the smaller
    output view was remembered with the splitter's sizes.)"""

    def __init__(self, page: QWidget):
        super().__init__()
        self.setWidget(page)
        # Sized here, not by widgetResizable: that gives a page with word-wrapped labels its
        # height-for-width, the sum of its parts' preferred heights (the Gradients page came
        # out ~1,000 px tall, one strip row on screen). The page gets the tab's height, or its
        # minimum where that is more.
        self.setWidgetResizable(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page.installEventFilter(self)

    def _fit(self) -> None:
        page, view = self.widget(), self.viewport()
        page.resize(view.width(), max(view.height(), page.minimumSizeHint().height()))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        width = self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, 40)


# Tabs with less side padding than the platform's (all six names whole at 1280x800, at
# normal and presentation type), drawn in full so the chosen one still stands out.
TAB_STYLE = ("QTabBar::tab { padding: 3px 6px; margin-right: 1px; border: 1px solid #c4c4c4;"
             " border-bottom: none; border-top-left-radius: 3px;"
             " border-top-right-radius: 3px; background: #e6e6e6; color: #333; }"
             " QTabBar::tab:selected { background: white; color: black; }"
             " QTabBar::tab:hover:!selected { background: #f2f2f2; }")


class EvaluationTabs(QTabWidget):
    highlight = Signal(object, str)  # indices into the data set's points (None: none), caption
    threshold_shown = Signal(float)  # the threshold the views show (set, or while dragged)

    def tabInserted(self, index: int) -> None:  # noqa: N802 (Qt's name)
        super().tabInserted(index)
        if not self.tabToolTip(index):  # (a shortened name is said whole)
            self.setTabToolTip(index, self.tabText(index))

    def __init__(self, qs: QtSession, trace: TracePlot, parent=None):
        super().__init__(parent)
        self.setObjectName("evaluation")
        self.qs = qs
        self.trace = trace
        self.confusion = ConfusionPanel()
        self.roc = RocPanel()
        self.scores = ScoresPanel()
        self.fit = FitPanel()
        self.threshold = bind_spin(qs, QDoubleSpinBox(), "view.threshold", decimals=2)
        self.roc.top.insertWidget(3, QLabel("Threshold"))
        self.roc.top.insertWidget(4, self.threshold)
        for page, name, title in ((trace, "trace", "Trace"),
                                  (self.confusion, "confusion", "Confusion"),
                                  (self.roc, "roc", "ROC"), (self.scores, "scores", "Scores"),
                                  (self.fit, "fit", "Fit")):
            page.setObjectName(f"evaluation.{name}")
            self.addTab(page, title)
        self.setTabToolTip(1, "Confusion: matrices per split, with precision, recall and F1")
        self.setTabToolTip(2, "ROC: ROC and precision-recall curves; drag the point to set "
                              "the threshold")
        self.setTabToolTip(3, "Scores: each class's score histogram and the threshold")
        self.setTabToolTip(4, "Fit: predicted against true values, RMSE and R² per split")
        # Every tab in sight, its name shortened when the column is narrow (its tooltip says
        # it whole): behind scroll arrows at 1280x800, "Histograms" was cut to "Histo" and a
        # click on the strip did not bring Trace back (new-user trial).
        bar = self.tabBar()
        bar.setUsesScrollButtons(False)
        bar.setElideMode(Qt.TextElideMode.ElideRight)
        bar.setExpanding(False)
        bar.setStyleSheet(TAB_STYLE)
        self.problem = "binary"
        self.names: tuple[str, ...] = ()
        self.n_classes = 2
        self.indices: dict[str, np.ndarray] = {}
        self._snap = None
        self._run = None
        self._threshold = 0.0
        # The threshold rule. The spin box sets `view.threshold` as an edit: undoable, saved,
        # the experiment's own threshold (a lesson may set one). Dragging the ROC handle or
        # the histogram line is looking (Session.look): no undo step, nothing unsaved, and it
        # holds for this run only. A new run (Reset, changed data or network, an opened file)
        # starts from the experiment's own threshold again, as a fresh run should.
        self._own_threshold = float(qs.get("view.threshold"))
        self._looked: float | None = None  # the threshold last set by looking, while it holds
        self._looking = False
        self.currentChanged.connect(lambda _i: self._redraw())
        self.confusion.cell_chosen.connect(lambda _p: self._redraw(highlight=True))
        self.roc.threshold_dragged.connect(self._threshold_dragged)
        self.scores.threshold_dragged.connect(self._threshold_dragged)
        self.roc.split_changed.connect(self._split_changed)
        qs.follow("view.threshold", self._follow_threshold, self)

    # ------------------------------------------------------------------------ the pages
    # Callers deal in the pages; the scroll areas holding them stay this class's business.
    def addTab(self, page: QWidget, title: str) -> int:  # type: ignore[override]
        return super().addTab(_PageHolder(page), title)

    def widget(self, index: int) -> QWidget | None:  # type: ignore[override]
        holder = super().widget(index)
        return holder.widget() if isinstance(holder, _PageHolder) else holder

    def currentWidget(self) -> QWidget | None:  # type: ignore[override]
        return self.widget(self.currentIndex())

    def indexOf(self, page: QWidget) -> int:  # type: ignore[override]
        return next((i for i in range(self.count()) if self.widget(i) is page), -1)

    def setCurrentWidget(self, page: QWidget) -> None:  # type: ignore[override]
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)

    # ---------------------------------------------------------------------------- data
    def set_dataset(self, dataset) -> None:
        """A new data set: which tabs apply, the class names and where each split's points
        are; no frame, no faded curves and no picked cell stay from before."""
        self.problem = dataset.problem
        self.n_classes = dataset.n_classes
        self.names = dataset.class_names if dataset.problem != "regression" else ()
        self.indices = {s: dataset.split_of(s) for s in ("train", "val", "test")}
        classes, binary = dataset.problem != "regression", dataset.problem == "binary"
        applies = {1: classes, 2: binary, 3: binary, 4: not classes}
        # The tab on show stays; one that no longer applies falls back to the trace. (Hiding
        # it first let Qt step to the next visible tab, and with the regression's Fit tab
        # still hidden that was Gradients.)
        for i, on in applies.items():
            if on:
                self.setTabVisible(i, True)
        if not applies.get(self.currentIndex(), True):
            self.setCurrentIndex(0)
        for i, on in applies.items():
            if not on:
                self.setTabVisible(i, False)
        self._snap = None
        self._run = None
        self.roc.forget()
        self._restore_own_threshold()
        self.confusion.set_splits({s: len(i) > 0 for s, i in self.indices.items()})
        self.highlight.emit(None, "")

    def follow_run(self, run_id: int, snap) -> None:
        """A live frame: a new run forgets the faded ROC curves; this epoch's may join them."""
        if run_id != self._run:
            self._run = run_id
            self.roc.forget()
            self._restore_own_threshold()
        split = self.roc.chosen_split
        if self.problem == "binary" and split in snap.split_outputs:
            self.roc.keep_for_fading(snap.epoch, snap.split_truth[split],
                                     snap.split_outputs[split])

    def update_snapshot(self, snap) -> None:
        self._snap = snap
        self._redraw()

    # -------------------------------------------------------------------------- drawing
    def matrices(self, snap=None) -> dict[str, np.ndarray]:
        """Each split's confusion matrix in this frame (two classes: at the threshold)."""
        snap = snap or self._snap
        out = {}
        for split, o in snap.split_outputs.items():
            truth = snap.split_truth[split]
            predicted = M.predict_at(o, self._threshold) if self.problem == "binary" else o
            out[split] = M.confusion_matrix(truth, predicted, self.n_classes)
        return out

    def _redraw(self, highlight: bool = False) -> None:
        snap = self._snap
        if snap is None or not snap.split_outputs or snap.problem != self.problem:
            return
        page = self.currentWidget()
        picked = self.confusion.picked
        if page is self.confusion or picked is not None:
            matrices = self.matrices(snap)
            if page is self.confusion:
                note = (f"two classes read at threshold {self._threshold:.2f} (the network's "
                        "own rule is 0; set it on the ROC tab)"
                        if self.problem == "binary" else "")
                self.confusion.show_matrices(matrices, self.names, note)
            if picked is not None or highlight:
                self._emit_highlight(snap)
        split = self.roc.chosen_split
        if self.problem == "binary" and split in snap.split_outputs:
            truth, scores = snap.split_truth[split], snap.split_outputs[split]
            if page is self.roc:
                self.roc.show_split(truth, scores, snap.epoch, self._threshold)
            elif page is self.scores:
                self.scores.show_split(truth, scores, SPLIT_WORDS[split], self._threshold)
        if page is self.fit and self.problem == "regression":
            self.fit.show_splits(snap.split_truth, snap.split_outputs)

    def _emit_highlight(self, snap) -> None:
        picked = self.confusion.picked
        if picked is None:
            self.highlight.emit(None, "")
            return
        split, t, p = picked
        truth, o = snap.split_truth[split], snap.split_outputs[split]
        predicted = M.predict_at(o, self._threshold) if self.problem == "binary" else o
        chosen = self.indices[split][(truth == t) & (predicted == p)]
        self.highlight.emit(chosen, f"{len(chosen)} {SPLIT_WORDS[split]} points of class "
                            f"{self._name(t)} predicted {self._name(p)} (click the cell "
                            "again to let go)")

    def _name(self, k: int) -> str:
        return self.names[k] if k < len(self.names) else str(k)

    # ------------------------------------------------------------------------ threshold
    def _threshold_dragged(self, value: float, finished: bool) -> None:
        if finished:
            self._look_at_threshold(float(value))
            return
        self._show_threshold(value)

    def _look_at_threshold(self, value: float) -> None:
        self._looking, self._looked = True, value
        try:
            if not self.qs.session.look("view.threshold", value):
                self._follow_threshold()
        except PlaygroundError as exc:  # (the handles keep it within bounds)
            self.qs.refused.emit(str(exc))
            self._follow_threshold()
        finally:
            self._looking = False

    def _restore_own_threshold(self) -> None:
        now = float(self.qs.get("view.threshold"))
        if self._looked is None or now != self._looked:  # set since by an edit or a file
            self._own_threshold, self._looked = now, None
        elif now != self._own_threshold:
            self._look_at_threshold(self._own_threshold)
        self._looked = None

    def _follow_threshold(self) -> None:
        value = float(self.qs.get("view.threshold"))
        # An edit, an undo, a file: the experiment's own threshold; not a change that only
        # rewrote the looked-at value as it was (a whole experiment replaced, say).
        if not self._looking and value != self._looked:
            self._own_threshold, self._looked = value, None
        self._show_threshold(value)

    def _show_threshold(self, value: float) -> None:
        self._threshold = value
        self.scores.place(value)
        self.roc.place(value)
        self._redraw()
        self.threshold_shown.emit(value)

    def _split_changed(self) -> None:
        self.roc.forget()
        self._redraw()

    # ---------------------------------------------------------------------- appearance
    def plots(self) -> list:
        return self.roc.plots() + self.scores.plots() + self.fit.plots()

    def set_presentation(self, on: bool) -> None:
        """The texts follow the window's style sheet (larger in presentation mode); the
        pyqtgraph axes are scaled by the window (presentation.py)."""
        for view in self.confusion.views.values():
            view.update()
        self.trace.fit_axis_title()  # their type changed, their size did not
        for titles in self.roc.titles + self.scores.titles:
            titles.refit()
