"""The network's loss slice (Li et al. 2018): centred on the current weights, filter-normalised,
with the training path projected onto it."""

import numpy as np
import pytest
import torch

from playground.core.loss_slice import filter_normalised_directions, flat_weights, slice_through
from playground.core.spec import Experiment
from playground.core.trainer import Trainer


@pytest.fixture(scope="module")
def trained():
    exp = Experiment()
    exp.training.fast_path = False
    exp.training.optimizer = "adam"
    exp.training.learning_rate = 0.03
    trainer = Trainer(exp)
    path = [flat_weights(trainer.params)]
    for _ in range(8):
        trainer.step_epoch()
        path.append(flat_weights(trainer.params))
    return trainer, path


def test_slice_at_the_origin_is_the_current_training_loss(trained):
    trainer, path = trained
    before = flat_weights(trainer.params)
    s = slice_through(trainer, path, extent=1.0, resolution=11)
    assert s.alphas[5] == 0.0 and s.betas[5] == 0.0
    assert s.centre_loss == pytest.approx(trainer.evaluate()["train_loss"], rel=1e-6)
    assert s.loss[5, 5] == pytest.approx(s.centre_loss, rel=1e-6)
    # a slice through the minimum's neighbourhood is not flat: moving away changes the loss
    assert s.loss.max() > s.centre_loss * 1.05
    # the trainer's own weights were never touched
    np.testing.assert_array_equal(flat_weights(trainer.params), before)


def test_projected_trajectory_ends_at_the_origin_and_starts_elsewhere(trained):
    trainer, path = trained
    s = slice_through(trainer, path, resolution=5)
    assert s.trajectory.shape == (9, 2)
    np.testing.assert_allclose(s.trajectory[-1], [0.0, 0.0], atol=1e-12)
    assert np.hypot(*s.trajectory[0]) > 1e-3


def test_directions_are_filter_normalised_and_skip_biases(trained):
    trainer, _ = trained
    delta, eta = filter_normalised_directions(trainer.params, trainer.decay_mask, seed=3)
    start = 0
    for p, is_weight in zip(trainer.params, trainer.decay_mask, strict=True):
        w = p.detach().double().numpy()
        part = delta[start:start + w.size].reshape(w.shape)
        start += w.size
        if is_weight and w.ndim == 2:
            np.testing.assert_allclose(np.linalg.norm(part, axis=1), np.linalg.norm(w, axis=1))
        else:
            assert not part.any()
    assert not np.allclose(delta, eta)


def test_slice_needs_an_odd_resolution(trained):
    with pytest.raises(ValueError, match="odd"):
        slice_through(trained[0], resolution=10)


def test_a_slice_through_reported_weights_follows_the_run_not_a_copy_of_it():
    # The optimizer lab slices through the weights in the training run's snapshots, with a
    # network of its own: batch norm's running statistics and PReLU's slope travel too.
    from playground.core.graph import mlp
    from playground.core.loss_slice import slice_at

    exp = Experiment()
    exp.training.fast_path = False
    graph = mlp([4], "prelu")
    graph.add_node("batchnorm", node_id="norm")
    graph.disconnect("dense1", "output")
    graph.connect("dense1", "norm")
    graph.connect("norm", "output")
    exp.network = graph
    run, host = Trainer(exp), Trainer(exp)  # host: never trained, only lends its network
    reported = []
    for _ in range(3):
        run.step_epoch()
        reported.append(run.snapshot(10))
    now = reported[-1]
    s = slice_at(host, now.parameters, now.buffers, [r.parameters for r in reported],
                 extent=0.5, resolution=7)
    assert s.centre_loss == pytest.approx(now.metrics["train_loss"], rel=1e-6)
    np.testing.assert_allclose(s.trajectory[-1], [0.0, 0.0], atol=1e-12)
    assert len(s.trajectory) == 3 and np.hypot(*s.trajectory[0]) > 1e-6
    assert host.epoch == 0 and not np.array_equal(flat_weights(host.params), now.parameters)


@pytest.mark.parametrize("loss", ["mse", "softmax_ce", "multiclass_hinge"])
def test_many_networks_at_once_give_each_ones_loss(loss):
    # The slice evaluates its grid in batches (vmap); every block type must give the loss
    # one network alone gives, or the map would lie.
    import copy

    from playground.core.graph import Graph
    from playground.core.loss_slice import _assign, grid_losses

    g = Graph()
    g.add_node("input", node_id="input")
    g.add_node("dense", {"units": 3, "activation": "maxout", "k": 2}, node_id="a")
    g.add_node("dense", {"units": 3, "activation": "prelu"}, node_id="b")
    g.add_node("add", node_id="sum")
    g.add_node("batchnorm", node_id="norm")
    g.add_node("dropout", node_id="drop")
    g.add_node("dense", {"units": 2, "activation": "elu"}, node_id="c")
    g.add_node("concat", node_id="join")
    g.add_node("output", {"activation": "softmax" if loss == "mse" else "linear",
                          "loss": loss}, node_id="output")
    for edge in [("input", "a"), ("input", "b"), ("a", "sum"), ("b", "sum"), ("sum", "norm"),
                 ("norm", "drop"), ("drop", "c"), ("c", "join"), ("norm", "join"),
                 ("join", "output")]:
        g.connect(*edge)
    exp = Experiment()
    exp.data.generator, exp.data.n_points = "blobs", 60
    exp.training.fast_path = False
    exp.network = g
    trainer = Trainer(exp)
    trainer.run(2)  # batch norm's running statistics move away from their start
    model = copy.deepcopy(trainer.model).eval()
    rng = np.random.default_rng(0)
    centre = flat_weights(trainer.params)
    points = [centre + 0.3 * rng.standard_normal(centre.size) for _ in range(7)]
    together = grid_losses(model, trainer.head, trainer.x_train, trainer.t_train, points)
    params = list(model.parameters())
    for k, vector in enumerate(points):
        with torch.no_grad():
            _assign(params, vector)
            alone = float(trainer.head.loss(model(trainer.x_train), trainer.t_train).mean())
        assert together[k] == pytest.approx(alone, rel=1e-5)
