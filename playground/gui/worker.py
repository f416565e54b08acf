"""The one background worker: owns the Trainer, obeys commands, emits frames.

Commands arrive through a queue and are handled between steps; frames (a snapshot plus rates)
leave through a Signal(object). Only NumPy arrays and plain values cross the thread boundary.
The GUI keeps the newest frame and draws on its own timer, so compute and paint rates are
decoupled.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import traceback
from dataclasses import dataclass

from PySide6.QtCore import Signal

from ..core import fastpath
from ..core.errors import PlaygroundError
from ..core.snapshot import Snapshot
from ..core.spec import Experiment
from .command_thread import CommandThread

FRAME_INTERVAL = 1.0 / 60.0  # never produce frames faster than the screen shows them
# At full speed a new frame waits until the window has drawn the last one (`frame_drawn`), or
# this long: a snapshot the window would skip costs the worker ~4 ms and the window's thread
# the GIL; with none drawn (no window, a minimized one) frames still come a few times a second.
UNDRAWN_WAIT = 0.25
SLICE = 0.004  # seconds of training between looks at the command queue, at full speed
MAX_SPEED = 0  # "epochs per frame" value meaning: as fast as the machine goes


@dataclass(frozen=True)
class Frame:
    snapshot: Snapshot
    playing: bool
    epochs_per_second: float
    run_id: int  # grows on every rebuild/reset: the trace plot starts a new curve
    token: int  # the GUI's number for the build this frame belongs to
    device: str
    device_note: str
    path: str
    path_reason: str
    batches_per_epoch: int = 1
    example: object | None = None  # the chosen example's ExampleTrace (core/one_example.py)


# ------------------------------------------------------------------ the worker's commands

@dataclass(frozen=True)
class Build:
    """Build a fresh trainer (with a file's checked trained `state` when given, or the run
    KeepState kept under `kept` if there is one: undo and redo bring a run back)."""

    experiment: Experiment
    token: int
    state: dict | None = None
    kept: int | None = None


@dataclass(frozen=True)
class Play:
    """Train on; `fast`: as fast as the machine goes until the run ends (a sweep's run opened
    in the network tab trains to the sweep's epochs, whatever the speed setting)."""

    fast: bool = False


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class StepEpoch:
    pass


@dataclass(frozen=True)
class StepBatch:
    pass


@dataclass(frozen=True)
class ApplyLive:
    """Settings that apply to the running trainer without a reset (learning rate, schedule,
    epoch limit, early stopping) and the view fields the snapshots follow."""

    experiment: Experiment


@dataclass(frozen=True)
class SetWeight:
    node: str
    row: int
    col: int | None
    value: float


@dataclass(frozen=True)
class KeepState:
    """Remember the trainer's whole state under `key` (a guided lesson's step marker), so
    Back can rebuild the run exactly as it was (`TrainingWorker.kept`)."""

    key: int


@dataclass(frozen=True)
class TraceExample:
    """Follow one training example through forward, backward and update (None: stop)."""

    index: int | None


@dataclass(frozen=True)
class Write:
    path: str
    kind: str  # "experiment" | "history_csv" | "pytorch"
    experiment: Experiment
    token: int = 0  # the build the window shows: the trained state is saved only if it is ours


class TrainingWorker(CommandThread):
    frame_ready = Signal(object)  # Frame
    build_failed = Signal(str)  # a message for the user; the previous run stays
    failed = Signal(str)  # an unexpected error: shown in the window; the worker goes on
    written = Signal(str, str, str)  # path, kind, error ("" when it worked)

    def __init__(self, experiment: Experiment, parent=None):
        super().__init__(parent)
        self._first_build = Build(experiment.copy(), 0)  # run on the worker's thread
        self.trainer = None
        self._playing = False
        self._epochs_per_frame = 1
        self._fast = False  # Play(fast=True) until the run ends or play stops
        self._run_id = 0
        self._token = 0
        self._rate_marks: list[tuple[float, int]] = []
        self._compile = fastpath.BackgroundCompile()
        self.kept: dict[int, dict] = {}  # KeepState's trainer states (written here, read later)
        self._example: int | None = None
        self._drawn = threading.Event()  # the window drew the last frame emitted
        self._drawn.set()
        self._emitted = 0.0

    def frame_drawn(self) -> None:
        """The window drew the newest frame (called on the GUI thread): at full speed the
        next one is worth making."""
        self._drawn.set()

    # ------------------------------------------------------------------- worker thread
    def run(self) -> None:
        self._guarded(self._build, self._first_build)
        while True:
            self._guarded(self._check_compile)
            try:
                if self._playing and self.trainer is not None:
                    command = self._commands.get(block=False)[0]
                else:  # idle: wake now and then while the fused kernel compiles
                    wait = 0.2 if self._compile.busy else None
                    command = self._commands.get(timeout=wait)[0]
            except queue.Empty:
                command = None
                if not self._playing:
                    continue
            if command == "quit":
                self._compile.stop()
                return
            if command is not None:
                self._guarded(self._handle, command)
                continue  # drain every pending command before training again
            self._guarded(self._train_for_a_frame)

    def _guarded(self, fn, *args) -> None:
        """Run one piece of work; an unexpected exception stops play and reaches the window as
        a message, and the worker stays ready for the next command (Reset builds afresh)."""
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - any bug must reach the user, not kill the thread
            self._playing = False
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.failed.emit(f"{type(exc).__name__}: {exc} ({os.path.basename(where.filename)}, "
                             f"line {where.lineno})")

    def _handle(self, command) -> None:
        t = self.trainer
        if isinstance(command, Build):
            self._build(command)
        elif isinstance(command, Write):
            self._write(command)
        elif isinstance(command, TraceExample):
            self._example = command.index
            if t is not None:
                self._follow_panels()
                self._emit()
        elif t is None:
            return
        elif isinstance(command, Play):
            self._playing = not t.done
            self._fast = command.fast and self._playing
            self._rate_marks.clear()
            self._emit()
        elif isinstance(command, Pause):
            self._playing = False
            self._emit()
        elif isinstance(command, StepEpoch):
            self._playing = False
            t.step_epoch()
            self._emit()
        elif isinstance(command, StepBatch):
            self._playing = False
            t.step_batch()
            self._emit()
        elif isinstance(command, ApplyLive):
            t.apply_live(command.experiment.training)
            self._experiment = command.experiment.copy()
            self._epochs_per_frame = int(command.experiment.view.snapshot_every)
            self._follow_panels()
            self._emit()
        elif isinstance(command, SetWeight):
            t.set_weight(command.node, command.row, command.col, command.value)
            self._emit()
        elif isinstance(command, KeepState):
            from ..core.files import trainer_state

            self.kept[command.key] = trainer_state(t)
        else:
            raise TypeError(f"unknown worker command {command!r}")

    def _check_compile(self) -> None:
        """The trainer moves onto the fused kernel once its background compile is done."""
        if self._compile.poll(self.trainer):
            self._emit()

    def _write(self, command: Write) -> None:
        """Files that need the trainer: the experiment with its state, exports."""
        from ..core import export, files

        path, kind, experiment = command.path, command.kind, command.experiment
        try:
            if kind == "experiment":
                # An edit the trainer was not rebuilt for (a network still being built, data
                # that cannot train) leaves the trainer of the previous experiment: its weights
                # do not belong to this one, so the file is saved untrained.
                ours = self.trainer if command.token == self._token else None
                files.save_experiment(path, experiment, ours)
            elif kind == "history_csv":
                files.atomic_write_text(path, export.history_csv(self.trainer.history))
            elif kind == "pytorch":
                files.atomic_write_text(path, export.pytorch_script(self.trainer))
            else:
                raise ValueError(f"unknown export {kind!r}")
        except Exception as exc:  # noqa: BLE001 - the window waits for an answer either way
            self.written.emit(path, kind, str(exc) if isinstance(exc, PlaygroundError | ValueError)
                              else f"{type(exc).__name__}: {exc}")
            return
        self.written.emit(path, kind, "")

    def _build(self, command: Build) -> None:
        from ..core.trainer import Trainer

        experiment, token, state = command.experiment, command.token, command.state
        # The speed is the experiment's, as every other setting: an opened file's "as fast as
        # possible" trained at the speed the window had before (~55 epochs/s).
        self._epochs_per_frame = int(experiment.view.snapshot_every)
        try:
            kept = self.kept.get(command.kept) if state is None else None
            trainer = self._kept_run(experiment, kept) if kept is not None else None
            if trainer is None:
                trainer = Trainer(experiment, compile_fast=False)  # never waits for a compile
            if state is not None:  # a file's trained state (checked before it was sent)
                from ..core.files import restore_state

                restore_state(trainer, state)
        except PlaygroundError as exc:
            self._playing = False
            self.trainer = None  # Step and Play must not go on training the previous network
            self.build_failed.emit(str(exc))
            return
        self._experiment = experiment.copy()
        self.trainer = trainer
        self._follow_panels()
        self._token = token
        self._playing = False
        self._run_id += 1
        self._rate_marks.clear()
        self._compile.request(trainer)  # compiled before: loaded now; else in the background
        self._emit()

    @staticmethod
    def _kept_run(experiment: Experiment, state: dict):
        """A trainer resumed from a kept run, or None (a fresh one then) when it no longer
        fits the experiment."""
        from ..core.files import restore_state
        from ..core.trainer import Trainer

        trainer = Trainer(experiment, compile_fast=False)
        try:
            restore_state(trainer, state)
        except PlaygroundError:
            return None
        return trainer

    def _train_for_a_frame(self) -> None:
        t = self.trainer
        start = time.perf_counter()
        per_frame = MAX_SPEED if self._fast else self._epochs_per_frame
        if per_frame == MAX_SPEED:
            while not t.done and (time.perf_counter() - start < FRAME_INTERVAL or (
                    not self._drawn.is_set()
                    and time.perf_counter() - self._emitted < UNDRAWN_WAIT)):
                t.train(1 << 40, seconds=SLICE)  # (fused: many epochs a call, GIL released)
                if not self._commands.empty():
                    break  # a click waits for no frame
        else:
            t.train(per_frame)
        if t.done:
            self._playing = self._fast = False
        self._emit()
        if per_frame != MAX_SPEED:  # pace to the screen at low speeds
            rest = FRAME_INTERVAL - (time.perf_counter() - start)
            if rest > 0:
                time.sleep(rest)

    def _rate(self) -> float:
        now = time.perf_counter()
        self._rate_marks.append((now, self.trainer.epoch))
        self._rate_marks = [m for m in self._rate_marks if now - m[0] <= 1.0]
        (t0, e0), (t1, e1) = self._rate_marks[0], self._rate_marks[-1]
        return (e1 - e0) / (t1 - t0) if t1 > t0 else 0.0

    def _follow_panels(self) -> None:
        """Measure what the open views show: gradients while the network view's gradient flow
        or the gradient panel is on (the fused path pays for it only then), histograms while
        their panel is open."""
        t = self.trainer
        view = self._experiment.view
        t.gradients.on = view.gradient_flow or view.panel == "gradients"
        t.show_histograms = view.panel == "histograms"
        if self._example is not None and self._example >= t.n_train:
            self._example = None

    def _emit(self) -> None:
        t = self.trainer
        snapshot = t.snapshot(self._experiment.view.resolution)
        example = None
        if self._example is not None:
            from ..core.one_example import trace_example

            example = trace_example(t, self._example)
        self._drawn.clear()
        self._emitted = time.perf_counter()
        self.frame_ready.emit(Frame(snapshot, self._playing, self._rate(), self._run_id,
                                    self._token, str(t.device), t.device_note, t.path, t.path_reason,
                                    t.batches_per_epoch, example))
