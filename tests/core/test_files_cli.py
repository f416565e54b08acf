"""Experiment files (safe, atomic, exact resume) and the headless CLI."""

import json
import os
import subprocess
import sys

import pytest

from playground.core import files
from playground.core.errors import SpecError
from playground.core.spec import Experiment
from playground.core.trainer import Trainer


def trained(epochs=3, batches=2):
    exp = Experiment()
    exp.data.generator = "xor"
    exp.training.optimizer = "adam"
    t = Trainer(exp)
    t.run(epochs)
    for _ in range(batches):
        t.step_batch()
    return exp, t


def test_save_load_save_is_byte_identical_and_resume_is_exact(tmp_path):
    exp, t = trained()
    path = tmp_path / "run.json"
    files.save_experiment(str(path), exp, t)
    loaded = files.load_experiment(str(path))
    resumed = files.resume_trainer(loaded)
    assert files.dumps(loaded.experiment, resumed) == path.read_text()
    t.run(4)
    resumed.run(4)
    assert resumed.history.train_loss == t.history.train_loss


def test_read_only_directory_keeps_the_old_file_and_says_why(tmp_path, monkeypatch):
    # A read-only directory refuses the temporary file. Root ignores permission bits (CI runs
    # as root), so the refusal is made the way the OS reports it, with the same error.
    import tempfile

    exp, t = trained()
    path = tmp_path / "keep.json"
    files.save_experiment(str(path), exp)
    old = path.read_text()

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(SpecError, match="cannot save in .*Permission denied"):
        files.save_experiment(str(path), exp, t)
    assert path.read_text() == old


def test_disk_full_during_save_keeps_the_old_file_and_says_why(tmp_path, monkeypatch):
    exp, t = trained()
    path = tmp_path / "keep.json"
    files.save_experiment(str(path), exp)
    old = path.read_text()

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SpecError, match="No space left"):
        files.save_experiment(str(path), exp, t)
    assert path.read_text() == old
    assert os.listdir(tmp_path) == ["keep.json"]  # no temporary file left behind


def _state_doc():
    exp, t = trained()
    return json.loads(files.dumps(exp, t))


def test_nan_weights_wrong_shapes_and_huge_arrays_are_refused():
    doc = _state_doc()
    nan = files.encode_array(__import__("numpy").full((4, 2), float("nan"), "float32"))
    doc["state"]["model"]["blocks.dense1.linear.weight"] = nan
    with pytest.raises(SpecError, match="NaN"):
        files.resume_trainer(files.loads(json.dumps(doc)))
    doc = _state_doc()
    doc["state"]["model"]["blocks.dense1.linear.weight"]["shape"] = [2, 4]
    with pytest.raises(SpecError, match="does not match"):
        files.resume_trainer(files.loads(json.dumps(doc)))
    doc = _state_doc()
    doc["state"]["model"]["blocks.dense1.linear.weight"]["shape"] = [100000, 100000]
    with pytest.raises(SpecError, match="larger than"):
        files.resume_trainer(files.loads(json.dumps(doc)))


def test_deep_nesting_and_truncation_are_refused():
    with pytest.raises(SpecError):
        files.loads("[" * 100000 + "]" * 100000)
    with pytest.raises(SpecError, match="broken JSON"):
        files.loads(Experiment().dumps()[:-40])


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_runs_and_writes_results(tmp_path):
    path = tmp_path / "exp.json"
    path.write_text(Experiment().dumps())
    out = tmp_path / "res.json"
    res = _cli("run", str(path), "--epochs", "20", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "epoch 20" in res.stdout
    result = json.loads(out.read_text())
    assert result["epoch"] == 20 and len(result["history"]["train_loss"]) == 20
    assert _cli("validate", str(path)).returncode == 0


@pytest.mark.parametrize("content,words", [
    ('{"format": "playground-experiment", "version": 1, "training": {"learning_rate": -1}}',
     "training.learning_rate"),
    ("not json at all", "broken JSON"),
    ('{"format": "playground-experiment", "version": 99}', "newer playground"),
    ('{"format": "playground-experiment", "version": 1, "data": {"generator": "points"}}',
     "data.points"),
])
def test_cli_exits_2_with_one_clear_message(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    for command in ("run", "validate"):
        res = _cli(command, str(path))
        assert res.returncode == 2
        assert words in res.stderr and "Traceback" not in res.stderr
