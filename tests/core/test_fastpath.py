"""The fused fast path equals the general autograd path, and steps aside when it must."""

import math

import numpy as np
import pytest
import torch

from playground.core.catalog import HIDDEN_ACTIVATIONS, LOSSES, WEIGHT_PENALTIES
from playground.core.graph import mlp, residual_mlp
from playground.core.optim import OPTIMIZERS
from playground.core.spec import Experiment
from playground.core.trainer import Trainer

# float32 sums in another order: after 50 steps weights agree to ~1e-6; allow 1e-4 relative.
RTOL, ATOL = 1e-4, 2e-5
STEPS = 50


def pair(exp: Experiment) -> tuple[Trainer, Trainer]:
    general = exp.copy()
    general.training.fast_path = False
    fast, slow = Trainer(exp), Trainer(general)
    assert fast.path == "fast", fast.path_reason
    assert slow.path == "general"
    return fast, slow


def assert_same_training(exp: Experiment, steps: int = STEPS) -> None:
    fast, slow = pair(exp)
    for _ in range(steps):
        fast.step_batch()
        slow.step_batch()
    np.testing.assert_allclose(fast.history.train_loss, slow.history.train_loss, rtol=RTOL)
    for (name, a), (_, b) in zip(fast.model.named_parameters(), slow.model.named_parameters(),
                                 strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=name)
    f, s = fast.evaluate(), slow.evaluate()
    for key in f:
        np.testing.assert_allclose(f[key], s[key], rtol=RTOL, atol=ATOL, err_msg=key)


def base(generator="spiral", hidden=(5, 3), activation="tanh", **training) -> Experiment:
    exp = Experiment()
    exp.data.generator = generator
    exp.network = mlp(list(hidden), activation)
    exp.training.batch_size = 7  # a ragged last batch too
    for key, value in training.items():
        setattr(exp.training, key, value)
    return exp


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_every_activation(activation):
    exp = base(activation=activation, optimizer="adam", learning_rate=0.01)
    if activation == "maxout":
        exp.network.set_params("dense1", k=3)
    assert_same_training(exp)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_every_loss(loss):
    problem = sorted(LOSSES[loss].info["problems"])[0]
    generator = {"binary": "gauss", "multiclass": "blobs", "regression": "multi_gauss"}[problem]
    exp = base(generator, optimizer="momentum", learning_rate=0.01)
    exp.data.n_classes = 4
    out = "softmax" if problem == "multiclass" and LOSSES[loss].info["link"] == "activation" else (
        "linear" if problem == "regression" else "tanh")
    exp.network.set_params("output", loss=loss, activation=out)
    assert_same_training(exp)


@pytest.mark.parametrize("output", ["sigmoid", "linear", "elu", "softplus"])
def test_output_activations_under_squared_error(output):
    exp = base("xor", learning_rate=0.05)
    exp.network.set_params("output", activation=output)
    assert_same_training(exp)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer(optimizer):
    assert_same_training(base(optimizer=optimizer, learning_rate=0.01))


@pytest.mark.parametrize("penalty", [p for p in WEIGHT_PENALTIES if p != "none"])
def test_every_weight_penalty(penalty):
    assert_same_training(base(regularization=penalty, regularization_rate=0.03))


def test_clipping_max_norm_schedule_label_smoothing_and_no_bias():
    exp = base("blobs", optimizer="adamw", learning_rate=0.05, gradient_clip=0.5, max_norm=1.0,
               schedule="exponential", label_smoothing=0.1, shuffle=False)
    exp.data.n_classes = 3
    exp.network.set_params("output", activation="softmax", loss="softmax_ce")
    exp.network.set_params("dense2", bias=False)
    exp.features = ["x1", "x2", "x1_sq", "sin_x2"]
    assert_same_training(exp, steps=80)


def test_digits_with_a_wider_net():
    exp = base("digits", hidden=(16,), activation="relu", optimizer="adam", learning_rate=0.01)
    exp.training.batch_size = 32
    exp.network.set_params("output", activation="softmax", loss="softmax_ce")
    assert_same_training(exp, steps=20)


@pytest.mark.parametrize("change,reason", [
    ("residual", "blocks beyond Input -> Dense -> Output"),
    ("dropout", "blocks beyond Input -> Dense -> Output"),
    ("input_noise", "input noise"),
])
def test_unsupported_graphs_fall_back_and_say_why(change, reason):
    exp = base(optimizer="adam", learning_rate=0.01)
    if change == "residual":
        exp.network = residual_mlp(6, 1)
    elif change == "dropout":
        g = exp.network
        drop = g.add_node("dropout", {"keep_prob": 0.8})
        g.disconnect("dense1", "dense2")
        g.connect("dense1", drop)
        g.connect(drop, "dense2")
    else:
        exp.training.input_noise = 0.3
    t = Trainer(exp)
    assert t.path == "general" and reason in t.path_reason
    before = t.last_metrics["train_loss"]
    t.run(3)
    assert t.last_metrics["train_loss"] < before
    assert t.snapshot(10).path == "general"


def test_switching_to_the_fast_path_mid_run_continues_the_same_run():
    exp = base(optimizer="adam", learning_rate=0.01)
    reference = Trainer(exp)
    general = exp.copy()
    general.training.fast_path = False
    switched = Trainer(general)
    for t in (reference, switched):
        t.run(2)
    assert switched.enable_fast_path() and switched.path == "fast"
    for t in (reference, switched):
        t.run(3)
    np.testing.assert_allclose(reference.history.train_loss, switched.history.train_loss,
                               rtol=RTOL)


def test_the_model_views_the_fast_buffer():
    t = Trainer(base())
    t.run(1)
    w = t.model.blocks["dense1"].linear.weight
    before = w.detach().clone()
    t.run(1)
    assert not torch.equal(before, w.detach())  # torch sees the kernel's updates, no copying


@pytest.mark.parametrize("generator,loss,activation", [
    ("spiral", "mse", "tanh"),  # the vectorized head
    ("blobs", "softmax_ce", "softmax"),  # example by example
    ("multi_gauss", "huber", "linear"),  # regression: no accuracy
    ("xor", "bce", "sigmoid"),
])
def test_each_epoch_reports_the_same_history_on_both_paths(generator, loss, activation):
    """step_epoch evaluates both splits inside the fused call; the history must not change."""
    exp = base(generator, optimizer="adam", learning_rate=0.01)
    exp.data.n_classes = 3
    exp.network.set_params("output", loss=loss, activation=activation)
    fast, slow = pair(exp)
    fast.run(6)
    slow.run(6)
    for key in ("train_loss", "test_loss"):
        np.testing.assert_allclose(getattr(fast.history, key), getattr(slow.history, key),
                                   rtol=RTOL, err_msg=key)
    # float32 sums in another order can move a point lying on the boundary: one point at most
    for key, n in (("train_accuracy", fast.n_train), ("test_accuracy", len(fast.dataset.test_idx))):
        np.testing.assert_allclose(getattr(fast.history, key), getattr(slow.history, key),
                                   atol=1.0 / n + 1e-9, err_msg=key)
    assert fast.history.learning_rate == slow.history.learning_rate


def test_the_kernels_tanh_matches_torch_and_keeps_nan():
    from playground.core.fastpath import _tanh32

    x = np.linspace(-12, 12, 200_001, dtype=np.float32)
    got = np.array([_tanh32(v) for v in x[::97]], dtype=np.float32)
    want = torch.tanh(torch.from_numpy(x[::97])).numpy()
    assert np.abs(got - want).max() < 3e-7
    assert np.abs(got).max() <= 1.0
    assert math.isnan(_tanh32(np.float32("nan")))
    assert abs(_tanh32(np.float32("inf")) - 1.0) < 3e-7
    assert abs(_tanh32(np.float32("-inf")) + 1.0) < 3e-7


def test_big_networks_go_to_the_matrix_libraries_and_small_ones_stay_fused():
    exp = base("digits", hidden=(256, 256, 256, 256), activation="relu")
    exp.training.batch_size = 256
    exp.network.set_params("output", activation="softmax", loss="softmax_ce")
    big = Trainer(exp)
    assert big.path == "general" and "matrix libraries" in big.path_reason
    exp.network = mlp([64, 64], "relu")
    exp.network.set_params("output", activation="softmax", loss="softmax_ce")
    exp.training.batch_size = 32
    assert Trainer(exp).path == "fast"


def test_every_trainer_reuses_the_one_compiled_kernel():
    """A call with other array types would compile a second specialization: a half-minute stall
    in the middle of a class. The warm-up's types are the ones real calls use."""
    from playground.core import fastpath

    fastpath.warm_up()
    for exp in (base(), base("digits", hidden=(16,), activation="relu"),
                base("multi_gauss", shuffle=False), base("blobs", hidden=(4,), activation="maxout")):
        if exp.data.generator == "blobs":
            exp.network.set_params("output", activation="softmax", loss="softmax_ce")
        t = Trainer(exp)
        assert t.path == "fast", t.path_reason
        t.run(1)
        t.step_batch()
    assert len(fastpath.run_epoch.signatures) == 1


@pytest.mark.parametrize("hidden,batch", [((), 10), ((3,), 1), ((4, 2), 600)])
def test_no_hidden_layer_single_examples_and_a_batch_larger_than_the_data(hidden, batch):
    exp = base(hidden=hidden)
    exp.training.batch_size = batch
    assert_same_training(exp, steps=30)


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_elementwise_losses_through_a_softmax_output(loss):
    """The one elementwise head that goes example by example (the softmax Jacobian)."""
    exp = base("blobs", optimizer="momentum", learning_rate=0.05)
    exp.data.n_classes = 3
    exp.network.set_params("output", activation="softmax", loss=loss)
    assert_same_training(exp)
