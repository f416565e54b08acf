"""The computational-graph lab's arithmetic: the notes' worked examples, both modes, and checks
against torch autograd and finite differences."""

import math
import random

import pytest

from playground.core.compgraph import (
    EXAMPLES,
    autograd_gradient,
    build,
    finite_difference_gradient,
    parse_inputs,
)
from playground.core.errors import SpecError
from playground.core.expr import ExpressionError
from playground.core.spec import Experiment


def example(name):
    e = EXAMPLES[name]
    return build(e.expression, e.inputs, e.wrt)


def test_sum_times_z_gives_the_notes_gradient_minus4_minus4_3():
    g = example("sum_product")
    assert g.value == -12.0
    assert g.gradient == {"x": -4.0, "y": -4.0, "z": 3.0}
    add = next(n for n in g.nodes if n.definition == "ξ1 = x + y")
    assert add.value == 3.0 and add.adjoint == -4.0  # the multiply gate hands z back
    assert g.nodes[g.output].tangent == -4.0  # forward mode along x agrees


def test_logistic_loss_gives_minus_3_7018e_4_with_the_sign_the_notes_drop():
    g = example("logistic")
    dw = g.gradient["W"]
    assert dw < 0
    assert dw == pytest.approx(-3 * (1 - 1 / (1 + math.exp(-9))), rel=1e-12)
    assert f"{dw:.4e}" == "-3.7018e-04"
    values = [n.value for n in g.nodes if not n.is_leaf]
    # the notes' table: -W X = -9, e^-9, 1 + e^-9, p = 1/(1 + e^-9), log p, L = -y log p
    p = 1 / (1 + math.exp(-9))
    assert values[1:] == pytest.approx([-9, math.exp(-9), 1 + math.exp(-9), p, math.log(p),
                                        math.log(p), -math.log(p)])
    assert g.nodes[g.output].tangent == dw  # the forward-mode column ends on the same number


def test_two_input_neuron_with_sigmoid():
    g = example("neuron")
    a = 1 / (1 + math.exp(-1.0))
    assert g.value == pytest.approx(a)
    s = a * (1 - a)
    assert g.gradient == pytest.approx({"w1": -s, "x1": 2 * s, "w2": -2 * s, "x2": -3 * s,
                                        "b": s})


def test_prelu_elu_three_layers_match_the_review_sheets_closed_form():
    e = EXAMPLES["prelu_elu"]
    v = e.inputs
    q6 = v["W1"] * v["x"]
    r = 1.0 if q6 >= 0 else v["a"]
    q5 = q6 * r
    q4 = v["W2"] * q5
    p = 1.0 if q4 >= 0 else v["alpha"] * math.exp(q4)
    q3 = q4 if q4 >= 0 else v["alpha"] * (math.exp(q4) - 1)
    q1 = v["W3"] * q3 - v["y"]
    assert q6 < 0 and q4 < 0  # both negative branches: r = a and p = α e^q4 are exercised
    g = example("prelu_elu")
    assert g.value == pytest.approx(0.5 * q1**2, rel=1e-12)
    assert g.gradient["W3"] == pytest.approx(q1 * q3, rel=1e-12)
    assert g.gradient["W2"] == pytest.approx(v["W3"] * q1 * p * q5, rel=1e-12)
    assert g.gradient["W1"] == pytest.approx(v["W2"] * v["W3"] * q1 * p * r * v["x"], rel=1e-12)


def _random_formula(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(["x", "y", "z", f"{rng.uniform(-2, 2):.3f}"])
    a, b = _random_formula(rng, depth - 1), _random_formula(rng, depth - 1)
    return rng.choice([
        f"({a} + {b})", f"({a} - {b})", f"({a} * {b})", f"{a} / (1.5 + cos({b}))",
        f"sin({a})", f"cos({a})", f"tanh({a})", f"sigmoid({a})", f"exp(sin({a}))",
        f"log(1 + ({a})^2)", f"sqrt(1 + ({a})^2)", f"({a})^3", f"(1.5 + sin({a}))^{b}",
        f"max({a}, {b})", f"min({a}, {b})", f"abs({a})", f"-({a})", f"prelu({a}, 0.2)",
        f"elu({a}, {b})"])


def test_fifty_random_formulas_agree_with_autograd_and_finite_differences():
    rng = random.Random(18)
    for _ in range(50):
        text = _random_formula(rng, 4)
        inputs = {k: rng.uniform(-2, 2) for k in "xyz"}
        g = build(text, inputs)
        auto, fd = autograd_gradient(g), finite_difference_gradient(g)
        assert set(g.gradient) == set(auto) == set(fd)
        for name, d in g.gradient.items():
            assert d == pytest.approx(auto[name], rel=1e-9, abs=1e-12), (text, name)
            assert abs(d - fd[name]) <= 1e-5 * max(1.0, abs(d)), (text, name)
        if g.wrt:  # forward mode gives the same derivative as reverse mode
            assert g.nodes[g.output].tangent == pytest.approx(g.gradient[g.wrt], rel=1e-9,
                                                              abs=1e-12)


def test_a_sub_formula_used_twice_is_one_node_whose_adjoint_sums_its_children():
    g = build("x*x + sin(x*x)", {"x": 0.7})
    square = [n for n in g.nodes if n.op == "mul"]
    assert len(square) == 1 and len(square[0].children) == 2
    assert square[0].adjoint == pytest.approx(sum(t.product for t in square[0].terms))
    assert len(square[0].terms) == 2
    x = g.nodes[0]
    assert len(x.terms) == 2  # x feeds the one product twice: 2x comes out as x + x
    assert g.gradient["x"] == pytest.approx(2 * 0.7 * (1 + math.cos(0.49)), rel=1e-12)


def test_steps_fill_values_forward_then_adjoints_from_the_output_back():
    g = example("sum_product")
    steps = g.steps
    assert [s.phase for s in steps] == ["forward"] * 2 + ["reverse"] * 5
    assert steps[2].node == g.output  # reverse mode starts from the output, seeded with 1
    values, adjoints = g.filled(0)
    assert values == {0, 1, 2} and not adjoints  # only the inputs are known at first
    values, adjoints = g.filled(2)
    assert values == {0, 1, 2, 3, 4} and not adjoints
    values, adjoints = g.filled(len(steps))
    assert adjoints == {0, 1, 2, 3, 4}


def test_operation_counts_show_reverse_mode_wins_with_many_inputs():
    one = build("sigmoid(w*x)", {"w": 2.0, "x": 1.0}).counts
    assert (one.inputs, one.operations, one.products) == (2, 2, 3)
    neuron = example("neuron").counts  # 5 inputs: forward mode needs 5 sweeps, reverse one
    assert neuron.forward_mode == 5 * neuron.reverse_mode
    single = build("exp(sin(x))", {"x": 1.0}).counts
    assert single.forward_mode == single.reverse_mode  # one input: no difference


@pytest.mark.parametrize("text", [
    "__import__('os').system('ls')", "x.__class__", "open('f')", "exec('x')", "eval('x')",
    "(lambda: x)()", "x if y else z", "[x for x in y]", "getattr(x, 'real')"])
def test_a_formula_that_calls_or_imports_anything_is_refused_with_a_message(text):
    with pytest.raises(ExpressionError, match="not allowed"):
        build(text, {"x": 1.0, "y": 2.0, "z": 3.0})


def test_the_experiment_refuses_a_bad_graph_lab_by_field_name():
    doc = Experiment().to_json()
    doc["graph_lab"]["expression"] = "__import__('os').system('ls')"
    with pytest.raises(SpecError, match="not allowed") as err:
        Experiment.from_json(doc)
    assert err.value.path == "graph_lab.expression"
    doc["graph_lab"].update(expression="x * y", inputs={"x": 1, "y": "two"})
    with pytest.raises(SpecError, match="finite number") as err:
        Experiment.from_json(doc)
    assert err.value.path == "graph_lab.inputs"
    doc["graph_lab"].update(inputs={"x": 1, "y": 2}, wrt="z")
    with pytest.raises(SpecError, match="choose one of x, y") as err:
        Experiment.from_json(doc)
    doc["graph_lab"]["wrt"] = "y"
    lab = Experiment.from_json(doc).graph_lab
    assert (lab.expression, lab.inputs, lab.wrt) == ("x * y", {"x": 1.0, "y": 2.0}, "y")


def test_typed_input_values_are_read_and_bad_ones_named():
    assert parse_inputs("x = -2, y=5; z = -4e0") == {"x": -2.0, "y": 5.0, "z": -4.0}
    with pytest.raises(ExpressionError, match="inputs: 'y = five'"):
        parse_inputs("x = 1, y = five")
    with pytest.raises(ExpressionError, match="inputs"):
        parse_inputs("x = nan")
