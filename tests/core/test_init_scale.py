"""The chosen-scale normal init, w ~ N(0, σ²): its formula holds, both training paths start from
it and train alike, a bad σ is refused by name, and a large σ saturates tanh units."""

import math

import numpy as np
import pytest

from playground.core.catalog import INITS
from playground.core.errors import GraphError
from playground.core.graph import mlp
from playground.core.lessons import training_metrics
from playground.core.spec import Experiment
from playground.core.trainer import Trainer


def experiment(sigma: float, hidden=(64, 64), init="normal") -> Experiment:
    exp = Experiment()
    exp.network = mlp(list(hidden), "tanh", init=init)
    for node in exp.network.nodes.values():
        if node.type in ("dense", "output"):
            node.params["sigma"] = sigma
    return exp


def test_the_formula_shown_is_the_one_drawn():
    assert "N(0, σ²)" in INITS["normal"].formula
    t = Trainer(experiment(3.0))
    w = t.model.blocks["dense2"].linear.weight.detach().numpy()
    assert w.shape == (64, 64)
    assert abs(w.mean()) < 0.15 and w.std() == pytest.approx(3.0, rel=0.05)
    assert not t.model.blocks["dense2"].linear.bias.detach().numpy().any()  # b = 0


def test_both_training_paths_start_from_it_and_train_alike():
    runs = {}
    for fast in (True, False):
        exp = experiment(2.0, hidden=(8, 8))
        exp.training.fast_path = fast
        t = Trainer(exp)
        assert t.path == ("fast" if fast else "general")
        start = t.model.blocks["dense1"].linear.weight.detach().numpy().copy()
        t.run(20)
        runs[fast] = start, t.history.train_loss
    assert np.array_equal(runs[True][0], runs[False][0])
    assert np.allclose(runs[True][1], runs[False][1], rtol=2e-3)


@pytest.mark.parametrize("sigma", [-1.0, 11.0, math.inf])
def test_a_sigma_out_of_range_is_flagged_on_its_block_by_name(sigma):
    exp = experiment(1.0, hidden=(4,))
    exp.network.set_params("dense1", sigma=sigma)
    errors = exp.network.validate(2, 1)
    assert [e.node for e in errors] == ["dense1"]
    assert "sigma" in errors[0].message
    with pytest.raises(GraphError, match="sigma"):
        Trainer(exp)


def test_changing_the_init_keeps_sigma_valid():
    exp = experiment(3.0, hidden=(4,))
    exp.network.set_params("dense1", init="glorot_uniform")  # σ stays, unused
    Trainer(exp)


def test_a_large_sigma_saturates_tanh_and_a_glorot_start_does_not():
    big = training_metrics(experiment(3.0, hidden=(16, 16)), ["saturated_share"], 0)
    glorot = training_metrics(experiment(1.0, hidden=(16, 16), init="glorot_uniform"),
                              ["saturated_share"], 0)
    assert big["saturated_share"] > 0.5 > 0.1 > glorot["saturated_share"]
