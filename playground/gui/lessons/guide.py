"""The guided-steps panel: a lesson's steps one at a time, "predict, then see".

Each step shows its text; when it asks a question the student picks a choice first, then the
step's action runs (the app trains, changes a field, steps the clustering) and the reveal
explains what was seen. Next and Back walk the steps; Back puts the experiment back as it was
before the step. The panel remembers each step's prediction: a step seen again shows the
student's first answer (a prediction cannot be changed once the answer is out). On a step the
student had finished, Next runs its undone action again and goes on, and Next onto a step
whose action had run runs it again, so Back then Next shows the choice and the reveal again.

Where the student is (the step, the predictions, which actions ran) is handed to the host after
every change and saved with the experiment (`lesson.progress`): a saved lesson reopens at its
step with its predictions. The undo history does not travel with a file, so Back from a
reopened step shows the earlier step as the student left it, with the experiment as it is.

The panel never edits the experiment itself: it hands each action to a host (the window, or a
fake in the tests) through the small `LessonHost` interface below, so it works with whatever
holds the experiment and its undo stack.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...core.field_words import path_in_words, value_in_words
from ...core.spec import ActionSpec, Experiment, ProgressSpec, StepSpec


class LessonHost(Protocol):
    """What the panel needs from the window.

    `perform(action)` carries out a step's action (`action.kind` is "set" with `field` and
    `value`, "train" / "step_clustering" with `count`, or "run_clustering") and returns True
    when it is done at once, False when the host will call `GuidePanel.action_finished()`
    later (training runs on the worker). `marker()` names the current state (e.g. the undo
    stack's index) and `undo_to(marker)` restores it, trained weights included."""

    def perform(self, action: ActionSpec) -> bool: ...

    def marker(self) -> Any: ...

    def undo_to(self, marker: Any) -> None: ...

    def record(self, progress: ProgressSpec) -> None: ...


def action_label(action: ActionSpec) -> str:
    """The action button's text, in the student's words."""
    if action.kind == "set" and action.field == "view.panel":
        return f"Show the {value_in_words(action.field, action.value)} panel"
    if action.kind == "set":
        return (f"Set the {path_in_words(action.field)} to "
                f"{value_in_words(action.field, action.value)}")
    if action.kind == "train":
        return f"Train {action.count} epoch{'s' if action.count != 1 else ''}"
    if action.kind == "step_clustering":
        return f"Step the clustering {action.count} time{'s' if action.count != 1 else ''}"
    if action.kind == "run_clustering":
        return "Run the clustering to the end"
    return ""


class GuidePanel(QWidget):
    """Walks a lesson's steps; see the module docstring. Signals say where the walk is."""

    step_changed = Signal(int)  # the index of the step now shown
    finished = Signal()  # Next on the last step

    def __init__(self, host: LessonHost, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lesson.guide")
        self.host = host
        self.steps: list[StepSpec] = []
        self.index = 0
        self.markers: list[Any] = []  # markers[i]: the state before step i
        self.answer: int | None = None
        self.action_done = False
        self.answers: dict[int, int] = {}  # step -> the student's prediction
        self.acted: set[int] = set()  # steps whose action has run (undone by Back or not)
        self._advance = False  # Next is waiting for a re-run action to finish
        # Back from a reopened lesson cannot undo (no markers): the experiment still holds
        # the state after this step, so Next up to it must not run the actions again.
        self._kept_ahead: int | None = None
        self._build()
        self._show()

    # ------------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.title = self._label("lesson.title", bold=True)
        self.progress = self._label("lesson.progress")
        self.text = self._label("lesson.text")
        self.question = self._label("lesson.question", bold=True)
        self.choices_box = QVBoxLayout()
        self._choices: list[str] = []
        self.choice_group = QButtonGroup(self)
        self.choice_group.idClicked.connect(self._choose)
        self.feedback = self._label("lesson.feedback")
        self.action_button = QPushButton()
        self.action_button.setObjectName("lesson.action")
        # Its text comes from the lesson: it may be clipped, never widen the window.
        self.action_button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.action_button.clicked.connect(self._perform)
        self.reveal = self._label("lesson.reveal")
        self.back = QPushButton("◀ Back")
        self.back.setObjectName("lesson.back")
        self.back.clicked.connect(self.go_back)
        self.next = QPushButton("Next ▶")
        self.next.setObjectName("lesson.next")
        self.next.clicked.connect(self.go_next)
        nav = QHBoxLayout()
        nav.addWidget(self.back)
        nav.addStretch(1)
        nav.addWidget(self.next)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.progress, self.text, self.question):
            layout.addWidget(widget)
        layout.addLayout(self.choices_box)
        # the verdict below the action: its text appearing must not move the button away
        # from the pointer between the prediction and the click on it
        layout.addWidget(self.action_button)
        layout.addWidget(self.feedback)
        layout.addWidget(self.reveal)
        layout.addStretch(1)
        layout.addLayout(nav)

    def _label(self, name: str, bold: bool = False) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # a lesson file's text is never markup
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if bold:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        return label

    # -------------------------------------------------------------------------- walk
    def set_lesson(self, experiment: Experiment) -> None:
        """Start the lesson's steps where its saved progress says (the first step for a new
        lesson); the host's current state is that step's, after its action when it ran."""
        self.steps = list(experiment.lesson.steps)
        self.title.setText(experiment.title)
        saved = experiment.lesson.progress
        self.index = saved.step if saved.step < len(self.steps) else 0
        # the states before the earlier steps are not known: Back cannot undo to them
        self.markers = [None] * self.index + [self.host.marker()] if self.steps else []
        if saved.action_ran and self.markers:
            self.markers[-1] = None  # the state holds the action's result, not the before
        self.answers = {i: c for i, c in enumerate(saved.predictions) if c is not None}
        self.acted, self._advance, self._kept_ahead = set(saved.acted), False, None
        self._enter()
        self.action_done = saved.action_ran and self.index in self.acted
        self._show()

    def place(self) -> ProgressSpec:
        """Where the student is, as the experiment file keeps it."""
        last = max(self.answers, default=-1)
        return ProgressSpec(step=self.index,
                            predictions=[self.answers.get(i) for i in range(last + 1)],
                            acted=sorted(self.acted), action_ran=self.action_done)

    @property
    def step(self) -> StepSpec | None:
        return self.steps[self.index] if self.steps else None

    @property
    def can_continue(self) -> bool:
        step = self.step
        if step is None:
            return False
        answered = not step.question or self.answer is not None
        acted = step.action.kind == "none" or self.action_done or self.index in self.acted
        return answered and acted

    @property
    def revealed(self) -> bool:
        """The step's answer is on screen: predicted, and its action (if any) has run."""
        step = self.step
        return self.can_continue and (step.action.kind == "none" or self.action_done)

    @Slot()
    def go_next(self) -> None:
        if not self.can_continue or self._advance:
            return
        if not self.revealed:  # finished before, undone by Back: run it again, then go on
            self._advance = True
            self._perform()
            if not self.action_done:
                return  # on the worker: action_finished goes on
            self._advance = False
        if self.index == len(self.steps) - 1:
            self.finished.emit()
            return
        self.index += 1
        del self.markers[self.index:]
        self.markers.append(self.host.marker())
        self._enter()
        step = self.step
        if self._kept_ahead is not None and self.index <= self._kept_ahead:
            # the experiment already holds this step's result (Back could not undo it)
            self.markers[self.index] = None  # the state before it is not known
            self.action_done = self.index in self.acted
            self._show()
            if self.index == self._kept_ahead:
                self._kept_ahead = None
        elif self.index in self.acted and step is not None and step.action.kind != "none":
            self._perform()  # seen before: the state and the reveal as the student saw them

    @Slot()
    def go_back(self) -> None:
        """Show the previous step as it was before it ran: the host restores that state."""
        if not self.steps:
            return
        target = max(0, self.index - 1)
        self._advance = False
        marker = self.markers[target]
        if marker is None:  # before a reopened lesson's step: shown as the student left it
            self._kept_ahead = max(self._kept_ahead or 0, self.index)
        else:
            self.host.undo_to(marker)
            self._kept_ahead = None
        self.index = target
        del self.markers[target + 1:]
        self._enter()
        if marker is None:
            self.action_done = self.index in self.acted
            self._show()

    @Slot()
    def action_finished(self) -> None:
        """The host's asynchronous action (training on the worker) has ended."""
        self.action_done = True
        self.acted.add(self.index)
        self._show()
        if self._advance:
            self._advance = False
            self.go_next()

    def _enter(self) -> None:
        self.answer = self.answers.get(self.index)  # Back and Next keep the prediction
        self.action_done = False
        self._show()
        self.step_changed.emit(self.index)

    @Slot(int)
    def _choose(self, index: int) -> None:
        if self.answer is None:  # the first pick is the prediction; it cannot be changed
            self.answer = self.answers[self.index] = index
        self._show()

    @Slot()
    def _perform(self) -> None:
        step = self.step
        if step is None or self.action_done or (step.question and self.answer is None):
            return
        self.action_button.setEnabled(False)
        if self.host.perform(step.action):
            self.action_done = True
            self.acted.add(self.index)
        self._show()

    # -------------------------------------------------------------------------- show
    def _show(self) -> None:
        step = self.step
        self.progress.setText(f"Step {self.index + 1} of {len(self.steps)}" if step else
                              "This lesson has no guided steps.")
        self.text.setText(step.text if step else "")
        self.question.setText(step.question if step else "")
        self.question.setVisible(bool(step and step.question))
        self._show_choices(step)
        self._show_feedback(step)
        needs_answer = bool(step and step.question and self.answer is None)
        has_action = bool(step and step.action.kind != "none")
        self.action_button.setVisible(has_action)
        if has_action:
            self.action_button.setText(action_label(step.action) if not self.action_done
                                       else action_label(step.action) + " ✓")
            self.action_button.setEnabled(not needs_answer and not self.action_done)
            self.action_button.setToolTip("Answer the question first" if needs_answer
                                          else self.action_button.text())
        self.reveal.setText(step.reveal if step and self.revealed else "")
        self.reveal.setVisible(bool(self.reveal.text()))
        self.back.setEnabled(bool(step) and self.index > 0)
        self.next.setEnabled(self.can_continue)
        last = bool(step) and self.index == len(self.steps) - 1
        self.next.setText("Finish" if last else "Next ▶")
        if step is not None:
            self.host.record(self.place())

    def _show_choices(self, step: StepSpec | None) -> None:
        choices = list(step.choices) if step else []
        if self._choices != choices or not choices:
            while self.choices_box.count():
                row = self.choices_box.takeAt(0).widget()
                for button in row.findChildren(QRadioButton):
                    self.choice_group.removeButton(button)
                row.setParent(None)  # gone now, not at the next event loop turn
                row.deleteLater()
            for i, text in enumerate(choices):
                row = self._choice_row(i, text)
                self.choices_box.addWidget(row)
                row.show()  # a child added to a shown panel is otherwise shown later
            self._choices = choices
            self.layout().activate()  # place the new choices now, so they take clicks at once
        buttons = self.choice_group.buttons()
        self.choice_group.setExclusive(False)
        for i, button in enumerate(buttons):
            button.setChecked(self.answer == i)
            button.setEnabled(self.answer is None)
        self.choice_group.setExclusive(True)

    def _choice_row(self, i: int, text: str) -> QWidget:
        """A radio button with its text in a wrapping label beside it (a radio button's own
        text never wraps, and a long choice widened the window past the screen)."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        button = QRadioButton()
        button.setObjectName(f"lesson.choice={i}")
        button.setAccessibleName(text)
        label = QLabel(text)
        label.setObjectName(f"lesson.choice_text={i}")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.mousePressEvent = lambda _event, b=button: b.isEnabled() and b.click()
        self.choice_group.addButton(button, i)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(label, 1)
        return row

    def _show_feedback(self, step: StepSpec | None) -> None:
        if not step or not step.question or self.answer is None:
            self.feedback.setText("")
            self.feedback.setVisible(False)
            return
        # Predict, then see: the verdict waits until the action has shown the answer.
        if step.action.kind != "none" and not self.action_done:
            self.feedback.setText(f"Your prediction: “{step.choices[self.answer]}”. "
                                  "Now see for yourself.")
        elif self.answer in step.answers:
            self.feedback.setText("Your prediction was right.")
        else:
            names = " or ".join(f"“{step.choices[i]}”" for i in step.answers)
            self.feedback.setText(f"Not quite: the answer is {names}.")
        self.feedback.setVisible(True)
