"""Templates from the network header fit the data's problem."""

from .conftest import snap


def test_the_tf_default_template_on_a_regression_problem_gets_a_linear_output(qtbot, window):
    exp = window.experiment.copy()
    exp.data.generator = "plane"
    window.apply_experiment(exp)
    header = window.network_header
    header._template(header.template.findData("tf_default"))
    out = window.experiment.network.nodes["output"]
    assert (out.param("activation"), out.param("loss")) == ("linear", "mse")
    qtbot.waitUntil(lambda: snap(window).problem == "regression", timeout=10000)
