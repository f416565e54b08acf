"""Datasets: TF Playground's generators against REFERENCE.md section 1, the others by shape."""

import numpy as np
import pytest

from playground.core.datasets import GENERATORS, build_dataset, points_from_csv
from playground.core.errors import DataError, SpecError
from playground.core.spec import DataSpec


def make(generator, **kw):
    return build_dataset(DataSpec(generator=generator, **kw))


def signed(ds):  # TF's labels: class 1 is +1, class 0 is -1
    return np.where(ds.y == 1, 1, -1)


def test_circle_radii_balance_and_labels():
    ds = make("circle")
    assert len(ds.x) == 500
    r = np.hypot(*ds.x.T)
    assert r.max() <= 5.0
    inner = r <= 2.5
    assert inner.sum() == 250
    assert (r[~inner] >= 3.5).all()  # the gap between 2.5 and 3.5 is empty
    assert (signed(ds)[inner] == 1).all() and (signed(ds)[~inner] == -1).all()


def test_circle_noise_flips_labels_but_never_moves_points():
    clean, noisy = make("circle", noise=0.0), make("circle", noise=0.5)
    np.testing.assert_array_equal(clean.x, noisy.x)
    flipped = (clean.y != noisy.y).mean()
    assert 0.02 < flipped < 0.5


def test_xor_off_axes_and_sign_of_product():
    ds = make("xor")
    assert np.abs(ds.x).min() >= 0.3 and np.abs(ds.x).max() <= 5.3
    np.testing.assert_array_equal(signed(ds), np.where(ds.x[:, 0] * ds.x[:, 1] >= 0, 1, -1))


def test_gauss_centres_and_variance_follow_noise():
    for noise, variance in ((0.0, 0.5), (0.5, 4.0)):
        ds = make("gauss", noise=noise, n_points=4000)
        pos = ds.x[ds.y == 1]
        assert np.allclose(pos.mean(axis=0), [2, 2], atol=0.15)
        assert np.allclose(ds.x[ds.y == 0].mean(axis=0), [-2, -2], atol=0.15)
        assert pos.var(axis=0).mean() == pytest.approx(variance, rel=0.1)
        assert (ds.y == 1).sum() == 2000


def test_spiral_arms_radius_and_noise_moves_points():
    ds = make("spiral")
    assert (ds.y == 1).sum() == 250 and (ds.y == 0).sum() == 250
    assert np.hypot(*ds.x.T).max() < 5.0
    noisy = make("spiral", noise=0.5)
    moved = np.abs(np.sort(noisy.x, axis=0) - np.sort(ds.x, axis=0)).max()
    assert moved > 0.05


def test_plane_is_regression_of_x_plus_y_over_ten():
    ds = make("plane")
    assert ds.problem == "regression" and len(ds.x) == 1200
    np.testing.assert_allclose(ds.y, (ds.x[:, 0] + ds.x[:, 1]) / 10, atol=1e-5)
    assert np.abs(ds.x).max() <= 6


def test_multi_gaussian_labels_peak_at_signed_centres():
    ds = make("multi_gauss", n_points=5000)
    assert ds.problem == "regression" and ds.y.min() >= -1 and ds.y.max() <= 1
    near = np.hypot(ds.x[:, 0] + 4, ds.x[:, 1] - 2.5) < 0.3  # centre (-4, 2.5), sign +1
    assert (ds.y[near] > 0.8).all()
    near_neg = np.hypot(ds.x[:, 0], ds.x[:, 1] - 2.5) < 0.3  # centre (0, 2.5), sign -1
    assert (ds.y[near_neg] < -0.8).all()


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_train_test_split_ratio(fraction):
    ds = make("circle", train_fraction=fraction)
    assert len(ds.train_idx) == round(500 * fraction)
    assert len(ds.train_idx) + len(ds.test_idx) == 500


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = make("spiral", seed=3, noise=0.2), make("spiral", seed=3, noise=0.2), make(
        "spiral", seed=4, noise=0.2)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", [n for n, g in GENERATORS.items() if g.group in ("toy", "clustering")])
def test_toy_and_clustering_sets_build(name):
    ds = make(name, n_classes=4)
    assert ds.x.shape[1] == 2 and np.isfinite(ds.x).all()
    lo, hi = ds.domain[0], ds.domain[1]
    assert (ds.x >= lo).all() and (ds.x <= hi).all()


def test_blobs_class_count_follows_n_classes():
    for k in (2, 5, 8):
        ds = make("blobs", n_classes=k)
        assert ds.n_classes == k and ds.problem == ("binary" if k == 2 else "multiclass")


def test_smiley_ring_and_eyes():
    ds = make("smiley")
    r2 = (ds.x[ds.y == 0] ** 2).sum(axis=1)
    assert ((r2 > 81) & (r2 < 100)).all()
    eye = ds.x[ds.y == 1]
    assert (np.hypot(eye[:, 0] + 4, eye[:, 1] - 4) <= 1).all()


def test_density_bars_middle_holds_six_eighths():
    ds = make("density_bars")
    assert (ds.y == 1).sum() == 500 - 2 * (500 // 8)


def test_digits_are_8x8_images_in_10_classes():
    ds = make("digits")
    assert ds.x.shape == (1797, 64) and ds.n_classes == 10 and ds.domain is None
    assert ds.x.min() >= 0 and ds.x.max() <= 1


def test_points_dataset_from_table():
    table = [[0, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1]]
    ds = make("points", points=table)
    assert ds.problem == "binary" and len(ds.x) == 4


def test_empty_points_table_names_the_field():
    with pytest.raises(SpecError, match="data.points"):
        make("points")


def test_csv_reads_header_and_rows():
    rows = points_from_csv("x1,x2,label\n1,2,0\n3,4,1\n")
    assert rows == [[1, 2, 0], [3, 4, 1]]


@pytest.mark.parametrize("text,line", [
    ("1,2,0\n3,4\n", "line 2"), ("1,2,0\n3,x,1\n", "line 2"), ("1,2,0\n3,4,1,5\n", "line 2"),
    ("x,y,l\n1,2,0\n3,4,0.5\n", "line 3"), ("1,2,0\n1,nan,1\n", "line 2"),
])
def test_malformed_csv_names_the_line(text, line):
    with pytest.raises(DataError, match=line):
        points_from_csv(text)


def test_csv_regression_targets():
    rows = points_from_csv("1,2,0.25\n3,4,-0.5\n", problem="regression")
    ds = make("points", points=rows, problem="regression")
    assert ds.problem == "regression"


def test_single_class_set_is_binary_and_the_trainer_says_why_it_cannot_train():
    from playground.core.spec import Experiment
    from playground.core.trainer import Trainer

    assert make("uniform").problem == "binary"
    exp = Experiment()
    exp.data.generator = "uniform"
    with pytest.raises(SpecError, match="single class"):
        Trainer(exp)
