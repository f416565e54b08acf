"""k-means by its two steps: assign every point to its nearest centre, move each centre to the
mean of its points. Initialisations of the notes (random positions, random data points, random
assignment) and of the demos (clicked centres, farthest point, k-means++)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..errors import SpecError
from . import ClusterState

INITS = ("manual", "random_points", "random_positions", "random_assignment", "farthest",
         "kmeans++")


def initial_centres(x: np.ndarray, k: int, method: str, seed: int = 0,
                    given: np.ndarray | None = None) -> np.ndarray:
    """k starting centres (for random_assignment: the means of a random labelling; for manual:
    the first k placed, completed by farthest points when fewer were placed)."""
    rng = np.random.default_rng(seed)
    n = len(x)
    if method == "manual":
        if given is None or len(given) == 0:
            raise SpecError("clustering.centres", "place at least one centre (click on the plot)")
        centres = np.asarray(given, dtype=np.float64)[:k, :2].copy()
        if len(centres) < k and len(x):  # K raised by hand: the next ones farthest from those
            d = ((x[:, None] - centres[None]) ** 2).sum(axis=2).min(axis=1)
            extra = []
            for _ in range(k - len(centres)):
                extra.append(x[int(d.argmax())])
                d = np.minimum(d, ((x - extra[-1]) ** 2).sum(axis=1))
            centres = np.vstack([centres, extra])
        return centres
    if k > n:
        raise SpecError("clustering.k", f"{k} centres need at least {k} points, there are {n}")
    if method == "random_points":
        return x[rng.choice(n, k, replace=False)].astype(np.float64)
    if method == "random_positions":
        lo, hi = x.min(axis=0), x.max(axis=0)
        return rng.uniform(lo, hi, (k, x.shape[1]))
    if method == "random_assignment":
        labels = rng.integers(0, k, n)
        return np.array([x[labels == c].mean(axis=0) if (labels == c).any() else x[rng.integers(n)]
                         for c in range(k)], dtype=np.float64)
    if method == "farthest":  # a random point, then each next the farthest from those chosen
        centres = [x[rng.integers(n)]]
        d = np.linalg.norm(x - centres[0], axis=1)
        for _ in range(1, k):
            centres.append(x[int(d.argmax())])
            d = np.minimum(d, np.linalg.norm(x - centres[-1], axis=1))
        return np.array(centres, dtype=np.float64)
    if method == "kmeans++":  # each next centre with probability ∝ squared distance
        centres = [x[rng.integers(n)]]
        d2 = ((x - centres[0]) ** 2).sum(axis=1)
        for _ in range(1, k):
            p = d2 / d2.sum() if d2.sum() > 0 else np.full(n, 1.0 / n)
            centres.append(x[rng.choice(n, p=p)])
            d2 = np.minimum(d2, ((x - centres[-1]) ** 2).sum(axis=1))
        return np.array(centres, dtype=np.float64)
    raise SpecError("clustering.init", f"unknown method {method!r}; one of {', '.join(INITS)}")


def assign(x: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre of each point and the squared distance to it."""
    d2 = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    labels = d2.argmin(axis=1)
    return labels, d2[np.arange(len(x)), labels]


def wcss(x: np.ndarray, centres: np.ndarray, labels: np.ndarray) -> float:
    """Within-cluster sum of squares."""
    return float(((x - centres[labels]) ** 2).sum())


def kmeans_steps(x: np.ndarray, centres: np.ndarray, max_steps: int = 1000,
                 labels: np.ndarray | None = None, step: int = 0,
                 placed: str = "", history: np.ndarray | None = None
                 ) -> Iterator[ClusterState]:
    """States: the start, then alternating "assign" and "update" until nothing changes.

    Pass `labels` to continue from an "assign" already made (after a centre was dragged, the
    next step is an assignment again, so leave it None); `placed` says what the first state is
    (a centre added, moved or removed by hand: a step of its own, phase "placed"), and
    `history` the WCSS of the steps before it."""
    x = np.asarray(x, dtype=np.float64)
    centres = np.array(centres, dtype=np.float64)
    history = [] if history is None else [float(v) for v in history]
    current = labels if labels is not None else np.full(len(x), -1)
    phase = "init"
    if placed:  # a hand edit is a step: the chart gains the WCSS of the new centres
        step, phase = step + 1, "placed"
        history.append(wcss(x, centres, assign(x, centres)[0]))
    yield ClusterState(step, phase, current.copy(), placed or f"{len(centres)} centres placed",
                       False, {"centres": centres.copy(), "wcss": np.array(history)})
    while step < max_steps:
        step += 1
        new, _ = assign(x, centres)
        moved = int((new != current).sum())
        current = new
        history.append(wcss(x, centres, current))
        if moved == 0:
            yield ClusterState(step, "converged", current.copy(),
                               "no point changed cluster: converged", True,
                               {"centres": centres.copy(), "wcss": np.array(history)})
            return
        yield ClusterState(step, "assign", current.copy(),
                           f"reassigned {moved} points to their nearest centre", False,
                           {"centres": centres.copy(), "wcss": np.array(history)})
        step += 1
        old = centres.copy()
        empty = []
        for c in range(len(centres)):
            members = current == c
            if members.any():
                centres[c] = x[members].mean(axis=0)
            else:
                empty.append(c)  # an empty cluster keeps its centre (and says so)
        shift = float(np.linalg.norm(centres - old, axis=1).max())
        text = f"moved each centre to the mean of its points (largest move {shift:.3g})"
        if empty:
            text += f"; cluster {', '.join(str(c + 1) for c in empty)} is empty and stays put"
        history.append(wcss(x, centres, current))
        yield ClusterState(step, "update", current.copy(), text, False,
                           {"centres": centres.copy(), "wcss": np.array(history),
                            "empty": np.array(empty, dtype=int)})
    yield ClusterState(step, "stopped", current.copy(), f"stopped after {max_steps} steps", True,
                       {"centres": centres.copy(), "wcss": np.array(history)})


def run_kmeans(x: np.ndarray, centres: np.ndarray, max_steps: int = 1000):
    *_, last = kmeans_steps(x, centres, max_steps)
    return last


def elbow(x: np.ndarray, ks: range, restarts: int = 10, seed: int = 0,
          method: str = "kmeans++") -> dict[str, np.ndarray]:
    """Best WCSS over `restarts` runs for each K, and the silhouette score of that run."""
    from sklearn.metrics import silhouette_score

    x = np.asarray(x, dtype=np.float64)
    best, sil = [], []
    for k in ks:
        runs = [run_kmeans(x, initial_centres(x, k, method, seed + r)) for r in range(restarts)]
        top = min(runs, key=lambda s: wcss(x, s.extra["centres"], s.labels))
        best.append(wcss(x, top.extra["centres"], top.labels))
        n_labels = len(np.unique(top.labels))
        sil.append(silhouette_score(x, top.labels) if 1 < n_labels < len(x) else np.nan)
    return {"k": np.array(list(ks)), "wcss": np.array(best), "silhouette": np.array(sil)}
