"""Every edit of the network undoes and redoes back to an identical graph."""

import pytest

from playground.core import commands as C
from playground.core.errors import GraphError
from playground.core.graph import Graph, mlp, residual_mlp


def snapshot(g: Graph) -> dict:
    return g.to_json()


EDITS = [
    lambda g: C.AddNode("dense", {"units": 5}, (10.0, 20.0)),
    lambda g: C.RemoveNode("dense1"),
    lambda g: C.SetParams("dense2", {"units": 7, "activation": "relu"}),
    lambda g: C.SetParams("dense1", {"alpha": 0.2}),  # a parameter that was not set before
    lambda g: C.Disconnect("dense1", "dense2"),
    lambda g: C.Move("output", (400.0, -30.0)),
    lambda g: C.Replace(residual_mlp(6, 1).to_json()),
    lambda g: C.Replace(C.with_hidden_layers(g, 4).to_json()),
    lambda g: C.Replace(C.with_hidden_layers(g, 0).to_json()),
]


@pytest.mark.parametrize("make", EDITS)
def test_edit_undo_redo_round_trips_exactly(make):
    g = mlp([4, 2])
    before = snapshot(g)
    stack = C.UndoStack()
    stack.push(make(g), g)
    after = snapshot(g)
    assert after != before
    stack.undo(g)
    assert snapshot(g) == before
    stack.redo(g)
    assert snapshot(g) == after


def test_a_sequence_of_edits_undoes_all_the_way():
    g = mlp([4, 2])
    states = [snapshot(g)]
    stack = C.UndoStack()
    node = C.AddNode("add", node="sum")
    for cmd in (C.SetParams("dense1", {"units": 3}), node, C.Disconnect("dense2", "output"),
                C.Connect("dense2", "sum"), C.Connect("input", "sum")):
        stack.push(cmd, g)
        states.append(snapshot(g))
    for expected in reversed(states[:-1]):
        stack.undo(g)
        assert snapshot(g) == expected
    for expected in states[1:]:
        stack.redo(g)
        assert snapshot(g) == expected


def test_a_refused_connection_records_nothing():
    g = mlp([3, 3])
    stack = C.UndoStack()
    with pytest.raises(GraphError, match="cycle"):
        stack.push(C.Connect("dense2", "dense1"), g)
    assert stack.done == [] and g == mlp([3, 3])


def test_quick_layer_edits_keep_the_existing_layers():
    g = mlp([4, 2], "relu")
    g.set_params("dense2", units=6, init="he_normal")
    deeper = C.with_hidden_layers(g, 3)
    assert deeper.dense_chain() == ["dense1", "dense2", "dense3"]
    assert deeper.nodes["dense2"].params["units"] == 6
    assert deeper.nodes["dense3"].params["init"] == "he_normal"
    assert C.with_hidden_layers(g, 0).dense_chain() == []
    with pytest.raises(GraphError, match="plain"):
        C.with_hidden_layers(residual_mlp(), 2)


@pytest.mark.parametrize("name", list(C.TEMPLATES))
def test_templates_are_valid_networks(name):
    assert C.TEMPLATES[name][1]().validate(2, 1) == []
