"""DBSCAN as the demo animates it: scan points in order; a core point (at least minPoints
points, itself included, closer than eps) opens a cluster, whose neighbours join a FIFO queue
and are taken one per step; points reached from no core point are noise."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import numpy as np
from scipy.spatial import cKDTree

from ..errors import SpecError
from . import ClusterState

UNSEEN, CORE, BORDER, NOISE = 0, 1, 2, 3


def neighbours(x: np.ndarray, eps: float) -> list[np.ndarray]:
    """For each point, the points at distance < eps (itself included)."""
    tree = cKDTree(x)
    out = []
    for i, near in enumerate(tree.query_ball_point(x, eps)):
        near = np.asarray(near, dtype=int)
        d = np.linalg.norm(x[near] - x[i], axis=1)
        out.append(near[d < eps])
    return out


def core_mask(x: np.ndarray, eps: float, min_points: int) -> np.ndarray:
    """Which points are core for these settings (the live preview before running)."""
    return np.array([len(nb) >= min_points for nb in neighbours(np.asarray(x, float), eps)],
                    dtype=bool)


def point_kinds(x: np.ndarray, eps: float, min_points: int) -> np.ndarray:
    """CORE, BORDER or NOISE for every point, before any scan: core when at least minPoints
    points (itself included) lie closer than eps; border when not core but within eps of a core
    point; noise otherwise. This is what the live preview shows as the sliders move."""
    return _kinds(neighbours(np.asarray(x, float), eps), min_points)


def _kinds(nb: list[np.ndarray], min_points: int) -> np.ndarray:
    core = np.array([len(v) >= min_points for v in nb], dtype=bool)
    border = np.array([not c and bool(core[v].any()) for c, v in zip(core, nb, strict=True)],
                      dtype=bool)
    return np.where(core, CORE, np.where(border, BORDER, NOISE))


def k_distance(x: np.ndarray, min_points: int) -> np.ndarray:
    """Sorted (falling) distance of each point to its (minPoints - 1)-th nearest other point:
    a point is core exactly when this is below eps, so the knee suggests eps."""
    k = max(1, min_points - 1)
    d, _ = cKDTree(x).query(x, k=k + 1)
    return np.sort(np.atleast_2d(d.T).T[:, -1])[::-1]


def dbscan_steps(x: np.ndarray, eps: float, min_points: int) -> Iterator[ClusterState]:
    x = np.asarray(x, dtype=np.float64)
    if eps <= 0 or min_points < 1:
        raise SpecError("clustering.eps", f"must be > 0 with min_points >= 1; got {eps}, {min_points}")
    nb = neighbours(x, eps)
    preview = _kinds(nb, min_points)
    core = preview == CORE
    labels = np.full(len(x), -1)
    kind = np.full(len(x), UNSEEN)
    queued = np.zeros(len(x), dtype=bool)
    queue: deque[int] = deque()
    cluster, scan, step = -1, 0, 0

    def state(phase, text, done=False, point=-1):
        return ClusterState(step, phase, labels.copy(), text, done,
                            {"kind": kind.copy(), "core": core, "queue": np.array(queue, int),
                             "point": point, "eps": eps})

    first = state("init", f"{int(core.sum())} of {len(x)} points are core for eps {eps:g}, "
                  f"minPoints {min_points} (dark); {int((preview == BORDER).sum())} border, "
                  f"{int((preview == NOISE).sum())} noise (white). Press Step to scan.")
    first.extra["preview"] = preview
    yield first
    while True:
        step += 1
        if queue:
            p = queue.popleft()
            if labels[p] == -1:
                labels[p] = cluster
                kind[p] = CORE if core[p] else BORDER
                if core[p]:
                    fresh = [q for q in nb[p] if labels[q] == -1 and not queued[q]]
                    queued[fresh] = True
                    queue.extend(fresh)
                    text = (f"point {p} is core: joins cluster {cluster + 1}, "
                            f"{len(fresh)} neighbours queued")
                else:
                    text = f"point {p} is a border point of cluster {cluster + 1}"
            else:
                text = f"point {p} already belongs to cluster {labels[p] + 1}"
            yield state("expand", text, point=p)
            continue
        while scan < len(x) and (labels[scan] != -1 or kind[scan] == NOISE):
            scan += 1
        if scan == len(x):
            noise = int((labels == -1).sum())
            yield state("done", f"done: {cluster + 1} clusters, {noise} noise points", True)
            return
        p = scan
        if core[p]:
            cluster += 1
            labels[p] = cluster
            kind[p] = CORE
            fresh = [q for q in nb[p] if labels[q] == -1 and not queued[q]]
            queued[fresh] = True
            queue.extend(fresh)
            text = f"point {p} is a core point: it opens cluster {cluster + 1}"
        else:
            kind[p] = NOISE
            text = (f"point {p} has {len(nb[p])} points within eps (needs {min_points}): "
                    "noise, unless a cluster reaches it")
        yield state("scan", text, point=p)
