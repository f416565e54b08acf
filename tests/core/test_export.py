"""Exports: the PyTorch script reproduces the app's predictions; the history CSV reads back."""

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from playground.core.export import history_csv, pytorch_script
from playground.core.graph import mlp, residual_mlp
from playground.core.spec import Experiment
from playground.core.trainer import Trainer


def trained(network, generator="spiral", features=("x1", "x2"), fast_path=True, **output):
    exp = Experiment()
    exp.data.generator = generator
    exp.network = network
    exp.features = list(features)
    exp.training.optimizer = "adam"
    exp.training.learning_rate = 0.01
    exp.training.fast_path = fast_path
    if output:
        exp.network.set_params("output", **output)
    t = Trainer(exp)
    t.run(5)
    return t


def run_script(tmp_path, trainer, points):
    script = tmp_path / "model.py"
    script.write_text(pytorch_script(trainer))
    res = subprocess.run([sys.executable, str(script), *map(str, points.ravel())],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return np.array(json.loads(res.stdout))


@pytest.mark.parametrize("case", ["tanh", "maxout", "prelu_features", "residual_bn", "blobs"])
def test_exported_script_reproduces_the_apps_predictions(tmp_path, case):
    if case == "tanh":
        t = trained(mlp([6, 4], "tanh"))
    elif case == "maxout":
        g = mlp([5], "maxout")
        g.set_params("dense1", k=3)
        t = trained(g, "xor")
    elif case == "prelu_features":
        # (autograd here and for blobs: the script is compared with the trained model's
        # predictions, whichever path trained it; on the fast path each of the two would
        # compile a kernel that no other test uses. "tanh" trains fused.)
        t = trained(mlp([6], "prelu"), "circle", ("x1_sq", "x2_sq", "sin_x1", "theta"),
                    fast_path=False, activation="sigmoid", loss="bce")
    elif case == "residual_bn":
        g = residual_mlp(6, 1)
        bn = g.add_node("batchnorm", node_id="bn")
        drop = g.add_node("dropout", {"keep_prob": 0.8}, node_id="drop")
        g.disconnect("add1", "output")
        for e in (("add1", bn), (bn, drop), (drop, "output")):
            g.connect(*e)
        t = trained(g, "moons")
    else:
        t = trained(mlp([8], "elu", output_activation="softmax", loss="softmax_ce"), "blobs",
                    fast_path=False)
    points = np.random.default_rng(0).uniform(-6, 6, (7, 2)).astype(np.float32)
    got = run_script(tmp_path, t, points)
    np.testing.assert_allclose(got, t.predict(points), rtol=1e-5, atol=1e-6)


def test_history_csv_has_a_row_per_epoch():
    t = trained(mlp([4], "tanh"))
    rows = list(csv.DictReader(io.StringIO(history_csv(t.history))))
    assert len(rows) == 5 and float(rows[-1]["train_loss"]) == pytest.approx(
        t.history.train_loss[-1], rel=1e-6)
