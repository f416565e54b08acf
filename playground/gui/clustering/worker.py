"""The clustering lab's worker: builds the algorithm's steps off the GUI thread (a 5,000-point
distance matrix takes a second), walks them forward, back or playing, takes the centres placed
by hand as steps of the run, and computes the elbow and silhouette curves."""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Signal

from ...core.clustering import ClusterState, Stepper
from ..command_thread import CommandThread


@dataclass(frozen=True)
class ClusterFrame:
    state: ClusterState
    position: int  # index of the state in the history (the step counter)
    playing: bool
    can_go_back: bool
    algorithm: str
    token: int


def make_steps(algorithm: str, x: np.ndarray, settings):
    """The state generator for `algorithm` with the experiment's clustering settings."""
    from ...core.clustering import dbscan, hierarchical, kmeans, meanshift

    if algorithm == "kmeans":
        centres = kmeans.initial_centres(x, settings.k, settings.init, settings.seed,
                                         np.asarray(settings.centres) if settings.centres else None)
        return kmeans.kmeans_steps(x, centres)
    if algorithm == "meanshift":
        return meanshift.meanshift_steps(x, settings.bandwidth, settings.kernel)
    if algorithm == "hierarchical":
        return hierarchical.agglomerative_steps(x, settings.linkage)
    return dbscan.dbscan_steps(x, settings.eps, settings.min_points)


class ClusteringWorker(CommandThread):
    frame_ready = Signal(object)  # ClusterFrame
    failed = Signal(object)  # (token, message)
    elbow_ready = Signal(object)  # (token, {"k", "wcss", "silhouette"})

    def __init__(self, parent=None):
        super().__init__(parent)
        self.stepper: Stepper | None = None
        self._algorithm = ""
        self._playing = False
        self._interval = 0.1  # seconds between animated steps (the demos use 100 ms)
        self._token = 0
        self._x: np.ndarray | None = None

    def run(self) -> None:
        next_step = 0.0
        while True:
            timeout = None
            if self._playing:
                timeout = max(0.0, next_step - time.perf_counter())
            try:
                command, args = self._commands.get(timeout=timeout)
            except queue.Empty:
                command = None
            if command == "quit":
                return
            if command is not None:
                self._handle(command, args)
                continue
            if self._playing and self.stepper is not None:
                self.stepper.forward()
                if self.stepper.done:
                    self._playing = False
                self._emit()
                next_step = time.perf_counter() + self._interval

    def _handle(self, command: str, args: tuple) -> None:
        if command == "build":
            x, algorithm, settings, token = args
            self._playing = False
            self._x, self._algorithm, self._token = x, algorithm, token
            try:
                self.stepper = Stepper(make_steps(algorithm, x, settings))
            except ValueError as exc:
                self.stepper = None
                self.failed.emit((token, str(exc)))
                return
            self._emit()
            return
        if command == "elbow":
            self._elbow(*args)
            return
        if command == "interval":
            self._interval = float(args[0])
            return
        if command == "edit_centres":
            self._edit_centres(*args)
        if self.stepper is None:
            return
        if command == "forward":
            self._playing = False
            self.stepper.forward()
        elif command == "back":
            self._playing = False
            if self.stepper.state.phase == "placed" and self.stepper.can_unbranch():
                self.stepper.unbranch()  # stepping back over a hand edit takes it back
            else:
                self.stepper.back()
        elif command == "play":
            self._playing = not self.stepper.done
        elif command == "pause":
            self._playing = False
        elif command == "run_to_end":
            self._playing = False
            self.stepper.run()
        elif command == "seek":  # a guided lesson's Back: the step it was at
            self._playing = False
            target = max(0, int(args[0]))
            while self.stepper.position > target:
                self.stepper.back()
            while self.stepper.position < target and not self.stepper.done:
                self.stepper.forward()
        self._emit()

    def _edit_centres(self, centres: np.ndarray, text: str, token: int) -> None:
        """k-means: centres added, moved or removed by hand become the next step."""
        from ...core.clustering.kmeans import kmeans_steps

        if token != self._token or self._x is None:
            return
        self._playing = False
        if self.stepper is None:
            self.stepper = Stepper(kmeans_steps(self._x, centres))
            return
        state = self.stepper.state
        same_k = len(state.extra.get("centres", ())) == len(centres)
        self.stepper.branch(kmeans_steps(self._x, centres, step=state.step, placed=text,
                                         labels=state.labels if same_k else None,
                                         history=state.extra.get("wcss")))

    def _elbow(self, x: np.ndarray, seed: int, token: int) -> None:
        from ...core.clustering.kmeans import elbow

        try:
            result = elbow(x, range(1, min(10, len(x)) + 1), restarts=5, seed=seed)
        except ValueError as exc:
            self.failed.emit((token, str(exc)))
            return
        self.elbow_ready.emit((token, result))

    def _emit(self) -> None:
        s = self.stepper
        self.frame_ready.emit(ClusterFrame(s.state, s.position, self._playing, s.can_go_back(),
                                           self._algorithm, self._token))
