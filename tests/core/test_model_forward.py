"""The network's forward pass (a precomputed list of block forwards, model.Network.steps)
against the graph walked block by block through ordinary module calls."""

import torch

from playground.core.graph import Graph
from playground.core.model import Network


def _every_block_kind() -> Graph:
    g = Graph()
    g.add_node("input", node_id="input")
    g.add_node("dense", {"units": 3, "activation": "maxout", "k": 2}, node_id="a")
    g.add_node("dense", {"units": 3, "activation": "prelu"}, node_id="b")
    g.add_node("add", node_id="sum")
    g.add_node("batchnorm", node_id="norm")
    g.add_node("dropout", node_id="drop")
    g.add_node("dense", {"units": 2, "activation": "elu", "bias": False}, node_id="c")
    g.add_node("activation", {"activation": "tanh"}, node_id="squash")
    g.add_node("concat", node_id="join")
    g.add_node("output", {"activation": "linear"}, node_id="output")
    for edge in [("input", "a"), ("input", "b"), ("a", "sum"), ("b", "sum"), ("sum", "norm"),
                 ("norm", "drop"), ("drop", "c"), ("c", "squash"), ("squash", "join"),
                 ("norm", "join"), ("join", "output")]:
        g.connect(*edge)
    return g


def _walked(model: Network, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every block's value, each block called as a module, inputs looked up by name."""
    values = {model.input_id: x}
    for node in model.order:
        if node == model.input_id:
            continue
        ins = [values[s] for s in model.inputs[node]]
        kind = model.types[node]
        if kind == "add":
            values[node] = sum(ins[1:], ins[0])
        elif kind == "concat":
            values[node] = torch.cat(ins, dim=1)
        else:
            values[node] = model.blocks[node](ins[0])
    return values


def test_forward_gives_every_blocks_value_and_gradient_as_the_walked_graph():
    model = Network(_every_block_kind(), 2, 1, seed=4)
    x = torch.randn(16, 2, generator=torch.Generator().manual_seed(1))
    for training in (True, False):  # dropout and batch statistics only in training
        model.train(training)
        state = model.dropout_gen.get_state()  # both passes drop the same units
        stats = {k: v.clone() for k, v in model.state_dict().items()}  # and see the same BN
        z, hidden = model(x, hidden=True)
        grads = torch.autograd.grad(z.square().sum(), list(model.parameters()))
        model.dropout_gen.set_state(state)
        model.load_state_dict(stats)
        walked = _walked(model, x)
        expected = torch.autograd.grad(walked["output"].square().sum(), list(model.parameters()))
        assert torch.equal(z, walked["output"])
        assert hidden.keys() == walked.keys() - {"input", "output"}
        assert all(torch.equal(hidden[k], walked[k]) for k in hidden)
        assert all(torch.equal(a, b) for a, b in zip(grads, expected, strict=True))
        if training:  # (dropout really dropped something: the check is not vacuous)
            assert bool((walked["drop"] == 0).any())
