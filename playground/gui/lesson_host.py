"""The window's side of a guided lesson: it carries out each step's action on the session and
the workers, and takes the lesson back to the state before a step (Back). A mixin of
MainWindow; the guide panel (gui/lessons/guide.py) only talks to it through `perform`,
`marker` and `undo_to`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from .worker import StepEpoch


class LessonHost:
    def _init_lessons(self) -> None:
        from .lessons.guide import GuidePanel

        self.guide = GuidePanel(self)
        self.guide_dock = QDockWidget("Lesson steps", self)
        self.guide_dock.setObjectName("dock.lesson_steps")
        self.guide_dock.setWidget(self.guide)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.guide_dock)
        self.guide_dock.setMinimumWidth(260)  # a question and its choices stay readable
        self.guide_dock.hide()
        self.guide_dock.visibilityChanged.connect(
            lambda on: on or self._make_room_for_guide(False))  # closed: the data come back
        self._train_until: int | None = None

    def show_lesson_steps(self) -> None:
        """A lesson with steps opens with its guide on screen (both tabs see the dock). The
        guide takes the data column's place (drag the splitter to bring it back): beside it,
        the window no longer fitted a 1280-px screen."""
        exp = self.experiment
        steps = getattr(getattr(exp, "lesson", None), "steps", [])
        self.guide.set_lesson(exp)
        shown = bool(steps)
        if shown == self.guide_dock.isVisible():
            return
        width = self.width()
        self._make_room_for_guide(shown)
        self.guide_dock.setVisible(shown)
        if shown and not (self.isMaximized() or self.isFullScreen()):
            # Qt widens the window for a dock before the data column has made room for it.
            QTimer.singleShot(0, self, lambda: self._back_to_width(width))

    def _back_to_width(self, width: int) -> None:
        self.layout().activate()
        self.resize(max(width, self.minimumSizeHint().width()), self.height())

    def _make_room_for_guide(self, guide: bool) -> None:
        """Hide the data column while the guide is shown (View > Data panel brings it back)."""
        self.data_panel_action.setChecked(not guide)

    # ----------------------------------------------------------------- LessonHost
    def perform(self, action) -> bool:
        if action.kind == "set" and action.field.startswith("network."):
            # a block's parameter (network.hidden.init): the network with it changed, as the
            # lesson's file checked it (Experiment.with_changes), in one undoable edit
            changed = self.experiment.with_changes({action.field: action.value}, "lesson")
            return self.qs.set("network", changed.network, f"lesson: {action.field}")
        if action.kind == "set":
            return self.qs.set(action.field, action.value, f"lesson: {action.field}")
        if action.kind == "train":
            epoch = self._drawn.snapshot.epoch if self._drawn else 0
            self._train_until = epoch + action.count
            for _ in range(action.count):
                self.worker.post(StepEpoch())
            return False  # the paint timer calls `action_finished` when it has been shown
        if action.kind == "step_clustering":
            self.tabs.setCurrentWidget(self.clustering_lab)
            for _ in range(action.count):
                self.clustering_lab.worker.post("forward")
            return True
        if action.kind == "run_clustering":
            self.tabs.setCurrentWidget(self.clustering_lab)
            self.clustering_lab.worker.post("run_to_end")
            return True
        return True

    def marker(self) -> Any:
        return self.session.position

    def undo_to(self, marker: Any) -> None:
        self.session.undo_to(int(marker))
        self._train_until = None
        self.reset()  # the trained weights go back to the start of that state

    def _check_lesson_training(self, epoch: int) -> None:
        """Called for every frame drawn: a 'train' step ends when its last epoch is shown."""
        if self._train_until is not None and epoch >= self._train_until:
            self._train_until = None
            self.guide.action_finished()
