"""core/metrics.py gives what scikit-learn gives on the same predictions."""

import math

import numpy as np
import pytest
from sklearn import metrics as sk

from playground.core import metrics as M


def draws(seed: int, n: int = 200, ties: bool = False):
    rng = np.random.default_rng(seed)
    truth = (rng.uniform(size=n) < 0.3 + 0.4 * rng.uniform()).astype(np.int64)
    scores = np.tanh(rng.normal(truth * 1.2 - 0.6, 0.8))
    if ties:  # a saturated tanh: many scores exactly equal
        scores = np.round(scores, 1)
    return truth, scores


@pytest.mark.parametrize("seed", range(6))
def test_confusion_matrix_and_per_class_scores_equal_scikit_learns(seed):
    rng = np.random.default_rng(seed)
    k = 2 + seed % 4
    truth = rng.integers(0, k, 300)
    predicted = np.where(rng.uniform(size=300) < 0.6, truth, rng.integers(0, k, 300))
    if seed == 5:
        predicted[predicted == 0] = 1  # a class never predicted: zero division
    m = M.confusion_matrix(truth, predicted, k)
    np.testing.assert_array_equal(m, sk.confusion_matrix(truth, predicted, labels=range(k)))
    p, r, f, s = sk.precision_recall_fscore_support(truth, predicted, labels=range(k),
                                                    zero_division=0)
    report = M.class_report(m)
    np.testing.assert_allclose(report.precision, p)
    np.testing.assert_allclose(report.recall, r)
    np.testing.assert_allclose(report.f1, f)
    np.testing.assert_array_equal(report.support, s)
    assert M.accuracy(m) == pytest.approx(sk.accuracy_score(truth, predicted))
    np.testing.assert_allclose(M.row_normalised(m),
                               sk.confusion_matrix(truth, predicted, labels=range(k),
                                                   normalize="true"))


@pytest.mark.parametrize("seed,ties", [(0, False), (1, False), (2, True), (3, True)])
def test_roc_points_auc_and_precision_recall_equal_scikit_learns(seed, ties):
    truth, scores = draws(seed, ties=ties)
    roc = M.roc_curve(truth, scores)
    fpr, tpr, thr = sk.roc_curve(truth, scores, drop_intermediate=False)
    np.testing.assert_allclose(roc.x, fpr)
    np.testing.assert_allclose(roc.y, tpr)
    np.testing.assert_allclose(roc.thresholds, thr)
    assert M.roc_auc(truth, scores) == pytest.approx(sk.roc_auc_score(truth, scores), abs=1e-12)
    pr = M.precision_recall_curve(truth, scores)
    precision, recall, pthr = sk.precision_recall_curve(truth, scores)
    np.testing.assert_allclose(pr.y, precision)
    np.testing.assert_allclose(pr.x, recall)
    np.testing.assert_allclose(pr.thresholds, pthr)
    assert M.average_precision(truth, scores) == pytest.approx(
        sk.average_precision_score(truth, scores), abs=1e-12)


def test_every_roc_point_is_the_matrix_at_its_threshold():
    """The point the threshold handle sits on is the confusion matrix at that threshold."""
    truth, scores = draws(4, ties=True)
    roc = M.roc_curve(truth, scores)
    for i in range(len(roc.x)):
        t = M.threshold_between(roc.thresholds, scores, i)
        point = M.operating_point(truth, scores, t)
        assert point["fpr"] == pytest.approx(roc.x[i]) and point["tpr"] == pytest.approx(roc.y[i])
        np.testing.assert_array_equal(point["matrix"],
                                      sk.confusion_matrix(truth, scores > t, labels=[0, 1]))


def test_auc_of_one_class_is_nan_and_of_a_perfect_ranking_is_one():
    assert math.isnan(M.roc_auc(np.ones(5), np.linspace(0, 1, 5)))
    assert M.roc_auc(np.array([0, 0, 1, 1]), np.array([-0.9, -0.1, 0.2, 0.8])) == 1.0


@pytest.mark.parametrize("seed", range(3))
def test_rmse_and_r2_equal_scikit_learns(seed):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=100)
    predicted = truth + rng.normal(scale=0.5 + seed, size=100)
    assert M.rmse(truth, predicted) == pytest.approx(
        math.sqrt(sk.mean_squared_error(truth, predicted)))
    assert M.r2(truth, predicted) == pytest.approx(sk.r2_score(truth, predicted))
    constant = np.full(10, 0.3)
    assert M.r2(constant, constant) == sk.r2_score(constant, constant)
    assert M.r2(constant, constant + 0.1) == sk.r2_score(constant, constant + 0.1)


def test_score_histograms_split_the_scores_by_true_class():
    truth, scores = draws(5)
    neg, pos = M.score_histograms(truth, scores, np.linspace(-1, 1, 11))
    assert neg.sum() == (truth == 0).sum() and pos.sum() == (truth == 1).sum()
    assert np.average(np.arange(10), weights=pos) > np.average(np.arange(10), weights=neg)
