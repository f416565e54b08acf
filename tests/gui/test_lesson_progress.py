"""A saved guided lesson reopens where the student left it: the step, the predictions made and
whether the step's action ran travel with the file (a student reopened "Initialization at a
glance" at "Step 1 of 5" with no prediction while the network showed step 2's zero weights)."""

import os

import pytest
from PySide6.QtWidgets import QAbstractButton

from playground.core import files

from .conftest import snap
from .test_lessons_gui import click

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(autouse=True)
def no_warnings(monkeypatch):
    """Offscreen, a refusal's message box would wait forever: fail with its text instead."""
    from PySide6.QtWidgets import QMessageBox

    def refuse(_parent, _title, text, *a, **k):
        raise AssertionError(text)

    monkeypatch.setattr(QMessageBox, "warning", refuse)


def dense_inits(window):
    graph = window.experiment.network
    return {graph.nodes[n].param("init") for n in graph.of_type("dense")}


def test_a_saved_lesson_reopens_at_its_step_with_its_predictions(qtbot, window, tmp_path):
    w, guide = window, window.guide
    assert w.load_path(os.path.join(ROOT, "examples", "grad_init.json"), remember=False)
    qtbot.waitUntil(lambda: w._drawn is not None and snap(w).epoch == 0, timeout=20000)
    first, second = w.experiment.lesson.steps[:2]
    click(qtbot, w, "lesson.choice=0")
    click(qtbot, w, "lesson.action")
    click(qtbot, w, "lesson.next")
    click(qtbot, w, "lesson.choice=2")
    click(qtbot, w, "lesson.action")
    qtbot.waitUntil(lambda: guide.action_done, timeout=10000)
    assert dense_inits(w) == {"zeros"}
    path = str(tmp_path / "mine.json")
    w.path = path
    assert w.save_file(wait=True)
    assert files.load_experiment(path).experiment.lesson.progress.step == 1
    w.new_file()
    assert guide.index == 0 and not w.guide_dock.isVisible()
    assert w.load_path(path)
    qtbot.waitUntil(lambda: w._drawn is not None, timeout=20000)
    assert guide.progress.text() == "Step 2 of 5"
    assert guide.text.text() == second.text
    # the prediction stands and cannot be changed; the action shows as done; Next is open
    choice = w.findChild(QAbstractButton, "lesson.choice=2")
    assert choice.isChecked() and not choice.isEnabled()
    assert guide.action_button.text().endswith("✓") and guide.reveal.isVisible()
    assert "Not quite" in guide.feedback.text() or "right" in guide.feedback.text()
    assert guide.next.isEnabled() and guide.back.isEnabled()
    assert dense_inits(w) == {"zeros"}
    click(qtbot, w, "lesson.back")
    assert guide.progress.text() == "Step 1 of 5" and guide.text.text() == first.text
    assert w.findChild(QAbstractButton, "lesson.choice=0").isChecked()
    assert guide.next.isEnabled() and not guide.back.isEnabled()
    click(qtbot, w, "lesson.next")  # back at step 2, its zeros still there, nothing re-run
    assert guide.index == 1 and dense_inits(w) == {"zeros"} and guide.next.isEnabled()
    click(qtbot, w, "lesson.next")  # step 3 sets Glorot: the walk goes on as before
    assert guide.index == 2


def test_an_old_lesson_file_without_progress_opens_at_step_one(qtbot, window):
    w = window
    assert w.load_path(os.path.join(ROOT, "examples", "grad_init.json"), remember=False)
    assert w.guide.progress.text() == "Step 1 of 5" and not w.guide.back.isEnabled()
    assert not w.dirty  # showing the first step is not an edit
