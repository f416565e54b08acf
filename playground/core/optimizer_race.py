"""A race of optimizers on a two-parameter loss surface.

Every racer starts from the same point θ₀ = (x, y) and takes its steps with the very optimizer
code the trainer uses (`optim.Optimizer`, the rules of the notes) and the catalog's learning-rate
schedules, on a torch tensor of two parameters. A race records, per racer and per step, what the
notes talk about: the position and the loss, the gradient, the step taken (the velocity v of
momentum, θ ← θ + v), the per-axis step size ε/√(a + ν) of Adagrad, RMSProp and Adam, and Adam's
bias-corrected moments ṽ and ã. The GUI walks these records forward and back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from . import fields as F
from .catalog import SCHEDULES
from .errors import SpecError, quote
from .optim import OPTIMIZERS, Optimizer
from .surfaces import Surface, build_surface

MAX_STEPS = 5000
ESCAPED = 1e6  # |θ| beyond which a racer has left any surface we draw: it diverged


@dataclass
class RacerSpec:
    """One optimizer in the race, with its hyperparameters and learning-rate schedule."""

    optimizer: str = F.field("sgd", str, F.one_of(lambda: OPTIMIZERS))
    learning_rate: float = F.field(0.01, float, F.between(0.0, 100.0, lo_open=True), "ε₀")
    params: dict = F.field({}, "params", None, "the optimizer's hyperparameters")
    schedule: str = F.field("constant", str, F.one_of(lambda: SCHEDULES))
    schedule_params: dict = F.field({}, "params", None, "the schedule's parameters (τ in steps)")
    start: list = F.field([], lambda raw, path: start_from_json(raw, path), None,
                          "[x, y] of this racer's own start; empty: the race's start")

    def validate_extra(self, path: str) -> None:
        OPTIMIZERS[self.optimizer].resolve(self.params, F._join(path, "params"))
        SCHEDULES[self.schedule].resolve(self.schedule_params, F._join(path, "schedule_params"))

    @property
    def label(self) -> str:
        extra = "" if self.schedule == "constant" else f", {SCHEDULES[self.schedule].label.lower()}"
        return f"{OPTIMIZERS[self.optimizer].label} ε={self.learning_rate:g}{extra}"


def start_from_json(raw, path: str) -> list[float]:
    """A start point: [] (the default one) or [x, y], two finite numbers."""
    if not isinstance(raw, list) or len(raw) not in (0, 2) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            and abs(v) < ESCAPED for v in raw):
        raise SpecError(path, f"must be [] or [x, y], two finite numbers; got {quote(raw)}")
    return [float(v) for v in raw]


def default_racers() -> list[RacerSpec]:
    """The race a new experiment shows: plain SGD against the three fixes the notes teach."""
    return [RacerSpec("sgd", 0.001), RacerSpec("momentum", 0.001, {"momentum": 0.9}),
            RacerSpec("rmsprop", 0.01), RacerSpec("adam", 0.1)]


def racers_from_json(raw, path: str) -> list[RacerSpec]:
    """The `racers` list of an experiment file (at most 8, each a RacerSpec)."""
    if not isinstance(raw, list):
        raise SpecError(path, "must be a list of racers ({\"optimizer\": ..., ...})")
    if len(raw) > 8:
        raise SpecError(path, f"holds {len(raw)} racers; at most 8 race at once")
    return [F.from_dict(RacerSpec, item, f"{path}[{i}]") for i, item in enumerate(raw)]


@dataclass(frozen=True)
class Track:
    """What one racer did: arrays indexed by step k = 0 .. n (row k is the state after k
    steps). NaN where a quantity does not exist for this optimizer."""

    label: str
    optimizer: str
    position: np.ndarray  # (n+1, 2) θ_k
    loss: np.ndarray  # (n+1,) L(θ_k)
    gradient: np.ndarray  # (n+1, 2) ∇L where step k+1 takes it: at θ_k (Nesterov: θ_k + αv_k)
    velocity: np.ndarray  # (n+1, 2) θ_k − θ_(k−1): the v of θ ← θ + v; row 0 is 0
    step_size: np.ndarray  # (n+1, 2) per-axis ε/√(a + ν) of the step that reached θ_k (ε/√(ã + ν)
    #                        for Adam; plain ε for SGD and momentum)
    first_moment: np.ndarray  # (n+1, 2) Adam's bias-corrected ṽ
    second_moment: np.ndarray  # (n+1, 2) Adam's bias-corrected ã
    learning_rate: np.ndarray  # (n+1,) ε of the step that reached θ_k (row 0: ε₀)
    diverged_at: int | None = None  # the step at which θ left the surface (|θ| > 1e6 or NaN)

    @property
    def steps(self) -> int:
        return len(self.loss) - 1


def run_race(surface: Surface, racers: Sequence[RacerSpec], start: Sequence[float],
             steps: int) -> list[Track]:
    """Race each racer `steps` steps from `start` (or its own start) on `surface`."""
    if not 0 <= steps <= MAX_STEPS:
        raise SpecError("optimizer_lab.steps", f"must be in [0, {MAX_STEPS}], got {steps}")
    return [run_racer(surface, r, r.start or start, steps) for r in racers]


def race_of(lab) -> tuple[Surface, list[Track]]:
    """The surface and the race an experiment's `optimizer_lab` section describes."""
    surface = build_surface(lab.surface, lab.surface_params, lab.formula)
    start = lab.start or surface.start
    return surface, run_race(surface, lab.racers, start, lab.steps)


# What a lesson may promise about its race (spec.OutcomeSpec.metric), and how it is measured.
RACE_METRICS = ("race_loss_ratio", "race_diverged", "race_minima", "race_final_loss")


def race_outcome(lab, metric: str) -> float:
    """race_loss_ratio: final loss of the last racer / the first's (how much better the fix
    does); race_diverged: racers that left the surface; race_minima: distinct marked minima
    that racers ended within 0.05 of; race_final_loss: the last racer's final loss."""
    surface, tracks = race_of(lab)
    if metric == "race_diverged":
        return float(sum(t.diverged_at is not None for t in tracks))
    if metric == "race_minima":
        reached = set()
        for t in tracks:
            for i, m in enumerate(surface.minima):
                if t.diverged_at is None and np.hypot(*(t.position[-1] - m)) < 0.05:
                    reached.add(i)
        return float(len(reached))
    low = min(float(surface.value(torch.tensor(mx), torch.tensor(my)))
              for mx, my in surface.minima) if surface.minima else 0.0
    last = tracks[-1].loss[-1] - low  # measured above the lowest minimum: L* need not be 0
    if metric == "race_final_loss":
        return float(last)
    return float(last / max(tracks[0].loss[-1] - low, 1e-300))


def run_racer(surface: Surface, racer: RacerSpec, start: tuple[float, float],
              steps: int) -> Track:
    theta = torch.tensor([float(start[0]), float(start[1])], dtype=torch.float64)
    optimizer = Optimizer(racer.optimizer, racer.params, [theta], [True])
    schedule = SCHEDULES[racer.schedule]
    schedule_params = schedule.resolve(racer.schedule_params)
    nesterov = racer.optimizer == "nesterov"
    rows: list[dict] = []
    previous = theta.clone()
    diverged_at = None
    lr = schedule.fn(0, racer.learning_rate, schedule_params)  # ε of the step that led here
    for k in range(steps + 1):
        # Nesterov's optimizer keeps the look-ahead φ = θ + αv (where the gradient is taken);
        # the notes' θ, the point drawn, is φ − αv.
        position = theta - optimizer.hyper["momentum"] * _state(optimizer, "v") if nesterov \
            else theta.clone()
        gx, gy = surface.gradient(theta[0], theta[1])
        grad = torch.stack([gx, gy]).to(torch.float64)
        loss = float(surface.value(position[0], position[1]))
        rows.append(_record(optimizer, position, previous, loss, grad, lr))
        previous = position
        if k == steps:
            break
        if not (math.isfinite(loss) and bool(torch.isfinite(grad).all())
                and float(position.abs().max()) < ESCAPED):
            diverged_at = k
            break
        lr = schedule.fn(k, racer.learning_rate, schedule_params)  # ε_k, k counted from 0
        optimizer.step([grad], lr)
    return _track(racer, rows, diverged_at)


def _state(optimizer: Optimizer, key: str) -> torch.Tensor:
    value = optimizer.state[0].get(key)
    return torch.zeros(2, dtype=torch.float64) if value is None else value


def _record(optimizer: Optimizer, position, previous, loss, grad, lr) -> dict:
    """One row of the track, read from the optimizer's state after its latest step."""
    name, t, hp = optimizer.entry.name, optimizer.t, optimizer.hyper
    nan2 = np.full(2, np.nan)
    row = {"position": position.numpy().copy(), "loss": loss, "gradient": grad.numpy().copy(),
           "velocity": (position - previous).numpy().copy(), "learning_rate": lr,
           "step_size": np.full(2, lr), "first_moment": nan2, "second_moment": nan2}
    a = optimizer.state[0].get("a")
    if name in ("adagrad", "rmsprop") and a is not None:
        row["step_size"] = (lr / torch.sqrt(a + hp["nu"])).numpy().copy()
    if name in ("adam", "adamw") and a is not None and t > 0:
        v_hat = optimizer.state[0]["v"] / (1.0 - hp["beta1"] ** t)
        a_hat = a / (1.0 - hp["beta2"] ** t)
        row["first_moment"] = v_hat.numpy().copy()
        row["second_moment"] = a_hat.numpy().copy()
        row["step_size"] = (lr / torch.sqrt(a_hat + hp["nu"])).numpy().copy()
    return row


def _track(racer: RacerSpec, rows: list[dict], diverged_at: int | None) -> Track:
    def stack(key):
        return np.array([r[key] for r in rows], dtype=np.float64)

    return Track(label=racer.label, optimizer=racer.optimizer, position=stack("position"),
                 loss=stack("loss"), gradient=stack("gradient"), velocity=stack("velocity"),
                 step_size=stack("step_size"), first_moment=stack("first_moment"),
                 second_moment=stack("second_moment"), learning_rate=stack("learning_rate"),
                 diverged_at=diverged_at)
