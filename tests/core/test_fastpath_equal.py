"""The fused kernel equals autograd anywhere in the catalog, not only at defaults.

Hypothesis draws a whole experiment: a problem type, 0-6 hidden layers of 1-8 units, each
layer's activation with its parameters drawn from the entry's `Param` ranges, the output
activation, every loss, optimizer and weight penalty with theirs, inits, and batch sizes from 1
to beyond the data. Both paths train it for 100 epochs.

Stated tolerance: float32 sums taken in another order differ by an ulp or so per step. Where
training is well conditioned a few hundred steps grow that to ~1e-5 relative, and we allow
2e-3 relative (with an absolute floor of 1e-4 times the largest weight) on every epoch's train
loss and on every weight at the end. Some corners of the parameter ranges amplify an ulp
chaotically (Adam with β₂ near 0 divides by the last |g|; a large learning rate): there the
allowance adds 10 times the gap between autograd and autograd itself started one ulp away.
An L1 penalty makes a weight near 0 chatter across it (sign(w) flips each step), and which side
an ulp puts it on is a coin toss: weights inside that band on both paths (|w| below 5 steps of
the penalty alone: 5ελ/(1 − α) for SGD and momentum, 5ε for the adaptive optimizers) pass.
The two paths must diverge at the same epoch (or neither), unless that ulp moves the epoch too.

CI runs a few examples (profile "ci", the default); `HYPOTHESIS_PROFILE=thorough` runs more.
"""

from __future__ import annotations

import math
import os

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core.catalog import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    INITS,
    LOSSES,
    WEIGHT_PENALTIES,
    Entry,
)
from playground.core.graph import mlp
from playground.core.optim import OPTIMIZERS
from playground.core.spec import Experiment
from playground.core.trainer import Trainer

RTOL, WEIGHT_FLOOR = 2e-3, 1e-4
# (the kernel as plain Python, NUMBA_DISABLE_JIT=1, runs ~1000x slower: fewer epochs there)
EPOCHS = 10 if os.environ.get("NUMBA_DISABLE_JIT") == "1" else 100
GENERATORS = {"binary": ["circle", "xor", "gauss", "spiral"], "multiclass": ["blobs"],
              "regression": ["plane", "multi_gauss"]}

settings.register_profile("ci", max_examples=8, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("nojit", max_examples=6, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")


@st.composite
def entry_params(draw, entry: Entry) -> dict:
    """Values for each of the entry's parameters, anywhere in its declared range."""
    out = {}
    for p in entry.params:
        if p.integer:
            out[p.name] = draw(st.integers(int(p.lo), int(p.hi)))
        else:
            out[p.name] = draw(st.floats(p.lo, p.hi, allow_nan=False))
    return out


@st.composite
def experiments(draw) -> Experiment:
    problem = draw(st.sampled_from(sorted(GENERATORS)))
    exp = Experiment()
    exp.data.generator = draw(st.sampled_from(GENERATORS[problem]))
    exp.data.n_points = draw(st.integers(10, 40))
    if problem == "multiclass":
        exp.data.n_classes = draw(st.integers(3, 4))  # (two blobs are a binary problem)
    hidden = draw(st.lists(st.integers(1, 8), min_size=0, max_size=6))
    init = draw(st.sampled_from(sorted(INITS)))
    exp.network = mlp(hidden, init=init)
    for i in range(1, len(hidden) + 1):
        name = draw(st.sampled_from(HIDDEN_ACTIVATIONS))
        exp.network.set_params(f"dense{i}", activation=name,
                               **draw(entry_params(ACTIVATIONS[name])))
    loss = draw(st.sampled_from([n for n, e in LOSSES.items() if problem in e.info["problems"]]))
    outputs = [n for n in ACTIVATIONS if n != "maxout"
               and (n != "softmax" or problem == "multiclass")]
    out_act = draw(st.sampled_from(outputs))
    exp.network.set_params("output", loss=loss, activation=out_act,
                           **draw(entry_params(LOSSES[loss])),
                           **draw(entry_params(ACTIVATIONS[out_act])))
    spec = exp.training
    spec.optimizer = draw(st.sampled_from(sorted(OPTIMIZERS)))
    spec.optimizer_params = draw(entry_params(OPTIMIZERS[spec.optimizer]))
    spec.learning_rate = draw(st.sampled_from([0.001, 0.003, 0.01, 0.03, 0.1]))
    spec.regularization = draw(st.sampled_from(sorted(WEIGHT_PENALTIES)))
    spec.regularization_params = draw(entry_params(WEIGHT_PENALTIES[spec.regularization]))
    spec.regularization_rate = draw(st.sampled_from([0.0, 0.001, 0.01, 0.1]))
    spec.batch_size = draw(st.integers(1, 30))  # the training split holds 5 to 20 points
    spec.shuffle = draw(st.booleans())
    spec.seed = draw(st.integers(0, 2**16))
    return exp


def train_all(exp: Experiment) -> tuple[Trainer, Trainer, list[Trainer]]:
    """The fused run, the autograd run, and autograd started one ulp away each way (how much
    this run amplifies rounding)."""
    general = exp.copy()
    general.training.fast_path = False
    fast, slow = Trainer(exp), Trainer(general)
    assert fast.path == "fast", fast.path_reason
    nudged = [Trainer(general), Trainer(general)]
    with torch.no_grad():
        for t, towards in zip(nudged, (math.inf, -math.inf), strict=True):
            for p in t.params:
                p.copy_(torch.nextafter(p, torch.full_like(p, towards)))
    for t in (fast, slow, *nudged):
        t.run(EPOCHS)
    return fast, slow, nudged


def _weights(t: Trainer) -> list[np.ndarray]:
    return [p.detach().numpy().copy() for p in t.model.parameters()]


def l1_chatter_band(t: Trainer) -> float:
    """How far from 0 an L1 penalty's sign flips throw a weight (see the module docstring)."""
    spec = t.experiment.training
    share = {"l1": 1.0, "elastic_net": t.penalty_params.get("l1_ratio", 0.0)}.get(
        spec.regularization, 0.0)
    if not share or not spec.regularization_rate:
        return 0.0
    lr = max(t.history.learning_rate or [spec.learning_rate])
    if spec.optimizer in ("sgd", "momentum", "nesterov"):
        alpha = t.optimizer.hyper.get("momentum", 0.0)
        return 5.0 * lr * spec.regularization_rate * share / max(1.0 - alpha, 1e-4)
    return 5.0 * lr


def assert_close(got: np.ndarray, want: np.ndarray, chaos: np.ndarray, floor: float,
                 what: str, band: float = 0.0) -> None:
    allowed = RTOL * np.abs(want) + floor + 10.0 * chaos
    bad = ~(np.abs(got - want) <= allowed) & ~(np.isnan(got) & np.isnan(want))
    bad &= ~((np.abs(got) <= band) & (np.abs(want) <= band))
    assert not bad.any(), f"{what}: {got[bad][:5]} vs {want[bad][:5]} (allowed {allowed[bad][:5]})"


def assert_equal_runs(fast: Trainer, slow: Trainer, nudged: list[Trainer]) -> None:
    ends = {(t.status, t.epoch) for t in (slow, *nudged)}
    assert (fast.status, fast.epoch) in ends, (fast.message, slow.message)
    n = min(len(t.history) for t in (fast, slow, *nudged))
    a, b = (np.array(t.history.train_loss[:n]) for t in (fast, slow))
    chaos = np.max([np.abs(np.array(t.history.train_loss[:n]) - b) for t in nudged], axis=0)
    assert_close(a, b, chaos, RTOL * 1e-3, "train loss")
    scale = max([float(np.abs(q).max()) for q in _weights(slow) if q.size] + [1.0])
    for i, (p, q) in enumerate(zip(_weights(fast), _weights(slow), strict=True)):
        chaos = np.max([np.abs(_weights(t)[i] - q) for t in nudged], axis=0)
        assert_close(p, q, chaos, WEIGHT_FLOOR * scale, "weights", l1_chatter_band(slow))


@settings(settings.get_profile(PROFILE))
@given(experiments())
def test_both_paths_train_any_catalog_combination_alike(exp):
    fast, slow, nudged = train_all(exp)
    assert_equal_runs(fast, slow, nudged)
    assert math.isfinite(fast.last_metrics["train_loss"]) or fast.status == "diverged"
