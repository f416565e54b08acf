"""How the clustering lab draws each algorithm's frame, and the short glide of centres and
windows between steps. A mixin of ClusteringLab."""

from __future__ import annotations

import time

import numpy as np

from ...core.clustering.hierarchical import cut
from ...core.clustering.meanshift import spread_subset
from .drawing import label_colours
from .worker import ClusterFrame

ANIMATION_S = 0.25  # how long a centre or window glides to its new place
WINDOWS_DRAWN = 8  # mean shift: windows drawn as circles; the others as dots with trails


class FrameDrawing:
    def _draw_kmeans(self, frame: ClusterFrame) -> None:
        s = frame.state
        centres = s.extra["centres"]
        self.view.show_points(self.x, label_colours(s.labels, by_rank=False))
        self.side.show_steps(s.extra["wcss"])
        self.side.mark_k(len(centres) if self.side.elbow is not None else None)
        self._move(centres, lambda c: self.view.place_centres(self.x, c, s.labels), frame)

    def _draw_meanshift(self, frame: ClusterFrame) -> None:
        s = frame.state
        bandwidth, trails = s.extra["bandwidth"], s.extra["trajectories"]
        if self._windows_shown is None:
            self._windows_shown = spread_subset(trails[0], WINDOWS_DRAWN)
        self.view.show_points(self.x, label_colours(s.labels))
        self.side.show_steps(s.extra["distinct"], first_step=0)
        if "modes" in s.extra:
            self._drawn = None
            self.view.show_modes(s.extra["modes"], bandwidth, trails)
            return
        shown = self._windows_shown
        self._move(s.extra["windows"],
                   lambda w: self.view.place_windows(w, shown, bandwidth, trails), frame)

    def _draw_hierarchical(self, frame: ClusterFrame) -> None:
        s = frame.state
        merges = s.extra["linkage"]
        if s.done and len(merges):
            self._linkage = merges
            self._recut()
            return
        self._linkage = None
        if self.side.dendrogram_shown:  # stepped back from the tree
            self.side.reset("hierarchical")
        self.view.witness.setData([], [])
        self.view.hierarchical_step(self.x, s)
        self.side.show_steps(merges[:, 2] if len(merges) else [])

    def _recut(self) -> None:
        if self._linkage is None:
            return
        z = self._linkage
        k = int(np.clip(self.experiment.clustering.k, 1, len(z) + 1))
        labels = cut(z, k)
        rgb = label_colours(labels)
        self.view.witness.setData([], [])
        self.view.show_points(self.x, rgb)
        self.side.show_dendrogram(z, labels, rgb, cut_height(z, k))

    def _draw_dbscan(self, frame: ClusterFrame) -> None:
        s = frame.state
        if s.phase == "init":
            self.shown_kinds = s.extra["preview"]
            self.view.show_kinds(self.x, self.shown_kinds)
        else:
            self.shown_kinds = None
            self.view.rings.setData([], [])
            self.view.marks.setData([], [])
            self.view.dbscan_step(self.x, s)

    def _move(self, target: np.ndarray, place, frame: ClusterFrame) -> None:
        """Draw centres or windows at `target`, gliding there from where they were drawn."""
        start, self._drawn = self._drawn, target
        glide = (self.animate.isChecked() and start is not None and start.shape == target.shape
                 and not np.allclose(start, target)
                 and (not frame.playing or self.speed.value() <= 4))
        if not glide:
            place(target)
            return
        self._tween_draw = lambda a: place(start + a * (target - start))
        self._tween_t0 = time.perf_counter()
        self._tween_draw(0.0)
        self._tween.start()

    def _tween_tick(self) -> None:
        a = min(1.0, (time.perf_counter() - self._tween_t0) / ANIMATION_S)
        if self._tween_draw is not None:
            self._tween_draw(a * a * (3 - 2 * a))
        if a >= 1.0:
            self._tween.stop()
            self._tween_draw = None

    def _finish_tween(self) -> None:
        """Skip the glide in progress to its end."""
        if self._tween.isActive():
            self._tween.stop()
            draw, self._tween_draw = self._tween_draw, None
            if draw is not None:
                draw(1.0)



def cut_height(linkage_matrix: np.ndarray, k: int) -> float:
    """A height that cuts the tree into k clusters: between the (k-1)-th and k-th largest merge
    distances."""
    h = np.sort(linkage_matrix[:, 2])[::-1]
    if k <= 1:
        return float(h[0] * 1.05)
    if k - 1 >= len(h):
        return 0.0
    return float(0.5 * (h[k - 2] + h[k - 1]))
