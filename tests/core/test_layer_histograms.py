"""Per-layer histograms (core/layer_histograms.py) tell the inits apart at epoch 0: zeros put
a layer on one value, N(0, 1) saturates tanh, Glorot keeps the outputs spread inside (−1, 1)."""

import numpy as np

from playground.core.graph import mlp
from playground.core.layer_histograms import layer_histograms
from playground.core.spec import Experiment
from playground.core.trainer import Trainer


def histograms(init: str) -> dict:
    exp = Experiment()
    exp.network = mlp([16] * 4, "tanh", init=init)
    return layer_histograms(Trainer(exp))


def ends(h) -> float:
    return float(h.act_counts[0] + h.act_counts[-1])


def test_zeros_too_large_and_glorot_look_different_before_any_training():
    zeros, large, glorot = histograms("zeros"), histograms("normal"), histograms("glorot_uniform")
    for node in ("dense1", "dense2", "dense3", "dense4"):
        assert np.count_nonzero(zeros[node].act_counts) == 1 and zeros[node].unit_spread == 0
        assert np.count_nonzero(zeros[node].weight_counts) == 1
        assert ends(large[node]) > 0.3  # piled up at ±1: saturated
        assert ends(glorot[node]) < 0.1 and glorot[node].unit_spread > 0.1
        assert abs(float(glorot[node].act_counts.sum()) - 1.0) < 1e-5
    assert list(zeros) == ["dense1", "dense2", "dense3", "dense4", "output"]
    assert zeros["output"].act_edges[0] == -1 and zeros["output"].act_edges[-1] == 1
