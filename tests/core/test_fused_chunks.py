"""Many epochs per fused kernel call (issue: speed without cliffs): `Trainer.train` runs
whole epochs in one call when nothing needs Python between them, and ends exactly where
training epoch by epoch ends: the same weights, optimizer state, history, next order, status
and message, bit for bit."""

import numpy as np
import pytest
import torch

from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.core.trainer import DIVERGED, FINISHED, Trainer


def experiment(optimizer="sgd", schedule="constant", epochs=0, shuffle=True, lr=0.03,
               hidden=(4, 2), activation="tanh") -> Experiment:
    exp = Experiment()
    exp.data.generator = "spiral"
    exp.data.n_points = 200
    exp.network = mlp(list(hidden), activation)
    exp.training.optimizer = optimizer
    exp.training.schedule = schedule
    exp.training.epochs = epochs
    exp.training.shuffle = shuffle
    exp.training.learning_rate = lr
    return exp


def state(t: Trainer) -> dict:
    h = t.history
    return {"epoch": t.epoch, "status": t.status, "message": t.message,
            "params": [p.detach().clone() for p in t.params],
            "opt": [{k: v.clone() for k, v in s.items()} for s in t.optimizer.state],
            "t": t.optimizer.t, "order": t.order.clone(),
            "metrics": {k: v for k, v in t.last_metrics.items()},
            "history": {c: h.column(c) for c in ("epoch", "train_loss", "test_loss",
                                                 "train_accuracy", "test_accuracy",
                                                 "learning_rate", "val_loss")}}


def assert_same(a: dict, b: dict) -> None:
    for key in ("epoch", "status", "message", "t"):
        assert a[key] == b[key], key
    for x, y in zip(a["params"], b["params"], strict=True):
        assert torch.equal(x, y)
    for x, y in zip(a["opt"], b["opt"], strict=True):
        assert x.keys() == y.keys() and all(torch.equal(x[k], y[k]) for k in x)
    assert torch.equal(a["order"], b["order"])
    assert a["metrics"].keys() == b["metrics"].keys()
    for k in a["metrics"]:
        assert np.array_equal(a["metrics"][k], b["metrics"][k], equal_nan=True), k
    for c in a["history"]:
        assert np.array_equal(a["history"][c], b["history"][c], equal_nan=True), c


def stepped(exp: Experiment, epochs: int) -> Trainer:
    t = Trainer(exp)
    for _ in range(epochs):
        if t.done:
            break
        t.step_epoch()
    return t


@pytest.mark.parametrize("kind", ["sgd", "adam + step schedule", "no shuffle",
                                  "epoch limit inside a call", "relu + momentum"])
def test_many_epochs_per_call_end_where_epoch_by_epoch_ends(kind):
    exp = {"sgd": experiment(),
           "adam + step schedule": experiment("adam", "step", lr=0.01),
           "no shuffle": experiment(shuffle=False),
           "epoch limit inside a call": experiment(epochs=37),
           "relu + momentum": experiment("momentum", hidden=(8, 8, 8), activation="relu")}[kind]
    chunked = Trainer(exp)
    assert chunked.path == "fast"
    done = chunked.train(60)
    assert chunked._chunk_size(10, None) > 1 or chunked.done  # it did run several to a call
    reference = stepped(exp, 60)
    assert done == reference.epoch
    assert_same(state(chunked), state(reference))
    if kind == "epoch limit inside a call":
        assert chunked.status == FINISHED and chunked.epoch == 37
    # and it goes on from there as the other does
    chunked.train(5)
    for _ in range(5):
        if not reference.done:
            reference.step_epoch()
    assert_same(state(chunked), state(reference))


def test_a_run_that_diverges_inside_a_call_stops_where_epoch_by_epoch_stops():
    # an L2 step that overshoots (lr x rate = 2.1): the weights grow 5% a step until they
    # overflow, about 90 epochs in
    exp = experiment(hidden=(8, 8))
    exp.training.regularization, exp.training.regularization_rate = "l2", 70.0
    reference = stepped(exp, 200)
    assert reference.status == DIVERGED and 20 < reference.epoch < 200  # mid-run
    chunked = Trainer(exp)
    chunked.train(200)
    assert_same(state(chunked), state(reference))
    assert all(np.isfinite(p.detach().numpy()).all() for p in chunked.params)


def test_time_bounded_training_stops_between_calls_and_measures_epochs():
    t = Trainer(experiment())
    n = t.train(10**9, seconds=0.05)
    assert 1 <= n == t.epoch == len(t.history)
    assert t._epoch_seconds > 0


def test_a_time_slice_shorter_than_two_epochs_still_trains_in_the_kernel(monkeypatch):
    """The window's worker trains in slices of 4 ms; on 2,500 points that is a few epochs,
    and the last one of each slice went through the per-epoch Python path (evaluation,
    history row, state copy one by one): the trainer ran ~5% behind the bare kernel."""
    t = Trainer(experiment())
    t.train(3)
    monkeypatch.setattr(t, "step_epoch", lambda: pytest.fail("an epoch left the kernel's call"))
    t._epoch_seconds = 1.0  # longer than the slice: one epoch fits
    n = t.train(10**9, seconds=0.001)
    assert n >= 1 and t.epoch == 3 + n == len(t.history)


def test_gradient_measurements_and_early_stopping_go_epoch_by_epoch():
    t = Trainer(experiment())
    t.gradients.on = True
    assert t._chunk_size(100, None) == 0
    t.gradients.on = False
    t.experiment.training.early_stopping = True
    assert t._chunk_size(100, None) == 0


def test_a_fresh_compile_makes_one_epoch_function_for_both_kinds_of_call(tmp_path):
    """Single epochs, a few batches and many epochs go through one compiled function. With a
    second entry calling the first, numba compiled the epoch twice (once more for literal
    arguments) and the background compile warmed only one: the other compiled in the
    training thread on the first fast run, holding the GIL for seconds. In a fresh process
    with empty caches, as on a new machine."""
    import os
    import subprocess
    import sys

    script = (
        "from playground.core.trainer import Trainer\n"
        "from playground.core.spec import Experiment\n"
        "from playground.core.graph import mlp\n"
        "e = Experiment(); e.data.generator = 'spiral'; e.network = mlp([4, 2], 'tanh')\n"
        "t = Trainer(e); t.train(5); t.step_epoch(); t.step_batch()\n"
        "print(len(t.fast.module.run_epochs.signatures), t.path)\n")
    env = {**os.environ, "PLAYGROUND_KERNEL_DIR": str(tmp_path / "kernels"),
           "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["1", "fast"]


@pytest.mark.parametrize("per_ms", [0.3, 0.42, 0.9, 1.5, 2.5, 6.0])
def test_a_time_slice_is_one_kernel_call_of_about_the_slice(monkeypatch, per_ms):
    """At full speed the window's worker asks for 4 ms of training at a time. Each call into
    the kernel carries ~150 µs of bookkeeping (history rows, the kept state, the next order),
    so a slice that ended in a second call for the fraction of an epoch left over (1 epoch
    of 2,500 points after 9) ran 5-10% behind a bare kernel loop. A slice is one call, and
    still within half an epoch of the 4 ms asked (clicks wait for no more)."""
    from playground.core import trainer as module

    clock = [0.0]
    now = staticmethod(lambda: clock[0])
    fake = type("Clock", (), {"perf_counter": now, "thread_time": now})
    monkeypatch.setattr(module, "time", fake)
    t = Trainer(experiment())
    t.train(2)
    calls = []
    real = t.fast.run_epochs

    def timed(orders, seeds, rates, out):
        calls.append(len(rates))
        clock[0] += per_ms / 1000 * len(rates)  # each epoch takes per_ms on the clock
        return real(orders, seeds, rates, out)

    monkeypatch.setattr(t.fast, "run_epochs", timed)
    t.train(10**9, seconds=0.004)  # (the first slice measures an epoch)
    for _ in range(5):
        calls.clear()
        began = clock[0]
        t.train(10**9, seconds=0.004)
        took = (clock[0] - began) * 1000
        assert len(calls) == 1, f"{calls} epochs in each call"
        assert abs(took - 4) <= per_ms / 2 or calls == [1], f"{took:.2f} ms for a 4 ms slice"
