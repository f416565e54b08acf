"""The worked examples of the lecture notes (REFERENCE.md section 4), as oracles."""

import math

import pytest
import torch

from playground.core.catalog import ACTIVATIONS, LOSSES
from playground.core.graph import Graph
from playground.core.model import Network


def test_logistic_derivative_keeps_its_sign():
    # L = -log σ(WX) at X = 3, y = 1, W = 3: dL/dW = -X(1 - σ(9)); the slide drops the sign.
    w = torch.tensor([[3.0]], dtype=torch.float64, requires_grad=True)
    z = w * 3.0
    loss = LOSSES["bce"].fn(z, torch.tensor([[1.0]], dtype=torch.float64), {}).sum()
    loss.backward()
    assert w.grad.item() == pytest.approx(-3.7018372e-4, rel=1e-5)


def test_gradient_of_product_gate():
    x, y, z = (torch.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    ((x + y) * z).backward()
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4.0, -4.0, 3.0)


def _three_layer_graph():
    g = Graph()
    g.add_node("input", node_id="x")
    g.add_node("dense", {"units": 4, "activation": "prelu", "bias": False, "init": "glorot_uniform",
                         "alpha": 0.2}, node_id="h1")
    g.add_node("dense", {"units": 3, "activation": "elu", "bias": False, "init": "glorot_uniform"},
               node_id="h2")
    g.add_node("output", {"activation": "linear", "loss": "mse", "bias": False,
                          "init": "glorot_uniform"}, node_id="h3")
    for e in (("x", "h1"), ("h1", "h2"), ("h2", "h3")):
        g.connect(*e)
    return g


def test_prelu_elu_three_layer_gradients_match_closed_form():
    net = Network(_three_layer_graph(), n_inputs=3, n_outputs=2, seed=7)
    x = torch.tensor([[0.7, -1.2, 0.4]])
    y = torch.tensor([[0.5, -0.3]])
    h3 = net(x)
    loss = LOSSES["mse"].fn(h3, y, {}).sum()  # ½‖h3 − y‖²
    loss.backward()
    W1, W2, W3 = (net.blocks[n].linear.weight.detach() for n in ("h1", "h2", "h3"))
    a = net.blocks["h1"].act.alpha.detach()
    xv = x.T
    q6 = W1 @ xv
    q5 = torch.where(q6 > 0, q6, a * q6)
    q4 = W2 @ q5
    q3 = torch.where(q4 > 0, q4, torch.exp(q4) - 1.0)
    q1 = W3 @ q3 - y.T
    p = torch.where(q4 > 0, torch.ones_like(q4), torch.exp(q4))  # ELU′ with α = 1
    r = torch.where(q6 > 0, torch.ones_like(q6), a.expand_as(q6))  # PReLU′
    d2 = (W3.T @ q1) * p
    torch.testing.assert_close(net.blocks["h3"].linear.weight.grad, q1 @ q3.T)
    torch.testing.assert_close(net.blocks["h2"].linear.weight.grad, d2 @ q5.T)
    torch.testing.assert_close(net.blocks["h1"].linear.weight.grad, ((W2.T @ d2) * r) @ xv.T)


# The notes' table: one row per class (cat, car, frog), one column per image; we need rows
# per image, hence the transpose.
SCORES = torch.tensor([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]]).T


def test_multiclass_hinge_example_with_the_slip_corrected():
    target = torch.nn.functional.one_hot(torch.tensor([0, 1, 2]), 3).float()
    per_example = LOSSES["multiclass_hinge"].fn(SCORES, target, {"margin": 1.0})
    torch.testing.assert_close(per_example, torch.tensor([2.9, 0.0, 12.9]))
    assert per_example.mean().item() == pytest.approx(5.27, abs=0.005)


def test_softmax_cross_entropy_of_the_cat_image():
    target = torch.nn.functional.one_hot(torch.tensor([0]), 3).float()
    loss = LOSSES["softmax_ce"].fn(SCORES[:1], target, {})
    assert loss.item() == pytest.approx(2.04, abs=0.005)


def test_hand_set_xor_network_outputs_exactly_0_1_1_0():
    g = Graph()
    g.add_node("input", node_id="x")
    g.add_node("dense", {"units": 2, "activation": "relu"}, node_id="h")
    g.add_node("output", {"activation": "linear", "loss": "mse"}, node_id="y")
    g.connect("x", "h")
    g.connect("h", "y")
    net = Network(g, 2, 1)
    with torch.no_grad():
        net.blocks["h"].linear.weight.copy_(torch.tensor([[1.0, 1.0], [1.0, 1.0]]))
        net.blocks["h"].linear.bias.copy_(torch.tensor([0.0, -1.0]))
        net.blocks["y"].linear.weight.copy_(torch.tensor([[1.0, -2.0]]))
        net.blocks["y"].linear.bias.zero_()
    out = net(torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
    assert out.view(-1).tolist() == [0.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize("name,x,expected", [
    ("leaky_relu", -2.0, -0.02), ("elu", -1.0, math.exp(-1) - 1), ("hardtanh", 3.0, 1.0),
    ("softplus", 0.0, math.log(2.0)), ("gaussian", 1.0, math.exp(-1.0)), ("sine", 0.5, math.sin(0.5)),
])
def test_activation_formulas(name, x, expected):
    entry = ACTIVATIONS[name]
    assert entry.fn(torch.tensor([x]), entry.defaults()).item() == pytest.approx(expected, rel=1e-6)


def test_softplus_derivative_is_the_sigmoid():
    x = torch.linspace(-3, 3, 7, requires_grad=True)
    ACTIVATIONS["softplus"].fn(x, {}).sum().backward()
    torch.testing.assert_close(x.grad, torch.sigmoid(x.detach()))
