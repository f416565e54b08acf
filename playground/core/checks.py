"""One validation, everywhere: the checks that opening and running an experiment make.

`playground validate` and `playground run` call `check_runnable` before anything else, so they
give the same verdict on every file: the run can be built (data, network, the saved `state`),
and a lesson's comparison can be made (its twin still applies). `resume_trainer` checks the
run (`check_run`). The window opens what it could have written itself (`check_openable`): a
network still being built, a data set too small to train or a twin whose block was deleted
open as they were saved, and the window says why training waits. All of them build the data
set and the network's tensors (small: the limits bound them), never a trainer, and compile
nothing.
"""

from __future__ import annotations

from .errors import GraphError, SpecError
from .graph import BLOCKS
from .spec import CLUSTER_METRICS as CLUSTERING_METRICS
from .spec import Experiment


def is_clustering_lesson(experiment: Experiment) -> bool:
    """A lesson whose promise is about clustering: running it runs the clustering only."""
    return experiment.outcome.metric in CLUSTERING_METRICS


def check_runnable(experiment: Experiment, state: dict | None = None) -> None:
    """Raise the first PlaygroundError that running `experiment` (with its saved `state`
    section) and its lesson's comparison would raise; return quietly when all would work."""
    check_run(experiment, state)
    if experiment.outcome.relation:  # running the lesson trains its twin too
        experiment.with_changes(experiment.outcome.twin, "outcome.twin")


def check_run(experiment: Experiment, state: dict | None = None) -> None:
    """The first PlaygroundError that building the run (the trainer with `state`, or the
    clustering of a clustering lesson) would raise."""
    from .datasets import build_dataset

    dataset = build_dataset(experiment.data)
    if is_clustering_lesson(experiment):
        check_clustering(experiment, len(dataset.x))
        return
    check_training(experiment, dataset, state)


def check_openable(experiment: Experiment, state: dict | None = None) -> None:
    """What opening a file in the window needs. Trained weights must fit a network that can
    run (`check_run`); without them, anything the window's own editing can reach opens, and
    only what the editor never makes is refused: a cycle, a block with more inputs than it
    takes, an Output or Input block wired the wrong way."""
    if state is not None:
        check_run(experiment, state)
        return
    graph = experiment.network
    graph.topological_order()  # GraphError on a cycle
    ins, outs = graph.adjacency()
    for node_id, node in graph.nodes.items():
        kind = BLOCKS[node.type]
        if kind.max_inputs != -1 and len(ins[node_id]) > kind.max_inputs:
            allowed = "no inputs" if kind.max_inputs == 0 else "one input"
            raise GraphError(node_id, f"{kind.label} takes {allowed}, has "
                             f"{len(ins[node_id])}; remove the extra connections")
        if node.type == "output" and outs[node_id]:
            raise GraphError(node_id, "the Output block has no outgoing connections")


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


def check_training_data(dataset) -> None:
    """A data set a network can learn from: two classes (or values) and a point to train on
    and one to test (drawn data may have fewer while it is being drawn)."""
    if dataset.problem != "regression" and dataset.n_classes < 2:
        raise SpecError("data.generator", f"{dataset.name!r} has a single class; a classifier "
                        "needs two or more (use it in the clustering lab)")
    if len(dataset.train_idx) < 1 or len(dataset.test_idx) < 1:
        raise SpecError("data.points", f"{len(dataset.x)} point(s); training needs at least 2 "
                        "(one to train on, one to test)")


def check_training(experiment: Experiment, dataset, state: dict | None) -> None:
    import torch

    from .files import StateLayout, decode_state
    from .model import Network, OutputHead
    from .trainer import problem_inputs

    check_training_data(dataset)
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
