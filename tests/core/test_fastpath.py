"""The fused fast path equals the general autograd path, and steps aside when it must."""

import math

import numpy as np
import pytest
import torch

from playground.core.catalog import HIDDEN_ACTIVATIONS, LOSSES, WEIGHT_PENALTIES
from playground.core.graph import mlp, residual_mlp
from playground.core.kernel.blocks import compiled
from playground.core.kernel.scalar import tanh32
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


def activation_groups(size: int = 5) -> list[list[str]]:
    """Every hidden activation, five to a network (one layer each)."""
    names = list(HIDDEN_ACTIVATIONS)
    return [names[i:i + size] for i in range(0, len(names), size)]


@pytest.mark.parametrize("group", activation_groups(), ids="-".join)
def test_every_activation(group):
    """Each hidden activation as one layer of a network of several: one kernel with a branch
    for each (a kernel compiles in seconds, once per combination, so the catalog is covered
    in a few kernels rather than one per entry)."""
    exp = base(hidden=(5,) * len(group), optimizer="adam", learning_rate=0.01)
    for i, name in enumerate(group, start=1):
        exp.network.set_params(f"dense{i}", activation=name, **({"k": 3} if name == "maxout" else {}))
    assert_same_training(exp)


def catalog_cases() -> list[tuple[str, str, str, str]]:
    """(loss, problem, optimizer, penalty): every loss, optimizer and weight penalty, dealt
    round so that each trains in some case, and each loss on the problems it fits."""
    losses, optimizers, penalties = list(LOSSES), list(OPTIMIZERS), list(WEIGHT_PENALTIES)
    cases = []
    for i in range(max(len(losses), len(optimizers), len(penalties))):
        loss = losses[i % len(losses)]
        problems = sorted(LOSSES[loss].info["problems"])
        cases.append((loss, problems[i % len(problems)], optimizers[i % len(optimizers)],
                      penalties[i % len(penalties)]))
    return cases


def catalog_case(loss: str, problem: str, optimizer: str, penalty: str) -> Experiment:
    generator = {"binary": "gauss", "multiclass": "blobs", "regression": "multi_gauss"}[problem]
    exp = base(generator, optimizer=optimizer, learning_rate=0.01, regularization=penalty,
               regularization_rate=0.03 if penalty != "none" else 0.0)
    exp.data.n_classes = 4
    out = "softmax" if problem == "multiclass" and LOSSES[loss].info["link"] == "activation" else (
        "linear" if problem == "regression" else "tanh")
    exp.network.set_params("output", loss=loss, activation=out)
    return exp


def test_the_cases_cover_every_loss_optimizer_and_penalty():
    cases = catalog_cases()
    for i, table in enumerate((LOSSES, OPTIMIZERS, WEIGHT_PENALTIES)):
        assert {case[(0, 2, 3)[i]] for case in cases} == set(table)


@pytest.mark.parametrize("case", catalog_cases(), ids="-".join)
def test_every_loss_optimizer_and_penalty(case):
    """Fifty steps alike; then whole epochs, whose evaluation runs inside the fused call,
    report the same history."""
    exp = catalog_case(*case)
    assert_same_training(exp)
    fast, slow = pair(exp)
    fast.run(6)
    slow.run(6)
    for key in ("train_loss", "test_loss"):
        # (atol: hinge with Adam and L1 came to 0.0061 on one CPU, 1e-6 off the other path)
        np.testing.assert_allclose(getattr(fast.history, key), getattr(slow.history, key),
                                   rtol=RTOL, atol=ATOL, err_msg=key)
    # float32 sums in another order can move a point lying on the boundary: one point at most
    for key, n in (("train_accuracy", fast.n_train), ("test_accuracy", len(fast.dataset.test_idx))):
        np.testing.assert_allclose(getattr(fast.history, key), getattr(slow.history, key),
                                   atol=1.0 / n + 1e-9, err_msg=key)
    assert fast.history.learning_rate == slow.history.learning_rate


@pytest.mark.parametrize("output", ["sigmoid", "softplus"])
def test_outputs_that_never_go_negative_under_squared_error(output):
    """(0/1 targets and the threshold ½; tanh and linear outputs are in the cases above.)"""
    exp = base("xor", learning_rate=0.05)
    exp.network.set_params("output", activation=output)
    assert_same_training(exp)


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


def test_the_kernels_tanh_matches_torch_and_keeps_nan():
    _tanh32 = compiled(tanh32)

    x = np.linspace(-12, 12, 200_001, dtype=np.float32)
    got = np.array([_tanh32(v) for v in x[::97]], dtype=np.float32)
    want = torch.tanh(torch.from_numpy(x[::97])).numpy()
    assert np.abs(got - want).max() < 3e-7
    assert np.abs(got).max() <= 1.0
    assert math.isnan(_tanh32(np.float32("nan")))
    assert abs(_tanh32(np.float32("inf")) - 1.0) < 3e-7
    assert abs(_tanh32(np.float32("-inf")) + 1.0) < 3e-7


def test_big_networks_go_to_the_matrix_libraries_and_small_ones_stay_fused():
    exp = base("digits", hidden=(256, 256, 256, 256), activation="relu", optimizer="adam")
    exp.training.batch_size = 256
    exp.network.set_params("output", activation="softmax", loss="softmax_ce")
    big = Trainer(exp)
    assert big.path == "general" and "matrix libraries" in big.path_reason
    exp.network = mlp([64, 64], "relu")
    exp.network.set_params("output", activation="softmax", loss="softmax_ce")
    exp.training.batch_size = 32
    assert Trainer(exp).path == "fast"


def test_every_network_of_one_combination_reuses_its_one_compiled_kernel():
    """Sizes, depth, data and settings are data: a call with other array types would compile a
    second specialization (a stall in the middle of a class), and a network of the same
    entries must not need a kernel of its own."""
    from playground.core import fastpath

    exps = [base(), base("circle", hidden=(16,)), base("xor", hidden=(8,) * 6, shuffle=False),
            base("gauss", hidden=(3,), batch_size=1, learning_rate=0.3, gradient_clip=1.0)]
    modules = set()
    for exp in exps:
        t = Trainer(exp)
        assert t.path == "fast", t.path_reason
        t.run(1)
        t.step_batch()
        modules.add(t.fast.module)
    assert len(modules) == 1
    assert len(modules.pop().run_epochs.signatures) == 1
    assert fastpath.plan_for(t).hidden == ("tanh",)


@pytest.mark.parametrize("hidden,batch", [((), 10), ((3,), 1), ((4, 2), 600)])
def test_no_hidden_layer_single_examples_and_a_batch_larger_than_the_data(hidden, batch):
    exp = base(hidden=hidden)
    exp.training.batch_size = batch
    assert_same_training(exp, steps=30)
