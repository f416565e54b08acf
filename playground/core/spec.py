"""The Experiment: one typed, versioned, validated description of everything a run needs.

The GUI edits it, the trainer builds from it, files store it. JSON carries `format` and
`version`; a newer version is refused, an older one is migrated step by step.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import fields as F
from . import limits
from .catalog import SCHEDULES, WEIGHT_PENALTIES
from .compgraph import GRAPH_METRICS, check_lab, inputs_from_json
from .datasets import GENERATORS
from .errors import SpecError, quote
from .features import DEFAULT_FEATURES, FEATURES
from .gradients import GRADIENT_METRICS
from .graph import Graph, mlp
from .optim import OPTIMIZERS
from .optimizer_race import (
    MAX_STEPS,
    RACE_METRICS,
    RacerSpec,
    default_racers,
    racers_from_json,
    start_from_json,
)
from .overrides import check_override, with_changes
from .surfaces import SURFACES, build_surface
from .sweep import SweepSpec

FORMAT = "playground-experiment"
VERSION = 1

# Migrations: MIGRATIONS[v] turns a version-v document into a version-(v + 1) one.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


_NUMBER_TYPES = (int, float)  # exact types: true/false are not numbers here


def _points(raw: Any, path: str, limit: int = limits.MAX_POINTS) -> list[list[float]]:
    if not isinstance(raw, list):
        raise SpecError(path, "must be a list of [x1, x2, label] rows")
    limits.at_most(path, "rows", len(raw), limit)
    # the common case checked in C loops (map, chain): a Python loop per row cost a tenth of a
    # second for the largest allowed table
    if (set(map(type, raw)) <= {list} and set(map(len, raw)) <= {3}
            and set(map(type, itertools.chain.from_iterable(raw))) <= set(_NUMBER_TYPES)):
        table = np.array(raw, dtype=np.float64).reshape(len(raw), 3)  # whole numbers in a
        # file have at most 18 digits (limits.parse_json), so this never overflows
        if np.isfinite(table).all() and (np.abs(table) <= limits.MAX_COORDINATE).all():
            return table.tolist()
    rows = []
    for i, row in enumerate(raw):  # not plain numbers: check row by row, naming the bad one
        if not (isinstance(row, list) and len(row) == 3 and all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in row)):
            raise SpecError(f"{path}[{i}]", "must be three finite numbers [x1, x2, label], "
                            f"got {quote(row)}")
        if max(abs(v) for v in row) > limits.MAX_COORDINATE:
            raise SpecError(f"{path}[{i}]", f"values must lie within ±{limits.MAX_COORDINATE:g} "
                            f"(got {quote(row)}); rescale the data")
        rows.append([float(v) for v in row])
    return rows


def _centres(raw: Any, path: str) -> list[list[float]]:
    return _points(raw, path, limits.MAX_CENTRES)


def _graph(raw: Any, path: str) -> Graph:
    return Graph.from_json(raw, path)




@dataclass
class DataSpec:
    generator: str = F.field("circle", str, F.one_of(lambda: GENERATORS))
    noise: float = F.field(0.0, float, F.between(0.0, 1.0),
                           "TF Playground's noise / 100 (0..0.5 there); label flips or spread")
    train_fraction: float = F.field(0.5, float, F.between(0.1, 0.9))
    validation_fraction: float = F.field(
        0.0, float, F.between(0.0, 0.8), "share of the points held out to choose with (early "
        "stopping, sweeps), taken from what would be test data; 0 = none, as in TF Playground")
    positive_share: float = F.field(
        0.0, float, lambda v: None if v == 0 or 0.01 <= v <= 0.99 else
        f"must be 0 (the dataset's own mix) or in [0.01, 0.99], got {v:g}",
        "share of class +1 (blue) in a two-class set, e.g. 0.1 for 90:10; 0 = the dataset's "
        "own mix")
    n_points: int = F.field(0, int, lambda v: None if v == 0 or 10 <= v <= 20000 else
                            f"must be 0 (the dataset's default) or in [10, 20000], got {v}")
    n_classes: int = F.field(3, int, F.between(2, 8), "classes for blobs and friends")
    seed: int = F.field(0, int, F.between(0, 2**31 - 1))
    problem: str = F.field("auto", str, F.one_of(["auto", "classification", "regression"]))
    points: list = F.field([], _points, None, "the table for the 'points' dataset (drawn, CSV)")
    domain_half_width: float = F.field(0.0, float, F.between(0.0, 100.0),
                                       "half-width of the square shown and evaluated; 0 = the "
                                       "dataset's own ([-6, 6] for TF Playground's sets)")

    def validate_extra(self, path: str) -> None:
        if self.train_fraction + self.validation_fraction > 0.95 + 1e-9:
            where = f"{path}.validation_fraction" if path else "validation_fraction"
            raise SpecError(where, f"training {self.train_fraction:.0%} + validation "
                            f"{self.validation_fraction:.0%} leaves too little test data; "
                            "together they may take at most 95%: lower one of them")


@dataclass
class TrainingSpec:
    learning_rate: float = F.field(0.03, float, F.between(0.0, 10.0, lo_open=True),
                                   "ε, the step size", apply=F.LIVE)
    batch_size: int = F.field(10, int, F.between(1, 4096))
    optimizer: str = F.field("sgd", str, F.one_of(lambda: OPTIMIZERS))
    optimizer_params: dict = F.field({}, "params")
    schedule: str = F.field("constant", str, F.one_of(lambda: SCHEDULES), apply=F.LIVE)
    schedule_params: dict = F.field({}, "params", apply=F.LIVE)
    regularization: str = F.field("none", str, F.one_of(lambda: WEIGHT_PENALTIES))
    regularization_rate: float = F.field(0.0, float, F.between(0.0, 10.0))
    regularization_params: dict = F.field({}, "params")
    max_norm: float = F.field(0.0, float, F.between(0.0, 100.0), "0 = off")
    gradient_clip: float = F.field(0.0, float, F.between(0.0, 1000.0), "0 = off")
    input_noise: float = F.field(0.0, float, F.between(0.0, 10.0), "std of noise added to x")
    label_smoothing: float = F.field(0.0, float, F.between(0.0, 0.5))
    early_stopping: bool = F.field(False, bool, None, "stop when the watched loss stops improving; "
                                   "keep the best weights", apply=F.LIVE)
    patience: int = F.field(20, int, F.between(1, 10000), "epochs without improvement before "
                            "stopping", apply=F.LIVE)
    epochs: int = F.field(0, int, F.between(0, 1_000_000), "stop after this many; 0 = no limit",
                          apply=F.LIVE)
    shuffle: bool = F.field(True, bool, None, "reshuffle each epoch (off: TF's fixed order)")
    seed: int = F.field(0, int, F.between(0, 2**31 - 1))
    device: str = F.field("auto", str, F.one_of(["auto", "cpu", "cuda", "mps"]))
    fast_path: bool = F.field(True, bool, None, "use the fused path for plain Dense stacks")

    def validate_extra(self, path: str) -> None:
        OPTIMIZERS[self.optimizer].resolve(self.optimizer_params, f"{path}.optimizer_params")
        SCHEDULES[self.schedule].resolve(self.schedule_params, f"{path}.schedule_params")
        WEIGHT_PENALTIES[self.regularization].resolve(self.regularization_params,
                                                      f"{path}.regularization_params")


@dataclass
class ClusteringSpec:
    algorithm: str = F.field("kmeans", str, F.one_of(["kmeans", "meanshift", "hierarchical",
                                                      "dbscan"]))
    k: int = F.field(3, int, F.between(1, limits.MAX_CENTRES))
    init: str = F.field("kmeans++", str, F.one_of(["manual", "random_points", "random_positions",
                                                   "random_assignment", "farthest", "kmeans++"]))
    centres: list = F.field([], _centres, None, "hand-placed centres [x, y, 0] for 'manual'")
    bandwidth: float = F.field(2.0, float, F.between(0.0, 100.0, lo_open=True))
    kernel: str = F.field("flat", str, F.one_of(["flat", "gaussian"]))
    linkage: str = F.field("single", str, F.one_of(["single", "complete", "average", "ward"]))
    eps: float = F.field(1.0, float, F.between(0.0, 100.0, lo_open=True))
    min_points: int = F.field(4, int, F.between(1, 100))
    seed: int = F.field(0, int, F.between(0, 2**31 - 1))


# Controls a lesson may hide (TF Playground lets teachers hide 15 of its own).
CONTROLS = ("datasets", "noise", "ratio", "classes", "problem", "regenerate", "features",
            "learning_rate", "optimizer", "loss", "activation", "regularization", "batch_size",
            "epochs", "speed", "step_batch", "history", "trace", "clustering", "sweeps")


@dataclass
class ViewSpec:
    resolution: int = F.field(100, int, F.between(10, 400))
    show_test_data: bool = F.field(False, bool)
    discretize: bool = F.field(False, bool)
    presentation: bool = F.field(False, bool)
    hidden_controls: list = F.field([], "str_list", F.each_of(lambda: CONTROLS))
    snapshot_every: int = F.field(1, int, F.between(0, 10000), "epochs trained between two "
                                "frames of the views; 0 = as fast as the machine goes")
    gradient_flow: bool = F.field(False, bool, None, "edges show the gradient dL/dw and units "
                                  "their mean |dL/da| instead of the weights and maps; each "
                                  "epoch's gradients are recorded (on the fused path this "
                                  "costs an extra autograd pass per epoch)",
                                  label="Gradient flow")
    panel: str = F.field("loss", str, F.one_of(["loss", "confusion", "roc", "scores", "fit", "gradients",
                                               "histograms"]),
                         "what the panel beside the output shows: the loss and accuracy, the "
                         "confusion matrices, ROC, score histograms, predicted against true, "
                         "the gradients per layer by epoch (measured while shown), or per-layer "
                         "histograms of outputs and weights")
    log_loss: bool = F.field(False, bool, None, "the trace plot's loss on a log scale: the "
                             "last digits of a falling loss stay visible", label="log loss")
    threshold: float = F.field(0.0, float, F.between(-1.0, 1.0),
                               "two classes: the score s above which the network's answer is "
                               "read as +1 (blue); 0 = its own rule. Moves the decision "
                               "contour and the confusion matrix, never the training",
                               step=0.05)


OUTCOME_METRICS = ("none", "train_accuracy", "test_accuracy", "train_loss", "test_loss",
                   "accuracy_gap", "diverged", "stopped_early", "diverged_epoch", "loss_rises",
                   "weight_norm", "seed_spread", "clusters", "agreement", "inertia", "noise_share",
                   *RACE_METRICS, *GRAPH_METRICS, *GRADIENT_METRICS,
                   # judging the model (core/evaluation.py) and capacity sweeps (core/sweep.py)
                   "val_loss", "val_accuracy", "test_auc", "val_auc", "test_r2", "test_rmse",
                   "test_min_recall", "test_mean_f1", "recall_gap",
                   "sweep_best_value", "sweep_val_rise", "sweep_train_fall")
CLUSTER_METRICS = ("clusters", "agreement", "inertia", "noise_share")


def _overrides(raw: Any, path: str) -> dict:
    """Field path -> JSON value: the changes that turn a lesson into its twin (checked against
    the whole experiment in Experiment.validate_extra)."""
    if not isinstance(raw, dict):
        raise SpecError(path, f"must be an object of field paths and values, got {quote(raw)}")
    for key, value in raw.items():
        if not key or key.startswith(".") or key.endswith("."):
            raise SpecError(f"{path}.{key}", "must be a field path like training.optimizer")
        _scalar(value, f"{path}.{key}")
    return dict(raw)


def _scalar(raw: Any, path: str) -> Any:
    """A number, a name or true/false: the values a step or a twin may set."""
    if isinstance(raw, bool | str) or (isinstance(raw, int | float) and math.isfinite(raw)):
        return raw
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return list(raw)  # a list of names, e.g. the input features
    raise SpecError(path, f"must be a number, a name, true/false or a list of names, "
                    f"got {quote(raw)}")


@dataclass
class CheckSpec:
    """A further range the same run must land in, e.g. the kept model's train accuracy."""

    metric: str = F.field("train_accuracy", str, F.one_of(OUTCOME_METRICS[1:]))
    at_least: float = F.field(-1e9, float)
    at_most: float = F.field(1e9, float)


def _checks(raw: Any, path: str) -> list[CheckSpec]:
    if not isinstance(raw, list) or len(raw) > 10:
        raise SpecError(path, "must be a list of at most 10 checks {metric, at_least, at_most}")
    return [F.from_dict(CheckSpec, c, f"{path}[{i}]") for i, c in enumerate(raw)]


@dataclass
class OutcomeSpec:
    """What a lesson promises: after `epochs` of training (or running the clustering to its
    end), `metric` lies in [at_least, at_most]. Checked by the lesson tests and
    `playground run`."""

    metric: str = F.field("none", str, F.one_of(OUTCOME_METRICS))
    epochs: int = F.field(0, int, F.between(0, 100_000))
    at_least: float = F.field(-1e9, float)
    at_most: float = F.field(1e9, float)
    text: str = F.field("", str, None, "the promise in words, shown with the result")
    twin: dict = F.field({}, _overrides, None,
                         "field path -> value: the twin experiment the lesson is compared with")
    twin_title: str = F.field("", str, None, "the twin's name in words, e.g. 'plain SGD'")
    relation: str = F.field("", str, F.one_of(["", "below", "above", "differs"]),
                            "the metric lies below / above / away from the twin's (same seed)")
    margin: float = F.field(0.0, float, F.between(0.0, 1e9), "by at least this much")
    also: list = F.field([], _checks, None, "further ranges the same run must land in")

    def validate_extra(self, path: str) -> None:
        clustering = [m in CLUSTER_METRICS for m in [self.metric] + [c.metric for c in self.also]]
        if self.metric != "none" and any(clustering) and not all(clustering):
            raise SpecError(f"{path}.also", "mixes clustering and training metrics; a lesson "
                            "either trains or clusters")
        if bool(self.twin) != bool(self.relation):
            raise SpecError(f"{path}.relation" if self.twin else f"{path}.twin",
                            "a comparison needs both a twin and a relation (below or above)")


# ------------------------------------------------------------------------ guided lessons
LESSON_TOPICS = ("Basics", "Features and depth", "Losses", "Activations", "Initialization",
                 "Optimization", "Regularization", "Capacity", "Judging a model", "k-means",
                 "Mean shift", "Hierarchical clustering", "DBSCAN", "Backpropagation")
ACTION_KINDS = ("none", "set", "train", "step_clustering", "run_clustering")


@dataclass
class ActionSpec:
    """What the app does for a step: set a field (`field`, `value`), train `count` epochs, or
    step / run the clustering (`count` steps). Data only: never code."""

    kind: str = F.field("none", str, F.one_of(ACTION_KINDS))
    field: str = F.field("", str, None, "the field path a 'set' changes, e.g. training.optimizer")
    value: Any = F.field(0, _scalar, None, "the value a 'set' writes")
    count: int = F.field(0, int, F.between(0, 10000), "epochs to train or clustering steps")

    def validate_extra(self, path: str) -> None:
        if self.kind == "set" and not self.field:
            raise SpecError(f"{path}.field", "a 'set' action needs the field path it changes")
        if self.kind in ("train", "step_clustering") and self.count < 1:
            raise SpecError(f"{path}.count", f"a {self.kind!r} action needs a count of 1 or more")


@dataclass
class StepSpec:
    """One guided step: text, an optional question answered before the reveal, an action."""

    text: str = F.field("", str)
    question: str = F.field("", str, None, "asked before the action; the student picks a choice")
    choices: list = F.field([], "str_list")
    answers: list = F.field([], lambda raw, path: _indices(raw, path), None,
                            "indices of the right choices")
    action: ActionSpec = F.field(ActionSpec(), ActionSpec)
    reveal: str = F.field("", str, None, "what was seen, shown after the answer and the action")

    def validate_extra(self, path: str) -> None:
        if not self.text.strip():
            raise SpecError(f"{path}.text", "a step needs text to show")
        if self.question and len(self.choices) < 2:
            raise SpecError(f"{path}.choices", "a question needs at least two choices")
        if self.choices and not self.question:
            raise SpecError(f"{path}.question", "choices need a question to answer")
        if self.question and not self.answers:
            raise SpecError(f"{path}.answers", "name the right choice(s) by index, from 0")
        for i in self.answers:
            if not 0 <= i < len(self.choices):
                raise SpecError(f"{path}.answers", f"index {i} is not a choice (0 to "
                                f"{len(self.choices) - 1})")


def _indices(raw: Any, path: str) -> list[int]:
    if not isinstance(raw, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in raw):
        raise SpecError(path, f"must be a list of whole numbers, got {quote(raw)}")
    return list(raw)


def _steps(raw: Any, path: str) -> list[StepSpec]:
    if not isinstance(raw, list):
        raise SpecError(path, f"must be a list of steps, got {type(raw).__name__}")
    if len(raw) > 100:
        raise SpecError(path, f"holds {len(raw)} steps; at most 100 are allowed")
    return [F.from_dict(StepSpec, step, f"{path}[{i}]") for i, step in enumerate(raw)]


def _predictions(raw: Any, path: str) -> list[int | None]:
    if not isinstance(raw, list) or len(raw) > 100 or not all(
            v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in raw):
        raise SpecError(path, f"must be a list of at most 100 choice indices or nulls, got "
                        f"{quote(raw)}")
    return list(raw)


def _step_indices(raw: Any, path: str) -> list[int]:
    if not isinstance(raw, list) or len(raw) > 100:
        raise SpecError(path, f"must be a list of at most 100 step indices, got {quote(raw)}")
    return _indices(raw, path)


@dataclass
class ProgressSpec:
    """Where the student is in a lesson's guided steps, saved with the experiment so that a
    lesson reopens where it was left (the file's network is the state at that step)."""

    step: int = F.field(0, int, F.between(0, 99), "the step shown, counted from 0")
    predictions: list = F.field([], _predictions, None,
                                "each step's predicted choice, by index (null: not yet)")
    acted: list = F.field([], _step_indices, None, "the steps whose action has run")
    action_ran: bool = F.field(False, bool, None,
                               "the shown step's action has run: the file holds its result")

    def check_against(self, steps: list[StepSpec], path: str) -> None:
        """Every index names a step of this lesson and a choice of its question."""
        n = len(steps)
        if self.step >= max(n, 1):
            raise SpecError(f"{path}.step", f"step {self.step} is not a step of this lesson "
                            f"(0 to {max(n - 1, 0)})")
        if len(self.predictions) > n:
            raise SpecError(f"{path}.predictions", f"holds {len(self.predictions)} entries for "
                            f"{n} steps")
        for i, choice in enumerate(self.predictions):
            if choice is not None and not 0 <= choice < len(steps[i].choices):
                raise SpecError(f"{path}.predictions", f"step {i}'s prediction {choice} is "
                                f"not one of its {len(steps[i].choices)} choices")
        for i in self.acted:
            if not 0 <= i < n or steps[i].action.kind == "none":
                raise SpecError(f"{path}.acted", f"step {i} has no action of this lesson")
        if self.action_ran and self.step not in self.acted:
            raise SpecError(f"{path}.action_ran", f"step {self.step} is not among the acted "
                            "steps")


@dataclass
class LessonSpec:
    """Where a lesson sits in the course: topic, source in the notes, goal; its guided steps
    and how far the student has walked them."""

    topic: str = F.field("", str, F.one_of(("",) + LESSON_TOPICS))
    source: str = F.field("", str, None, "file and section of the notes, e.g. '000 §Dropout'")
    goal: str = F.field("", str, None, "one line: what the student sees")
    steps: list = F.field([], _steps)
    progress: ProgressSpec = F.field(ProgressSpec(), ProgressSpec)

    def validate_extra(self, path: str) -> None:
        self.progress.check_against(self.steps, f"{path}.progress")


@dataclass
class OptimizerLabSpec:
    """The optimizer lab: a loss surface, a start point and the optimizers racing on it."""

    surface: str = F.field("rosenbrock", str, F.one_of(lambda: SURFACES))
    surface_params: dict = F.field({}, "params", None, "the surface's parameters (κ of the bowl)")
    formula: str = F.field("", str, None, "f(x, y) of the 'custom' surface")
    start: list = F.field([], start_from_json, None, "[x, y]; empty: the surface's own start")
    racers: list = F.field(default_racers(), racers_from_json, item=RacerSpec)
    steps: int = F.field(300, int, F.between(1, MAX_STEPS), "steps computed for each racer")
    speed: float = F.field(20.0, float, F.between(1.0, 240.0), "steps per second when playing",
                           step=5.0)
    slice_extent: float = F.field(1.0, float, F.between(0.05, 5.0), "α and β of your network's "
                                  "loss slice range over ±this (in filter-normalised steps)",
                                  step=0.1)

    def validate_extra(self, path: str) -> None:
        build_surface(self.surface, self.surface_params, self.formula, path)


@dataclass
class GraphLabSpec:
    """The computational-graph lab: a formula, its inputs' values, the input of the tangent."""

    expression: str = F.field("(x + y)*z", str)
    inputs: dict = F.field({"x": -2.0, "y": 5.0, "z": -4.0}, inputs_from_json)
    wrt: str = F.field("x", str, None, "the input of the forward-mode tangent column")

    def validate_extra(self, path: str) -> None:
        check_lab(self, path or "graph_lab")


def _default_network() -> Graph:
    return mlp([4, 2], "tanh")


@dataclass
class Experiment:
    title: str = F.field("", str, lambda v: None if len(v) <= limits.MAX_TITLE else
                         f"is {len(v)} characters long; the limit is {limits.MAX_TITLE}")
    description: str = F.field("", str)
    data: DataSpec = F.field(DataSpec(), DataSpec)
    features: list = F.field(list(DEFAULT_FEATURES), "str_list",
                             F.each_of(lambda: FEATURES))
    network: Graph = dataclasses.field(default_factory=_default_network,
                                       metadata={"kind": _graph, "check": None})
    training: TrainingSpec = F.field(TrainingSpec(), TrainingSpec)
    clustering: ClusteringSpec = F.field(ClusteringSpec(), ClusteringSpec)
    view: ViewSpec = F.field(ViewSpec(), ViewSpec)
    outcome: OutcomeSpec = F.field(OutcomeSpec(), OutcomeSpec)
    optimizer_lab: OptimizerLabSpec = F.field(OptimizerLabSpec(), OptimizerLabSpec)
    lesson: LessonSpec = F.field(LessonSpec(), LessonSpec)
    graph_lab: GraphLabSpec = F.field(GraphLabSpec(), GraphLabSpec)
    sweep: SweepSpec = F.field(SweepSpec(), SweepSpec)

    def validate_extra(self, path: str) -> None:
        if not self.features:
            raise SpecError("features", "choose at least one input feature")
        if len(set(self.features)) != len(self.features):
            raise SpecError("features", "a feature is listed twice")
        limits.check_experiment(self)
        # Each override on its own; whether it still applies to this experiment is checked
        # when it is applied (a student may have deleted the block a twin names).
        for key, value in self.outcome.twin.items():
            check_override(key, value, f"outcome.twin.{key}")
        for i, step in enumerate(self.lesson.steps):
            if step.action.kind == "set":
                check_override(step.action.field, step.action.value,
                               f"lesson.steps[{i}].action.{step.action.field}")

    def with_changes(self, changes: dict, where: str = "") -> Experiment:
        """A copy with each field path set to its value, validated whole (core/overrides.py);
        SpecError names `where` and the path."""
        return with_changes(self, changes, where)

    def copy(self) -> Experiment:
        return copy.deepcopy(self)

    # ---------------------------------------------------------------------------- JSON
    def to_json(self) -> dict:
        body = F.to_dict(self)
        return {"format": FORMAT, "version": VERSION, **body}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, doc: Any) -> Experiment:
        doc = migrate(doc)
        body = {k: v for k, v in doc.items() if k not in ("format", "version")}
        return F.from_dict(cls, body)

    @classmethod
    def loads(cls, text: str) -> Experiment:
        try:
            doc = limits.parse_json(text, _refuse_constant)
        except json.JSONDecodeError as exc:
            raise SpecError("", f"not valid JSON (line {exc.lineno}, column {exc.colno}): "
                            f"{exc.msg}") from exc
        except RecursionError as exc:
            raise SpecError("", "the document is nested too deeply to be an experiment") from exc
        return cls.from_json(doc)


def _refuse_constant(name: str) -> float:
    raise SpecError("", f"{name} is not a number an experiment may hold")


def migrate(doc: Any) -> dict:
    """Check `format` and `version`; bring an older document up to VERSION."""
    if not isinstance(doc, dict):
        raise SpecError("", "an experiment file holds a JSON object")
    if doc.get("format") != FORMAT:
        raise SpecError("format", f"must be {FORMAT!r}, got {quote(doc.get('format'))}; "
                        "this is not a playground experiment")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SpecError("version", f"must be a whole number >= 1, got {quote(version)}")
    if version > VERSION:
        raise SpecError("version", f"this file was written by a newer playground (version "
                        f"{version}; this one reads up to {VERSION}); please update the app")
    while version < VERSION:
        doc = MIGRATIONS[version](dict(doc))
        version += 1
        doc["version"] = version
    return doc
