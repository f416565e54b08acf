"""The gradient history (core/gradient_log.py): every epoch while short, bounded when long,
saved with the run and reopened; files from before it still open."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from playground.core import files
from playground.core.errors import SpecError
from playground.core.gradient_log import COLUMNS, GradientLog
from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.core.trainer import Trainer

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")


def test_every_epoch_has_its_column_while_short_then_columns_merge():
    log = GradientLog(["a", "b"], ["a"], ["saturated"])
    for epoch in range(1, 11):
        log.add(epoch, np.array([10.0 ** -epoch, 1.0]), np.array([epoch / 10]))
    view = log.view()
    assert view.stride == 1 and list(view.first_epoch) == list(range(1, 11))
    np.testing.assert_allclose(view.log_mean_abs[:, 0], -np.arange(1, 11), rtol=1e-6)
    log = GradientLog(["a"], [], [])
    for epoch in range(1, 5 * COLUMNS + 1):
        log.add(epoch, np.array([10.0 ** (-(epoch % 2))]), np.zeros(0))
    view = log.view()
    assert view.stride == 8 and len(view.first_epoch) <= COLUMNS  # bounded however long
    np.testing.assert_allclose(view.log_mean_abs[:, 0], -0.5, rtol=1e-6)  # geometric mean


def test_epochs_not_measured_leave_their_columns_empty():
    log = GradientLog(["a"], [], [])
    log.add(1, np.array([1.0]), np.zeros(0))
    log.add(4, np.array([0.0]), np.zeros(0))  # an exactly zero gradient: drawn at the floor
    view = log.view()
    assert np.isnan(view.log_mean_abs[1:3, 0]).all() and view.log_mean_abs[3, 0] == -30
    assert list(log.rows()["epoch"]) == [1, 4]


def trained(epochs: int = 3) -> tuple[Experiment, Trainer]:
    exp = Experiment()
    exp.network = mlp([4, 3], "relu", init="he_normal")
    exp.view.gradient_flow = True
    trainer = Trainer(exp)
    trainer.run(epochs)
    return exp, trainer


def test_the_gradient_history_is_saved_with_the_run_and_reopens(tmp_path):
    exp, trainer = trained()
    path = str(tmp_path / "run.json")
    files.save_experiment(path, exp, trainer)
    resumed = files.resume_trainer(files.load_experiment(path))
    before, after = trainer.gradients.log.rows(), resumed.gradients.log.rows()
    assert list(after["epoch"]) == [1, 2, 3]
    np.testing.assert_allclose(after["mean_abs"], before["mean_abs"], rtol=1e-6)
    np.testing.assert_array_equal(after["shares"], before["shares"])
    assert resumed.experiment.view.gradient_flow
    resumed.run(1)  # and goes on recording
    assert list(resumed.gradients.log.rows()["epoch"]) == [1, 2, 3, 4]


def test_a_long_gradient_history_keeps_the_file_small(tmp_path):
    exp, trainer = trained(1)
    log = trainer.gradients.log
    for epoch in range(2, 200_000, 97):
        log.add(epoch, np.random.default_rng(epoch).random(3), np.random.default_rng(1).random(2))
    record = json.dumps(log.to_record())
    assert len(record) < 40_000  # 1024 columns at most, float32
    path = str(tmp_path / "long.json")
    files.save_experiment(path, exp, trainer)
    resumed = files.resume_trainer(files.load_experiment(path))
    np.testing.assert_allclose(resumed.gradients.log.view().log_mean_abs, log.view().log_mean_abs,
                               rtol=1e-5)


def test_files_from_before_the_gradient_history_open_and_record():
    loaded = files.load_experiment(os.path.join(FIXTURES, "v1_trained.json"))
    assert "gradients" not in loaded.state
    trainer = files.resume_trainer(loaded)
    trainer.gradients.on = True
    trainer.run(2)
    assert list(trainer.gradients.log.rows()["epoch"]) == [4, 5]


@pytest.mark.parametrize(("change", "where"), [
    ({"layers": ["dense1"]}, "state.gradients.layers"),
    ({"columns": 5000}, "state.gradients.columns"),
    ({"stride": 3}, "state.gradients.stride"),
    ({"log_mean": "not base64!"}, "state.gradients.log_mean"),
    ({"count": "eJwDAAAAAAE="}, "state.gradients.count"),
])
def test_a_broken_gradient_history_is_refused_naming_the_field(change, where):
    exp, trainer = trained()
    doc = json.loads(files.dumps(exp, trainer))
    doc["state"]["gradients"].update(change)
    with pytest.raises(SpecError, match=where.replace(".", r"\.")):
        files.resume_trainer(files.loads(json.dumps(doc)))
