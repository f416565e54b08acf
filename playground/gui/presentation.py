"""Classroom view settings of the main window: presentation mode (large type, thick lines and
points, full screen) and the controls a lesson hides. Both live in `experiment.view`, so a
lesson file opens the way its teacher prepared it. A mixin of MainWindow."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence

from ..core.spec import CONTROLS
from .panels.training_bar import SteadyLabel

# The window's style sheets (a widget's own sheet would win over them, so the labels whose size
# changes with the mode carry a role or a name instead): on a projector every text grows, the
# epoch counter most.
NORMAL_STYLE = ('QLabel[role="caption"] { color: #666; font-size: 9pt; }'
                " QLabel#run\\.epoch { font-size: 14pt; }")
PRESENTATION_STYLE = ("QWidget { font-size: 15pt; }"
                      ' QLabel[role="caption"] { color: #444; font-size: 13pt; }'
                      " QLabel#run\\.epoch { font-size: 22pt; font-weight: bold; }"
                      " QLabel#run\\.readout { font-size: 13pt; }")


WIDE_SCREEN = 1600  # px: narrower, presentation mode hides the data column
SETTLE_SECONDS = 1.0  # after leaving presentation mode, resizes put the columns back


class Presentation:
    def _build_view_menu(self, action) -> None:
        view = self.menuBar().addMenu("&View")
        action(view, "Full screen", self.toggle_full_screen, "F11")
        self.presentation_action = action(view, "Presentation mode", self.toggle_presentation,
                                          "F5", "view.presentation")
        self.presentation_action.setCheckable(True)
        self.data_panel_action = action(view, "Data panel", lambda: None, None,
                                        "view.data_panel")
        self.data_panel_action.setCheckable(True)
        self.data_panel_action.setChecked(True)
        self.data_panel_action.setToolTip("The data column (hidden while a guided lesson's steps "
                                          "are shown, so that the window fits the screen)")
        self.data_panel_action.toggled.connect(self.main_split.widget(0).setVisible)
        self.evaluation.currentChanged.connect(lambda _index: self.fit_stage())
        hide = view.addMenu("Hide controls (saved with the lesson)")
        self.hide_actions: dict[str, QAction] = {}
        for name in CONTROLS:
            act = QAction(name.replace("_", " "), self)
            act.setObjectName(f"view.hidden_controls={name}")
            act.setCheckable(True)
            act.toggled.connect(lambda on, n=name: self.set_control_hidden(n, on))
            hide.addAction(act)
            self.hide_actions[name] = act

    def control_widgets(self) -> dict[str, list]:
        d, bar = self.data_panel, self.training_bar
        return {
            "datasets": [d.gallery_box], "noise": [d.noise, d.noise_label],
            "ratio": [d.ratio, d.ratio_label, d.validation, d.validation_label,
                      d.split_caption],
            "classes": [d.classes, d.form.labelForField(d.classes), d.positive_share,
                        d.form.labelForField(d.positive_share)],
            "problem": [d.problem, d.form.labelForField(d.problem)],
            "regenerate": [d.regenerate], "features": [d.features_box],
            **{name: [bar.containers[name]] for name in (
                "learning_rate", "optimizer", "loss", "activation", "batch_size", "epochs")},
            "regularization": [bar.containers["regularization"],
                               bar.containers["regularization_rate"]],
            "speed": [bar.speed, bar.speed_label], "step_batch": [bar.batch_button],
            "history": [self.history_slider, self.history_label, self.history_caption],
            "trace": [self.evaluation], "clustering": [], "sweeps": [],
        }

    def set_control_hidden(self, name: str, hidden: bool) -> None:
        controls = self.experiment.view.hidden_controls
        if hidden != (name in controls):
            self.qs.set("view.hidden_controls",
                        [c for c in CONTROLS if (c in controls) != (c == name)],
                        f"{'hide' if hidden else 'show'} {name.replace('_', ' ')}")

    def toggle_presentation(self) -> None:
        """Showing the window on a projector is looking, not an edit: no undo step, the file
        not marked unsaved (a lesson opened and presented asked to be saved on quitting).
        The mode is still saved with the experiment, so a lesson can open presented."""
        self.session.look("view.presentation", not self.experiment.view.presentation)

    def _scale_chart_text(self, on: bool) -> None:
        """Axis numbers and labels readable from the back row (style sheets do not reach
        pyqtgraph's axes)."""
        from PySide6.QtGui import QFont

        font = QFont()
        font.setPointSize(14 if on else 9)
        for plot in (self.output_view.plot, self.trace.loss, self.trace.acc,
                     *self.evaluation.plots(), self.sweep_lab.plot.plot,
                     self.sweep_lab.preview.plot):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setStyle(tickFont=font)
                axis.label.setFont(font)
        self.trace.set_legend_size("13pt" if on else "8pt")

    def apply_view(self) -> None:
        """Make the window show what `experiment.view` says."""
        view = self.experiment.view
        hidden = set(view.hidden_controls)
        for name, widgets in self.control_widgets().items():
            for w in widgets:
                if w is not None:
                    w.setVisible(name not in hidden)
            act = self.hide_actions[name]
            act.blockSignals(True)
            act.setChecked(name in hidden)
            act.blockSignals(False)
        for tab, name in ((self.clustering_lab, "clustering"), (self.sweep_lab, "sweeps")):
            self.tabs.setTabVisible(self.tabs.indexOf(tab), name not in hidden)
        on = view.presentation
        was = getattr(self, "_presented", None)
        # On a projector the speed box speaks for itself ("1 epoch/frame"): without its
        # caption, the epoch counter keeps to the buttons' row at 1280 px up to a million
        # epochs (from "Epoch 175" on it wrapped onto a row of its own, 60 px of height)
        self.training_bar.speed_label.setVisible("speed" not in hidden and not on)
        self.training_bar.set_compact(on)
        self.presentation_action.setChecked(on)
        if on != was:  # restyling the whole window is slow: only when the mode changes
            self.setStyleSheet(PRESENTATION_STYLE if on else NORMAL_STYLE)
            self._scale_chart_text(on)
            self.refit_type()
            QTimer.singleShot(0, self, self.refit_type)  # (after Qt's font change events)
        size, width = (12, 2) if on else (7, 1)
        self.output_view.set_point_style(size, width)
        self.trace.set_line_width(3 if on else 1)
        self.evaluation.set_presentation(on)
        self.network_view.set_presentation(on)
        self.output_view.set_show_test(view.show_test_data)
        self.trace.set_log(view.log_loss)
        if self.output_view.discretize != view.discretize:
            self.output_view.set_discretize(view.discretize)
        # Esc leaves presentation mode, as in slide software (F5 alone was not found)
        self.presentation_action.setShortcuts(
            [QKeySequence("F5"), QKeySequence("Esc")] if on else [QKeySequence("F5")])
        if on != bool(was):
            self._stage_layout(on)
        if on and not was and was is not None:
            # leaving puts back what was there: a maximized window stays maximized
            self._state_before_presentation = self.windowState()
            self._geometry_before = self.saveGeometry()
            self._data_panel_before = self.data_panel_action.isChecked()
            if self.screen().availableGeometry().width() < WIDE_SCREEN:
                # at projector widths the data column took the room the pictures need (the
                # boundary plot was 130 px at 1280x800); View > Data panel brings it back
                self.data_panel_action.setChecked(False)
            if not self.isFullScreen():
                self.showFullScreen()
        elif was and not on:
            self._leave_full_screen(getattr(self, "_state_before_presentation", None))
            before = getattr(self, "_data_panel_before", None)
            if before is not None:
                self.data_panel_action.setChecked(before)
                self._data_panel_before = None
        self._presented = on

    def _stage_layout(self, on: bool) -> None:
        """Presentation mode gives the pictures the room: the Block panel (desk work: a
        block's fields) gives its height to the network, and the decision boundary and the
        tabs below it share the right column by the tab picked (fit_stage). At 1280x800 the
        boundary was a 180-px square beside an empty Block panel. Leaving puts every panel
        back, at its sizes."""
        if on == getattr(self, "_staged", False):
            return
        self._staged = on  # (its own record, not the Block panel's visibility)
        if on:
            self._split_states = self.split_states()
            self.inspector.hide()
            self.fit_stage()
        else:
            states, self._split_states = self._split_states, None
            self.inspector.show()
            self._restore_splits(states)
            # again once the normal type has reached every widget (Qt sends the font changes
            # after this call): sizes restored against presentation-size minimums came back
            # wider (the data column 487 px instead of 367, the header wrapped); and again on
            # each resize of the next second: a window manager hands the window back from
            # full screen in steps, and each step re-split the columns (a trial's network
            # column came back 785 px wide instead of 865, its header on two rows)
            QTimer.singleShot(0, self, lambda: self._restore_splits(states))
            self._settling = (states, time.monotonic() + SETTLE_SECONDS)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        settling = getattr(self, "_settling", None)
        if settling is not None:
            states, until = settling
            if time.monotonic() < until and self._split_states is None:
                QTimer.singleShot(0, self, lambda: self._restore_splits(states))
            else:
                self._settling = None

    def fit_stage(self) -> None:
        """In presentation mode the right column follows the tab picked: the boundary takes
        60% over the trace plots, 40% over a matrix, curves or strips (at 1280x800 the
        confusion numbers were ~6 px, the ROC plots near zero height)."""
        if not self.experiment.view.presentation or getattr(self, "_split_states", None) is None:
            return
        right = self.right_split
        height = sum(right.sizes())
        share = 0.6 if self.evaluation.currentWidget() is self.trace else 0.4
        picture = round(height * share)
        right.setSizes([picture, height - picture])

    def _restore_splits(self, states: dict) -> None:
        self.refit_type()
        for split, key in ((self.main_split, "main_split"), (self.right_split, "right_split"),
                           (self.network_box, "network_box")):
            split.restoreState(states[key])

    def refit_type(self) -> None:
        """What holds a size measured in the type shown: the epoch counter and its readout
        (fixed sizes, see SteadyLabel) and the data column's width."""
        for label in self.findChildren(SteadyLabel):
            label.refit()
        self.fit_data_column()

    def split_states(self) -> dict:
        """The splitters' states as the window has them outside presentation mode."""
        saved = getattr(self, "_split_states", None)
        if saved is not None:
            return saved
        return {"main_split": self.main_split.saveState(),
                "right_split": self.right_split.saveState(),
                "network_box": self.network_box.saveState()}

    def _leave_full_screen(self, before) -> None:
        """Back to the window state from before presentation mode (None: unknown, so a
        normal window if it is full screen)."""
        self._state_before_presentation = None
        if before is None or before & Qt.WindowState.WindowFullScreen:
            if before is None and self.isFullScreen():
                self.showNormal()
            return  # full screen before (F11): it stays
        if before & Qt.WindowState.WindowMaximized:
            self.showMaximized()
        else:
            self.showNormal()
            # its own size and place, once the normal type's smaller minimums hold (it came
            # back 1409 px wide instead of 1281: presentation-size minimums then)
            geometry = getattr(self, "_geometry_before", None)
            if geometry is not None:
                QTimer.singleShot(0, self, lambda: self.restoreGeometry(geometry))
