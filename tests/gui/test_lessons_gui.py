"""The lesson browser and the guided-steps panel, driven by clicks as a student would."""

import glob
import html
import os

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QRadioButton

from playground.core import files
from playground.core.lessons import source_in_words
from playground.core.spec import LESSON_TOPICS

from .conftest import dispose

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")
LESSONS = sorted(glob.glob(os.path.join(EXAMPLES, "*.json")))


class FakeHost:
    """Holds one experiment and an undo history, as the window's session does; an action
    changes the experiment (a 'set') or counts trained epochs / clustering steps."""

    def __init__(self, experiment, asynchronous=False):
        self.history = [(experiment.copy(), 0, 0)]
        self.asynchronous = asynchronous
        self.panel = None
        self.performed = []

    @property
    def experiment(self):
        return self.history[-1][0]

    @property
    def epochs(self):
        return self.history[-1][1]

    @property
    def clustering_steps(self):
        return self.history[-1][2]

    def perform(self, action):
        self.performed.append(action.kind)
        exp, epochs, steps = self.history[-1]
        if action.kind == "set":
            exp = exp.with_changes({action.field: action.value})
        elif action.kind == "train":
            epochs += action.count
        elif action.kind in ("step_clustering", "run_clustering"):
            steps += action.count or 1000
        self.history.append((exp, epochs, steps))
        if self.asynchronous:
            QTimer.singleShot(10, self.panel.action_finished)
            return False
        return True

    def marker(self):
        return len(self.history)

    def undo_to(self, marker):
        del self.history[marker:]

    def record(self, progress):
        self.progress = progress


def lesson(name):
    return files.load_experiment(os.path.join(EXAMPLES, name)).experiment


def make_panel(qtbot, name="12_momentum.json", asynchronous=False):
    from playground.gui.lessons.guide import GuidePanel

    exp = lesson(name)
    host = FakeHost(exp, asynchronous)
    panel = GuidePanel(host)
    host.panel = panel
    qtbot.addWidget(panel)
    panel.set_lesson(exp)
    panel.show()
    return panel, host, exp


def click(qtbot, panel, name):
    from PySide6.QtWidgets import QAbstractButton

    widget = panel.findChild(QAbstractButton, name)
    assert widget is not None, name
    assert widget.isVisible() and widget.isEnabled(), f"{name} cannot be clicked"
    # a radio button takes clicks on its circle and label, not across its whole row
    at = QPoint(8, widget.height() // 2) if isinstance(widget, QRadioButton) else QPoint()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=at)


def walk_step(qtbot, panel, step):
    if step.question:
        click(qtbot, panel, f"lesson.choice={step.answers[0]}")
    if step.action.kind != "none":
        click(qtbot, panel, "lesson.action")
        qtbot.waitUntil(lambda: panel.action_done, timeout=5000)
    assert panel.reveal.text() == step.reveal


@pytest.mark.parametrize("name", [os.path.basename(p) for p in LESSONS
                                  if files.load_experiment(p).experiment.lesson.steps])
def test_a_guided_lesson_walks_through_all_its_steps_by_clicks(qtbot, name):
    panel, host, exp = make_panel(qtbot, name)
    for i, step in enumerate(exp.lesson.steps):
        assert panel.progress.text() == f"Step {i + 1} of {len(exp.lesson.steps)}"
        assert panel.text.text() == step.text
        if step.question or step.action.kind != "none":
            assert not panel.findChild(QPushButton, "lesson.next").isEnabled()
        walk_step(qtbot, panel, step)
        if step.action.kind == "set":  # the action changed the experiment as stated
            assert host.experiment.with_changes({step.action.field: step.action.value}) \
                .to_json() == host.experiment.to_json()
        with qtbot.waitSignal(panel.finished if i == len(exp.lesson.steps) - 1
                              else panel.step_changed, timeout=1000):
            click(qtbot, panel, "lesson.next")
    kinds = [s.action.kind for s in exp.lesson.steps if s.action.kind != "none"]
    assert host.performed == kinds


def test_momentum_lesson_actions_change_the_experiment_and_back_restores_it(qtbot):
    panel, host, exp = make_panel(qtbot)
    assert exp.training.optimizer == "momentum"
    walk_step(qtbot, panel, exp.lesson.steps[0])  # set plain SGD
    assert host.experiment.training.optimizer == "sgd"
    click(qtbot, panel, "lesson.next")
    walk_step(qtbot, panel, exp.lesson.steps[1])  # train 200 epochs
    assert host.epochs == 200
    click(qtbot, panel, "lesson.next")
    walk_step(qtbot, panel, exp.lesson.steps[2])  # momentum again
    assert host.experiment.training.optimizer == "momentum" and host.epochs == 200
    click(qtbot, panel, "lesson.back")  # step 2 as it was before it ran: SGD, 0 epochs
    assert panel.index == 1 and not panel.action_done and host.epochs == 0
    assert host.experiment.training.optimizer == "sgd"
    click(qtbot, panel, "lesson.back")
    assert panel.index == 0 and host.experiment.training.optimizer == "momentum"
    assert not panel.findChild(QPushButton, "lesson.back").isEnabled()


def go_to_question(qtbot, panel, exp):
    for step in exp.lesson.steps[:3]:
        walk_step(qtbot, panel, step)
        click(qtbot, panel, "lesson.next")
    return panel.findChild(QPushButton, "lesson.action")


def test_the_action_waits_for_a_prediction_and_the_verdict_for_the_action(qtbot):
    panel, host, exp = make_panel(qtbot)
    action = go_to_question(qtbot, panel, exp)
    assert action.isVisible() and not action.isEnabled() and "200" in action.text()
    click(qtbot, panel, "lesson.choice=0")  # "Plain SGD's": wrong
    assert "see for yourself" in panel.feedback.text()  # no verdict before the evidence
    assert not panel.findChild(QRadioButton, "lesson.choice=1").isEnabled()  # no second try
    assert not panel.reveal.isVisible()
    click(qtbot, panel, "lesson.action")
    assert "Not quite" in panel.feedback.text() and "Momentum" in panel.feedback.text()
    assert panel.reveal.isVisible() and panel.findChild(QPushButton, "lesson.next").isEnabled()


def test_an_action_that_runs_on_the_worker_enables_next_when_it_finishes(qtbot):
    panel, host, exp = make_panel(qtbot, asynchronous=True)
    go_to_question(qtbot, panel, exp)
    click(qtbot, panel, "lesson.choice=1")
    click(qtbot, panel, "lesson.action")
    assert not panel.findChild(QPushButton, "lesson.next").isEnabled()
    qtbot.waitUntil(lambda: panel.findChild(QPushButton, "lesson.next").isEnabled(),
                    timeout=2000)


def test_a_lesson_without_steps_says_so(qtbot):
    panel, host, exp = make_panel(qtbot, "02_xor_learned.json")
    assert "no guided steps" in panel.progress.text()
    assert not panel.next.isEnabled() and not panel.back.isEnabled()


def test_browser_shows_every_lesson_grouped_by_topic(qtbot):
    from playground.gui.lessons.browser import LessonBrowser

    browser = LessonBrowser(EXAMPLES)
    qtbot.addWidget(browser)
    assert set(browser.cards) == {os.path.splitext(os.path.basename(p))[0] for p in LESSONS}
    for topic in LESSON_TOPICS:
        assert browser.findChild(QLabel, f"lesson.topic={topic}") is not None, topic
    card = browser.cards["12_momentum"]
    texts = " ".join(label.text() for label in card.findChildren(QLabel))
    exp = lesson("12_momentum.json")
    assert exp.title in texts and exp.lesson.goal in texts and "Optimization" in texts
    assert source_in_words(exp.lesson.source).split(" · ")[0] in texts  # the notes, in words


def test_opening_a_shipped_lesson_then_training_and_saving_leaves_it_byte_identical(
        qtbot, tmp_path):
    from playground.core.trainer import Trainer
    from playground.gui.lessons.browser import LessonBrowser

    shipped = os.path.join(EXAMPLES, "12_momentum.json")
    with open(shipped, "rb") as fh:
        before = fh.read()
    browser = LessonBrowser(EXAMPLES)
    qtbot.addWidget(browser)
    with qtbot.waitSignal(browser.lesson_chosen) as chosen:
        qtbot.mouseClick(browser.findChild(QPushButton, "lesson.open=12_momentum"),
                         Qt.MouseButton.LeftButton)
    loaded = chosen.args[0]
    assert loaded.path == ""  # untitled: Save asks for a name
    trainer = Trainer(loaded.experiment)
    trainer.run(5)
    files.save_experiment(str(tmp_path / "mine.json"), loaded.experiment, trainer)
    with open(shipped, "rb") as fh:
        assert fh.read() == before
    assert files.load_experiment(str(tmp_path / "mine.json")).state is not None


def test_the_browser_is_offered_on_the_first_start_only(settings):
    from playground.gui.lessons.browser import offer_on_first_start

    assert offer_on_first_start(settings)
    assert not offer_on_first_start(settings)


def test_every_lesson_opens_in_the_window(qtbot, settings, recovery):
    from playground.gui.main_window import MainWindow

    window = MainWindow(settings=settings, recovery_path=recovery)
    qtbot.addWidget(window)
    window.show()
    try:
        for path in LESSONS:
            title = files.load_experiment(path).experiment.title
            assert window.load_path(path, remember=False), path
            # (a clustering lesson's text is on the Clustering tab, where it opens)
            qtbot.waitUntil(lambda t=title: t in window.lesson.text() or t in html.unescape(
                window.clustering_lab.lesson.text()), timeout=10000)
    finally:
        dispose(window)


def test_a_set_step_switching_the_optimizer_keeps_only_the_parameters_it_takes(qtbot, window):
    # 12: the student tries α = 0.95, then the step "switch to plain SGD" must still work
    from playground.core.spec import ActionSpec

    assert window.load_path(os.path.join(EXAMPLES, "12_momentum.json"), remember=False)
    assert window.qs.set("training.optimizer_params.momentum", 0.95)
    assert window.perform(ActionSpec(kind="set", field="training.optimizer", value="sgd"))
    assert window.experiment.training.optimizer == "sgd"
    assert window.experiment.training.optimizer_params == {}
    window.session.undo()  # one step on the stack: the student's α is back with momentum
    assert window.experiment.training.optimizer_params == {"momentum": 0.95}


def test_the_browser_finds_a_lesson_by_its_words_and_jumps_to_a_topic(qtbot):
    """Trial 4: reaching the DBSCAN cards took ~50 wheel clicks and a scrollbar drag; the
    browser had no way to look for a lesson."""
    from PySide6.QtWidgets import QComboBox, QLineEdit

    from playground.gui.lessons.browser import LessonBrowser

    browser = LessonBrowser(EXAMPLES)
    qtbot.addWidget(browser)
    browser.show()
    search = browser.findChild(QLineEdit, "lesson.search")
    qtbot.keyClicks(search, "DBSCAN eps")
    shown = [k for k, card in browser.cards.items() if card.isVisible()]
    assert shown and len(shown) < len(browser.cards) / 4
    for key in shown:  # every card shown is about both words
        exp = lesson(f"{key}.json")
        words = " ".join([key, exp.title, exp.lesson.goal, exp.description, exp.lesson.topic,
                          source_in_words(exp.lesson.source)]).lower()
        assert "dbscan" in words and "eps" in words, key
    assert "30_dbscan_eps" in shown
    assert not browser.findChild(QLabel, "lesson.topic=Optimization").isVisible()
    assert browser.findChild(QLabel, "lesson.count").text() == f"{len(shown)} of {len(LESSONS)}"
    search.clear()  # the card's own words count, its notes' section too (trial 5: "optimizer"
    qtbot.keyClicks(search, "optimizer")  # found 1 card of the many that name the section)
    found = {k for k, card in browser.cards.items() if card.isVisible()}
    assert {"11_sgd", "12_momentum", "13_adam"} <= found
    search.clear()
    assert all(card.isVisible() for card in browser.cards.values())
    jump = browser.findChild(QComboBox, "lesson.jump")
    bar = browser.scroll.verticalScrollBar()
    assert bar.value() == 0
    jump.activated.emit(jump.findData("DBSCAN"))
    heading = browser.findChild(QLabel, "lesson.topic=DBSCAN")
    assert bar.value() > 0 and bar.value() == min(heading.y(), bar.maximum())
    card = browser.cards["30_dbscan_eps"]  # a click away now
    assert card.visibleRegion().isEmpty() is False
