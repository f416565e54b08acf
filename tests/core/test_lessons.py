"""Every lesson in examples/ loads, trains headless and reaches the outcome it promises."""

import glob
import os
import subprocess
import sys

import pytest

from playground.core import files, lessons

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LESSONS = sorted(glob.glob(os.path.join(ROOT, "examples", "*.json")))


def test_the_library_has_at_least_fifteen_lessons():
    assert len(LESSONS) >= 15


@pytest.mark.parametrize("path", LESSONS, ids=[os.path.basename(p) for p in LESSONS])
def test_lesson_reaches_its_outcome(path):
    loaded = files.load_experiment(path)
    exp = loaded.experiment
    assert exp.title and len(exp.description) > 40
    assert exp.outcome.metric != "none" and exp.outcome.text
    trainer = None
    if exp.outcome.metric not in ("clusters", "agreement"):
        trainer = files.resume_trainer(loaded)
    result = lessons.check(exp, trainer)
    assert result.passed, f"{os.path.basename(path)}: {result.summary}, promised " \
                          f"[{exp.outcome.at_least}, {exp.outcome.at_most}]"


def test_hand_set_xor_file_outputs_exactly_0_1_1_0():
    import torch

    loaded = files.load_experiment(os.path.join(ROOT, "examples", "01_xor_by_hand.json"))
    t = files.resume_trainer(loaded)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    assert t.model(t.inputs(x)).view(-1).tolist() == [0.0, 1.0, 1.0, 0.0]


def test_cli_runs_a_lesson_and_reports_its_outcome():
    path = os.path.join(ROOT, "examples", "13_adam.json")
    res = subprocess.run([sys.executable, "-m", "playground", "run", path], capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "outcome: PASS" in res.stdout and "epoch 150" in res.stdout
    path = os.path.join(ROOT, "examples", "24_meanshift_blobs.json")
    res = subprocess.run([sys.executable, "-m", "playground", "run", path], capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0 and "outcome: PASS" in res.stdout and "clusters = 3" in res.stdout
