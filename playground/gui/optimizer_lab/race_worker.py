"""The optimizer lab's worker: races the optimizers, evaluates the surface's grid and trains
the network for its loss slice, all off the GUI thread; emits NumPy-only results."""

from __future__ import annotations

import copy
import queue
import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Signal

from ..command_thread import CommandThread

GRID = 200  # samples per axis of the drawn surface


@dataclass(frozen=True)
class RaceResult:
    """Everything the lab draws for one race; only arrays and plain values."""

    token: int
    surface: str
    formula: str
    domain: tuple[float, float, float, float]
    minima: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    xs: np.ndarray
    ys: np.ndarray
    shade: np.ndarray  # (GRID, GRID) float32, NaN-free: √(L − L_min), or log10(1 + L − L_min)
    shade_label: str
    loss_floor: float  # the lowest loss seen on the grid and the tracks (for L − L_min plots)
    typical_gradient: float  # median |∇L| on the grid: the gradient arrows' scale
    tracks: list  # optimizer_race.Track per racer


@dataclass(frozen=True)
class SliceResult:
    token: int
    slice: object  # loss_slice.LossSlice
    epochs: int  # epochs trained so far
    done: bool
    message: str = ""


def race_result(lab, token: int) -> RaceResult:
    import torch

    from ...core.optimizer_race import race_of

    surface, tracks = race_of(lab)
    xs, ys, z = surface.grid(GRID)
    finite = np.isfinite(z)
    low = float(z[finite].min()) if finite.any() else 0.0
    for t in tracks:
        if np.isfinite(t.loss).any():
            low = min(low, float(np.nanmin(t.loss)))
    if surface.log_scale:
        shade, label = np.log10(1.0 + np.clip(z - low, 0.0, None)), "log₁₀(1 + L − L_min)"
    else:  # √ spaces a quadratic bowl's contours evenly in distance from its minimum
        shade, label = np.sqrt(np.clip(z - low, 0.0, None)), "√(L − L_min)"
    top = float(np.percentile(shade[finite], 99)) if finite.any() else 1.0
    shade = np.nan_to_num(np.clip(shade, None, top), nan=top, posinf=top, neginf=low)
    with torch.no_grad():
        gx, gy = surface.gradient(torch.as_tensor(xs)[None, :].expand(GRID, GRID),
                                  torch.as_tensor(ys)[:, None].expand(GRID, GRID))
    norms = torch.hypot(gx, gy).numpy()
    norms = norms[np.isfinite(norms)]
    typical = float(np.median(norms)) if norms.size else 1.0
    return RaceResult(token=token, surface=surface.name, formula=surface.formula,
                      domain=surface.domain, minima=surface.minima,
                      start=tuple(lab.start or surface.start), xs=xs, ys=ys,
                      shade=np.ascontiguousarray(shade, dtype=np.float32), shade_label=label,
                      loss_floor=low, typical_gradient=max(typical, 1e-12), tracks=tracks)


class RaceWorker(CommandThread):
    """Runs only while it has work: `submit` starts it, and it ends after IDLE seconds without
    a command, so no thread outlives its use (a race takes a fraction of a second)."""

    race_ready = Signal(object)  # RaceResult
    slice_ready = Signal(object)  # SliceResult
    failed = Signal(str)
    IDLE = 1.0

    def __init__(self, parent=None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._leaving = False

    def submit(self, command: str, *args) -> None:
        """Queue a command (GUI thread) and make sure a run loop will handle it."""
        with self._lock:
            self._commands.put((command, args))
            if self._leaving or not self.isRunning():
                self.wait()  # a loop that decided to end has ended or is ending
                self._leaving = False
                self.start()

    def stop(self) -> None:
        if self.isRunning():
            super().stop()

    def run(self) -> None:
        while True:
            try:
                item = self._commands.get(timeout=self.IDLE)
            except queue.Empty:
                with self._lock:
                    if self._commands.empty():
                        self._leaving = True
                        return
                continue
            command, args = self._latest(item)
            if command == "quit":
                return
            try:
                if command == "race":
                    self.race_ready.emit(race_result(*args))
                elif command == "slice" and self._train_and_slice(*args) == "quit":
                    return
            except Exception as exc:  # a bad formula or setting: say so, keep the worker
                self.failed.emit(str(exc))

    def _latest(self, item):
        """Skip queued races that a newer one replaces (a dragged slider posts many)."""
        while item[0] == "race":
            try:
                nxt = self._commands.get_nowait()
            except queue.Empty:
                break
            if nxt[0] != "race":
                self._commands.put(nxt)  # handled after this race
                break
            item = nxt
        return item

    def _interrupted(self) -> str | None:
        """Between epochs: a new command ends the slice job (it stays queued)."""
        try:
            item = self._commands.get_nowait()
        except queue.Empty:
            return None
        if item[0] in ("quit", "cancel"):
            return "quit" if item[0] == "quit" else "stop"
        self._commands.put(item)
        return "new"

    def _train_and_slice(self, experiment, epochs: int, every: int, extent: float,
                         resolution: int, token: int) -> str:
        from ...core.loss_slice import flat_weights, slice_through
        from ...core.trainer import Trainer

        exp = copy.deepcopy(experiment)
        exp.training.fast_path = False  # no compile wait; the slice copies the model anyway
        exp.training.device = "cpu"
        trainer = Trainer(exp)
        path = [flat_weights(trainer.params)]
        done = 0
        while done < epochs and not trainer.done:
            for _ in range(min(every, epochs - done)):
                trainer.step_epoch()
                done += 1
                path.append(flat_weights(trainer.params))
                why = self._interrupted()
                if why:
                    return why
            last = done >= epochs or trainer.done
            s = slice_through(trainer, path, extent, resolution)
            self.slice_ready.emit(SliceResult(token, s, done, last, trainer.message))
        return "done"
