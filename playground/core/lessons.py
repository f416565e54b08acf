"""Lessons: run an experiment headless and check the outcome it promises (spec.OutcomeSpec).

A promise is a range for one metric and, for most lessons, a comparison a student can see:
the same metric on a twin experiment (the lesson with a few fields changed, e.g. plain SGD
instead of momentum) trained on the same seed. `check_seeds` repeats it for several seeds, so
a lesson cannot pass on a lucky draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .datasets import build_dataset
from .spec import CLUSTER_METRICS, Experiment

SEEDS = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class LessonResult:
    metric: str
    value: float
    passed: bool
    summary: str
    twin_value: float = math.nan


# The course notes by their file names in shared/seeds (INDEX.md), as a reader calls them.
NOTES_TITLES = {
    "000_b1987726ade904bc.txt": "Notes: neural networks and unsupervised learning",
    "001_073132b22604ecba.txt": "Deep-learning course",
    "002_d60c65f66eef3937.txt": "Review sheet",
    "003_a13259ec3cd317e4.txt": "Logistic regression to feed-forward nets",
    "004_561cca0368ebcbec.txt": "Binary classification and loss functions",
}


def with_sources(lessons: dict[str, Experiment], topic: str,
                 sources: dict[str, tuple[str, str]]) -> dict[str, Experiment]:
    """Give each lesson its topic, and its source in the notes and goal from `sources`
    (name -> (source, goal)), as the lesson browser shows them."""
    from .spec import LessonSpec

    for name, exp in lessons.items():
        source, goal = sources[name]
        exp.lesson = LessonSpec(topic=topic, source=source, goal=goal)
    return lessons


def source_in_words(source: str) -> str:
    """'001_….txt · Lecture 5 – …' as 'Deep-learning course · Lecture 5 – …'."""
    notes, _, section = source.partition(" · ")
    title = NOTES_TITLES.get(notes, notes)
    return f"{title} · {section}" if section else title


def with_seed(exp: Experiment, seed: int) -> Experiment:
    """The same lesson drawn with another seed: data, initial weights, shuffling, clustering."""
    out = exp.copy()
    out.data.seed = out.training.seed = out.clustering.seed = seed
    return out


def run_clustering(exp: Experiment):
    """Run the experiment's clustering to its end: (labels, true classes, final state, points)."""
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
    return labels, ds.y, x


def clustering_metrics(exp: Experiment, names: list[str]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    labels, truth, x = run_clustering(exp)
    found = labels >= 0
    kept = np.unique(labels[found])
    values = {
        "clusters": lambda: float(len(kept)),
        "noise_share": lambda: float(1.0 - found.mean()),
        # within-cluster sum of squares, as the elbow plot shows it
        "inertia": lambda: float(sum(((x[labels == k] - x[labels == k].mean(axis=0)) ** 2).sum()
                                     for k in kept)),
        "agreement": lambda: float(adjusted_rand_score(truth[found], labels[found])),
    }
    return {name: values[name]() for name in names}


def training_metrics(exp: Experiment, names: list[str], epochs: int,
                     trainer=None) -> dict[str, float]:
    from .trainer import DIVERGED, STOPPED, Trainer

    if "seed_spread" in names:  # the same data from five starting points
        finals = []
        for seed in SEEDS:
            restarted = exp.copy()
            restarted.training.seed = 1000 + seed
            finals.append(training_metrics(restarted, ["train_loss"], epochs)["train_loss"])
        spread = {"seed_spread": max(finals) - min(finals)}
        return spread | training_metrics(exp, [n for n in names if n != "seed_spread"], epochs,
                                         trainer)
    from .gradients import GRADIENT_METRICS, lesson_metric

    t = trainer or Trainer(exp)
    if any(n in GRADIENT_METRICS for n in names):
        t.gradients.on = True  # a promise about gradients records them, view on or off
    t.run(max(0, epochs - t.epoch))
    m, losses = t.last_metrics, t.history.train_loss
    values = {
        "diverged": lambda: float(t.status == DIVERGED),
        "stopped_early": lambda: float(t.status == STOPPED),
        # the epoch whose update overflowed; infinite when none did
        "diverged_epoch": lambda: float(t.epoch) if t.status == DIVERGED else math.inf,
        # epochs whose training loss rose: overshooting, oscillation, mini-batch noise
        "loss_rises": lambda: float(sum(b > a for a, b in zip(losses, losses[1:],
                                                               strict=False))),
        # ‖W‖ over every weight matrix (biases are not penalized)
        "weight_norm": lambda: float(math.sqrt(sum(
            float((p.detach().double() ** 2).sum())
            for p, decay in zip(t.params, t.decay_mask, strict=True) if decay))),
        "accuracy_gap": lambda: m["train_accuracy"] - m["test_accuracy"],
        **{name: (lambda name=name: lesson_metric(t, name)) for name in GRADIENT_METRICS},
    }
    if set(names) & JUDGING_METRICS:  # AUC, R², per-class recall: one more pass over the data
        from .evaluation import final_metrics

        judged = final_metrics(t)
        judged["recall_gap"] = m["test_accuracy"] - judged.get("test_min_recall", math.nan)
        values |= {k: (lambda v=v: v) for k, v in judged.items()}
    return {name: values[name]() if name in values else m.get(name, math.nan)
            for name in names}


# Metrics read from what the network says about each point (core/evaluation.py).
JUDGING_METRICS = {"test_auc", "val_auc", "test_r2", "test_rmse", "test_min_recall",
                   "test_mean_f1", "recall_gap"}


def measure(exp: Experiment, trainer=None) -> dict[str, float]:
    """Every metric the outcome names, from one run."""
    o = exp.outcome
    names = list(dict.fromkeys([o.metric] + [c.metric for c in o.also]))
    if o.metric == "none":
        return {"none": math.nan}
    if o.metric.startswith("race_"):  # an optimizer-lab lesson: the race on its surface
        from .optimizer_race import race_outcome

        return {o.metric: race_outcome(exp.optimizer_lab, o.metric)}
    if o.metric.startswith("graph_"):  # a graph-lab lesson: the derivative it steps to
        from .compgraph import gradient_outcome

        return {o.metric: gradient_outcome(exp.graph_lab)}
    if o.metric in CLUSTER_METRICS:
        return clustering_metrics(exp, names)
    if o.metric.startswith("sweep_"):  # a capacity lesson: its whole sweep, run here
        from .sweep_runner import sweep_outcome

        return sweep_outcome(exp)
    return training_metrics(exp, names, o.epochs, trainer)


def check(exp: Experiment, trainer=None, seed: int | None = None) -> LessonResult:
    """Train (or cluster) as the lesson says and compare the metric with its promise: the
    range, and the twin trained on the same seed when the lesson names one."""
    o = exp.outcome
    if seed is not None:
        exp = with_seed(exp, seed)
    values = measure(exp, trainer)
    value = values[o.metric]
    passed = o.metric == "none" or (o.at_least <= value <= o.at_most)
    summary = f"{o.metric} = {value:.4g}"
    for c in o.also:
        passed = passed and c.at_least <= values[c.metric] <= c.at_most
        summary += f", {c.metric} = {values[c.metric]:.4g}"
    twin_value = math.nan
    if o.relation:
        twin_value = measure(exp.with_changes(o.twin, "outcome.twin"))[o.metric]
        if o.relation == "below":
            passed = passed and value <= twin_value - o.margin
        elif o.relation == "above":
            passed = passed and value >= twin_value + o.margin
        else:
            passed = passed and abs(value - twin_value) >= o.margin
        summary = summary.replace(f"{o.metric} = {value:.4g}", f"{o.metric} = {value:.4g} vs "
                                  f"{twin_value:.4g} for {o.twin_title or 'the twin'}", 1)
    if o.text:
        summary += f" ({o.text})"
    return LessonResult(o.metric, value, passed, summary, twin_value)


def check_seeds(exp: Experiment, seeds=SEEDS) -> list[LessonResult]:
    return [check(exp, seed=s) for s in seeds]
