"""Judging a model: confusion matrices, precision / recall / F1, ROC and precision-recall
curves with their areas, RMSE and R². Plain NumPy on labels and scores, no Qt and no torch.

Each function gives what scikit-learn's namesake gives on the same predictions (the tests
compare them), so a student can check the app against the library the notes use. Conventions:

- Classes are indices 0..C-1; in a two-class problem class 1 (blue, TF Playground's +1) is
  the positive one.
- A score is the network's binary output s (tanh's value, or 2p - 1 for a sigmoid): the
  network says "positive" when s > threshold, and its own decision is threshold 0.
- The ROC and PR curves run over every distinct score, as scikit-learn's do with
  `drop_intermediate=False`: the point for score v counts s >= v as positive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts (C, C): row = the true class, column = the predicted one."""
    truth = np.asarray(truth, dtype=np.int64)
    predicted = np.clip(np.asarray(predicted, dtype=np.int64), 0, n_classes - 1)
    flat = np.bincount(truth * n_classes + predicted, minlength=n_classes * n_classes)
    return flat[:n_classes * n_classes].reshape(n_classes, n_classes)


def row_normalised(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its total (the share of each true class predicted as each class;
    the diagonal is then the recall). An empty row stays 0."""
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)


@dataclass(frozen=True)
class ClassReport:
    """Per class: precision = TP / (TP + FP), recall = TP / (TP + FN),
    F1 = 2 TP / (2 TP + FP + FN), support = the true count; 0 where a denominator is 0
    (scikit-learn's zero_division=0)."""

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray


def class_report(matrix: np.ndarray) -> ClassReport:
    tp = np.diag(matrix).astype(np.float64)
    predicted, actual = matrix.sum(axis=0), matrix.sum(axis=1)
    fp, fn = predicted - tp, actual - tp

    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        return np.divide(num, den, out=np.zeros(len(tp)), where=den > 0)

    return ClassReport(ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn),
                       actual.astype(np.int64))


def accuracy(matrix: np.ndarray) -> float:
    total = matrix.sum()
    return float(np.trace(matrix) / total) if total else math.nan


# --------------------------------------------------------------------------- two classes

def predict_at(scores: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Class 1 where the score is above the threshold (the network's rule at threshold 0)."""
    return (np.asarray(scores) > threshold).astype(np.int64)


def confusion_at(truth: np.ndarray, scores: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """The 2 x 2 matrix of a two-class network judged at `threshold`."""
    return confusion_matrix(truth, predict_at(scores, threshold), 2)


def _counts_by_threshold(truth: np.ndarray, scores: np.ndarray):
    """Distinct scores from the highest down, and the positives and negatives scoring at
    least each one."""
    truth = np.asarray(truth).astype(np.int64) == 1
    scores = np.asarray(scores, dtype=np.float64)
    order = np.argsort(scores, kind="mergesort")[::-1]
    s, t = scores[order], truth[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the last row of each distinct score
    tps = np.cumsum(t)[last].astype(np.float64)
    fps = (last + 1) - tps
    return s[last], tps, fps


@dataclass(frozen=True)
class Curve:
    """A curve traced by the threshold: x, y and the threshold of each point."""

    x: np.ndarray
    y: np.ndarray
    thresholds: np.ndarray


def roc_curve(truth: np.ndarray, scores: np.ndarray) -> Curve:
    """False-positive rate (x) against true-positive rate (y), from (0, 0) at threshold +inf
    to (1, 1); NaN rates when a class is missing."""
    thresholds, tps, fps = _counts_by_threshold(truth, scores)
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    with np.errstate(invalid="ignore", divide="ignore"):
        fpr = fps / fps[-1] if fps[-1] > 0 else np.full(len(fps), np.nan)
        tpr = tps / tps[-1] if tps[-1] > 0 else np.full(len(tps), np.nan)
    return Curve(fpr, tpr, np.r_[np.inf, thresholds])


def area(x: np.ndarray, y: np.ndarray) -> float:
    """The trapezoid area under y(x) (x monotone)."""
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))


def roc_auc(truth: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random positive scores above a random
    negative (ties count half). NaN when a class is missing."""
    truth = np.asarray(truth)
    if len(truth) == 0 or truth.min() == truth.max():
        return math.nan
    curve = roc_curve(truth, scores)
    return area(curve.x, curve.y)


def precision_recall_curve(truth: np.ndarray, scores: np.ndarray) -> Curve:
    """Recall (x) against precision (y), ordered by rising threshold as scikit-learn orders
    them, ending at recall 0, precision 1 (no threshold: `thresholds` is one shorter)."""
    thresholds, tps, fps = _counts_by_threshold(truth, scores)
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros(len(tps)), where=predicted > 0)
    recall = tps / tps[-1] if tps[-1] > 0 else np.ones(len(tps))
    return Curve(np.r_[recall[::-1], 0.0], np.r_[precision[::-1], 1.0], thresholds[::-1])


def average_precision(truth: np.ndarray, scores: np.ndarray) -> float:
    """The precision-recall curve's step-wise area: Σ (R_n − R_{n−1}) P_n."""
    truth = np.asarray(truth)
    if len(truth) == 0 or not (truth == 1).any():
        return math.nan
    curve = precision_recall_curve(truth, scores)
    return float(-np.sum(np.diff(curve.x) * curve.y[:-1]))


def operating_point(truth: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """Where `threshold` puts the network: its matrix, rates and precision."""
    m = confusion_at(truth, scores, threshold)
    (tn, fp), (fn, tp) = m
    return {"matrix": m,
            "fpr": fp / (fp + tn) if fp + tn else math.nan,
            "tpr": tp / (tp + fn) if tp + fn else math.nan,
            "precision": tp / (tp + fp) if tp + fp else 1.0}


def threshold_between(curve_thresholds: np.ndarray, scores: np.ndarray, i: int) -> float:
    """A threshold t whose rule s > t gives point `i` of the ROC curve (whose rule is
    s >= thresholds[i]): halfway down to the next lower distinct score."""
    distinct = np.unique(np.asarray(scores, dtype=np.float64))
    if i <= 0:
        return float(distinct[-1]) if len(distinct) else 0.0  # nothing above the top score
    v = curve_thresholds[i]
    lower = distinct[distinct < v]
    return float((v + lower[-1]) / 2.0) if len(lower) else float(v) - 1e-6


def score_histograms(truth: np.ndarray, scores: np.ndarray, bins: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Counts of the negatives' and the positives' scores in `bins` (edges)."""
    truth, scores = np.asarray(truth), np.asarray(scores)
    return (np.histogram(scores[truth != 1], bins)[0], np.histogram(scores[truth == 1], bins)[0])


# ------------------------------------------------------------------------------ regression

def rmse(truth: np.ndarray, predicted: np.ndarray) -> float:
    """√(mean of (y − ŷ)²), in the target's own units."""
    truth, predicted = np.asarray(truth, np.float64), np.asarray(predicted, np.float64)
    return float(np.sqrt(np.mean((truth - predicted) ** 2))) if len(truth) else math.nan


def r2(truth: np.ndarray, predicted: np.ndarray) -> float:
    """1 − Σ(y − ŷ)² / Σ(y − ȳ)²: 1 is perfect, 0 is as good as predicting the mean. A
    constant target gives 1 when predicted exactly, else 0 (scikit-learn's choice)."""
    truth, predicted = np.asarray(truth, np.float64), np.asarray(predicted, np.float64)
    if not len(truth):
        return math.nan
    residual = float(np.sum((truth - predicted) ** 2))
    total = float(np.sum((truth - truth.mean()) ** 2))
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return 1.0 - residual / total
