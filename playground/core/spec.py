"""The Experiment: one typed, versioned, validated description of everything a run needs.

The GUI edits it, the trainer builds from it, files store it. JSON carries `format` and
`version`; a newer version is refused, an older one is migrated step by step.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import fields as F
from . import limits
from .catalog import SCHEDULES, WEIGHT_PENALTIES
from .datasets import GENERATORS
from .errors import SpecError, quote
from .features import DEFAULT_FEATURES, FEATURES
from .graph import Graph, mlp
from .optim import OPTIMIZERS

FORMAT = "playground-experiment"
VERSION = 1

# Migrations: MIGRATIONS[v] turns a version-v document into a version-(v + 1) one.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


_NUMBER_TYPES = (int, float)  # exact types: true/false are not numbers here


def _points(raw: Any, path: str, limit: int = limits.MAX_POINTS) -> list[list[float]]:
    if not isinstance(raw, list):
        raise SpecError(path, "must be a list of [x1, x2, label] rows")
    limits.at_most(path, "rows", len(raw), limit)
    numbers = _NUMBER_TYPES
    if all(type(row) is list and len(row) == 3 and type(row[0]) in numbers
           and type(row[1]) in numbers and type(row[2]) in numbers for row in raw):
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
    n_points: int = F.field(0, int, lambda v: None if v == 0 or 10 <= v <= 20000 else
                            f"must be 0 (the dataset's default) or in [10, 20000], got {v}")
    n_classes: int = F.field(3, int, F.between(2, 8), "classes for blobs and friends")
    seed: int = F.field(0, int, F.between(0, 2**31 - 1))
    problem: str = F.field("auto", str, F.one_of(["auto", "classification", "regression"]))
    points: list = F.field([], _points, None, "the table for the 'points' dataset (drawn, CSV)")


@dataclass
class TrainingSpec:
    learning_rate: float = F.field(0.03, float, F.between(0.0, 10.0, lo_open=True))
    batch_size: int = F.field(10, int, F.between(1, 4096))
    optimizer: str = F.field("sgd", str, F.one_of(lambda: OPTIMIZERS))
    optimizer_params: dict = F.field({}, "params")
    schedule: str = F.field("constant", str, F.one_of(lambda: SCHEDULES))
    schedule_params: dict = F.field({}, "params")
    regularization: str = F.field("none", str, F.one_of(lambda: WEIGHT_PENALTIES))
    regularization_rate: float = F.field(0.0, float, F.between(0.0, 10.0))
    regularization_params: dict = F.field({}, "params")
    max_norm: float = F.field(0.0, float, F.between(0.0, 100.0), "0 = off")
    gradient_clip: float = F.field(0.0, float, F.between(0.0, 1000.0), "0 = off")
    input_noise: float = F.field(0.0, float, F.between(0.0, 10.0), "std of noise added to x")
    label_smoothing: float = F.field(0.0, float, F.between(0.0, 0.5))
    early_stopping: bool = F.field(False, bool)
    patience: int = F.field(20, int, F.between(1, 10000))
    epochs: int = F.field(0, int, F.between(0, 1_000_000), "stop after this many; 0 = no limit")
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
            "epochs", "speed", "step_batch", "history", "trace", "clustering")


@dataclass
class ViewSpec:
    resolution: int = F.field(100, int, F.between(10, 400))
    show_test_data: bool = F.field(False, bool)
    discretize: bool = F.field(False, bool)
    presentation: bool = F.field(False, bool)
    hidden_controls: list = F.field([], "str_list", F.each_of(lambda: CONTROLS))
    snapshot_every: int = F.field(1, int, F.between(1, 10000), "epochs between view refreshes")


OUTCOME_METRICS = ("none", "train_accuracy", "test_accuracy", "train_loss", "test_loss",
                   "accuracy_gap", "diverged", "stopped_early", "clusters", "agreement")


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

    def validate_extra(self, path: str) -> None:
        if not self.features:
            raise SpecError("features", "choose at least one input feature")
        if len(set(self.features)) != len(self.features):
            raise SpecError("features", "a feature is listed twice")
        limits.check_experiment(self)

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
