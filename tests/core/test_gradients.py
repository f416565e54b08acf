"""Gradient flow statistics (core/gradients.py) against an independent autograd computation,
on both training paths; and the vanishing gradient a student should see in a deep sigmoid net."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from playground.core import shuffle
from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.core.trainer import Trainer

BATCH = 7  # 250 training points: 35 batches of 7 and a last one of 5


def small_net(fast: bool, **training) -> Trainer:
    """Input -> 6 tanh -> 5 ReLU -> tanh output, squared error; one ReLU unit killed."""
    exp = Experiment()
    exp.network = mlp([6, 5], "tanh")
    exp.network.set_params("dense2", activation="relu")
    exp.training.batch_size = BATCH
    exp.training.fast_path = fast
    exp.view.gradient_flow = True
    for key, value in training.items():
        setattr(exp.training, key, value)
    trainer = Trainer(exp)
    assert trainer.path == ("fast" if fast else "general"), trainer.path_reason
    trainer.set_weight("dense2", 0, None, -50.0)  # never active again: a dead unit
    return trainer


def reference(trainer: Trainer, order: torch.Tensor) -> dict:
    """Plain torch on copies of the weights: tanh, ReLU, tanh output, ½(o − t)²."""
    p = [torch.tensor(t.detach().numpy().copy(), requires_grad=True) for t in (
        trainer.model.blocks["dense1"].linear.weight, trainer.model.blocks["dense1"].linear.bias,
        trainer.model.blocks["dense2"].linear.weight, trainer.model.blocks["dense2"].linear.bias,
        trainer.model.blocks["output"].linear.weight, trainer.model.blocks["output"].linear.bias)]
    x = trainer.x_train.clone()
    t = trainer.t_train.clone()

    def forward(xb):
        a1 = torch.tanh(xb @ p[0].T + p[1])
        a2 = torch.relu(a1 @ p[2].T + p[3])
        z = a2 @ p[4].T + p[5]
        return a1, a2, z, 0.5 * ((torch.tanh(z) - t_of(xb)) ** 2).sum(dim=1)

    rows = {}

    def t_of(xb):
        return rows["t"]

    batches = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
    sums = [torch.zeros_like(q) for q in p]
    for idx in batches:
        rows["t"] = t[idx]
        loss = forward(x[idx])[3].mean()
        for s, g in zip(sums, torch.autograd.grad(loss, p), strict=True):
            s += g
    grads = [s / len(batches) for s in sums]
    rows["t"] = t
    a1, a2, z, losses = forward(x)
    g1, g2, gz = torch.autograd.grad(losses.sum(), [a1, a2, z])  # row i: dℓᵢ/da
    return {"dW": [grads[0], grads[2], grads[4]], "db": [grads[1], grads[3], grads[5]],
            "units": [g1.abs().mean(0), g2.abs().mean(0), gz.abs().mean(0)],
            "saturated": float((a1.abs() > 0.97).float().mean()),
            "dead": float((a2 <= 0).all(dim=0).float().mean())}


@pytest.mark.parametrize("fast", [False, True], ids=["autograd", "fused"])
def test_gradient_statistics_equal_an_independent_autograd_computation(fast):
    trainer = small_net(fast, learning_rate=0.1)
    trainer.run(2)
    stats = trainer.gradients.latest
    assert stats is not None and stats.epoch == 2
    # the batches measured are the epoch's own: its shuffled order, drawn as training drew it
    gen = torch.Generator().manual_seed(trainer.experiment.training.seed + 1)
    seeds = shuffle.draw_seeds(gen, 2)
    second_epoch = torch.from_numpy(shuffle.shuffled(int(seeds[1]), trainer.n_train))
    assert torch.equal(trainer.gradients.last_order, second_epoch)
    ref = reference(trainer, second_epoch)
    layers = ["dense1", "dense2", "output"]
    assert list(stats.layers) == layers
    for i, node in enumerate(layers):
        np.testing.assert_allclose(stats.weight_grads[node], ref["dW"][i].numpy(), rtol=1e-4,
                                   atol=1e-7)
        np.testing.assert_allclose(stats.bias_grads[node], ref["db"][i].numpy(), rtol=1e-4,
                                   atol=1e-7)
        np.testing.assert_allclose(stats.unit_grads[node], ref["units"][i].numpy(), rtol=1e-4,
                                   atol=1e-7)
        assert stats.mean_abs[i] == pytest.approx(float(ref["dW"][i].abs().mean()), rel=1e-4)
    assert stats.share_blocks == ("dense1", "dense2")
    assert stats.share_kinds == ("saturated", "dead")
    assert 0 < ref["saturated"] < 1 and ref["dead"] >= 0.2  # both shares are really exercised
    assert stats.shares[0] == pytest.approx(ref["saturated"], abs=1e-6)
    assert stats.shares[1] == pytest.approx(ref["dead"], abs=1e-6)
    # the history holds the same numbers for the epoch, one column per epoch so far
    rows = trainer.gradients.log.rows()
    assert list(rows["epoch"]) == [1, 2]
    np.testing.assert_allclose(rows["mean_abs"][-1], stats.mean_abs, rtol=1e-5)
    np.testing.assert_allclose(rows["shares"][-1], stats.shares, rtol=1e-6)


@pytest.mark.parametrize("fast", [False, True], ids=["autograd", "fused"])
def test_measuring_gradients_leaves_training_exactly_as_it_was(fast):
    runs = []
    for on in (False, True):
        trainer = small_net(fast, learning_rate=0.1, optimizer="adam")
        trainer.gradients.on = on
        trainer.run(3)
        runs.append([p.detach().clone() for p in trainer.params])
        assert len(trainer.gradients.log.rows()["epoch"]) == (3 if on else 0)
    for a, b in zip(*runs, strict=True):
        assert torch.equal(a, b)


def test_dropout_and_batch_norm_nets_train_the_same_while_measured():
    """The pass uses batch statistics without moving batch norm's running averages, and
    draws no dropout mask (the dropout generator is untouched)."""
    runs = []
    for on in (False, True):
        exp = Experiment()
        exp.network = mlp([6, 6], "sigmoid")
        for i, kind in enumerate(("batchnorm", "dropout"), start=1):
            src = f"dense{i}"
            dst = exp.network.outputs_of(src)[0]
            block = exp.network.add_node(kind, {}, node_id=f"{kind}{i}")
            exp.network.disconnect(src, dst)
            exp.network.connect(src, block)
            exp.network.connect(block, dst)
        exp.view.gradient_flow = on
        trainer = Trainer(exp)
        trainer.run(3)
        runs.append({k: v.clone() for k, v in trainer.model.state_dict().items()})
        if on:
            stats = trainer.gradients.latest
            assert set(stats.unit_grads) >= {"dense1", "batchnorm1", "dropout2", "output"}
            assert all(np.isfinite(v).all() for v in stats.weight_grads.values())
    for key in runs[0]:
        assert torch.equal(runs[0][key], runs[1][key]), key


def deep(activation: str, init: str, seed: int) -> Trainer:
    exp = Experiment()
    exp.network = mlp([8] * 6, activation, init=init)
    exp.training.learning_rate = 0.1
    exp.training.seed = exp.data.seed = seed
    exp.view.gradient_flow = True
    return Trainer(exp)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_six_sigmoid_layers_starve_the_first_layer_and_relu_with_he_does_not(seed):
    for activation, init, vanishes in (("sigmoid", "tf_uniform", True),
                                       ("relu", "he_normal", False)):
        trainer = deep(activation, init, seed)
        trainer.run(3)
        rows = trainer.gradients.log.rows()["mean_abs"]
        ratio = rows[:, 0] / rows[:, -1]  # first layer's mean |dL/dW| over the last layer's
        if vanishes:
            assert (ratio <= 1e-2).all(), ratio
        else:
            assert (ratio > 1e-1).all(), ratio


def test_gradients_measured_at_epoch_zero_before_any_training():
    trainer = deep("sigmoid", "tf_uniform", 0)
    stats = trainer.gradients.current(trainer)
    assert stats.epoch == 0 and stats.mean_abs[0] < 1e-2 * stats.mean_abs[-1]
    trainer.gradients.on = False
    assert trainer.gradients.current(trainer) is None


def test_a_block_fed_by_no_parameter_is_measured_too():
    """Activation right after Input: its output did not require grad and the pass raised
    'One of the differentiated Tensors does not require grad' (found by the round-trip
    property test); its dL/da is the chain rule through the layers after it."""
    exp = Experiment()
    exp.network = mlp([4], "tanh")
    block = exp.network.add_node("activation", {"activation": "relu"}, node_id="act0")
    exp.network.disconnect("input", "dense1")
    exp.network.connect("input", block)
    exp.network.connect(block, "dense1")
    exp.view.gradient_flow = True
    trainer = Trainer(exp)
    trainer.run(2)
    grads = trainer.gradients.latest.unit_grads["act0"]
    assert np.isfinite(grads).all() and (grads > 0).any()
