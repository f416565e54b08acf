"""Mean shift: a window around each seed moves to the mean of the points inside it until it
stops; windows that end within a bandwidth of a stronger one merge into its mode."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.spatial import cKDTree

from ..errors import SpecError
from . import ClusterState

KERNELS = ("flat", "gaussian")


def estimate_bandwidth(x: np.ndarray, quantile: float = 0.3, seed: int = 0) -> float:
    """scikit-learn's estimate: the mean distance to the quantile-th nearest neighbour."""
    from sklearn.cluster import estimate_bandwidth as sk_estimate

    return float(sk_estimate(np.asarray(x), quantile=quantile, random_state=seed,
                             n_samples=min(len(x), 1000)))


def default_seeds(x: np.ndarray, bandwidth: float, max_seeds: int = 400) -> np.ndarray:
    """Every point for small sets; for large ones one seed per occupied bandwidth-sized bin."""
    if len(x) <= max_seeds:
        return x.copy()
    bins = np.unique(np.round(x / bandwidth), axis=0)
    return bins * bandwidth


def spread_subset(points: np.ndarray, n: int) -> np.ndarray:
    """Indices of at most n points spread over the set (the one nearest the middle, then each
    next the farthest from those chosen): the windows drawn in full so the plot stays readable
    when there is one window per point."""
    points = np.asarray(points, dtype=np.float64)
    if len(points) <= n:
        return np.arange(len(points))
    chosen = [int(((points - points.mean(axis=0)) ** 2).sum(axis=1).argmin())]
    d = ((points - points[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(1, n):
        chosen.append(int(d.argmax()))
        d = np.minimum(d, ((points - points[chosen[-1]]) ** 2).sum(axis=1))
    return np.array(chosen)


def distinct_positions(windows: np.ndarray, bandwidth: float) -> int:
    """How many windows sit in different places (closer than 1/1000 bandwidth counts as one)."""
    return len(np.unique(np.round(windows / (1e-3 * bandwidth)), axis=0))


def _shift(x, tree, windows, bandwidth, kernel):
    """New window centres and how many points each window holds (flat: within bandwidth)."""
    new = windows.copy()
    counts = np.zeros(len(windows), dtype=int)
    for w, inside in enumerate(tree.query_ball_point(windows, bandwidth)):
        counts[w] = len(inside)
        if not inside:
            continue
        pts = x[inside]
        if kernel == "gaussian":
            d2 = ((pts - windows[w]) ** 2).sum(axis=1)
            weights = np.exp(-d2 / (2 * bandwidth**2))
            new[w] = (pts * weights[:, None]).sum(axis=0) / weights.sum()
        else:
            new[w] = pts.mean(axis=0)
    return new, counts


def _merge(windows: np.ndarray, intensity: np.ndarray, bandwidth: float) -> np.ndarray:
    """Modes: windows by falling intensity, each absorbing the weaker ones within a bandwidth."""
    order = sorted(range(len(windows)), key=lambda i: (intensity[i], tuple(windows[i])),
                   reverse=True)
    ranked = windows[order]
    keep = np.ones(len(ranked), dtype=bool)
    tree = cKDTree(ranked)
    for i in range(len(ranked)):
        if keep[i]:
            near = tree.query_ball_point(ranked[i], bandwidth)
            keep[near] = False
            keep[i] = True
    return ranked[keep]


def meanshift_steps(x: np.ndarray, bandwidth: float, kernel: str = "flat",
                    seeds: np.ndarray | None = None, max_steps: int = 300) -> Iterator[ClusterState]:
    x = np.asarray(x, dtype=np.float64)
    if bandwidth <= 0:
        raise SpecError("clustering.bandwidth", f"must be > 0, got {bandwidth}")
    tree = cKDTree(x)
    windows = default_seeds(x, bandwidth) if seeds is None else np.array(seeds, dtype=np.float64)
    active = np.ones(len(windows), dtype=bool)
    intensity = np.zeros(len(windows), dtype=int)
    trail = [windows.copy()]
    stop = 1e-3 * bandwidth
    labels = np.full(len(x), -1)
    distinct = [distinct_positions(windows, bandwidth)]  # one entry per step: the side chart
    extra = lambda: {"windows": windows.copy(), "active": active.copy(),  # noqa: E731
                     "trajectories": np.array(trail), "bandwidth": bandwidth,
                     "distinct": np.array(distinct)}
    yield ClusterState(0, "init", labels.copy(), f"{len(windows)} windows of radius "
                       f"{bandwidth:.3g} placed", False, extra())
    step = 0
    while active.any() and step < max_steps:
        step += 1
        idx = np.flatnonzero(active)
        new, counts = _shift(x, tree, windows[idx], bandwidth, kernel)
        moved = np.linalg.norm(new - windows[idx], axis=1)
        empty = counts == 0
        done = (moved <= stop) | empty
        windows[idx] = new
        intensity[idx] = counts
        active[idx[done]] = False
        trail.append(windows.copy())
        distinct.append(distinct_positions(windows, bandwidth))
        yield ClusterState(step, "shift", labels.copy(),
                           f"moved {int((~done).sum())} windows to the mean of their points; "
                           f"{distinct[-1]} distinct positions", False, extra())
    valid = intensity > 0
    modes = _merge(windows[valid], intensity[valid], bandwidth)
    labels = ((x[:, None, :] - modes[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    distinct.append(len(modes))
    out = extra()
    out["modes"] = modes
    yield ClusterState(step + 1, "merge", labels, f"windows that met merged: {len(modes)} "
                       f"clusters (modes)", True, out)
