"""Lessons: run an experiment headless and check the outcome it promises (spec.OutcomeSpec)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .datasets import build_dataset
from .spec import Experiment


@dataclass(frozen=True)
class LessonResult:
    metric: str
    value: float
    passed: bool
    summary: str


def run_clustering(exp: Experiment) -> tuple[np.ndarray, np.ndarray]:
    from .clustering import Stepper
    from .clustering.dbscan import dbscan_steps
    from .clustering.hierarchical import agglomerative_steps, cut
    from .clustering.kmeans import initial_centres, kmeans_steps
    from .clustering.meanshift import meanshift_steps

    ds = build_dataset(exp.data)
    x, c = ds.x.astype(np.float64), exp.clustering
    if c.algorithm == "kmeans":
        given = np.asarray(c.centres) if c.centres else None
        steps = kmeans_steps(x, initial_centres(x, c.k, c.init, c.seed, given))
    elif c.algorithm == "meanshift":
        steps = meanshift_steps(x, c.bandwidth, c.kernel)
    elif c.algorithm == "hierarchical":
        steps = agglomerative_steps(x, c.linkage)
    else:
        steps = dbscan_steps(x, c.eps, c.min_points)
    state = Stepper(steps).run()
    labels = cut(state.extra["linkage"], c.k) if c.algorithm == "hierarchical" else state.labels
    return labels, ds.y


def check(exp: Experiment, trainer=None) -> LessonResult:
    """Train (or cluster) as the lesson says and compare the metric with its promise."""
    from sklearn.metrics import adjusted_rand_score

    o = exp.outcome
    if o.metric.startswith("race_"):  # an optimizer-lab lesson: the race on its surface
        from .optimizer_race import race_outcome

        value = race_outcome(exp.optimizer_lab, o.metric)
    elif o.metric.startswith("graph_"):  # a graph-lab lesson: the derivative it steps to
        from .compgraph import gradient_outcome

        value = gradient_outcome(exp.graph_lab)
    elif o.metric in ("clusters", "agreement"):
        labels, truth = run_clustering(exp)
        found = labels >= 0
        value = (float(len(np.unique(labels[found]))) if o.metric == "clusters"
                 else float(adjusted_rand_score(truth[found], labels[found])))
    else:
        from .trainer import Trainer

        t = trainer or Trainer(exp)
        t.run(max(0, o.epochs - t.epoch))
        m = t.last_metrics
        value = {"diverged": float(t.status == "diverged"),
                 "stopped_early": float(t.status == "stopped"),
                 "accuracy_gap": m["train_accuracy"] - m["test_accuracy"]}.get(o.metric)
        if value is None:
            value = m.get(o.metric, math.nan)
    passed = o.metric == "none" or (o.at_least <= value <= o.at_most)
    summary = f"{o.metric} = {value:.4g}" + (f" ({o.text})" if o.text else "")
    return LessonResult(o.metric, value, passed, summary)
