"""History at any length: what a frame carries stays the same size and cost, files stay small
and reopen, and the width/size sweep's path and thread choice (issue: speed without cliffs)."""

import math
import time

import numpy as np
import pytest
import torch

from playground.core import files
from playground.core.graph import mlp
from playground.core.history import BLOCK, COLUMNS, VIEW_BUCKETS, History
from playground.core.spec import Experiment
from playground.core.trainer import FUSED_CROSSOVER, Trainer, path_for, threads_for


def long_history(n: int, seed: int = 0) -> History:
    rng = np.random.default_rng(seed)
    epochs = np.arange(1, n + 1)
    loss = 0.5 / np.sqrt(epochs) + 0.01 * rng.random(n)
    return History.from_columns({
        "epoch": epochs, "train_loss": loss, "test_loss": loss * 1.1,
        "train_accuracy": np.round(1 - loss, 3), "test_accuracy": np.round(1 - loss * 1.1, 3),
        "learning_rate": np.full(n, 0.03), "wall_time": epochs * 2e-4})


def spiral(hidden, n_train=250, **training):
    exp = Experiment()
    exp.data.generator = "spiral"
    exp.data.n_points = 2 * n_train
    exp.network = mlp(list(hidden), "tanh")
    for key, value in training.items():
        setattr(exp.training, key, value)
    return exp


def test_the_plotted_view_is_every_epoch_while_short_then_min_max_per_bucket():
    h = long_history(VIEW_BUCKETS)
    view = h.view()
    np.testing.assert_array_equal(view["epoch"], np.arange(1, VIEW_BUCKETS + 1))
    np.testing.assert_allclose(view["train_loss"], h.column("train_loss"))
    for i in range(1, 1001):  # keeps up with rows appended between frames
        h.append(epoch=VIEW_BUCKETS + i, train_loss=0.0 if i == 500 else 0.2, test_loss=0.2,
                 train_accuracy=math.nan, test_accuracy=0.9, learning_rate=0.03, wall_time=1.0)
        if i % 97 == 0:
            h.view()
    view = h.view()
    loss = h.column("train_loss").astype(np.float64)
    stride = 2
    lows = [loss[j:j + stride].min() for j in range(0, len(loss), stride)]
    highs = [loss[j:j + stride].max() for j in range(0, len(loss), stride)]
    assert len(view["epoch"]) == 2 * len(lows) <= 2 * VIEW_BUCKETS
    np.testing.assert_allclose(view["train_loss"][0::2], lows)
    np.testing.assert_allclose(view["train_loss"][1::2], highs)
    assert view["train_loss"].min() == 0.0  # one epoch's dip still shows
    assert view["epoch"][-1] == VIEW_BUCKETS + 1000
    # NaN accuracy (only in the appended rows) is skipped where a bucket has numbers
    assert np.isfinite(view["train_accuracy"][: 2 * (VIEW_BUCKETS // 2)]).all()


def test_a_million_epochs_give_the_same_size_of_view_as_a_few_thousand():
    big = long_history(1_000_000)
    view = big.view()
    assert len(view["epoch"]) <= 2 * VIEW_BUCKETS
    assert view["epoch"][0] == 1 and view["epoch"][-1] == 1_000_000
    assert view["train_loss"].max() == pytest.approx(big.column("train_loss").max())
    assert view["train_loss"].min() == pytest.approx(big.column("train_loss").min())


def frame_cost(trainer, history: History, repeats: int = 15) -> float:
    """The quickest of a few snapshot-plus-payload costs, with an epoch appended before each
    (as training does between frames). The quickest is robust to a busy machine."""
    trainer.history = history
    trainer.snapshot(30)  # the first view folds everything in once
    best = math.inf
    for _ in range(repeats):
        n = len(history)
        history.append(epoch=n + 1, train_loss=0.1, test_loss=0.1, train_accuracy=0.9,
                       test_accuracy=0.9, learning_rate=0.03, wall_time=1.0)
        start = time.perf_counter()
        snap = trainer.snapshot(30)
        best = min(best, time.perf_counter() - start)
    assert sum(a.nbytes for a in snap.history.values()) <= 8 * 2 * VIEW_BUCKETS * len(COLUMNS)
    return best


def test_snapshot_and_frame_payload_cost_the_same_at_1k_and_1m_epochs():
    trainer = Trainer(spiral([8] * 6))
    short, long = long_history(1_000), long_history(1_000_000)
    frame_cost(trainer, long_history(5_000))  # warm every code path
    small, big = frame_cost(trainer, short), frame_cost(trainer, long)
    assert big < 2 * small, f"1k epochs: {small * 1e3:.2f} ms, 1M epochs: {big * 1e3:.2f} ms"


def test_a_million_epoch_history_saves_under_40_mb_and_reopens(tmp_path):
    exp = spiral([4, 2])
    trainer = Trainer(exp)
    trainer.run(2)
    history = long_history(1_000_000)
    trainer.history = history
    path = tmp_path / "long.json"
    files.save_experiment(str(path), exp, trainer)
    assert path.stat().st_size < 40 * 2**20
    resumed = files.resume_trainer(files.load_experiment(str(path)))
    assert len(resumed.history) == 1_000_000
    for column in COLUMNS:
        np.testing.assert_array_equal(resumed.history.column(column), history.column(column))


def test_a_regression_run_with_nan_accuracy_saves_and_reopens(tmp_path):
    exp = Experiment()
    exp.data.generator = "plane"
    # (tanh: the kernel other regression tests use; its own would cost a compile)
    exp.network = mlp([4], "tanh", output_activation="linear")
    trainer = Trainer(exp)
    assert trainer.path == "fast", trainer.path_reason  # the kernel's history, NaN column too
    trainer.run(3)
    assert math.isnan(trainer.history.column("test_accuracy")[-1])
    path = tmp_path / "plane.json"
    files.save_experiment(str(path), exp, trainer)
    resumed = files.resume_trainer(files.load_experiment(str(path)))
    assert np.isnan(resumed.history.column("test_accuracy")).all()
    assert resumed.history.train_loss == trainer.history.train_loss


def test_a_corrupt_history_in_a_file_names_the_column():
    good = long_history(10).to_record()
    bad = dict(good, columns=dict(good["columns"]))
    bad["columns"]["test_loss"] = dict(bad["columns"]["test_loss"], zlib="eJwDAAAAAAE=")
    with pytest.raises(files.SpecError, match="state.history.columns.test_loss"):
        History.from_record(bad, "state.history")
    with pytest.raises(files.SpecError, match="state.history.rows"):
        History.from_record(dict(good, rows=-1), "state.history")


# Widths x training-set sizes of the issue, 2 hidden tanh layers, batch 10 (trainer.py holds
# the measured crossovers): the fused kernel up to 2 x 128 units, one-thread autograd from
# 2 x 256; one thread for everything, the evaluation of 2 x 512 units over 50,000 points too.
CHOICES = {8: "fast", 16: "fast", 32: "fast", 64: "fast", 128: "fast", 256: "general",
           512: "general"}


@pytest.mark.parametrize("n_train", [250, 2_500, 25_000])
@pytest.mark.parametrize("width", sorted(CHOICES))
def test_path_and_threads_for_each_width_and_data_size(width, n_train):
    n_params = width * width + 4 * width + 1  # 2 inputs -> width -> width -> 1 output
    assert path_for(10, n_params) == CHOICES[width]
    assert threads_for(10, n_params) == 1
    assert threads_for(2 * n_train, n_params) == 1  # evaluation of both splits
    assert threads_for(100 * 100, n_params) == 1  # the view's grid


def test_small_batches_keep_the_kernel_longer():
    assert path_for(1, 2 * FUSED_CROSSOVER) == "fast"
    assert path_for(10, 2 * FUSED_CROSSOVER) == "general"
    assert path_for(256, FUSED_CROSSOVER - 1) == "fast"


def test_the_trainer_follows_the_chooser_and_says_why():
    big = Trainer(spiral([256, 256]))
    assert big.path == "general" and "matrix libraries on one thread" in big.path_reason
    assert big.threads == {"train": 1, "evaluate": 1}
    assert Trainer(spiral([128, 128])).path == "fast"


def test_per_epoch_bookkeeping_runs_on_one_thread_whatever_ran_before(monkeypatch):
    """Width 32 ran 5x slower when the remembered weights were gathered by a torch op on two
    threads (left at two by the view's snapshot)."""
    from playground.core.fastpath import FastPath

    seen = []
    original = FastPath.copy_state

    def watched(self):
        seen.append(torch.get_num_threads())
        return original(self)

    trainer = Trainer(spiral([32, 32]))
    assert trainer.path == "fast"
    monkeypatch.setattr(FastPath, "copy_state", watched)
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        trainer.run(3)
    finally:
        torch.set_num_threads(previous)
    assert seen and set(seen) == {1}  # (three epochs in one fused call copy once, up front)
    trainer.gradients.on = True  # epoch by epoch: once an epoch
    seen.clear()
    try:
        torch.set_num_threads(2)
        trainer.run(3)
    finally:
        torch.set_num_threads(previous)
    assert seen == [1, 1, 1]
    saved = trainer.fast.copy_state()
    assert isinstance(saved[0], np.ndarray)  # NumPy rows, no torch op to dispatch


def test_columns_never_measured_cost_no_memory_and_read_as_nan():
    """A long run at full speed grew the window's memory ~11 MB a minute, half of it for 8
    columns (validation, AUC, R²) that were NaN throughout. They are kept only once a value
    arrives, and read back as NaN where none did."""
    h = History()
    base = dict(learning_rate=0.03, wall_time=0.0, train_loss=0.5, test_loss=0.6,
                train_accuracy=0.8, test_accuracy=0.7)
    for epoch in range(1, BLOCK + 1):  # (two whole preallocated blocks: no slack counted)
        h.append(epoch=epoch, **base, val_loss=math.nan)
    h.extend(epoch=np.arange(BLOCK + 1, 2 * BLOCK + 1),
             **{k: np.full(BLOCK, v) for k, v in base.items()}, val_loss=np.full(BLOCK, np.nan))
    assert h.nbytes / len(h) < 40, f"{h.nbytes / len(h):.0f} bytes an epoch"
    assert np.isnan(h.column("val_loss")).all() and len(h.column("test_r2")) == len(h)
    # a value measured late is kept, with NaN before it, through a file's columns too
    h.set_last(val_loss=0.25)
    h.extend(epoch=np.array([2 * BLOCK + 1, 2 * BLOCK + 2]), **{k: np.full(2, v) for k, v in base.items()},
             val_loss=np.array([np.nan, 0.5]))
    val = h.column("val_loss")
    assert val[-3] == 0.25 and np.isnan(val[-2]) and val[-1] == 0.5 and np.isnan(val[:-3]).all()
    again = History.from_columns(h.columns())
    assert np.array_equal(again.column("val_loss"), val, equal_nan=True)
    assert np.array_equal(again.column("train_loss"), h.column("train_loss"))


def rows(epochs: np.ndarray) -> dict[str, np.ndarray]:
    """A made-up run's rows for the given epochs: a loss with a one-epoch spike at 77,777."""
    loss = 1.0 / np.sqrt(epochs) + np.where(epochs == 77_777, 5.0, 0.0)
    return {"epoch": epochs, "train_loss": loss, "test_loss": loss * 1.1,
            "train_accuracy": 1 - loss / 10, "test_accuracy": 1 - loss / 9,
            "learning_rate": np.full(len(epochs), 0.03), "wall_time": epochs * 1e-4}


def fill(h: History, n: int, seed: int = 0) -> None:
    """Rows 1..n as training adds them: chunks of the fused path and single epochs."""
    rng = np.random.default_rng(seed)
    epoch = 0
    while epoch < n:
        k = min(n - epoch, int(rng.integers(1, 700)))
        if k < 5:
            for e in range(epoch + 1, epoch + k + 1):
                h.append(**{c: v[0] for c, v in rows(np.array([e])).items()})
        else:
            h.extend(**rows(np.arange(epoch + 1, epoch + k + 1)))
        epoch += k


def test_a_run_past_capacity_keeps_bounded_rows_and_the_view_misses_no_epoch(monkeypatch):
    """Hours at full speed are millions of epochs: the history keeps at most CAPACITY rows
    (every k-th epoch, and the newest), so memory stops growing, while the plotted view is
    exactly the one a history keeping every epoch would draw (a one-epoch spike included)."""
    from playground.core import history as module

    n = 200_000
    full = History()
    fill(full, n)
    assert len(full) == n  # under the real capacity: every epoch
    full_view = full.view()
    monkeypatch.setattr(module, "CAPACITY", 5_000)
    monkeypatch.setattr(module, "BLOCK", 512)  # (block edges crossed often)
    thin = History()
    fill(thin, n)
    assert 2_500 <= len(thin) <= 5_000 and thin.nbytes <= (5_000 + 512) * 36
    epochs = thin.column("epoch")
    step = int(np.diff(epochs[:-1]).min())
    assert step == int(np.diff(epochs[:-1]).max()) >= 64 and (epochs[:-1] % step == 0).all()
    assert epochs[-1] == n  # the newest epoch is always there
    want = rows(epochs)
    for c in want:  # each kept row holds what that epoch added
        np.testing.assert_allclose(thin.column(c), want[c], rtol=1e-6)
    thin_view = thin.view()
    for c in COLUMNS:
        np.testing.assert_array_equal(thin_view[c], full_view[c])
    assert thin_view["train_loss"].max() > 5  # epoch 77,777 was dropped from the rows, not the plot
    assert 77_777 not in epochs


def test_a_thinned_history_takes_late_metrics_saves_and_goes_on_thinning(monkeypatch):
    from playground.core import history as module

    monkeypatch.setattr(module, "CAPACITY", 1_000)
    h = History()
    fill(h, 10_001)
    step = h.to_record()["keep"]
    assert step > 1 and h.column("epoch")[-1] == 10_001 and 10_001 % step
    h.set_last(test_auc=0.75)  # measured at a frame, for the newest epoch
    assert h.column("test_auc")[-1] == 0.75 and np.nanmax(h.view()["test_auc"]) == 0.75
    again = History.from_record(h.to_record(), "history")
    for c in COLUMNS:
        assert np.array_equal(again.column(c), h.column(c), equal_nan=True)
    fill_from = 10_002
    again.extend(**rows(np.arange(fill_from, fill_from + 50)))
    h.extend(**rows(np.arange(fill_from, fill_from + 50)))
    kept = again.column("epoch")
    assert (kept[:-1] % step == 0).all() and kept[-1] == fill_from + 49
    assert np.array_equal(kept, h.column("epoch"))  # as if the file had never been closed
    assert np.isnan(again.column("test_auc")[-1])  # the provisional row was replaced


@pytest.mark.parametrize("keep", [0, 3, -2, True, "2", 2.0])
def test_a_bad_thinning_step_in_a_file_names_the_field(keep):
    from playground.core.errors import SpecError

    record = dict(long_history(10).to_record(), keep=keep)
    with pytest.raises(SpecError) as err:
        History.from_record(record, "state.history")
    assert "state.history.keep" in str(err.value) and "power of two" in str(err.value)


def test_a_fused_run_past_capacity_keeps_the_newest_epoch_for_the_frame(monkeypatch):
    from playground.core import history as module

    monkeypatch.setattr(module, "CAPACITY", 300)
    trainer = Trainer(spiral([4, 2]))
    assert trainer.path == "fast", trainer.path_reason
    trainer.run(2_000)
    epochs = trainer.history.column("epoch")
    assert len(epochs) <= 300 and epochs[-1] == trainer.epoch == 2_000
    assert trainer.history.column("train_loss")[-1] == pytest.approx(
        trainer.last_metrics["train_loss"])
    snap = trainer.snapshot(10)
    assert snap.history["epoch"][-1] == 2_000 and snap.history["epoch"][0] == 1


def test_thinning_moves_rows_in_place_so_memory_never_passes_the_ceiling(monkeypatch):
    """Past its ceiling a run's history thins again and again; each time the rows kept move
    down inside the blocks already there (no second copy of them, even for a moment), and the
    blocks emptied are filled again later instead of freed and allocated anew, so at no point
    of an hours-long run does the history hold more than its ceiling's worth of memory. The
    rows kept are those epochs' rows, a column measured only now and then included."""
    import tracemalloc

    from playground.core import history as module

    capacity, block = 1 << 16, 1 << 12
    monkeypatch.setattr(module, "CAPACITY", capacity)
    monkeypatch.setattr(module, "BLOCK", block)

    def with_validation(epochs: np.ndarray) -> dict[str, np.ndarray]:
        columns = rows(epochs)  # validation measured on every 7th epoch only
        columns["val_loss"] = np.where(epochs % 7 == 0, epochs * 1e-6, np.nan)
        return columns

    h = History()  # (its view's buckets are made here, before memory is traced)
    epoch, n, rng = 0, 10 * capacity, np.random.default_rng(1)
    tracemalloc.start()
    try:
        while epoch < n:
            k = int(rng.integers(1, 700))
            h.extend(**with_validation(np.arange(epoch + 1, epoch + k + 1)))
            epoch += k
            if rng.random() < 0.1:
                h.view()  # as a frame draws it
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    ceiling = (capacity + block) * (36 + 4)  # the base columns' 36 bytes a row, val_loss 4
    assert h.nbytes <= ceiling
    assert peak < 1.2 * ceiling, f"{peak / 1e6:.2f} MB at peak, ceiling {ceiling / 1e6:.2f} MB"
    kept = h.column("epoch")
    assert h.to_record()["keep"] >= 8 and kept[-1] == epoch
    want = with_validation(kept)
    for c in want:
        np.testing.assert_allclose(h.column(c), want[c], rtol=1e-6)
