"""Clustering steps reach what scikit-learn and SciPy compute, and step back exactly."""

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster
from scipy.cluster.hierarchy import linkage as scipy_linkage
from sklearn.cluster import DBSCAN, KMeans, MeanShift
from sklearn.metrics import adjusted_rand_score

from playground.core.clustering import Stepper
from playground.core.clustering.dbscan import core_mask, dbscan_steps, k_distance
from playground.core.clustering.hierarchical import LINKAGES, agglomerative_steps, cut
from playground.core.clustering.kmeans import INITS, elbow, initial_centres, kmeans_steps
from playground.core.clustering.meanshift import meanshift_steps
from playground.core.datasets import build_dataset
from playground.core.spec import DataSpec


def points(name="gaussian_mixture", n=0, seed=0):
    return build_dataset(DataSpec(generator=name, n_points=n, seed=seed)).x.astype(np.float64)


def last(states):
    return Stepper(states).run()


@pytest.mark.parametrize("name", ["gaussian_mixture", "smiley", "packed_circles", "uniform"])
def test_kmeans_equals_scikit_learn_from_the_same_centres(name):
    x = points(name)
    start = initial_centres(x, 5, "random_points", seed=3)
    ours = last(kmeans_steps(x, start))
    sk = KMeans(5, init=start, n_init=1, algorithm="lloyd", tol=0).fit(x)
    assert ours.done and ours.phase == "converged"
    np.testing.assert_array_equal(ours.labels, sk.labels_)
    np.testing.assert_allclose(ours.extra["centres"], sk.cluster_centers_, atol=1e-9)


@pytest.mark.parametrize("method", [m for m in INITS if m != "manual"])
def test_every_initialisation_converges(method):
    x = points()
    s = last(kmeans_steps(x, initial_centres(x, 3, method, seed=1)))
    assert s.done and len(s.extra["centres"]) == 3
    wcss = s.extra["wcss"]
    assert all(b <= a + 1e-9 for a, b in zip(wcss, wcss[1:], strict=False))  # never rises


def test_kmeans_steps_alternate_and_explain():
    x = points("uniform")  # no structure: several rounds before nothing moves
    st = Stepper(kmeans_steps(x, initial_centres(x, 6, "random_positions", seed=2)))
    phases = [st.forward().phase for _ in range(4)]
    assert phases == ["assign", "update", "assign", "update"]
    assert "reassigned" in st.history[1].explanation


def test_empty_cluster_keeps_its_centre_and_says_so():
    x = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 0.0]])
    start = np.array([[0.0, 0.0], [10.0, 0.0], [100.0, 100.0]])
    st = Stepper(kmeans_steps(x, start))
    st.forward()
    update = st.forward()
    np.testing.assert_array_equal(update.extra["centres"][2], [100.0, 100.0])
    assert "empty" in update.explanation


def test_manual_centres_are_required_for_manual_init():
    with pytest.raises(ValueError, match="clustering.centres"):
        initial_centres(points(), 3, "manual")


def test_elbow_falls_with_k_and_silhouette_peaks_at_three_blobs():
    x = points()
    result = elbow(x, range(1, 7), restarts=3)
    assert all(b < a for a, b in zip(result["wcss"], result["wcss"][1:], strict=False))
    assert int(result["k"][np.nanargmax(result["silhouette"])]) == 3


def test_step_back_returns_exactly_the_previous_state():
    x = points()
    st = Stepper(kmeans_steps(x, initial_centres(x, 3, "random_points", seed=0)))
    st.forward()
    before = st.state
    st.forward()
    assert st.back() is before
    again = st.forward()
    assert again is st.history[2]  # forward after back replays, it does not recompute


def test_meanshift_modes_match_scikit_learn():
    x = points()
    ours = last(meanshift_steps(x, bandwidth=2.5))
    sk = MeanShift(bandwidth=2.5).fit(x)
    ours_modes = ours.extra["modes"]
    assert len(ours_modes) == len(sk.cluster_centers_)
    for mode in sk.cluster_centers_:
        assert np.linalg.norm(ours_modes - mode, axis=1).min() < 1e-2
    assert adjusted_rand_score(ours.labels, sk.labels_) == 1.0


def test_meanshift_gaussian_kernel_settles():
    s = last(meanshift_steps(points(), bandwidth=2.5, kernel="gaussian"))
    assert s.done and 2 <= len(s.extra["modes"]) <= 5


@pytest.mark.parametrize("linkage", LINKAGES)
def test_agglomerative_equals_scipy_for_every_linkage(linkage):
    x = np.random.default_rng(4).normal(size=(120, 2))
    ours = last(agglomerative_steps(x, linkage))
    ref = scipy_linkage(x, method=linkage)
    np.testing.assert_allclose(np.sort(ours.extra["linkage"][:, 2]), np.sort(ref[:, 2]), rtol=1e-9)
    for k in (2, 3, 5, 8):
        expected = fcluster(ref, k, criterion="maxclust")
        assert adjusted_rand_score(cut(ours.extra["linkage"], k), expected) == 1.0


def test_complete_link_outlier_example_from_the_notes():
    eps = 0.1
    x = np.array([[1 + 2 * eps, 0], [4, 0], [5 + 2 * eps, 0], [6, 0], [7 - eps, 0]])
    two = {}
    for linkage in ("complete", "single", "average"):
        z = last(agglomerative_steps(x, linkage)).extra["linkage"]
        labels = cut(z, 2)
        two[linkage] = sorted(sorted(np.flatnonzero(labels == c).tolist()) for c in set(labels))
    assert two["complete"] == [[0, 1], [2, 3, 4]]
    assert two["single"] == [[0], [1, 2, 3, 4]]
    assert two["average"] == [[0], [1, 2, 3, 4]]


def test_single_link_merge_names_the_closest_pair():
    x = np.array([[0.0, 0], [1.0, 0], [5.0, 0], [5.5, 0]])
    st = Stepper(agglomerative_steps(x, "single"))
    first = st.forward()
    assert sorted(first.extra["pair"].tolist()) == [2, 3]
    assert "closest points" in first.explanation


@pytest.mark.parametrize("name,eps,min_points", [("pimpled_smiley", 1.0, 4),
                                                  ("gaussian_mixture", 0.8, 5),
                                                  ("dbscan_rings", 1.0, 4)])
def test_dbscan_matches_scikit_learn_up_to_border_points(name, eps, min_points):
    x = points(name)
    eps = eps * (1 + 1e-9)  # ours counts distance < eps, scikit-learn <= eps: no ties at eps
    ours = last(dbscan_steps(x, eps, min_points))
    sk = DBSCAN(eps=eps, min_samples=min_points).fit(x)
    core = np.zeros(len(x), bool)
    core[sk.core_sample_indices_] = True
    np.testing.assert_array_equal(core_mask(x, eps, min_points), core)
    assert adjusted_rand_score(ours.labels[core], sk.labels_[core]) == 1.0
    np.testing.assert_array_equal(ours.labels == -1, sk.labels_ == -1)  # the same noise


def test_dbscan_rings_show_where_points_become_core():
    from playground.core.datasets import GENERATORS

    x, _ = GENERATORS["dbscan_rings"].fn(None, 0, 0.0, 0)  # unshuffled: groups in order
    core = core_mask(x, 1.0, 4)
    # group (row m, column c) is a centre and m members at radius 1.25 - 0.25c: the centre is
    # core when m + 1 >= 4 and the radius is below 1.
    starts = np.cumsum([0] + [1 + row for row in range(6) for _ in range(5)])[:-1]
    for g, s in enumerate(starts):
        row, col = divmod(g, 5)
        assert core[s] == (row + 1 >= 4 and 1.25 - 0.25 * col < 1.0), (row, col)


def test_dbscan_expands_one_point_per_step_from_a_fifo_queue():
    x = points("gaussian_mixture")
    st = Stepper(dbscan_steps(x, 1.0, 4))
    st.forward()
    opened = st.state
    assert opened.phase == "scan"
    queued = opened.extra["queue"].tolist()
    nxt = st.forward()
    assert nxt.phase == "expand" and nxt.extra["point"] == queued[0]


def test_k_distance_is_sorted_and_marks_core_points():
    x = points("pimpled_smiley")
    kd = k_distance(x, 4)
    assert (np.diff(kd) <= 0).all()
    assert (kd < 1.0).sum() == core_mask(x, 1.0, 4).sum()


def test_dendrogram_hover_finds_the_branch_and_its_points():
    from playground.core.clustering.hierarchical import dendrogram_layout, link_at, members

    x = np.array([[0.0, 0], [0.5, 0], [10.0, 0], [10.4, 0], [30.0, 0]])
    z = last(agglomerative_steps(x, "single")).extra["linkage"]
    xs, heights = dendrogram_layout(z)
    root = len(z) - 1
    assert sorted(members(z, root).tolist()) == [0, 1, 2, 3, 4]
    # just below the root, over the left pair: the merge of points 0 and 1
    row = link_at(z, xs[0], 0.3)
    assert sorted(members(z, row).tolist()) == [0, 1]
    assert link_at(z, xs[4], heights[-1] + 1.0) is None  # above the whole tree
