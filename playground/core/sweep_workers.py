"""The worker processes sweeps train in: one per core, spawned (never a fork of a threaded Qt
process), each on one torch thread at a lower priority than the window. Starting one costs
seconds (importing torch, loading the fused kernel), so they stay up from one sweep to the
next; cancelling terminates them and the next sweep starts new ones.

Jobs go out on one queue and answers come back on another, tagged with the sweep's token so
that a sweep never takes another's answers. A worker that dies is noticed (`died`): unlike
multiprocessing.Pool, which would start new workers forever when they cannot start at all.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
from typing import Any

from .errors import PlaygroundError

_tokens = itertools.count(1)


def new_token() -> int:
    return next(_tokens)


def _serve(tasks, answers) -> None:
    """A worker's life: get ready, then run jobs until told to stop (None)."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(5)
    import torch

    from . import fastpath
    from .sweep_runner import run_one

    torch.set_num_threads(1)
    with contextlib.suppress(Exception):  # no kernel: the runs train through autograd
        fastpath.warm_up()
    while True:
        job = tasks.get()
        if job is None:
            return
        token, i, doc, value, seed = job
        try:
            answers.put((token, i, run_one(doc, value, seed), ""))
        except Exception as exc:  # noqa: BLE001 - reported as the run's failure, never lost
            message = str(exc) if isinstance(exc, PlaygroundError) else \
                f"{type(exc).__name__}: {exc}"
            answers.put((token, i, None, message))


class Workers:
    def __init__(self, processes: int | None = None):
        self.processes = max(1, processes or os.cpu_count() or 1)
        self._procs: list = []
        self._tasks = self._answers = None  # kept: a collected queue unlinks its locks

    def ensure_started(self) -> None:
        """Start the workers unless they are up (all of them)."""
        if self._procs and all(p.is_alive() for p in self._procs):
            return
        self.terminate()
        context = multiprocessing.get_context("spawn")
        self._tasks, self._answers = context.Queue(), context.Queue()
        self._procs = [context.Process(target=_serve, args=(self._tasks, self._answers),
                                       daemon=True, name=f"playground-sweep-{k}")
                       for k in range(self.processes)]
        for p in self._procs:
            p.start()
        self._tasks.cancel_join_thread()  # jobs a cancel leaves unread must not hold us up

    def submit(self, token: int, i: int, doc: dict, value: Any, seed: int) -> None:
        self._tasks.put((token, i, doc, value, seed))

    def answers(self, token: int, wait: float = 0.0) -> list[tuple[int, dict | None, str]]:
        """(job index, row or None, error) of the answers for `token` that have arrived
        (waiting up to `wait` seconds for the first)."""
        out = []
        while self._answers is not None:
            try:
                got = self._answers.get(timeout=wait) if wait and not out else \
                    self._answers.get_nowait()
            except queue.Empty:
                break
            if got[0] == token:
                out.append(got[1:])
        return out

    def died(self) -> list[int]:
        """Exit codes of workers that stopped without being told to."""
        return [p.exitcode for p in self._procs if not p.is_alive()]

    @property
    def started(self) -> bool:
        return bool(self._procs)

    def stop(self) -> None:
        """Let the workers finish their jobs and leave (a headless sweep is over)."""
        for _ in self._procs:
            self._tasks.put(None)
        for p in self._procs:
            p.join(timeout=10)
        self.terminate()

    def terminate(self) -> None:
        """Stop them now; their jobs are dropped."""
        for p in self._procs:
            if p.is_alive():
                p.terminate()
        for p in self._procs:
            p.join(timeout=5)
        self._procs = []
        if self._answers is not None:
            self._answers.close()
            self._answers.join_thread()
        self._tasks = self._answers = None
