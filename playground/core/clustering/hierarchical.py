"""Agglomerative clustering, one merge a step: single, complete, average and Ward linkage.

Distances between clusters follow Lance and Williams' update from a full distance matrix, with
each row's nearest neighbour cached, so one merge costs O(n) typically (5,000 points stay
interactive). The merge list is SciPy's linkage matrix, for dendrograms and cuts.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.spatial.distance import cdist

from ..errors import SpecError, quote
from ..limits import MAX_HIERARCHICAL_POINTS
from . import ClusterState

LINKAGES = ("single", "complete", "average", "ward")
N_COLOURS = 9  # the class palette without its grey (kept for single points): a new cluster
# takes the colour fewest clusters wear
WHY = {"single": "their closest points are nearest", "complete": "their farthest points are "
       "nearest", "average": "the mean distance between their points is smallest",
       "ward": "merging them adds the least within-cluster variance"}


def _combine(linkage, d_ik, d_jk, d_ij, s_i, s_j, s_k):
    if linkage == "single":
        return np.minimum(d_ik, d_jk)
    if linkage == "complete":
        return np.maximum(d_ik, d_jk)
    if linkage == "average":
        return (s_i * d_ik + s_j * d_jk) / (s_i + s_j)
    t = s_i + s_j + s_k  # Ward, on Euclidean distances as SciPy does
    return np.sqrt(np.maximum(((s_i + s_k) * d_ik**2 + (s_j + s_k) * d_jk**2 - s_k * d_ij**2) / t,
                              0.0))


def _witness(x, a, b, linkage):
    """The pair of points that explains the merge: closest (single) or farthest (complete)."""
    pa, pb = np.flatnonzero(a), np.flatnonzero(b)
    if len(pa) * len(pb) > 4_000_000 or linkage not in ("single", "complete"):
        return None
    d = cdist(x[pa], x[pb])
    flat = d.argmin() if linkage == "single" else d.argmax()
    i, j = np.unravel_index(flat, d.shape)
    return np.array([pa[i], pb[j]])


def agglomerative_steps(x: np.ndarray, linkage: str = "single") -> Iterator[ClusterState]:
    if linkage not in LINKAGES:
        raise SpecError("clustering.linkage", f"one of {', '.join(LINKAGES)}; got {quote(linkage)}")
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n > MAX_HIERARCHICAL_POINTS:  # the n x n distance matrix would not fit
        raise SpecError("data", f"{n} points for hierarchical clustering; the limit is "
                        f"{MAX_HIERARCHICAL_POINTS}")
    dist = cdist(x, x).astype(np.float64 if n <= 3000 else np.float32)
    np.fill_diagonal(dist, np.inf)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    ident = np.arange(n)  # SciPy's cluster number of each row's cluster
    members = np.arange(n)  # row of the cluster each point is in
    nn = dist.argmin(axis=1)
    nnd = dist[np.arange(n), nn].astype(np.float64)
    merges: list[list[float]] = []
    colour = np.full(n, -1, dtype=np.int16)  # per row: colour of its cluster, -1 = one point
    yield ClusterState(0, "init", members.copy(), f"{n} points, each its own cluster", n <= 1,
                       {"linkage": np.zeros((0, 4)), "colour": np.full(n, -1, np.int16)})
    for step in range(1, n):
        i = int(np.argmin(np.where(alive, nnd, np.inf)))
        j = int(nn[i])
        if j < i:
            i, j = j, i  # the lower row survives
        d_ij = float(dist[i, j])
        s_i, s_j = size[i], size[j]
        witness = _witness(x, members == i, members == j, linkage)
        others = alive.copy()
        others[[i, j]] = False
        row = np.full(n, np.inf, dtype=dist.dtype)
        row[others] = _combine(linkage, dist[i, others].astype(np.float64),
                               dist[j, others].astype(np.float64), d_ij, s_i, s_j, size[others])
        dist[i, :] = row
        dist[:, i] = row
        dist[j, :] = np.inf
        dist[:, j] = np.inf
        alive[j] = False
        colour[i] = _merged_colour(colour, alive, i, j, s_i, s_j)
        colour[j] = -1
        size[i] = s_i + s_j
        members[members == j] = i
        a, b = sorted((ident[i], ident[j]))
        merges.append([a, b, d_ij, size[i]])
        ident[i] = n + step - 1
        nnd[j] = np.inf
        stale = np.flatnonzero(alive & ((nn == i) | (nn == j)))
        for k in np.union1d(stale, [i]):
            nn[k] = int(np.argmin(dist[k]))
            nnd[k] = float(dist[k, nn[k]])
        closer = np.flatnonzero(alive & (row < nnd))
        nn[closer] = i
        nnd[closer] = row[closer]
        clusters = n - step
        yield ClusterState(step, "merge", members.copy(),
                           f"merged clusters of {int(s_i)} and {int(s_j)} points at distance "
                           f"{d_ij:.3g}: {WHY[linkage]}; {clusters} left", clusters == 1,
                           {"linkage": np.array(merges), "pair": witness,
                            "merged": np.array([i, j]), "distance": d_ij,
                            "colour": colour[members]})


def _merged_colour(colour: np.ndarray, alive: np.ndarray, i: int, j: int, s_i: float,
                   s_j: float) -> int:
    """The colour of the cluster made by merging rows i and j: a cluster keeps its colour as it
    grows (the larger one's when two clusters meet); two single points start a new cluster in
    the colour fewest other clusters wear, so neighbours rarely look alike."""
    if s_i > 1 or s_j > 1:
        return int(colour[i] if s_i >= s_j else colour[j])
    in_use = colour[alive & (colour >= 0)]
    return int(np.bincount(in_use, minlength=N_COLOURS)[:N_COLOURS].argmin())


def cut(linkage_matrix: np.ndarray, n_clusters: int) -> np.ndarray:
    """Labels 0..k-1 when the tree is cut into n_clusters clusters."""
    from scipy.cluster.hierarchy import fcluster

    return fcluster(linkage_matrix, n_clusters, criterion="maxclust") - 1


def cut_at(linkage_matrix: np.ndarray, height: float) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster

    return fcluster(linkage_matrix, height, criterion="distance") - 1


def dendrogram_layout(linkage_matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and height of every cluster (leaves 0..n-1, merges n..2n-2) for drawing the tree:
    leaves in SciPy's order at 1, 2, .., n (the axis counts points), each merge above the middle
    of its two children."""
    from scipy.cluster.hierarchy import leaves_list

    n = len(linkage_matrix) + 1
    x = np.zeros(2 * n - 1)
    height = np.zeros(2 * n - 1)
    x[leaves_list(linkage_matrix)] = np.arange(1, n + 1, dtype=float)
    for k, (a, b, d, _) in enumerate(linkage_matrix):
        x[n + k] = 0.5 * (x[int(a)] + x[int(b)])
        height[n + k] = d
    return x, height


def dendrogram_path(linkage_matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One polyline of all links (NaN between them): child up, across, down to the child."""
    x, h = dendrogram_layout(linkage_matrix)
    xs, ys = [], []
    for a, b, d, _ in linkage_matrix:
        a, b = int(a), int(b)
        xs += [x[a], x[a], x[b], x[b], np.nan]
        ys += [h[a], d, d, h[b], np.nan]
    return np.array(xs), np.array(ys)


def dendrogram_by_cluster(linkage_matrix: np.ndarray, labels: np.ndarray
                          ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The dendrogram's links grouped by the cluster of the cut they fall into (key: the label
    of `labels`, the points' labels at the cut); links above the cut under key -1."""
    x, h = dendrogram_layout(linkage_matrix)
    n = len(linkage_matrix) + 1
    leaf = np.arange(2 * n - 1)  # one point under each cluster (its leftmost child's)
    for k, (a, _, _, _) in enumerate(linkage_matrix):
        leaf[n + k] = leaf[int(a)]
    paths: dict[int, tuple[list, list]] = {}
    for a, b, d, _ in linkage_matrix:
        a, b = int(a), int(b)
        la, lb = labels[leaf[a]], labels[leaf[b]]
        key = int(la) if la == lb else -1
        xs, ys = paths.setdefault(key, ([], []))
        xs += [x[a], x[a], x[b], x[b], np.nan]
        ys += [h[a], d, d, h[b], np.nan]
    return {key: (np.array(xs), np.array(ys)) for key, (xs, ys) in paths.items()}


def link_at(linkage_matrix: np.ndarray, px: float, py: float) -> int | None:
    """The merge (row of the matrix) whose branch is under the point (px, py) of the drawing:
    the lowest merge above py whose span covers px."""
    x, h = dendrogram_layout(linkage_matrix)
    a = linkage_matrix[:, 0].astype(int)
    b = linkage_matrix[:, 1].astype(int)
    lo, hi = np.minimum(x[a], x[b]), np.maximum(x[a], x[b])
    ok = (linkage_matrix[:, 2] >= py) & (lo - 0.5 <= px) & (px <= hi + 0.5)  # half a leaf
    if not ok.any():
        return None
    return int(np.flatnonzero(ok)[np.argmin(linkage_matrix[ok, 2])])


def members(linkage_matrix: np.ndarray, row: int) -> np.ndarray:
    """The points under merge `row` (sorted indices)."""
    n = len(linkage_matrix) + 1
    stack, out = [n + row], []
    while stack:
        c = stack.pop()
        if c < n:
            out.append(c)
        else:
            stack += [int(linkage_matrix[c - n, 0]), int(linkage_matrix[c - n, 1])]
    return np.sort(np.array(out, dtype=int))
