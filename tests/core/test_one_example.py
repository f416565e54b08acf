"""One example forward, backward and through the update (core/one_example.py), against torch
autograd and the notes' update rules written out here, for a 3-layer net with each optimizer."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from playground.core.graph import mlp
from playground.core.one_example import trace_example
from playground.core.optim import OPTIMIZERS
from playground.core.spec import Experiment
from playground.core.trainer import Trainer

L2 = 0.01


def three_layers(optimizer: str, fast: bool) -> Trainer:
    exp = Experiment()
    exp.network = mlp([5, 4], "tanh")
    exp.network.set_params("dense2", activation="sigmoid")
    exp.training.optimizer = optimizer
    exp.training.learning_rate = 0.05
    exp.training.regularization, exp.training.regularization_rate = "l2", L2
    exp.training.fast_path = fast
    trainer = Trainer(exp)
    assert trainer.path == ("fast" if fast else "general"), trainer.path_reason
    for _ in range(3):  # the optimizer's state is no longer zero
        trainer.step_batch()
    return trainer


def updated(name: str, w: torch.Tensor, g: torch.Tensor, state: dict, t: int, lr: float,
            decay: bool) -> torch.Tensor:
    """θ after one step of the notes' rule (REFERENCE.md section 5), written out anew."""
    hp = OPTIMIZERS[name].resolve({})
    v = state.get("v", torch.zeros_like(w)).double()
    a = state.get("a", torch.zeros_like(w)).double()
    if name == "sgd":
        return w - lr * g
    if name == "momentum":
        return w + (hp["momentum"] * v - lr * g)
    if name == "nesterov":
        v = hp["momentum"] * v - lr * g
        return w + hp["momentum"] * v - lr * g
    if name == "adagrad":
        return w - lr * g / torch.sqrt(a + g * g + hp["nu"])
    if name == "rmsprop":
        a = hp["beta"] * a + (1 - hp["beta"]) * g * g
        return w - lr * g / torch.sqrt(a + hp["nu"])
    b1, b2 = hp["beta1"], hp["beta2"]
    v = b1 * v + (1 - b1) * g
    a = b2 * a + (1 - b2) * g * g
    if name == "adamw" and decay:
        w = w * (1 - lr * hp["weight_decay"])
    return w - lr * (v / (1 - b1**t)) / torch.sqrt(a / (1 - b2**t) + hp["nu"])


@pytest.mark.parametrize("fast", [False, True], ids=["autograd", "fused"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_one_example_equals_torch_forward_backward_and_update(optimizer, fast):
    trainer = three_layers(optimizer, fast)
    index = 7
    trace = trace_example(trainer, index)
    before = {n: [q.detach().clone() for q in (b.linear.weight, b.linear.bias)]
              for n, b in ((n, trainer.model.blocks[n]) for n in ("dense1", "dense2", "output"))}
    p = {n: [q.double().requires_grad_(True) for q in qs] for n, qs in before.items()}
    x = trainer.x_train[index].double()[None, :]
    target = trainer.t_train[index].double()[None, :]
    z1 = x @ p["dense1"][0].T + p["dense1"][1]
    a1 = torch.tanh(z1)
    z2 = a1 @ p["dense2"][0].T + p["dense2"][1]
    a2 = torch.sigmoid(z2)
    z3 = a2 @ p["output"][0].T + p["output"][1]
    o = torch.tanh(z3)
    loss = 0.5 * ((o - target) ** 2).sum()
    names = ["a1", "z1", "a2", "z2", "o", "z3"]
    grads = dict(zip(names, torch.autograd.grad(loss, [a1, z1, a2, z2, o, z3],
                                                retain_graph=True), strict=True))
    wgrads = torch.autograd.grad(loss, [q for n in p for q in p[n]])
    assert trace.loss == pytest.approx(float(loss.detach()), rel=1e-5)
    close = dict(rtol=2e-5, atol=1e-7)
    for node, z, a, gz, ga in (("dense1", z1, a1, "z1", "a1"), ("dense2", z2, a2, "z2", "a2"),
                               ("output", z3, o, "z3", "o")):
        b = trace.block(node)
        np.testing.assert_allclose(b.pre, z.detach()[0], **close)  # forward: z and a
        np.testing.assert_allclose(b.post, a.detach()[0], **close)
        np.testing.assert_allclose(b.grad_post, grads[ga][0], **close)  # backward
        np.testing.assert_allclose(b.grad_pre, grads[gz][0], **close)
        local = (1 - a.detach() ** 2) if node != "dense2" else a.detach() * (1 - a.detach())
        np.testing.assert_allclose(b.local, local[0], **close)
        # each edge: ∂ℓ/∂w = upstream gradient × input
        np.testing.assert_allclose(b.grad_weight, np.outer(b.grad_pre, b.inputs), **close)
    for k, node in enumerate(("dense1", "dense2", "output")):
        b = trace.block(node)
        np.testing.assert_allclose(b.grad_weight, wgrads[2 * k], **close)
        np.testing.assert_allclose(b.grad_bias, wgrads[2 * k + 1], **close)
    # the update: the trainer's own step on this example alone, L2 on weights (not biases)
    opt = trainer.optimizer
    where = {id(q): i for i, q in enumerate(trainer.params)}
    t = opt.t + 1
    assert trace.step == t and trace.optimizer == optimizer
    for k, node in enumerate(("dense1", "dense2", "output")):
        b, lin = trace.block(node), trainer.model.blocks[node].linear
        for old, g, new, q, decay in ((before[node][0], wgrads[2 * k], b.new_weight, lin.weight,
                                       True),
                                      (before[node][1], wgrads[2 * k + 1], b.new_bias, lin.bias,
                                       False)):
            g = g + L2 * old.double() if decay else g
            expected = updated(optimizer, old.double(), g, opt.state[where[id(q)]], t,
                               trainer.learning_rate, decay)
            np.testing.assert_allclose(new, expected, rtol=1e-4, atol=1e-6)
            assert not np.allclose(new, old.double())  # the step is really taken
    # and nothing in the trainer moved
    for node in before:
        assert torch.equal(before[node][0], trainer.model.blocks[node].linear.weight.detach())


def test_a_cross_entropy_output_shows_the_gradient_of_the_logits():
    exp = Experiment()
    exp.data.generator = "blobs"
    exp.network = mlp([4], "relu", output_activation="softmax", loss="softmax_ce")
    trainer = Trainer(exp)
    trace = trace_example(trainer, 0)
    out = trace.block("output")
    assert out.grad_post is None and out.local is None  # the loss reads the logits
    probs = np.exp(out.pre - out.pre.max()) / np.exp(out.pre - out.pre.max()).sum()
    np.testing.assert_allclose(out.post, probs, rtol=1e-5)
    np.testing.assert_allclose(out.grad_pre, probs - trace.target, rtol=1e-4, atol=1e-6)
    assert math.isclose(trace.loss, -math.log(probs[int(trace.label)]), rel_tol=1e-5)


def test_an_example_outside_the_training_split_is_refused():
    trainer = Trainer(Experiment())
    with pytest.raises(IndexError, match="training example"):
        trace_example(trainer, trainer.n_train)
