"""Capacity sweeps: one setting, a list of values, several seeds each; train and validation
error against the value (the notes' over- and underfitting curves), and the learning curve
(error against the number of training points).

This module holds the description (`SweepSpec`, saved with the experiment), how a value is
applied to an experiment, and how results are checked and summed up. Running the sweep
(in worker processes) is `sweep_runner.py`. Only the validation split is used to choose
(the best value); the test error is recorded and shown, never chosen with.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import fields as F
from .errors import SpecError, quote
from .features import FEATURES
from .graph import BLOCKS, mlp
from .limits import MAX_SWEEP_EPOCHS, MAX_SWEEP_SEEDS, MAX_SWEEP_VALUES

# setting -> (label, what a value is, default values)
SETTINGS = {
    "hidden_width": ("hidden width", "units in every hidden Dense block", [1, 2, 4, 8, 16, 32]),
    "depth": ("depth", "hidden Dense layers, each as wide as the first", [0, 1, 2, 3, 4]),
    "l2_rate": ("L2 rate", "λ of an L2 penalty on the weights", [0, 0.001, 0.003, 0.01, 0.03,
                                                                  0.1]),
    "keep_prob": ("dropout keep probability", "p of every Dropout block (one is put after "
                  "each hidden layer when there is none)", [1.0, 0.9, 0.8, 0.7, 0.5]),
    "epochs": ("epochs", "epochs trained", [10, 30, 100, 300, 1000]),
    "features": ("feature set", "input features joined by '+', e.g. x1+x2+x1_sq",
                 ["x1+x2", "x1+x2+x1_sq+x2_sq", "x1+x2+x1_sq+x2_sq+x1x2+sin_x1+sin_x2"]),
    "train_points": ("training points (learning curve)", "how many of the training points "
                     "are trained on; validation and test stay the same",
                     [10, 25, 50, 100, 250]),
}
METRICS = ("error", "loss")
SPLITS = ("train", "val", "test")
MAX_VALUES, MAX_SEEDS, MAX_EPOCHS = MAX_SWEEP_VALUES, MAX_SWEEP_SEEDS, MAX_SWEEP_EPOCHS
MAX_RUNS = MAX_VALUES * MAX_SEEDS  # stored results: one row per run
BOUNDARY = 32  # side of the stored decision map of each run (one byte per cell)
ROW_KEYS = ("value", "seed", "epochs", *(f"{s}_{m}" for s in SPLITS for m in ("loss", "error")),
            "boundary")


def _values(raw: Any, path: str) -> list:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_VALUES:
        raise SpecError(path, f"must be a list of 1 to {MAX_VALUES} values")
    for i, v in enumerate(raw):
        ok = isinstance(v, str) and 0 < len(v) <= 200 or (
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v))
        if not ok:
            raise SpecError(f"{path}[{i}]", f"must be a number or a feature set, got {quote(v)}")
    return list(raw)


def _results(raw: Any, path: str) -> list[dict]:
    """Rows of finished runs, each checked: a stranger's file may hold anything."""
    if not isinstance(raw, list) or len(raw) > MAX_RUNS:
        raise SpecError(path, f"must be a list of at most {MAX_RUNS} runs")
    return [_row(r, f"{path}[{i}]") for i, r in enumerate(raw)]


def _row(raw: Any, path: str) -> dict:
    if not isinstance(raw, dict) or set(raw) != set(ROW_KEYS):
        raise SpecError(path, f"must hold exactly {', '.join(ROW_KEYS)}")
    row = dict(raw)
    _values([row["value"]], f"{path}.value")
    for key in ("seed", "epochs"):
        v = row[key]
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 2**31 - 1:
            raise SpecError(f"{path}.{key}", f"must be a whole number >= 0, got {quote(v)}")
    for key in ROW_KEYS[3:-1]:
        v = row[key]
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool)
                              or not math.isfinite(v)):
            raise SpecError(f"{path}.{key}", f"must be a number or null, got {quote(v)}")
    if not isinstance(row["boundary"], str) or (row["boundary"] and
                                                decode_boundary(row["boundary"]) is None):
        raise SpecError(f"{path}.boundary", f"must be empty or {BOUNDARY}x{BOUNDARY} bytes "
                        "in base64")
    return row


@dataclass
class SweepSpec:
    """One setting tried at several values, `seeds` runs each; the runs' results."""

    setting: str = F.field("hidden_width", str, F.one_of(list(SETTINGS)),
                           "the one setting the sweep changes")
    values: list = F.field(list(SETTINGS["hidden_width"][2]), _values, None,
                           "the values tried, in order")
    seeds: int = F.field(3, int, F.between(1, MAX_SEEDS), "runs per value, with training "
                         "seeds seed, seed + 1, ...: the band is their spread")
    epochs: int = F.field(300, int, F.between(1, MAX_EPOCHS), "epochs each run trains (the "
                          "'epochs' setting gives its own)")
    metric: str = F.field("error", str, F.one_of(METRICS),
                          "plotted: error (1 − accuracy, or RMSE for regression) or the loss")
    results: list = F.field([], _results, None, "the finished runs")
    basis: str = F.field("", str, lambda v: None if len(v) <= 64 else "is too long",
                         "fingerprint of the set-up the results were measured on")

    def validate_extra(self, path: str) -> None:
        for i, v in enumerate(self.values):
            problem = value_problem(self.setting, v)
            if problem:
                raise SpecError(f"{path}.values[{i}]", problem)
        for i, row in enumerate(self.results):
            if row["value"] not in self.values:
                raise SpecError(f"{path}.results[{i}].value", f"{quote(row['value'])} is not "
                                "one of the sweep's values")


def value_problem(setting: str, v: Any) -> str | None:
    """Why `v` is no value of `setting` (None when it is one)."""
    whole = isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer()
    number = isinstance(v, int | float) and not isinstance(v, bool)
    if setting == "hidden_width":
        return None if whole and 1 <= v <= 512 else f"a hidden width is 1 to 512 units, got {quote(v)}"
    if setting == "depth":
        return None if whole and 0 <= v <= 10 else f"a depth is 0 to 10 layers, got {quote(v)}"
    if setting == "l2_rate":
        return None if number and 0 <= v <= 10 else f"an L2 rate is in [0, 10], got {quote(v)}"
    if setting == "keep_prob":
        return None if number and 0.05 <= v <= 1 else \
            f"a keep probability is in [0.05, 1], got {quote(v)}"
    if setting == "epochs":
        return None if whole and 1 <= v <= MAX_EPOCHS else \
            f"epochs are 1 to {MAX_EPOCHS:,}, got {quote(v)}"
    if setting == "train_points":
        return None if whole and 2 <= v <= 100_000 else \
            f"training points are 2 to 100,000, got {quote(v)}"
    if setting == "features":
        if not isinstance(v, str):
            return f"a feature set is names joined by '+', got {quote(v)}"
        names = v.split("+")
        unknown = [n for n in names if n not in FEATURES]
        if unknown:
            return f"no feature {unknown[0]!r}; known: {', '.join(FEATURES)}"
        if len(set(names)) != len(names):
            return f"{v!r} names a feature twice"
        return None
    return f"unknown setting {setting!r}"


def parse_values(text: str, setting: str) -> list:
    """Values typed as text, separated by commas or spaces (feature sets: by commas or
    spaces, names inside joined by '+'); SpecError names the bad one."""
    items = [t for t in text.replace(",", " ").split() if t]
    if not items:
        raise SpecError("sweep.values", "type at least one value")
    out = []
    for t in items:
        if setting == "features":
            out.append(t)
            continue
        try:
            v = float(t)
        except ValueError:
            raise SpecError("sweep.values", f"{t!r} is not a number") from None
        out.append(int(v) if v.is_integer() and setting not in ("l2_rate", "keep_prob") else v)
    return out


# --------------------------------------------------------------------------- applying

def apply_setting(exp, setting: str, value: Any):
    """(experiment, train_limit): a copy of `exp` (a spec.Experiment) with the setting at
    `value`, validated whole; train_limit is the learning curve's number of training
    points (None otherwise). SpecError names what does not fit."""
    problem = value_problem(setting, value)
    if problem:
        raise SpecError("sweep.values", problem)
    where = f"sweep ({SETTINGS[setting][0]} = {value})"
    if setting == "hidden_width":
        if not exp.network.of_type("dense"):
            raise SpecError("network", "has no hidden Dense block to widen; add one")
        return exp.with_changes({"network.hidden.units": int(value)}, where), None
    if setting == "l2_rate":
        return exp.with_changes({"training.regularization": "l2",
                                 "training.regularization_rate": float(value)}, where), None
    if setting == "epochs":
        return exp.with_changes({"training.epochs": int(value)}, where), None
    if setting == "features":
        return exp.with_changes({"features": value.split("+")}, where), None
    if setting == "train_points":
        return exp.copy(), int(value)
    out = exp.copy()
    out.network = _deeper(exp.network, int(value)) if setting == "depth" else \
        _with_dropout(exp.network, float(value))
    return out.with_changes({}, where), None


def _first_dense_params(graph) -> dict:
    dense = graph.dense_chain() or graph.of_type("dense")
    if dense:
        return dict(graph.nodes[dense[0]].params)
    return {"units": 4, "activation": "tanh", **{k: v for k, v in BLOCKS["dense"].defaults.items()
                                                 if k not in ("units", "activation")}}


def _deeper(graph, depth: int):
    """A plain stack of `depth` hidden Dense layers like the graph's first one, and its
    Output block as it was."""
    first = _first_dense_params(graph)
    out_id = graph.of_type("output")[0]
    stack = mlp([int(first.get("units", 4))] * depth, first.get("activation", "tanh"))
    for i in range(1, depth + 1):
        stack.nodes[f"dense{i}"].params.update(first)
    stack.nodes["output"].params.update(graph.nodes[out_id].params)
    return stack


def _with_dropout(graph, keep_prob: float):
    """Every Dropout block at `keep_prob`; a graph without one gets one after each hidden
    Dense block."""
    g = _clone(graph)
    drops = g.of_type("dropout")
    if drops:
        for d in drops:
            g.set_params(d, keep_prob=keep_prob)
        return g
    for src in g.of_type("dense"):
        for dst in list(g.outputs_of(src)):
            block = g.add_node("dropout", {"keep_prob": keep_prob})
            g.disconnect(src, dst)
            g.connect(src, block)
            g.connect(block, dst)
    return g


def _clone(graph):
    from .graph import Graph

    return Graph.from_json(graph.to_json(), "network")


# ------------------------------------------------------------------------------ results

def encode_boundary(values: np.ndarray) -> str:
    """A BOUNDARY² map of values in [-1, 1] (or class indices, already 0..255) as base64."""
    return base64.b64encode(np.ascontiguousarray(values, np.uint8).tobytes()).decode()


def decode_boundary(text: str) -> np.ndarray | None:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(data) != BOUNDARY * BOUNDARY:
        return None
    return np.frombuffer(data, np.uint8).reshape(BOUNDARY, BOUNDARY)


@dataclass(frozen=True)
class Point:
    """One value's runs summed up for a split: mean, lowest and highest over the seeds."""

    mean: float
    low: float
    high: float


def summary(spec: SweepSpec, metric: str | None = None) -> list[dict[str, Point]]:
    """Per value (in the spec's order), per split, the metric over the seeds that ran."""
    metric = metric or spec.metric
    out = []
    for value in spec.values:
        rows = [r for r in spec.results if r["value"] == value]
        point = {}
        for split in SPLITS:
            v = np.array([r[f"{split}_{metric}"] for r in rows
                          if r[f"{split}_{metric}"] is not None], dtype=np.float64)
            point[split] = Point(float(v.mean()), float(v.min()), float(v.max())) if len(v) \
                else Point(math.nan, math.nan, math.nan)
        out.append(point)
    return out


def best_index(spec: SweepSpec, metric: str | None = None) -> int | None:
    """The value with the lowest mean validation metric (the choice a sweep makes: never
    the test split's); None before any run."""
    means = [p["val"].mean for p in summary(spec, metric)]
    finite = [(m, i) for i, m in enumerate(means) if math.isfinite(m)]
    return min(finite)[1] if finite else None


def outcome(spec: SweepSpec) -> dict[str, float]:
    """The numbers a lesson promises about a finished sweep: the best value (by validation),
    how far validation rises again from its lowest to the last value, and how far training
    error falls from the first value to the last."""
    points, best = summary(spec), best_index(spec)
    if best is None:
        return {"sweep_best_value": math.nan, "sweep_val_rise": math.nan,
                "sweep_train_fall": math.nan}
    value = spec.values[best]
    return {"sweep_best_value": float(value) if not isinstance(value, str) else float(best),
            "sweep_val_rise": points[-1]["val"].mean - points[best]["val"].mean,
            "sweep_train_fall": points[0]["train"].mean - points[-1]["train"].mean}
