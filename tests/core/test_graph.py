"""The graph model: edits, validation naming blocks, events."""

import pytest

from playground.core.errors import GraphError
from playground.core.graph import Graph, mlp, residual_mlp


def test_mlp_is_a_valid_dense_chain():
    g = mlp([4, 2])
    assert g.validate(2, 1) == []
    assert g.dense_chain() == ["dense1", "dense2"]
    assert g.widths(2, 1) == {"input": 2, "dense1": 4, "dense2": 2, "output": 1}


def test_missing_input_and_output_are_reported():
    g = Graph()
    g.add_node("dense", node_id="d")
    messages = [str(e) for e in g.validate(2, 1)]
    assert any("no Input block" in m for m in messages)
    assert any("no Output block" in m for m in messages)


def test_connection_that_makes_a_cycle_is_refused():
    g = mlp([3, 3])
    assert g.can_connect("dense2", "dense1") == "it would create a cycle"
    with pytest.raises(GraphError, match="cycle"):
        g.connect("dense2", "dense1")


def test_cycle_in_a_loaded_graph_names_a_block():
    doc = {"nodes": [{"id": i, "type": t} for i, t in
                     (("in", "input"), ("a", "add"), ("b", "dense"), ("out", "output"))],
           "edges": [["in", "a"], ["a", "b"], ["b", "a"], ["b", "out"]]}
    errors = Graph.from_json(doc).validate(2, 1)
    assert any("cycle" in str(e) and e.node in ("a", "b") for e in errors)


def test_unreachable_and_dead_end_blocks_are_named():
    g = mlp([4])
    g.add_node("dense", node_id="floating")
    errors = g.validate(2, 1)
    assert {e.node for e in errors} == {"floating"}
    assert any("not reached from the Input" in str(e) for e in errors)


def test_width_mismatch_at_add_is_flagged_on_that_block():
    g = Graph()
    g.add_node("input", node_id="in")
    g.add_node("dense", {"units": 4}, node_id="a")
    g.add_node("dense", {"units": 3}, node_id="b")
    g.add_node("add", node_id="sum")
    g.add_node("output", node_id="out")
    for e in (("in", "a"), ("in", "b"), ("a", "sum"), ("b", "sum"), ("sum", "out")):
        g.connect(*e)
    errors = g.validate(2, 1)
    assert len(errors) == 1 and errors[0].node == "sum"
    assert "different widths (4, 3)" in str(errors[0])


def test_bad_parameters_are_named_on_the_block():
    g = mlp([4])
    g.set_params("dense1", units=0)
    errors = g.validate(2, 1)
    assert errors[0].node == "dense1" and "units" in str(errors[0])


def test_maxout_on_an_activation_block_is_named_not_a_crash_in_training():
    # found by the round-trip property test: Maxout grouped an Activation block's inputs into
    # k pieces that do not exist there ("shape '[8, -1, 8]' is invalid") when training began
    g = mlp([5])
    act = g.add_node("activation", {"activation": "maxout", "k": 8})
    g.disconnect("dense1", "output")
    g.connect("dense1", act)
    g.connect(act, "output")
    errors = g.validate(2, 1)
    assert errors[0].node == act and "Dense block" in str(errors[0])


def test_events_reach_subscribers():
    g = mlp([2])
    seen = []
    g.subscribe(lambda event, payload: seen.append(event))
    node = g.add_node("dense")
    g.connect("dense1", node)
    g.remove_node(node)
    assert seen == ["node_added", "link_added", "link_removed", "node_removed"]


def test_json_round_trip_and_residual_template():
    g = residual_mlp(8, 2)
    assert Graph.from_json(g.to_json()) == g
    assert g.validate(2, 1) == [] and g.dense_chain() is None


def test_output_follows_a_change_of_problem_and_keeps_fitting_choices():
    from playground.core.graph import adapt_output

    g = mlp([4])
    assert adapt_output(g, "multiclass", previous="binary")
    assert (g.nodes["output"].param("activation"), g.nodes["output"].param("loss")) == (
        "softmax", "softmax_ce")
    g.set_params("output", activation="sigmoid", loss="mse")  # a user's fitting choice
    assert not adapt_output(g, "multiclass", previous="multiclass")
    assert g.nodes["output"].param("activation") == "sigmoid"
    assert not adapt_output(g, "binary")  # mse + sigmoid serves binary too: kept
    g.set_params("output", activation="softmax", loss="softmax_ce")
    assert adapt_output(g, "regression")  # cannot serve regression: replaced
    assert g.nodes["output"].param("loss") == "mse"
