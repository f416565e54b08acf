"""Train / validation / test: the split, early stopping on validation, the test never chosen
with, per-split history, and files from before the split still opening as they were."""

import math

import numpy as np
import pytest

from playground.core import files
from playground.core.datasets import build_dataset
from playground.core.errors import SpecError
from playground.core.graph import mlp
from playground.core.history import BASE_COLUMNS, History
from playground.core.spec import DataSpec, Experiment
from playground.core.trainer import Trainer


def test_no_validation_keeps_tf_playgrounds_split_exactly():
    plain = build_dataset(DataSpec(generator="spiral", noise=0.2, seed=3))
    assert len(plain.val_idx) == 0 and len(plain.train_idx) == 250
    held = build_dataset(DataSpec(generator="spiral", noise=0.2, seed=3,
                                  validation_fraction=0.2))
    # The same shuffle: the training points are the same, validation comes out of the test.
    np.testing.assert_array_equal(held.x_train, plain.x_train)
    assert (len(held.train_idx), len(held.val_idx), len(held.test_idx)) == (250, 100, 150)
    np.testing.assert_array_equal(np.concatenate([held.x_val, held.x_test]), plain.x_test)


def test_a_split_leaving_no_test_data_is_refused_naming_the_field():
    exp = Experiment()
    with pytest.raises(SpecError) as err:
        exp.with_changes({"data.train_fraction": 0.8, "data.validation_fraction": 0.3})
    assert "data.validation_fraction" in str(err.value) and "lower one" in str(err.value)


def noisy(validation: float, **training) -> Experiment:
    exp = Experiment()
    exp.data.generator, exp.data.noise, exp.data.validation_fraction = "circle", 0.3, validation
    exp.data.train_fraction = 0.3
    exp.network = mlp([12, 12], "tanh")
    exp.training.optimizer, exp.training.learning_rate = "adam", 0.03
    for key, value in training.items():
        setattr(exp.training, key, value)
    return exp


def test_early_stopping_watches_validation_and_keeps_its_best_epoch():
    t = Trainer(noisy(0.3, early_stopping=True, patience=15))
    t.run(400)
    assert t.status == "stopped" and "validation loss" in t.message
    val = t.history.column("val_loss")
    best = int(np.argmin(val)) + 1
    assert t.best[1] == best and t.epoch == best + 15
    # the kept weights are the best epoch's: evaluating them again gives its loss
    assert t.last_metrics["val_loss"] == pytest.approx(float(val[best - 1]), rel=1e-5)
    assert not math.isnan(t.history.column("test_loss")[-1])


def test_without_validation_early_stopping_watches_the_test_loss_as_before():
    t = Trainer(noisy(0.0, early_stopping=True, patience=15))
    t.run(400)
    assert t.status == "stopped" and "test loss" in t.message
    assert np.isnan(t.history.column("val_loss")).all()


def test_the_test_split_is_never_used_for_any_choice():
    """Two data sets that differ only in the test points' labels train, stop and keep the
    very same network."""
    base = noisy(0.3, early_stopping=True, patience=10)
    ds = build_dataset(base.data)
    table = np.c_[ds.x.astype(np.float64), ds.y.astype(np.float64)]
    base.data.generator, base.data.points = "points", table.tolist()
    held_out = {tuple(p) for p in build_dataset(base.data).x_test.tolist()}
    twin = base.copy()
    twin.data.points = [[a, b, 1 - c if (np.float32(a), np.float32(b)) in held_out else c]
                        for a, b, c in twin.data.points]  # every test label flipped
    runs = []
    for exp in (base, twin):
        t = Trainer(exp)
        assert {tuple(p) for p in t.dataset.x_test.tolist()} == held_out
        t.run(300)
        runs.append(t)
    a, b = runs
    assert a.status == b.status == "stopped" and a.epoch == b.epoch and a.best[1] == b.best[1]
    for p, q in zip(a.params, b.params, strict=True):
        assert torch_equal(p, q)
    assert a.last_metrics["test_accuracy"] + b.last_metrics["test_accuracy"] == pytest.approx(1.0)


def torch_equal(p, q) -> bool:
    return bool((p == q).all())


@pytest.mark.parametrize("fast", [True, False])
def test_history_and_metrics_have_loss_and_accuracy_per_split(fast):
    """Every epoch's validation when early stopping watches it; otherwise the fused path
    measures it at each drawn frame, from the pass the views need anyway."""
    t = Trainer(noisy(0.2, fast_path=fast, early_stopping=True))
    t.run(3)
    assert (t.path == "fast") == fast
    for split in ("train", "val", "test"):
        assert len(t.history.column(f"{split}_loss")) == 3
        assert np.isfinite(t.history.column(f"{split}_accuracy")).all()
        assert 0 <= t.last_metrics[f"{split}_accuracy"] <= 1
    lazy = Trainer(noisy(0.2, fast_path=fast))
    lazy.run(2)
    lazy.snapshot(20)
    lazy.run(2)
    every = np.isfinite(lazy.history.column("val_loss"))
    assert list(every) == ([False, True, False, False] if fast else [True] * 4)
    lazy.snapshot(20)
    assert np.isfinite(lazy.history.column("val_loss")[-1])
    assert lazy.last_metrics["val_loss"] == pytest.approx(lazy.evaluate()["val_loss"],
                                                          rel=1e-6)


def test_the_fused_path_and_autograd_agree_on_the_validation_split():
    a, b = (Trainer(noisy(0.2, fast_path=f, early_stopping=True)) for f in (True, False))
    a.run(5)
    b.run(5)
    np.testing.assert_allclose(a.history.column("val_loss"), b.history.column("val_loss"),
                               rtol=1e-4)


def test_a_file_saved_before_the_split_opens_with_its_history(tmp_path):
    t = Trainer(noisy(0.0))
    t.run(4)
    doc = files.document(t.experiment, t)
    record = doc["state"]["history"]
    record["columns"] = {c: v for c, v in record["columns"].items() if c in BASE_COLUMNS}
    del doc["data"]["validation_fraction"], doc["data"]["positive_share"]
    import json

    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    loaded = files.load_experiment(str(path))
    assert loaded.experiment.data.validation_fraction == 0.0
    resumed = files.resume_trainer(loaded)
    np.testing.assert_array_equal(resumed.history.column("train_loss"),
                                  t.history.column("train_loss"))
    assert np.isnan(resumed.history.column("val_loss")).all()
    assert len(resumed.dataset.test_idx) == len(t.dataset.test_idx)


def test_a_history_record_with_an_unknown_column_is_refused():
    record = History().to_record()
    record["columns"]["bogus"] = record["columns"]["epoch"]
    with pytest.raises(SpecError) as err:
        History.from_record(record, "state.history")
    assert "state.history" in str(err.value)


def test_positive_share_draws_the_asked_imbalance_and_keeps_old_data_alone():
    assert build_dataset(DataSpec(generator="gauss", positive_share=0.1)).y.mean() == 0.1
    assert build_dataset(DataSpec(generator="spiral", positive_share=0.95)).y.mean() == 0.95
    a, b = build_dataset(DataSpec(generator="xor")), build_dataset(DataSpec(generator="xor"))
    np.testing.assert_array_equal(a.x, b.x)
    with pytest.raises(SpecError) as err:
        Experiment().with_changes({"data.positive_share": 1.5})
    assert "data.positive_share" in str(err.value)
