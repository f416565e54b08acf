"""Clustering as steps: each algorithm is a generator of states that a view draws.

A state is immutable (fresh arrays), so the `Stepper` can keep a history and step back to
exactly the state before. Qt-free; results at convergence are tested against scikit-learn and
SciPy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

HISTORY_LIMIT = 5000  # states kept for stepping back (older ones are let go)


@dataclass(frozen=True)
class ClusterState:
    step: int
    phase: str  # what the step just did: "init", "assign", "update", "merge", "expand", ...
    labels: np.ndarray  # (n,) cluster per point; -1 = none yet / noise
    explanation: str  # one line for people: "reassigned 37 points to their nearest centre"
    done: bool = False
    extra: dict = field(default_factory=dict)  # centres, windows, queue, merge pair, ...

    @property
    def n_clusters(self) -> int:
        return int(len(np.unique(self.labels[self.labels >= 0])))


class Stepper:
    """Walks a state generator forward and back; forward after back replays the history."""

    def __init__(self, states: Iterator[ClusterState]):
        self._states = states
        self.history: list[ClusterState] = [next(states)]
        self.position = 0
        self._dropped = 0  # states let go from the front of the history
        self._branches: list[tuple[int, list[ClusterState], Iterator[ClusterState]]] = []

    @property
    def state(self) -> ClusterState:
        return self.history[self.position]

    @property
    def done(self) -> bool:
        return self.position == len(self.history) - 1 and self.state.done

    def forward(self) -> ClusterState:
        if self.position < len(self.history) - 1:
            self.position += 1
        elif not self.state.done:
            self.history.append(next(self._states))
            self.position += 1
            if len(self.history) > HISTORY_LIMIT:
                drop = len(self.history) - HISTORY_LIMIT
                del self.history[:drop]
                self.position -= drop
                self._dropped += drop
        return self.state

    def back(self) -> ClusterState:
        if self.position > 0:
            self.position -= 1
        return self.state

    def can_go_back(self) -> bool:
        return self.position > 0

    def run(self, max_steps: int = 1_000_000) -> ClusterState:
        for _ in range(max_steps):
            if self.done:
                break
            self.forward()
        return self.state

    def branch(self, states: Iterator[ClusterState]) -> None:
        """Continue from here with another generator (e.g. after dragging a centre): the future
        that was recorded is dropped, the past stays for stepping back."""
        first = next(states)
        self._branches.append((self.position + self._dropped,
                               self.history[self.position + 1:], self._states))
        del self.history[self.position + 1:]
        self._states = states
        self.history.append(first)
        self.position += 1

    def can_unbranch(self) -> bool:
        """Whether the current state is the first of a branch that `unbranch` can take back."""
        return bool(self._branches) and (
            self._branches[-1][0] - self._dropped == self.position - 1 >= 0)

    def unbranch(self) -> ClusterState:
        """Take back the last branch (stepping back over a hand edit undoes it): the state
        before it, its recorded future and its generator come back exactly."""
        if not self.can_unbranch():
            return self.back()
        _, future, states = self._branches.pop()
        del self.history[self.position:]
        self.history += future
        self._states = states
        self.position -= 1
        return self.state


def label_counts(labels: np.ndarray) -> np.ndarray:
    return np.bincount(labels[labels >= 0]) if (labels >= 0).any() else np.zeros(0, int)
