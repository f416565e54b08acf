"""Capacity sweeps: the U-shaped validation curve, reproducibility across processes, the
settings each value changes, validation only for choosing, files and cancelling."""

import json
import math
import multiprocessing
import time

import numpy as np
import pytest

from playground.core import sweep as S
from playground.core import sweep_runner as R
from playground.core.errors import SpecError
from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.core.trainer import Trainer


def noisy_circle(values=(1, 2, 4, 16, 64), seeds=2, epochs=250) -> Experiment:
    exp = Experiment()
    exp.data.generator, exp.data.noise = "circle", 0.3
    exp.data.train_fraction, exp.data.validation_fraction = 0.2, 0.3
    exp.network = mlp([4, 4], "tanh")
    exp.training.optimizer, exp.training.learning_rate = "adam", 0.01
    exp.sweep = S.SweepSpec("hidden_width", list(values), seeds, epochs, "loss")
    return exp


def test_a_width_sweep_on_noisy_data_bottoms_out_before_the_widest_and_is_reproducible():
    exp = noisy_circle()
    here = R.run_sweep(exp)  # one after another in this process
    swept = R.with_results(exp, here).sweep
    val = [p["val"].mean for p in S.summary(swept)]
    train = [p["train"].mean for p in S.summary(swept)]
    best = S.best_index(swept)
    assert 0 < best < len(exp.sweep.values) - 1, val  # under- and overfitting on either side
    assert val[-1] > val[best] and train[-1] < train[best]  # the widest fits training better
    # Runs in two worker processes give the very same numbers and maps.
    exp.sweep.values = [16]
    assert R.run_sweep(exp, processes=2) == [r for r in here if r["value"] == 16]


def test_the_choice_is_made_on_validation_never_on_test():
    swept = R.with_results(noisy_circle(), R.run_sweep(noisy_circle(values=(2, 8), seeds=1,
                                                                        epochs=60))).sweep
    swept.values = [2, 8]
    best = S.best_index(swept)
    for row in swept.results:  # make the test split say the opposite
        row["test_loss"] = 10.0 if row["value"] == swept.values[best] else 0.0
    assert S.best_index(swept) == best


def test_a_sweep_needs_a_validation_split_and_says_where_to_set_it():
    exp = noisy_circle()
    exp.data.validation_fraction = 0.0
    with pytest.raises(SpecError) as err:
        R.check_sweep(exp)
    assert err.value.path == "data.validation_fraction"


def test_each_setting_changes_what_it_names():
    exp = noisy_circle()
    wide, _ = S.apply_setting(exp, "hidden_width", 7)
    assert [wide.network.nodes[n].param("units") for n in wide.network.of_type("dense")] == [7, 7]
    deep, _ = S.apply_setting(exp, "depth", 3)
    assert deep.network.dense_chain() == ["dense1", "dense2", "dense3"]
    shallow, _ = S.apply_setting(exp, "depth", 0)
    assert shallow.network.dense_chain() == []
    l2, _ = S.apply_setting(exp, "l2_rate", 0.03)
    assert (l2.training.regularization, l2.training.regularization_rate) == ("l2", 0.03)
    drop, _ = S.apply_setting(exp, "keep_prob", 0.7)
    assert [drop.network.nodes[n].param("keep_prob") for n in drop.network.of_type("dropout")] \
        == [0.7, 0.7]
    again, _ = S.apply_setting(drop, "keep_prob", 0.9)  # dropout blocks there: only set
    assert len(again.network.of_type("dropout")) == 2
    feats, _ = S.apply_setting(exp, "features", "x1+x2+x1_sq")
    assert feats.features == ["x1", "x2", "x1_sq"]
    same, limit = S.apply_setting(exp, "train_points", 30)
    t = Trainer(same, train_limit=limit)
    assert t.n_train == 30 and len(t.dataset.val_idx) == 150 and len(t.dataset.test_idx) == 250
    with pytest.raises(SpecError) as err:
        S.apply_setting(exp, "features", "x1+x9")
    assert "x9" in str(err.value)


def test_a_learning_curve_falls_as_the_training_set_grows():
    exp = noisy_circle()
    exp.data.noise = 0.0
    exp.network = mlp([8, 8], "tanh")
    exp.sweep = S.SweepSpec("train_points", [8, 100], 1, 150, "error")
    swept = R.with_results(exp, R.run_sweep(exp)).sweep
    val = [p["val"].mean for p in S.summary(swept)]
    assert val[1] < val[0] - 0.1


def test_results_travel_in_the_file_and_a_tampered_row_is_refused_by_name():
    exp = noisy_circle(values=(2, 4), seeds=1, epochs=5)
    exp = R.with_results(exp, R.run_sweep(exp))
    again = Experiment.loads(exp.dumps())
    assert again.sweep.results == exp.sweep.results and again.sweep.basis == R.basis(exp)
    assert S.decode_boundary(again.sweep.results[0]["boundary"]).shape == (S.BOUNDARY,) * 2
    for change, where in (({"boundary": "AAAA"}, "boundary"), ({"seed": -1}, "seed"),
                          ({"value": 3}, "value"), ({"extra": 1}, "results[0]"),
                          ({"val_loss": "x"}, "val_loss")):
        doc = json.loads(exp.dumps())
        doc["sweep"]["results"][0].update(change)
        with pytest.raises(SpecError) as err:
            Experiment.from_json(doc)
        assert "sweep.results[0]" in str(err.value) and where in str(err.value)
    doc = json.loads(exp.dumps())
    doc["sweep"]["results"] = doc["sweep"]["results"] * 101
    with pytest.raises(SpecError) as err:
        Experiment.from_json(doc)
    assert "at most 200 runs" in str(err.value)
    doc = json.loads(exp.dumps())
    doc["sweep"]["values"] = [2, 4, 9999]
    with pytest.raises(SpecError) as err:
        Experiment.from_json(doc)
    assert "sweep.values[2]" in str(err.value)


def test_results_of_another_setup_are_told_apart():
    exp = noisy_circle()
    other = exp.with_changes({"data.noise": 0.1})
    assert R.basis(exp) != R.basis(other)
    assert R.basis(exp) == R.basis(exp.with_changes({"view.threshold": 0.3, "title": "x"}))


def test_cancelling_stops_the_workers_at_once():
    exp = noisy_circle(values=(64,), seeds=4, epochs=100_000)
    run = R.SweepRun(exp, processes=2)
    run.start()
    time.sleep(0.5)
    started = time.perf_counter()
    run.cancel()
    assert time.perf_counter() - started < 5.0
    assert run.done and run.finished == 0 and not multiprocessing.active_children()
    assert math.isnan(S.outcome(R.with_results(exp, run.results()).sweep)["sweep_best_value"])


def test_boundaries_show_what_each_run_learned():
    exp = noisy_circle(values=(1, 16), seeds=1, epochs=200)
    exp.data.noise = 0.0
    rows = R.run_sweep(exp)
    maps = [S.decode_boundary(r["boundary"]).astype(float) for r in rows]
    middle = slice(S.BOUNDARY // 2 - 3, S.BOUNDARY // 2 + 3)
    # the wider net closes the circle: its centre is blue (+1), its corners orange
    assert maps[1][middle, middle].mean() > 160 and maps[1][0, 0] < 100
    assert np.abs(maps[0] - maps[1]).mean() > 10


def test_a_worker_that_dies_is_reported_and_the_sweep_ends():
    exp = noisy_circle(values=(64,), seeds=2, epochs=100_000)
    run = R.SweepRun(exp, processes=2)
    run.start()
    for w in run.workers._procs:  # the sweep's own worker processes, killed as by a crash
        w.kill()
    deadline = time.perf_counter() + 10
    while not run.done and time.perf_counter() < deadline:
        run.poll()
        time.sleep(0.05)
    assert run.done and run.results() == []
    assert "worker processes stopped" in run.errors[-1]
    assert not multiprocessing.active_children()
