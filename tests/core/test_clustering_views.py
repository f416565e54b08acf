"""What the clustering lab draws, computed without Qt: exact Voronoi cells, DBSCAN's preview
kinds, mean shift's per-step window count, hierarchical colours and the coloured dendrogram."""

import numpy as np
import pytest
from scipy.cluster.hierarchy import dendrogram as scipy_dendrogram
from sklearn.cluster import DBSCAN

from playground.core.clustering import Stepper
from playground.core.clustering.dbscan import BORDER, CORE, NOISE, dbscan_steps, point_kinds
from playground.core.clustering.hierarchical import (
    agglomerative_steps,
    cut,
    dendrogram_by_cluster,
    dendrogram_path,
)
from playground.core.clustering.meanshift import meanshift_steps, spread_subset
from playground.core.clustering.voronoi import voronoi_cells
from playground.core.datasets import build_dataset
from playground.core.spec import DataSpec


def points(name="gaussian_mixture"):
    return build_dataset(DataSpec(generator=name)).x.astype(np.float64)


def area(poly):
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * (x @ np.roll(y, -1) - y @ np.roll(x, -1))


def inside(poly, p):
    """Point in a convex counter-clockwise polygon (edges included, within rounding)."""
    edges = np.roll(poly, -1, axis=0) - poly
    rel = p - poly
    return bool(((edges[:, 0] * rel[:, 1] - edges[:, 1] * rel[:, 0]) >= -1e-9).all())


@pytest.mark.parametrize("k", [1, 2, 3, 7, 10])
def test_voronoi_cells_tile_the_box_and_hold_exactly_their_nearest_points(k):
    rng = np.random.default_rng(k)
    centres = rng.uniform(-5, 5, (k, 2))
    cells = voronoi_cells(centres, (-6, 6, -6, 6))
    assert sum(area(c) for c in cells) == pytest.approx(144.0)
    probe = rng.uniform(-6, 6, (400, 2))
    nearest = ((probe[:, None] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
    for p, owner in zip(probe, nearest, strict=True):
        assert inside(cells[owner], p)
    # every corner inside the box is equidistant from two centres or more (straight edges)
    for cell in cells:
        for v in cell:
            if -6 < v[0] < 6 and -6 < v[1] < 6:
                d = np.sort(np.linalg.norm(centres - v, axis=1))
                assert d[1] - d[0] < 1e-9


def test_voronoi_of_collinear_and_repeated_centres():
    cells = voronoi_cells(np.array([[0, 0], [1, 0], [2, 0], [1, 0]]), (-3, 3, -3, 3))
    assert [round(area(c), 9) for c in cells] == [21.0, 6.0, 9.0, 0.0]


@pytest.mark.parametrize("eps,min_points", [(0.5, 3), (1.0, 4), (1.2, 4), (1.6, 6)])
def test_dbscan_point_kinds_match_scikit_learn(eps, min_points):
    x = points("pimpled_smiley")
    kinds = point_kinds(x, eps, min_points)
    sk = DBSCAN(eps=eps, min_samples=min_points).fit(x)
    core = np.zeros(len(x), bool)
    core[sk.core_sample_indices_] = True
    np.testing.assert_array_equal(kinds == CORE, core)
    np.testing.assert_array_equal(kinds == NOISE, sk.labels_ == -1)
    assert ((kinds == BORDER) == (~core & (sk.labels_ >= 0))).all()
    first = next(dbscan_steps(x, eps, min_points))  # the run opens on the same preview
    np.testing.assert_array_equal(first.extra["preview"], kinds)


def test_meanshift_counts_distinct_windows_once_per_step():
    x = points()
    history = Stepper(meanshift_steps(x, 2.5)).history
    stepper = Stepper(meanshift_steps(x, 2.5))
    last = stepper.run()
    assert len(last.extra["distinct"]) == last.step + 1
    assert last.extra["distinct"][0] == len(x) and last.extra["distinct"][-1] == 3
    stepper.back()
    assert len(stepper.state.extra["distinct"]) == stepper.state.step + 1
    assert history[0].extra["distinct"].tolist() == [len(x)]


def test_spread_subset_picks_windows_far_apart():
    x = points()
    chosen = spread_subset(x, 8)
    assert len(set(chosen.tolist())) == 8
    gaps = np.linalg.norm(x[chosen][:, None] - x[chosen][None], axis=2) + np.eye(8) * 1e9
    assert gaps.min() > 1.0  # no two drawn windows on top of each other
    np.testing.assert_array_equal(spread_subset(x[:5], 8), np.arange(5))


def test_hierarchical_colours_single_points_grey_and_keep_each_cluster_colour():
    x = points()
    stepper = Stepper(agglomerative_steps(x, "average"))
    seen: dict[int, int] = {}  # surviving row -> colour while it lives
    for _ in range(len(x) - 1):
        s = stepper.forward()
        colour, labels = s.extra["colour"], s.labels
        sizes = np.bincount(labels, minlength=len(x))
        assert ((colour == -1) == (sizes[labels] == 1)).all()  # singletons are grey
        for row in np.unique(labels[sizes[labels] > 1]):
            c = np.unique(colour[labels == row])
            assert len(c) == 1  # one colour per cluster
            if row in seen and seen[row] != c[0]:
                i, j = s.extra["merged"]  # a colour changes only when a bigger cluster joins
                assert row == i
            seen[row] = int(c[0])
        if s.step == 60:  # early on, neighbouring new clusters get different colours
            used = colour[colour >= 0]
            assert len(np.unique(used)) == min(9, len(np.unique(labels[colour >= 0])))
            assert used.max() < 9  # the palette's grey is left to single points


def test_dendrogram_by_cluster_colours_the_links_under_each_cut_cluster():
    x = points()
    z = Stepper(agglomerative_steps(x, "ward")).run().extra["linkage"]
    for k in (2, 3, 5):
        labels = cut(z, k)
        paths = dendrogram_by_cluster(z, labels)
        assert set(paths) == set(range(k)) | {-1}
        assert len(paths[-1][0]) == 5 * (k - 1)  # the k-1 merges above the cut
        assert sum(len(xs) for xs, _ in paths.values()) == len(dendrogram_path(z)[0])
        # the links of a cluster sit above exactly the leaves of that cluster (SciPy's order)
        order = scipy_dendrogram(z, no_plot=True)["leaves"]
        for label, (xs, _) in paths.items():
            if label >= 0:
                span = np.flatnonzero(labels[order] == label) + 1.0  # leaves at 1..n
                finite = xs[np.isfinite(xs)]
                assert span.min() <= finite.min() and finite.max() <= span.max()


def test_lesson_19s_text_says_what_its_run_shows():
    """The smiley's classes: 0 ring, 1 and 2 the eyes, 3 the mouth. The text promises a quarter
    of the ring with an eye or half of the mouth in each cluster (not centres on the features)."""
    from playground.core import files
    from playground.core.lessons import run_clustering

    exp = files.load_experiment("examples/19_kmeans_smiley.json").experiment
    labels, truth, _ = run_clustering(exp)
    assert "four arcs" in exp.description
    assert "go to the eyes and mouth" not in exp.description
    ring = np.bincount(labels[truth == 0], minlength=4)
    assert (ring > 0.15 * ring.sum()).all()  # every cluster holds a good share of the ring
    for eye in (1, 2):  # each eye lies whole in one cluster, shared with the ring
        assert len(np.unique(labels[truth == eye])) == 1
    assert len(np.unique(labels[truth == 3])) == 2  # the mouth is cut in two
    eyes = {int(labels[truth == 1][0]), int(labels[truth == 2][0])}
    assert len(eyes) == 2 and not eyes & set(np.unique(labels[truth == 3]).tolist())


def test_lesson_22_cuts_at_its_files_cluster_count():
    from playground.core import files
    from playground.core.lessons import run_clustering

    exp = files.load_experiment("examples/22_single_link_chaining.json").experiment
    labels, _, _ = run_clustering(exp)
    assert exp.clustering.k == 2 and sorted(np.bincount(labels)) == [1, 131]  # the stray point
