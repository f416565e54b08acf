"""One validation, everywhere: the checks that opening and running an experiment make.

`playground validate`, `playground run` and the window's Open all call `check_runnable` before
anything else, so they give the same verdict on every file. It builds the data set and the
network's tensors (small: the limits bound them), never a trainer, and compiles nothing.
"""

from __future__ import annotations

from .errors import SpecError
from .spec import CLUSTER_METRICS as CLUSTERING_METRICS
from .spec import Experiment


def is_clustering_lesson(experiment: Experiment) -> bool:
    """A lesson whose promise is about clustering: running it runs the clustering only."""
    return experiment.outcome.metric in CLUSTERING_METRICS


def check_runnable(experiment: Experiment, state: dict | None = None) -> None:
    """Raise the first PlaygroundError that opening or running `experiment` (with its saved
    `state` section) would raise; return quietly when both would work."""
    from .datasets import build_dataset

    dataset = build_dataset(experiment.data)
    if is_clustering_lesson(experiment):
        check_clustering(experiment, len(dataset.x))
        return
    check_training(experiment, dataset, state)


def check_clustering(experiment: Experiment, n_points: int) -> None:
    c = experiment.clustering
    if c.algorithm != "kmeans":
        return  # their settings are checked field by field; any number of points works
    if c.init == "manual":
        if not c.centres:
            raise SpecError("clustering.centres", "the manual start needs at least one "
                            "centre; place some or choose another init")
    elif c.k > n_points:
        raise SpecError("clustering.k", f"{c.k} centres need at least {c.k} points; the data "
                        f"set has {n_points}")


def check_training(experiment: Experiment, dataset, state: dict | None) -> None:
    import torch

    from .files import StateLayout, decode_state
    from .model import Network, OutputHead
    from .trainer import problem_inputs

    if dataset.problem != "regression" and dataset.n_classes < 2:
        raise SpecError("data.generator", f"{dataset.name!r} has a single class; a classifier "
                        "needs two or more (use it in the clustering lab)")
    if len(dataset.train_idx) < 1 or len(dataset.test_idx) < 1:
        raise SpecError("data.points", f"{len(dataset.x)} point(s); training needs at least 2 "
                        "(one to train on, one to test)")
    graph, spec = experiment.network, experiment.training
    errors = graph.validate()  # the structure first: the head needs the one Output block
    if errors:
        raise errors[0]
    n_inputs = problem_inputs(experiment, dataset)
    head = OutputHead.build(graph, dataset.problem, dataset.n_classes, spec.label_smoothing)
    errors = graph.validate(n_inputs, head.n_outputs)
    if errors:
        raise errors[0]
    if state is None:
        return
    model = Network(graph, n_inputs, head.n_outputs, seed=spec.seed)
    params, _ = model.weights_and_biases()
    layout = StateLayout.of_network(
        model, params, len(dataset.train_idx), spec.batch_size,
        {"shuffle": torch.Generator(), "noise": torch.Generator(),
         "dropout": model.dropout_gen})
    decode_state(state, layout)
