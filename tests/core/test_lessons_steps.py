"""Guided steps are data in the lesson file, validated with the field named on every error."""

import copy
import glob
import os

import pytest

from playground.core import files
from playground.core.errors import SpecError
from playground.core.spec import Experiment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LESSONS = sorted(glob.glob(os.path.join(ROOT, "examples", "*.json")))


def guided() -> dict:
    return files.load_experiment(os.path.join(ROOT, "examples", "12_momentum.json")) \
        .experiment.to_json()


def test_at_least_three_lessons_are_guided_and_ask_before_they_show():
    guided_lessons = [files.load_experiment(p).experiment for p in LESSONS]
    guided_lessons = [e for e in guided_lessons if e.lesson.steps]
    assert len(guided_lessons) >= 3
    for exp in guided_lessons:
        steps = exp.lesson.steps
        assert any(s.question and s.action.kind != "none" for s in steps), exp.title
        assert all(s.reveal for s in steps if s.question), exp.title


def test_steps_round_trip_through_json():
    doc = guided()
    again = Experiment.from_json(copy.deepcopy(doc)).to_json()
    assert again["lesson"] == doc["lesson"]


@pytest.mark.parametrize("change, path, words", [
    (lambda s: s[0].update(text=""), "lesson.steps[0].text", "text"),
    (lambda s: s[3].update(choices=["only one"]), "lesson.steps[3].choices", "two"),
    (lambda s: s[3].update(answers=[7]), "lesson.steps[3].answers", "index 7"),
    (lambda s: s[3].update(answers=[]), "lesson.steps[3].answers", "right choice"),
    (lambda s: s[1].update(question="", choices=["a", "b"]), "lesson.steps[1].question",
     "question"),
    (lambda s: s[1]["action"].update(kind="explode"), "lesson.steps[1].action.kind",
     "one of"),
    (lambda s: s[1]["action"].update(count=0), "lesson.steps[1].action.count", "count"),
    (lambda s: s[0]["action"].update(field="training.optimiser"),
     "lesson.steps[0].action.training.optimiser", "not a field"),
    (lambda s: s[0]["action"].update(value="nadam"),
     "lesson.steps[0].action.training.optimizer", "nadam"),
    (lambda s: s[0]["action"].update(value={"code": "import os"}),
     "lesson.steps[0].action.value", "number"),
    (lambda s: s[2].update(colour="red"), "lesson.steps[2].colour", "unknown field"),
    (lambda s: s.append("train"), "lesson.steps[4]", "object"),
])
def test_a_malformed_step_is_refused_with_the_field_named(change, path, words):
    doc = guided()
    change(doc["lesson"]["steps"])
    with pytest.raises(SpecError) as info:
        Experiment.from_json(doc)
    assert info.value.path == path, str(info.value)
    assert words in str(info.value)


def test_a_malformed_steps_file_is_refused_on_load(tmp_path):
    doc = guided()
    doc["lesson"]["steps"][3]["answers"] = ["the second"]
    path = tmp_path / "broken.json"
    import json

    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        files.load_experiment(str(path))
    assert "lesson.steps[3].answers" in str(info.value)


# ---------------------------------------------------------------- a student's place in a lesson
def _guided():
    import os

    from playground.core import files

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return files.load_experiment(os.path.join(root, "examples", "grad_init.json")).experiment


def test_a_lessons_progress_round_trips_and_old_files_start_at_step_one():
    from playground.core.spec import Experiment, ProgressSpec

    exp = _guided()
    assert exp.lesson.progress == ProgressSpec()  # the shipped file has none: step 1
    exp.lesson.progress = ProgressSpec(step=1, predictions=[0, 2], acted=[0, 1],
                                       action_ran=True)
    again = Experiment.from_json(exp.to_json())
    assert again.lesson.progress == exp.lesson.progress


@pytest.mark.parametrize("progress, field", [
    ({"step": 5}, "lesson.progress.step"),
    ({"step": -1}, "lesson.progress.step"),
    ({"step": 10**400}, "lesson.progress.step"),
    ({"predictions": [0, 3]}, "lesson.progress.predictions"),
    ({"predictions": [None, None, 0]}, "lesson.progress.predictions"),  # step 2 asks nothing
    ({"predictions": [0] * 6}, "lesson.progress.predictions"),
    ({"predictions": "0"}, "lesson.progress.predictions"),
    ({"acted": [7]}, "lesson.progress.acted"),
    ({"acted": [True]}, "lesson.progress.acted"),
    ({"step": 1, "action_ran": True, "acted": [0]}, "lesson.progress.action_ran"),
    ({"action_ran": "yes"}, "lesson.progress.action_ran"),
])
def test_a_progress_out_of_range_is_refused_naming_the_field(progress, field):
    from playground.core.errors import SpecError
    from playground.core.spec import Experiment

    doc = _guided().to_json()
    doc["lesson"]["progress"] = progress
    with pytest.raises(SpecError) as caught:
        Experiment.from_json(doc)
    assert field in str(caught.value)
