"""Everything the app writes, it reads back (issue #17), as a property over generated
experiments of every kind: networks of every block type with their parameters, trained ones
(weights, optimizer state, the best weights of early stopping, the history), regression,
clustering with painted points and placed centres, networks still being built, long histories
with NaN and infinite values, guided lessons with steps and twins, the optimizer and graph
labs. Saving and opening
again gives the same experiment, resuming gives the same trainer, a second save writes the
same bytes, and the file is strict JSON. Derandomized and bounded to a few seconds: trained
examples use tiny data sets and an epoch or two."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile

import numpy as np
import torch
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from playground.core import fields as F
from playground.core import files
from playground.core.catalog import ACTIVATIONS, HIDDEN_ACTIVATIONS, INITS, LOSSES, SCHEDULES
from playground.core.checks import check_openable
from playground.core.compgraph import EXAMPLES
from playground.core.datasets import GENERATORS
from playground.core.features import FEATURES
from playground.core.graph import Graph, output_fits
from playground.core.history import COLUMNS, History
from playground.core.optim import OPTIMIZERS
from playground.core.optimizer_race import RacerSpec
from playground.core.spec import (
    CLUSTER_METRICS,
    CONTROLS,
    LESSON_TOPICS,
    OUTCOME_METRICS,
    ActionSpec,
    CheckSpec,
    ClusteringSpec,
    Experiment,
    GraphLabSpec,
    OptimizerLabSpec,
    StepSpec,
    TrainingSpec,
    ViewSpec,
)
from playground.core.surfaces import SURFACES
from playground.core.trainer import Trainer

# Text as users type it: any character a file can hold (not lone surrogates), controls too.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
COORD = st.floats(-1e6, 1e6, allow_nan=False)  # the limit on a points table's values


def number(lo=None, hi=None, lo_open=False, integer=False):
    if integer:
        return st.integers(int(lo if lo is not None else -10**6), int(min(
            hi if hi is not None else 10**6, 2**31 - 1)))
    return st.floats(lo if lo is not None else -1e9, hi if hi is not None else 1e9,
                     exclude_min=lo_open, allow_nan=False, allow_infinity=False)


def params_of(entry) -> st.SearchStrategy[dict]:
    """Any subset of a catalog entry's parameters, each within its range."""
    return st.fixed_dictionaries({}, optional={
        p.name: number(p.lo, p.hi, integer=p.integer) for p in entry.params})


@st.composite
def scalars(draw, cls, skip=()) -> dict:
    """A value for every plain field of dataclass `cls` (numbers in their range, names from
    their choices, true/false, text), read from the fields' own metadata."""
    out = {}
    for fld in dataclasses.fields(cls):
        kind, check = fld.metadata.get("kind"), fld.metadata.get("check")
        if fld.name in skip or kind not in (bool, int, float, str):
            continue
        names = F.names(check)
        if names is not None:
            out[fld.name] = draw(st.sampled_from(names))
        elif kind is bool:
            out[fld.name] = draw(st.booleans())
        elif kind is str:
            out[fld.name] = draw(TEXT)
        else:
            lo, hi, lo_open = F.bounds(check)
            out[fld.name] = draw(number(lo, hi, lo_open, integer=kind is int))
    return out


# ------------------------------------------------------------------------------ networks

@st.composite
def block_params(draw, kind: str) -> dict:
    params: dict = {}
    if draw(st.booleans()):
        params["name"] = draw(TEXT.filter(lambda t: len(t) <= 100))
    if kind in ("dense", "activation"):  # maxout needs a Dense block's pieces
        name = draw(st.sampled_from([a for a in HIDDEN_ACTIVATIONS
                                     if kind == "dense" or a != "maxout"]))
        params["activation"] = name
        params.update(draw(params_of(ACTIVATIONS[name])))
    if kind == "dense":
        params["units"] = draw(st.integers(1, 4))
        params["init"] = draw(st.sampled_from(list(INITS)))
        params["bias"] = draw(st.booleans())
    if kind == "dropout":
        params["keep_prob"] = draw(number(0.05, 1.0))
    if kind == "batchnorm":
        params["momentum"] = draw(number(0.0, 1.0))
        params["delta"] = draw(number(1e-5, 1.0))
    return params


@st.composite
def output_params(draw, problem: str) -> dict:
    pairs = [(a, loss) for a in ACTIVATIONS if a != "maxout" for loss in LOSSES
             if output_fits(loss, a, problem)]
    activation, loss = draw(st.sampled_from(pairs))
    params = {"activation": activation, "loss": loss, "init": draw(st.sampled_from(list(INITS))),
              "bias": draw(st.booleans())}
    params.update(draw(params_of(ACTIVATIONS[activation])))
    params.update(draw(params_of(LOSSES[loss])))
    return params


@st.composite
def networks(draw, problem: str) -> Graph:
    """Input, then stages of one-input blocks or of branches joined by Add or Concat, then the
    Output: every block type, each with its parameters, at generated positions."""
    g = Graph()
    where = st.tuples(number(-1e4, 1e4), number(-1e4, 1e4))
    last = g.add_node("input", node_id="input", position=draw(where))
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["dense", "activation", "dropout", "batchnorm", "add",
                                     "concat"]))
        if kind in ("add", "concat"):
            units = draw(st.integers(1, 3))
            join = g.add_node(kind, draw(block_params(kind)), position=draw(where))
            for _ in range(draw(st.integers(2, 3))):
                params = draw(block_params("dense"))
                if kind == "add":
                    params["units"] = units  # Add joins equal widths
                branch = g.add_node("dense", params, position=draw(where))
                g.connect(last, branch)
                g.connect(branch, join)
        else:
            join = g.add_node(kind, draw(block_params(kind)), position=draw(where))
            g.connect(last, join)
        last = join
    out = g.add_node("output", draw(output_params(problem)), node_id="output",
                     position=draw(where))
    g.connect(last, out)
    return g


# ------------------------------------------------------------------------------ sections

@st.composite
def training(draw) -> TrainingSpec:
    spec = TrainingSpec(**draw(scalars(TrainingSpec, skip=("device", "fast_path"))))
    spec.batch_size = draw(st.integers(1, 12))  # tiny data sets: a few batches an epoch
    spec.device = "cpu"
    spec.optimizer_params = draw(params_of(OPTIMIZERS[spec.optimizer]))
    spec.schedule_params = draw(params_of(SCHEDULES[spec.schedule]))
    from playground.core.catalog import WEIGHT_PENALTIES

    spec.regularization_params = draw(params_of(WEIGHT_PENALTIES[spec.regularization]))
    return spec


@st.composite
def racers(draw) -> list[RacerSpec]:
    out = []
    for _ in range(draw(st.integers(0, 8))):
        r = RacerSpec(**draw(scalars(RacerSpec)))
        r.params = draw(params_of(OPTIMIZERS[r.optimizer]))
        r.schedule_params = draw(params_of(SCHEDULES[r.schedule]))
        r.start = draw(st.one_of(st.just([]), st.lists(number(-1e5, 1e5), min_size=2,
                                                       max_size=2)))
        out.append(r)
    return out


@st.composite
def optimizer_lab(draw) -> OptimizerLabSpec:
    lab = OptimizerLabSpec(**draw(scalars(OptimizerLabSpec, skip=("formula",))))
    lab.surface_params = draw(params_of(SURFACES[lab.surface]))
    if lab.surface == "custom":
        lab.formula = draw(st.sampled_from(["x^2 + 3*y^2", "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
                                            "max(abs(x), abs(y))", "exp(-x^2) - y"]))
    lab.start = draw(st.one_of(st.just([]), st.lists(number(-1e5, 1e5), min_size=2,
                                                     max_size=2)))
    lab.racers = draw(racers())
    return lab


@st.composite
def graph_lab(draw) -> GraphLabSpec:
    example = draw(st.sampled_from(list(EXAMPLES.values())))
    inputs = {k: draw(number(-1e3, 1e3)) for k in example.inputs}
    return GraphLabSpec(example.expression, inputs, draw(st.sampled_from(list(inputs))))


SETTABLE = st.one_of(  # (field, value) a lesson's "set" step or a twin may write
    st.tuples(st.just("training.learning_rate"), number(1e-4, 10.0)),
    st.tuples(st.just("training.optimizer"), st.sampled_from(list(OPTIMIZERS))),
    st.tuples(st.just("data.noise"), number(0.0, 1.0)),
    st.tuples(st.just("training.early_stopping"), st.booleans()),
    st.tuples(st.just("features"), st.just(["x1", "x2", "x1_sq"])),
    st.tuples(st.just("network.hidden.units"), st.integers(1, 8)),
)


@st.composite
def steps(draw) -> list[StepSpec]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        step = StepSpec(text=draw(TEXT.filter(str.strip)), reveal=draw(TEXT))
        if draw(st.booleans()):
            step.question = draw(TEXT.filter(bool))
            step.choices = draw(st.lists(TEXT, min_size=2, max_size=4))
            step.answers = draw(st.lists(st.integers(0, len(step.choices) - 1), min_size=1,
                                         max_size=2))
        kind = draw(st.sampled_from(["none", "set", "train", "step_clustering",
                                     "run_clustering"]))
        action = ActionSpec(kind=kind, count=draw(st.integers(1, 10000)))
        if kind == "set":
            action.field, action.value = draw(SETTABLE)
        step.action = action
        out.append(step)
    return out


@st.composite
def lesson_and_outcome(draw, exp: Experiment, clustering: bool) -> None:
    lesson = exp.lesson
    lesson.topic = draw(st.sampled_from(("",) + LESSON_TOPICS))
    lesson.source, lesson.goal = draw(TEXT), draw(TEXT)
    lesson.steps = draw(steps())
    outcome = exp.outcome
    metrics = CLUSTER_METRICS if clustering else [m for m in OUTCOME_METRICS
                                                  if m not in CLUSTER_METRICS]
    outcome.metric = draw(st.sampled_from(metrics))
    outcome.epochs = draw(st.integers(0, 100_000))
    outcome.at_least, outcome.at_most = draw(number()), draw(number())
    outcome.text, outcome.twin_title = draw(TEXT), draw(TEXT)
    if not clustering and draw(st.booleans()):
        field, value = draw(SETTABLE)
        outcome.twin = {field: value}
        outcome.relation = draw(st.sampled_from(["below", "above", "differs"]))
        outcome.margin = draw(number(0.0, 1e9))
    outcome.also = [CheckSpec(draw(st.sampled_from(metrics[1:] if metrics[0] == "none"
                                                   else metrics)), draw(number()),
                              draw(number()))
                    for _ in range(draw(st.integers(0, 2)))]


@st.composite
def common(draw, exp: Experiment, clustering: bool) -> Experiment:
    """Everything beside data, network and training: text, view, labs, lesson."""
    exp.title = draw(TEXT)
    exp.description = draw(st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
    view = ViewSpec(**draw(scalars(ViewSpec)))
    view.hidden_controls = draw(st.lists(st.sampled_from(CONTROLS), unique=True))
    exp.view = view
    exp.optimizer_lab = draw(optimizer_lab())
    exp.graph_lab = draw(graph_lab())
    draw(lesson_and_outcome(exp, clustering))
    return exp


# ------------------------------------------------------------------------------ experiments

PROBLEMS = {"regression": ["plane", "multi_gauss"],  # (first: generation favours the first)
            "multiclass": ["blobs", "anisotropic", "varied"],
            "binary": ["circle", "xor", "gauss", "spiral", "moons", "circles"]}


@st.composite
def painted_points(draw, n: int, labels: st.SearchStrategy) -> list[list[float]]:
    return [[draw(COORD), draw(COORD), float(draw(labels))] for _ in range(n)]


@st.composite
def trained(draw) -> tuple[Experiment, Trainer]:
    """A trainable experiment of any problem, trained an epoch or two (a batch more at times),
    maybe given a long history with NaN and infinite values."""
    problem = draw(st.sampled_from(list(PROBLEMS)))
    exp = Experiment()
    data = exp.data
    if draw(st.booleans()):  # painted or imported points
        data.generator = "points"
        data.problem = "regression" if problem == "regression" else "classification"
        classes = {"binary": 2, "multiclass": 3}.get(problem, 0)
        labels = st.integers(0, classes - 1) if classes else number(-1e3, 1e3)
        data.points = draw(painted_points(12, labels))
        for i in range(max(classes, 1)):  # every class present
            data.points[i][2] = float(i) if classes else data.points[i][2]
        data.points = [[x / 1e5, y / 1e5, t] for x, y, t in data.points]  # a trainable scale
    else:
        data.generator = draw(st.sampled_from(PROBLEMS[problem]))
        data.n_points = draw(st.integers(10, 24))
        data.n_classes = 3
    data.noise = draw(number(0.0, 1.0))
    data.train_fraction = draw(number(0.4, 0.8))
    data.seed = draw(st.integers(0, 2**31 - 1))
    exp.features = draw(st.lists(st.sampled_from(list(FEATURES)), min_size=1, max_size=4,
                                 unique=True))
    exp.network = draw(networks(problem))
    exp.training = draw(training())
    exp.training.fast_path = draw(st.booleans())
    exp = draw(common(exp, clustering=False))
    trainer = Trainer(exp, compile_fast=False)
    trainer.run(draw(st.integers(1, 2)))
    if draw(st.booleans()):
        trainer.step_batch()  # a file saved in the middle of an epoch
    if draw(st.booleans()):
        trainer.history = draw(long_histories())
    return exp, trainer


@st.composite
def long_histories(draw) -> History:
    rows = draw(st.sampled_from([200_000, 65_537, 65_536, 1, 0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    columns = {c: rng.standard_normal(rows).astype(np.float32) for c in COLUMNS}
    columns["epoch"] = np.arange(1, rows + 1, dtype=np.int64)
    columns["wall_time"] = np.cumsum(rng.random(rows))
    for c in ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "learning_rate"):
        if rows:  # what diverged and regression runs write
            at = rng.integers(0, rows, size=draw(st.integers(0, 5)))
            columns[c][at] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 1e-45, -0.0]))
    return History.from_columns(columns)


@st.composite
def work_in_progress(draw, graph: Graph) -> Graph:
    """What the editor leaves while a network is being built: a block dropped from the
    palette and not yet connected, a connection taken away."""
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.booleans()) and graph.edges:
            graph.disconnect(*draw(st.sampled_from(graph.edges)))
        else:
            kind = draw(st.sampled_from(["dense", "activation", "add", "concat", "input",
                                         "output"]))
            graph.add_node(kind, draw(block_params(kind)) if kind != "output" else {})
    return graph


@st.composite
def untrained(draw) -> Experiment:
    """Any experiment the window can save before training: clustering on painted points or a
    generated set with placed centres, a network still being built, data too small to train."""
    exp = Experiment()
    spec = ClusteringSpec(**draw(scalars(ClusteringSpec)))
    if draw(st.booleans()):
        exp.data.generator = "points"
        exp.data.problem = draw(st.sampled_from(["auto", "classification", "regression"]))
        exp.data.points = draw(painted_points(draw(st.integers(0, 30)), st.integers(0, 99)))
    else:
        exp.data.generator = draw(st.sampled_from(list(GENERATORS)))
        exp.data.n_points = draw(st.sampled_from([0, 10, 5000, 20_000]))
        exp.data.n_classes = draw(st.integers(2, 8))
    if spec.algorithm == "hierarchical" and exp.data.generator != "points":
        exp.data.n_points = draw(st.integers(10, 5000))
    spec.centres = draw(st.lists(st.lists(COORD, min_size=2, max_size=2).map(
        lambda xy: [*xy, 0.0]), max_size=50))
    spec.init = "manual" if draw(st.booleans()) else spec.init
    exp.clustering = spec
    exp.features = draw(st.lists(st.sampled_from(list(FEATURES)), min_size=1, unique=True))
    exp.network = draw(work_in_progress(draw(networks(draw(st.sampled_from(list(PROBLEMS)))))))
    exp.training = draw(training())
    return draw(common(exp, clustering=draw(st.booleans())))


# ------------------------------------------------------------------------------ the property

def _no_constant(name: str):
    raise AssertionError(f"the file holds {name}, which is not JSON")


def assert_same_trainer(a: Trainer, b: Trainer) -> None:
    assert a.epoch == b.epoch and a.batch_in_epoch == b.batch_in_epoch
    assert (a.status, a.message, a.optimizer.t) == (b.status, b.message, b.optimizer.t)
    for (name, x), (_, y) in zip(a.model.state_dict().items(), b.model.state_dict().items(),
                                 strict=True):
        assert torch.equal(x, y), name
    for sa, sb in zip(a.optimizer.state, b.optimizer.state, strict=True):
        assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    for c in COLUMNS:
        np.testing.assert_array_equal(a.history.column(c), b.history.column(c))
    assert (a.best is None) == (b.best is None)


def round_trips(exp: Experiment, trainer: Trainer | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "saved.json")
        files.save_experiment(path, exp, trainer)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        json.loads(text, parse_constant=_no_constant)  # strict JSON: no NaN, no Infinity
        loaded = files.load_experiment(path)
        assert loaded.experiment == exp
        check_openable(loaded.experiment, loaded.state)  # the window opens it
        resumed = None
        if trainer is not None:
            resumed = files.resume_trainer(loaded, compile_fast=False)
            assert_same_trainer(trainer, resumed)
        files.save_experiment(path, loaded.experiment, resumed)
        with open(path, encoding="utf-8") as fh:
            assert fh.read() == text  # the second save writes the same bytes
        assert os.listdir(folder) == ["saved.json"]


def bounded(examples: int):
    """Derandomized, a few seconds each. No shrinking: on these large examples it can take
    minutes, and the failing example is printed whole either way."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


@bounded(25)
@given(trained())
def test_trained_experiments_of_every_kind_save_and_reopen_identically(case):
    exp, trainer = case
    for kind in {n.type for n in exp.network.nodes.values()}:  # what the examples cover
        event(f"block {kind}")  # (--hypothesis-show-statistics lists them)
    event(f"problem {trainer.dataset.problem}")
    event(f"history of {len(trainer.history)} rows" if len(trainer.history) > 2 else
          "history as trained")
    event("early stopping's best kept" if trainer.best is not None else "no best")
    round_trips(exp, trainer)


@bounded(40)
@given(untrained())
def test_untrained_experiments_clustering_and_half_built_networks_reopen_identically(exp):
    round_trips(exp)
