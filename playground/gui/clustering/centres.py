"""Centres under the user's hands (as in orange3-educational's interactive k-means): click to
add one in any start mode, right-click to remove, drag to move. Each edit is a step of the run
and one session edit (init, centres and K together), and Back over it takes both back. K never
passes the file's limit. A mixin of ClusteringLab."""

from __future__ import annotations

import contextlib
import copy

import numpy as np
from PySide6.QtCore import Qt

from ...core.session import field_info

CENTRE_FIELDS = ("clustering.init", "clustering.centres", "clustering.k")


def k_max() -> int:
    """The most centres or clusters a file may hold (the interface never offers more)."""
    return int(field_info("clustering.k").hi)


class CentreEditing:
    def back(self) -> None:
        """One step back; over a centre placed, moved or removed by hand, that edit is taken
        back (in the run and in the session)."""
        self.stop_painting()
        if self.frame is not None and self.frame.state.phase == "placed" and self._edits:
            before, after, label = self._edits.pop()
            with self._quietly():
                if (self.session.can_undo and self.session.undo_label == label
                        and all(self.qs.get(p) == v for p, v in after.items())):
                    self.session.undo()
                else:
                    self.qs.set_many(before, label="take back a centre edit")
        self.worker.post("back")

    @contextlib.contextmanager
    def _quietly(self):
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1


    def _centres_now(self) -> np.ndarray:
        if self.frame is not None and "centres" in self.frame.state.extra:
            return np.asarray(self.frame.state.extra["centres"], dtype=np.float64)
        return np.zeros((0, 2))

    def _on_click(self, event) -> None:
        self._finish_tween()
        vb = self.plot.getPlotItem().getViewBox()
        pos = event.scenePos()
        if (self.paint.mode != "off" or self.experiment.clustering.algorithm != "kmeans"
                or not vb.sceneBoundingRect().contains(pos)):
            return
        p = vb.mapSceneToView(pos)
        centres = self._centres_now()
        pixel = vb.viewPixelSize()[0]
        near = (np.linalg.norm(centres - [p.x(), p.y()], axis=1) / pixel if len(centres)
                else np.zeros(0))
        if event.button() == Qt.MouseButton.RightButton:
            if len(near) and near.min() < 15:
                self.remove_centre(int(near.argmin()))
        elif event.button() == Qt.MouseButton.LeftButton and not (len(near) and near.min() < 10):
            self.add_centre(p.x(), p.y())

    def add_centre(self, x: float, y: float) -> bool:
        centres = self._centres_now()
        if len(centres) >= k_max():
            self.explanation.setText(f"at most {k_max()} centres (the limit of clustering.k); "
                                     "right-click a centre to remove it first")
            return False
        return self._edit_centres(np.vstack([centres, [[x, y]]]),
                                  f"added a centre: K = {len(centres) + 1}")

    def remove_centre(self, index: int) -> bool:
        centres = self._centres_now()
        if len(centres) <= 1:
            self.explanation.setText("k-means needs at least one centre")
            return False
        return self._edit_centres(np.delete(centres, index, axis=0),
                                  f"removed centre {index + 1}: K = {len(centres) - 1}")

    def _centres_dragged(self, centres: np.ndarray) -> None:
        self._edit_centres(centres, "moved a centre by hand: the next step reassigns")

    def _edit_centres(self, centres: np.ndarray, text: str) -> bool:
        after = {"clustering.init": "manual",
                 "clustering.centres": [[round(float(a), 6), round(float(b), 6), 0.0]
                                        for a, b in centres],
                 "clustering.k": len(centres)}
        before = {p: copy.deepcopy(self.qs.get(p)) for p in CENTRE_FIELDS}
        label = text.split(":")[0]
        with self._quietly():
            if not self.qs.set_many(after, label=label):
                return False
        self._edits.append((before, after, label))
        self.worker.post("edit_centres", np.array(centres, dtype=np.float64), text, self._token)
        return True

