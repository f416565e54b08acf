"""The backward pass in the main window: the "Gradient flow" toggle of the network view, the
Gradients and Histograms tabs beside the trace plots, and one example stepped through forward
and backward (picked by a click on a training point). Installed by MainWindow; the views draw
from the snapshots and frames the worker sends (core/gradients.py, core/layer_histograms.py,
core/one_example.py) and never compute anything themselves."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.features import FEATURES
from .network.gradient_flow import GradientOverlay
from .network.one_example import ExampleOverlay, OneExamplePanel
from .session_qt import bind_check, tooltip
from .views.gradient_panel import GradientPanel
from .views.histogram_panel import HistogramPanel
from .views.output_view import image_side
from .worker import TraceExample

PICK_RADIUS_PX = 14  # how close to a training point a click must land


class BackwardViews(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = w = window
        # Under the block palette, whose column has room to spare (the tool row above the
        # canvas is full at 1280 px, and a row of their own would take the tiles' height).
        self.gradient_flow = bind_check(w.qs, QToolButton(text="Gradient\nflow"),
                                        "view.gradient_flow")
        self.example_button = QToolButton(text="One\nexample")
        self.example_button.setObjectName("run.one_example")
        self.example_button.setToolTip("follow one training example forward, backward and "
                                       "through the update (or click a training point in the "
                                       "output view)")
        self.legend = QLabel()
        self.legend.setObjectName("network.legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.PlainText)
        self.legend.setStyleSheet("color: #555;")
        self.legend.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column = QWidget()
        column.setObjectName("network.backward_tools")
        # As wide as the palette, which widens with presentation type (a width fixed here
        # cut "BatchNorm" to "BatchNor" on a projector); the legend wraps within it.
        column.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        tools = QVBoxLayout(column)
        tools.setContentsMargins(0, 0, 0, 0)
        holder = next(lay for lay in _layouts(w.palette.parentWidget().layout())
                      if lay.indexOf(w.palette) >= 0)
        holder.replaceWidget(w.palette, column)
        tools.addWidget(w.palette, 1)
        for button in (self.gradient_flow, self.example_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setStyleSheet("QToolButton:checked { background: #cfe3f5; "
                                 "border: 2px solid #3d7ab8; border-radius: 3px; }")
            tools.addWidget(button)
        tools.addWidget(self.legend)
        # The gradient and histogram panels join the tabs beside the output view (the trace
        # plots and the judging views); view.panel names the one shown.
        self.tabs = tabs = w.evaluation
        self.gradient_panel = GradientPanel()
        self.histogram_panel = HistogramPanel()
        tabs.addTab(self.gradient_panel, "Gradients")
        tabs.addTab(self.histogram_panel, "Histograms")
        self.pages = {"loss": w.trace, "confusion": tabs.confusion, "roc": tabs.roc,
                      "scores": tabs.scores, "fit": tabs.fit,
                      "gradients": self.gradient_panel, "histograms": self.histogram_panel}
        tabs.setObjectName("view.panel")  # bound: a lesson opens on its panel
        tabs.setToolTip(tooltip("view.panel"))
        tabs.currentChanged.connect(self.on_tab)
        w.qs.follow("view.panel", self._follow_panel, self.tabs)
        # One example: its panel takes the data panel's column while it is open (the data
        # cannot change meanwhile, and the network view keeps its full height).
        self.example_panel = OneExamplePanel()
        self.left = QStackedWidget()
        self.left.setObjectName("view.left_column")
        data_column = w.main_split.widget(0)
        w.main_split.replaceWidget(0, self.left)
        self.left.addWidget(data_column)
        example_scroll = QScrollArea()  # as the data panel: never widens the window
        example_scroll.setWidget(self.example_panel)
        example_scroll.setWidgetResizable(True)
        self.left.addWidget(example_scroll)
        self.example_index: int | None = None
        self._hid_left = False  # the column was hidden before the example opened it
        self.gradient_overlay = GradientOverlay(w.network_view, self.legend)
        self.example_overlay = ExampleOverlay(w.network_view, self.legend, self.example_panel)
        self.marker = pg.ScatterPlotItem(size=20, pen=pg.mkPen("#111", width=3), brush=None)
        self.marker.setZValue(25)
        w.output_view.plot.addItem(self.marker)
        self.example_panel.index_chosen.connect(self.choose)
        self.example_panel.step_changed.connect(self.repaint_network)
        self.example_button.clicked.connect(lambda: self.choose(self.example_index or 0))
        w.output_view.plot.scene().sigMouseClicked.connect(self.on_output_clicked)
        w.qs.changed.connect(self.on_change)
        self.set_presentation(w.experiment.view.presentation)
        self.choose_overlay()

    # ---------------------------------------------------------------------- the worker
    def _follow_panel(self) -> None:
        with QSignalBlocker(self.tabs):
            self.tabs.setCurrentWidget(self.pages[self.window.qs.get("view.panel")])
        drawn = getattr(self.window, "_drawn", None)
        self.draw_panels(drawn.snapshot if drawn is not None else None)

    def on_tab(self, index: int) -> None:
        """A tab picked by the user: view.panel follows (the worker measures what shows)."""
        # Picking a tab is looking, not editing: Ctrl+Z undoes the last edit, not a tab.
        page = self.tabs.widget(index)
        name = next((k for k, v in self.pages.items() if v is page), None)
        if name is not None:
            self.window.qs.session.look("view.panel", name)
        self.draw_panels(self.window._drawn.snapshot if self.window._drawn else None)

    def choose(self, index: int | None) -> None:
        """Follow training example `index` (None: stop)."""
        data = self.window._dataset
        if index is not None and (data is None or not 0 <= index < len(data.train_idx)):
            index = None
        self.example_index = index
        self.window.worker.post(TraceExample(index))
        panel = self.example_panel
        toggle = getattr(self.window, "data_panel_action", None)  # View > Data panel
        if index is None:
            if self.left.currentIndex() == 1 and toggle is not None and self._hid_left:
                toggle.setChecked(False)  # hidden again, as a guided lesson had it
            self.left.setCurrentIndex(0)
            panel.set_trace(None, [])
            self.marker.setData([], [])
        else:
            panel.set_training_size(len(data.train_idx))
            panel.show_index(index)
            if self.left.currentIndex() != 1:
                panel.step = 0
                self.left.setCurrentIndex(1)
                # the column may be hidden (a guided lesson's steps take its room): the
                # example's panel needs it
                self._hid_left = toggle is not None and not toggle.isChecked()
                if self._hid_left:
                    toggle.setChecked(True)
                self.window.network_view.fit_all()  # the numbers need the largest tiles
            if data.is_2d:
                self.marker.setData([float(data.x[index, 0])], [float(data.x[index, 1])])
            else:  # image data: the network view's input shows this example's image
                side = image_side(data.x, data.domain)
                if side is not None:
                    self.window.network_view.set_example(data.x[index].reshape(side, side))
        self.choose_overlay()

    # ------------------------------------------------------------------------ drawing
    def on_frame(self, frame) -> None:
        """A new frame from the worker: the example's numbers follow the network."""
        if self.example_index is None:
            return
        trace = frame.example
        if trace is not None and trace.index != self.example_index:
            return  # from before the last choice
        self.example_panel.set_trace(trace, self._input_labels())

    def draw(self, snap) -> None:
        """A snapshot is drawn (live, or replayed from the history slider)."""
        self.draw_panels(snap)

    def draw_panels(self, snap) -> None:
        page = self.tabs.currentWidget()
        if snap is None:
            return
        w = self.window
        replay = snap.epoch if w._scrubbing else None  # the history slider's epoch
        force = not w.playing or w._scrubbing
        if page is self.gradient_panel:
            live = w.latest.snapshot if w.latest is not None else snap
            self.gradient_panel.update_gradients(
                snap.gradients, live.gradient_log, force=force, replay=replay,
                run=w.latest.run_id if w.latest is not None else None)
        elif page is self.histogram_panel:
            self.histogram_panel.update_histograms(snap.histograms, force=force, replay=replay)

    def choose_overlay(self) -> None:
        view = self.window.network_view
        if self.example_index is not None:
            view.set_overlay(self.example_overlay)
        elif self.window.experiment.view.gradient_flow:
            view.set_overlay(self.gradient_overlay)
        else:
            view.set_overlay(None)
            self.legend.setText("")

    def repaint_network(self) -> None:
        drawn = self.window._drawn
        if drawn is not None and not self.window._scrubbing:
            self.window.network_view.update_snapshot(drawn.snapshot)

    def on_change(self, change) -> None:
        if change.loaded or change.touches("data") or change.touches("features"):
            self.choose(None)  # another data set: that example is gone
            self.gradient_panel.clear()
            self.histogram_panel.clear()
        elif change.needs_rebuild:
            self.gradient_panel.clear()
            self.histogram_panel.clear()
        if change.touches("view"):
            self.choose_overlay()
            self.set_presentation(self.window.experiment.view.presentation)

    def set_presentation(self, on: bool) -> None:
        self.gradient_panel.set_presentation(on)
        self.histogram_panel.set_presentation(on)

    # -------------------------------------------------------------------- picking
    def on_output_clicked(self, event) -> None:
        w = self.window
        data = w._dataset
        if event.button() != Qt.MouseButton.LeftButton or data is None or not data.is_2d \
                or w.paint_overlay.mode != "off" or w.output_view.pages.currentWidget() \
                is not w.output_view.plot:
            return
        vb = w.output_view.plot.getViewBox()
        pos = event.scenePos()
        if not vb.sceneBoundingRect().contains(pos):
            return
        index = nearest_point(vb, pos, data.x[:len(data.train_idx)])
        if index is not None:
            event.accept()
            self.choose(index)

    def _input_labels(self) -> list[str]:
        exp, data = self.window.experiment, self.window._dataset
        if data is not None and data.is_2d:
            return [FEATURES[f].label for f in exp.features]
        return [f"pixel {i + 1}" for i in range(data.x.shape[1])] if data is not None else []


def _layouts(layout):
    """A layout and every layout nested in it."""
    yield layout
    for i in range(layout.count()):
        inner = layout.itemAt(i).layout()
        if inner is not None:
            yield from _layouts(inner)


def nearest_point(vb, scene_pos, points: np.ndarray) -> int | None:
    """The index of the point nearest to a click, if within PICK_RADIUS_PX on screen."""
    if not len(points):
        return None
    at = vb.mapSceneToView(scene_pos)
    px, py = vb.viewPixelSize()
    d = np.hypot((points[:, 0] - at.x()) / px, (points[:, 1] - at.y()) / py)
    i = int(np.argmin(d))
    return i if d[i] <= PICK_RADIUS_PX else None
