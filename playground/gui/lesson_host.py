"""The window's side of a guided lesson: it carries out each step's action on the session and
the workers, and takes the lesson back to the state before a step (Back). A mixin of
MainWindow; the guide panel (gui/lessons/guide.py) only talks to it through `perform`,
`marker` and `undo_to`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from ..core.overrides import ENTRY_PARAMS, params_taken
from .worker import KeepState, StepEpoch


class LessonHost:
    def _init_lessons(self) -> None:
        from .lessons.guide import GuidePanel

        self.guide = GuidePanel(self)
        self.guide.finished.connect(self._lesson_finished)
        self.guide_dock = QDockWidget("Lesson steps", self)
        self.guide_dock.setObjectName("dock.lesson_steps")
        self.guide_dock.setWidget(self.guide)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.guide_dock)
        self.guide_dock.setMinimumWidth(260)  # a question and its choices stay readable
        self.guide_dock.hide()
        self.guide_dock.visibilityChanged.connect(
            lambda on: on or self._make_room_for_guide(False))  # closed: the data come back
        self._train_until: int | None = None
        self._marks = 0

    def _lesson_finished(self) -> None:
        """The last step is done: the banners may say the lesson's conclusion now."""
        self._show_lesson_text(finished=True)
        self.clustering_lab._show_lesson(finished=True)

    def show_lesson_steps(self) -> None:
        """A lesson with steps opens with its guide on screen (both tabs see the dock). The
        guide takes the data column's place (View > Data panel brings it back): beside it,
        the window no longer fitted a 1280-px screen."""
        exp = self.experiment
        steps = getattr(getattr(exp, "lesson", None), "steps", [])
        self.worker.kept.clear()  # an earlier lesson's runs
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
            values = {action.field: action.value}
            if action.field in ENTRY_PARAMS:  # "plain SGD" keeps no momentum α the student set
                values[ENTRY_PARAMS[action.field]] = params_taken(
                    action.field, action.value, self.qs.get(ENTRY_PARAMS[action.field]))
            return self.qs.set_many(values, f"lesson: {action.field}")
        if action.kind == "train":
            epoch = self._drawn.snapshot.epoch if self._drawn else 0
            if self._drawn is not None and self._drawn.snapshot.status == "diverged":
                self.restart()  # a diverged run cannot train on: the step trains a fresh one
                epoch = 0
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
        """The undo stack's position and the run as it is now (the worker keeps a copy of
        the trainer's state, taken after any epochs still queued)."""
        self._marks += 1
        self.worker.post(KeepState(self._marks))
        frame = self.clustering_lab.frame
        return self.session.position, self._marks, frame.position if frame is not None else 0

    def undo_to(self, marker: Any) -> None:
        position, key, clustering_step = marker
        self.session.undo_to(int(position))
        self._train_until = None
        # The run as it was before the step: its weights, epoch, history and random state,
        # and the clustering at the step it had reached.
        self.restart(self.worker.kept.get(key))
        self.clustering_lab.worker.post("seek", clustering_step)

    def _check_lesson_training(self, epoch: int, status: str = "") -> None:
        """Called for every frame drawn: a 'train' step ends when its last epoch is shown, or
        when the run can go no further (it diverged, stopped early or reached its limit: the
        remaining epochs would never come, and the student must still be able to go on)."""
        ended = status in ("diverged", "stopped", "finished")
        if self._train_until is not None and (epoch >= self._train_until or ended):
            self._train_until = None
            self.guide.action_finished()

    def record(self, progress) -> None:
        """The student's place in the lesson, kept in the experiment so that it is saved
        with it; looking, not an edit (no undo step, the file is not marked unsaved)."""
        self.session.look("lesson.progress", progress)
