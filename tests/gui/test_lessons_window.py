"""Every guided lesson walked in the real window by mouse clicks, as a student (or a teacher at
the projector) walks it: answer, let the app act, check the action did what the step says,
Next; then Back through every step, each time to the state before that step, trained weights
and clustering step included."""

import glob
import os

import numpy as np
import pytest
from PySide6.QtWidgets import QAbstractButton

from playground.core import files
from playground.core.field_paths import get_path

from .conftest import snap
from .test_lessons_gui import click  # a radio button takes clicks on its circle

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDED = [os.path.basename(p) for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*.json")))
          if files.load_experiment(p).experiment.lesson.steps]


def clustering_step(window):
    frame = window.clustering_lab.frame
    return frame.position if frame is not None else 0


def run_state(window):
    """What Back must bring back: the experiment, the epoch, the weights, the clustering."""
    s = snap(window)
    weights = {k: v.copy() for k, v in s.weights.items()}
    return experiment_doc(window), s.epoch, weights, clustering_step(window)


def experiment_doc(window):
    """The experiment as Back restores it: the student's place in the lesson (which step,
    the predictions) moves on, as it should."""
    doc = window.experiment.to_json()
    del doc["lesson"]["progress"]
    return doc


def same_run(window, state):
    doc, epoch, weights, step = state
    s = snap(window)
    return (experiment_doc(window) == doc and s.epoch == epoch
            and s.weights.keys() == weights.keys()
            and all(np.array_equal(s.weights[k], w) for k, w in weights.items())
            and clustering_step(window) == step)


@pytest.mark.parametrize("name", GUIDED)
def test_a_guided_lesson_walks_forward_and_back_in_the_window(qtbot, window, name):
    assert window.load_path(os.path.join(ROOT, "examples", name), remember=False)
    qtbot.waitUntil(lambda: window._drawn is not None and snap(window).epoch == 0, timeout=20000)
    steps = window.experiment.lesson.steps
    guide = window.guide
    assert window.guide_dock.isVisible()
    before = []
    for i, step in enumerate(steps):
        assert guide.index == i and guide.text.text() == step.text
        qtbot.wait(100)  # the worker keeps a copy of the run for Back
        before.append(run_state(window))
        if step.question:
            click(qtbot, window, f"lesson.choice={step.answers[0]}")
        action = step.action
        if action.kind != "none":
            epoch, at = snap(window).epoch, clustering_step(window)
            if snap(window).status == "diverged":
                epoch = -1  # a diverged run cannot go on: the step trains a fresh one
            click(qtbot, window, "lesson.action")
            qtbot.waitUntil(lambda: guide.action_done, timeout=60000)
            if action.kind == "set" and action.field.startswith("network.hidden."):
                key = action.field.rsplit(".", 1)[1]  # every hidden block took the value
                graph = window.experiment.network
                assert {graph.nodes[n].param(key) for n in graph.of_type("dense")} == \
                    {action.value}
            elif action.kind == "set":  # the field now holds the step's value
                assert get_path(window.experiment, action.field) == action.value
            elif action.kind == "train":  # that many epochs, or until the run diverged
                until = max(epoch, 0) + action.count
                qtbot.waitUntil(lambda u=until: snap(window).epoch >= u
                                or snap(window).status == "diverged", timeout=60000)
                assert snap(window).epoch > epoch
            elif action.kind == "step_clustering":
                qtbot.waitUntil(lambda a=at, n=action.count: clustering_step(window) == a + n,
                                timeout=20000)
            else:  # run_clustering: to the end
                qtbot.waitUntil(lambda: window.clustering_lab.frame.state.done, timeout=60000)
        assert guide.reveal.isVisible() == bool(step.reveal)
        if i < len(steps) - 1:
            click(qtbot, window, "lesson.next")
    for i in reversed(range(len(steps) - 1)):
        click(qtbot, window, "lesson.back")
        assert guide.index == i
        qtbot.waitUntil(lambda s=before[i]: same_run(window, s), timeout=20000)
    assert not window.findChild(QAbstractButton, "lesson.back").isEnabled()
