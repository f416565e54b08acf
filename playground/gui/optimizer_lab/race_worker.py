"""The optimizer lab's worker: races the optimizers, evaluates the surface's grid and slices
the network's loss through the weights the training run reports, all off the GUI thread;
emits NumPy-only results."""

from __future__ import annotations

import copy
import queue
import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Signal

from ..command_thread import CommandThread

GRID = 200  # samples per axis of the drawn surface
CONTOURS = 12


def contour_lines(xs: np.ndarray, ys: np.ndarray, shade: np.ndarray,
                  n: int = CONTOURS) -> tuple[np.ndarray, np.ndarray]:
    """Contours of `shade` (rows: y) in data coordinates, lines separated by NaN, at levels
    that bunch up near the minimum, where races are decided. Traced here, in the worker: on
    a 200 x 200 grid they cost about as much CPU as the whole default race
    (benchmarks/optimizer_lab_speed.py), too much for the GUI thread."""
    from pyqtgraph.functions import isocurve

    lo, hi = float(shade.min()), float(shade.max())
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    px: list[float] = []
    py: list[float] = []
    for f in np.linspace(0.0, 1.0, n + 2)[1:-1] ** 2:
        for line in isocurve(shade.T, lo + f * (hi - lo), connected=True):
            pts = np.asarray(line, dtype=np.float64) - 0.5  # pixel centres -> sample indices
            px.extend(xs[0] + pts[:, 0] * dx)
            py.extend(ys[0] + pts[:, 1] * dy)
            px.append(np.nan)
            py.append(np.nan)
    return np.array(px), np.array(py)


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
    contours: tuple[np.ndarray, np.ndarray]  # x, y of the contour lines, NaN between lines
    loss_floor: float  # the lowest loss seen on the grid and the tracks (for L − L_min plots)
    typical_gradient: float  # median |∇L| on the grid: the gradient arrows' scale
    tracks: list  # optimizer_race.Track per racer


@dataclass(frozen=True)
class SliceResult:
    token: int
    slice: object  # loss_slice.LossSlice
    shade: np.ndarray  # log10 of the loss, NaN-free float32
    contours: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class SliceJob:
    """Slice through the weights a training run reported (its newest frame) with the path it
    went through. `experiment` comes with the first job of a run: the worker builds the
    network and training points from it once, and keeps them for that run (`run`)."""

    run: tuple[int, int]
    experiment: object | None  # spec.Experiment, or None when the worker has this run's
    parameters: np.ndarray
    buffers: dict
    trajectory: list
    epoch: int
    extent: float
    resolution: int
    token: int


def slice_result(token: int, s) -> SliceResult:
    z = np.log10(np.maximum(s.loss.astype(np.float64), 1e-12))
    finite = np.isfinite(z)
    top = float(np.percentile(z[finite], 99)) if finite.any() else 1.0
    z = np.nan_to_num(np.clip(z, None, top), nan=top).astype(np.float32)
    return SliceResult(token, s, z, contour_lines(s.alphas, s.betas, z, 10))


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
    shade = np.ascontiguousarray(shade, dtype=np.float32)
    with torch.no_grad():
        gx, gy = surface.gradient(torch.as_tensor(xs)[None, :].expand(GRID, GRID),
                                  torch.as_tensor(ys)[:, None].expand(GRID, GRID))
    norms = torch.hypot(gx, gy).numpy()
    norms = norms[np.isfinite(norms)]
    typical = float(np.median(norms)) if norms.size else 1.0
    return RaceResult(token=token, surface=surface.name, formula=surface.formula,
                      domain=surface.domain, minima=surface.minima,
                      start=tuple(lab.start or surface.start), xs=xs, ys=ys,
                      shade=shade, shade_label=label, contours=contour_lines(xs, ys, shade),
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
        self._host: tuple[tuple[int, int], object] | None = None  # (run, its trainer)

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
                elif command == "slice":
                    self.slice_ready.emit(self._slice(*args))
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

    def _slice(self, job: SliceJob) -> SliceResult:
        from ...core.loss_slice import slice_at

        if self._host is None or self._host[0] != job.run:
            if job.experiment is None:
                raise RuntimeError("the lab's worker has no network for this run")
            self._host = (job.run, _host_trainer(job.experiment))
        s = slice_at(self._host[1], job.parameters, job.buffers, job.trajectory, job.extent,
                     job.resolution, epoch=job.epoch)
        return slice_result(job.token, s)


def _host_trainer(experiment):
    """A trainer of the run's experiment that is never trained: it lends the slice its network
    structure, training points and loss (on the CPU, without compiling anything)."""
    from ...core.trainer import Trainer

    exp = copy.deepcopy(experiment)
    exp.training.fast_path = False
    exp.training.device = "cpu"
    return Trainer(exp, compile_fast=False)
