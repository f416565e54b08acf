"""Running a capacity sweep: every (value, seed) run trained headless, each in a worker
process (one per core, each on one torch thread, at a lower priority than the window), with
progress to poll and a cancel that stops the workers at once. The same run code serves the
window, the lessons' checks and the tests, so a sweep is reproducible: a run depends only on
the experiment, the value and the seed, never on the process it ran in.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from typing import Any

import numpy as np

from . import sweep as S
from .errors import SpecError
from .spec import Experiment
from .sweep_workers import Workers, new_token

# Parts of an experiment that do not change what a run trains: results measured on an
# experiment that differs only in these still belong to it.
_NOT_THE_SETUP = ("sweep", "view", "outcome", "lesson", "title", "description",
                  "optimizer_lab", "graph_lab", "clustering")


def basis(exp: Experiment) -> str:
    """A fingerprint of what the sweep trains on (data, features, network, training)."""
    full = exp.to_json()
    doc = {k: v for k, v in full.items() if k not in _NOT_THE_SETUP}
    doc["sweep"] = {k: full["sweep"][k] for k in ("setting", "values", "seeds", "epochs")}
    text = json.dumps(doc, sort_keys=True, ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan(exp: Experiment) -> list[tuple[Any, int]]:
    """(value, training seed) of every run, value by value."""
    s, base = exp.sweep, exp.training.seed
    return [(v, (base + k) % 2**31) for v in s.values for k in range(s.seeds)]


def check_sweep(exp: Experiment) -> None:
    """SpecError, naming the field and the fix, when the sweep cannot run as set."""
    if exp.data.validation_fraction <= 0:
        raise SpecError("data.validation_fraction", "a sweep chooses with a validation "
                        "split, never with the test data: set one in the data panel "
                        "(20% is usual)")
    for v in exp.sweep.values:
        S.apply_setting(exp, exp.sweep.setting, v)


def run_one(doc: dict, value: Any, seed: int) -> dict:
    """Train one run of a sweep from the experiment's JSON and measure it (a result row)."""
    import torch

    from . import evaluation
    from .snapshot import grid_points
    from .trainer import Trainer

    torch.set_num_threads(1)
    exp = Experiment.from_json(doc)
    spec = exp.sweep
    exp.training.seed = seed
    runnable, limit = S.apply_setting(exp, spec.setting, value)
    epochs = int(value) if spec.setting == "epochs" else spec.epochs
    runnable.training.epochs = epochs
    trainer = Trainer(runnable, train_limit=limit)
    trainer.run(epochs)
    m, extra = trainer.last_metrics, evaluation.final_metrics(trainer)
    regression = trainer.dataset.problem == "regression"
    row: dict[str, Any] = {"value": value, "seed": seed, "epochs": trainer.epoch}
    for split in S.SPLITS:
        error = extra.get(f"{split}_rmse") if regression else 1.0 - m[f"{split}_accuracy"]
        row[f"{split}_loss"] = _number(m[f"{split}_loss"])
        row[f"{split}_error"] = _number(error)
    row["boundary"] = ""
    if trainer.dataset.is_2d:
        shown = trainer.predict(grid_points(trainer.dataset.domain, S.BOUNDARY))
        # class probabilities: the class each cell gets; scores and values: 0..255
        cells = shown.argmax(axis=1) if shown.ndim == 2 else \
            np.round((np.clip(shown, -1, 1) + 1) * 127.5)
        row["boundary"] = S.encode_boundary(cells.reshape(S.BOUNDARY, S.BOUNDARY))
    return row


def _number(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def run_doc(exp: Experiment) -> dict:
    """The experiment as the runs get it: no results travel to the workers."""
    doc = exp.to_json()
    doc["sweep"]["results"] = []
    return doc


class SweepRun:
    """A sweep running in worker processes (core/sweep_workers.py): `start`, then `poll` now
    and then (it returns the rows finished since), `cancel` to stop at once. Qt-free: the
    window polls it on a timer and keeps its `Workers` from one sweep to the next; without
    them given, the run starts its own and stops them when it ends."""

    def __init__(self, exp: Experiment, processes: int | None = None,
                 workers: Workers | None = None):
        check_sweep(exp)
        self.doc = run_doc(exp)
        self.jobs = plan(exp)
        self.basis = basis(exp)
        self.rows: list[dict | None] = [None] * len(self.jobs)
        self.errors: list[str] = []
        self.own_workers = workers is None
        self.workers = workers or Workers(min(processes or os.cpu_count() or 1,
                                              len(self.jobs)))
        self.processes = self.workers.processes
        self.token = new_token()
        self.started = 0.0
        self.cancelled = False

    def start(self) -> None:
        self.started = time.perf_counter()
        self.workers.ensure_started()
        for i, (value, seed) in enumerate(self.jobs):
            self.workers.submit(self.token, i, self.doc, value, seed)

    def poll(self) -> list[tuple[int, dict]]:
        """Rows finished since the last poll, as (run index, row)."""
        fresh = self._take(self.workers.answers(self.token))
        if not self.done and self.workers.died():
            # A crash: take what is still on its way, then count the rest as failed.
            fresh += self._take(self.workers.answers(self.token, wait=0.3))
            missing = self.total - self.finished
            if missing:
                self.errors.append(f"the worker processes stopped before {missing} runs "
                                   f"finished (exit codes {sorted(self.workers.died())})")
                self.rows = [r if r is not None else {} for r in self.rows]
                self.workers.terminate()  # the next sweep starts fresh ones
        if self.done and self.own_workers:
            self.workers.stop()
        return fresh

    def _take(self, answers) -> list[tuple[int, dict]]:
        fresh = []
        for i, row, error in answers:
            if row is None:
                self.errors.append(f"run {i + 1}: {error}")
                self.rows[i] = {}
            else:
                self.rows[i] = row
                fresh.append((i, row))
        return fresh

    @property
    def finished(self) -> int:
        return sum(r is not None for r in self.rows)

    @property
    def total(self) -> int:
        return len(self.jobs)

    @property
    def done(self) -> bool:
        return self.cancelled or self.finished == self.total

    def results(self) -> list[dict]:
        """The finished rows in plan order (value by value, seed by seed)."""
        return [r for r in self.rows if r]

    def cancel(self) -> None:
        """Stop now: the workers are terminated, their runs dropped."""
        self.cancelled = True
        self.workers.terminate()


def run_sweep(exp: Experiment, processes: int = 0) -> list[dict]:
    """Every run of the sweep, in plan order. `processes=0` runs them one after another in
    this process (tests, lesson checks); otherwise in that many worker processes."""
    if processes == 0:
        check_sweep(exp)
        doc = run_doc(exp)
        return [run_one(doc, v, s) for v, s in plan(exp)]
    run = SweepRun(exp, processes)
    run.start()
    try:
        while not run.done:
            run.poll()
            time.sleep(0.02)
        run.poll()
    finally:
        run.cancel()
    if run.errors:
        raise SpecError("sweep", run.errors[0])
    return run.results()


def with_results(exp: Experiment, rows: list[dict]) -> Experiment:
    out = exp.copy()
    out.sweep.results = list(rows)
    out.sweep.basis = basis(exp)
    return out


def sweep_outcome(exp: Experiment) -> dict[str, float]:
    """A lesson's sweep metrics, from the sweep run afresh in this process."""
    return S.outcome(with_results(exp, run_sweep(exp)).sweep)
