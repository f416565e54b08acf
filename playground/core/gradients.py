"""Gradient flow: what the backward pass delivers to every layer, measured the same way on both
training paths.

The rule (one for autograd and the fused kernel, so a run that switches path mid-way, as the
window's first start does, keeps one meaning): at the end of an epoch, with the weights the
epoch ended with, one autograd pass over that epoch's mini-batches (its own shuffled order):

- dL/dW and dL/db: each batch's mean-loss gradient, averaged over the epoch's batches (the
  last, smaller batch counts as one batch, as it does in training);
- a unit's |dL/da|: the mean over the training examples of |∂ℓ/∂a|, the gradient of the
  example's own loss ℓ with respect to the unit's output (for batch norm, whose output couples
  the batch, the gradient of the batch's summed loss);
- per layer, mean |dL/dW| over its weight matrix (biases apart);
- per hidden block with a saturating activation (sigmoid, tanh, hard tanh) the share of its
  outputs over the training data within 3 % of the range's ends, |a| > 0.97 on the range
  scaled to [−1, 1]; per ReLU block the share of dead units: never active (a = 0) on any
  training example.

The pass runs with dropout off (the expected network, not one random mask) and batch norm on
each batch's statistics as in training; it changes nothing in the trainer (batch norm's running
averages and every random generator are left as they were). It is the loss's gradient alone:
penalties, clipping and the optimizer come after it. Input noise is not added.

Cost: on the autograd path about one extra batched forward and backward pass per epoch; on the
fused path, whose epoch is a single compiled call, that pass costs several epochs, so it runs
only while gradients are shown (`GradientTracker.on`: the experiment's view.gradient_flow, or
view.panel == "gradients"); epochs trained meanwhile are not measured and show as gaps
(benchmarks/gradient_cost.py prints the price).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .gradient_log import GradientLog
from .model import BatchNorm, Dropout

# Output range (lo, hi) of the activations that saturate; "dead" applies to ReLU only (leaky
# and parametric ReLUs keep a slope below 0, ELU and its kin a curve).
SATURATING = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "hardtanh": (-1.0, 1.0)}
DYING = ("relu",)
SATURATION = 0.97  # |a| beyond this share of the half-range counts as saturated
SHARE_KINDS = ("saturated", "dead")

# Lesson metrics (spec.OUTCOME_METRICS) measured from the recorded gradients.
GRADIENT_METRICS = ("first_layer_gradient", "dead_share", "saturated_share")


@dataclass(frozen=True)
class GradientStats:
    """One measurement (see the module docstring); fresh float32 arrays, safe to hand over."""

    epoch: int
    layers: tuple[str, ...]  # blocks with weights (Dense, Output), in graph order
    mean_abs: np.ndarray  # (layers,) mean |dL/dW|
    weight_grads: dict[str, np.ndarray]  # block -> (out, in) dL/dW
    bias_grads: dict[str, np.ndarray]  # block -> (out,) dL/db
    unit_grads: dict[str, np.ndarray]  # block -> (units,) mean |dℓ/da| (Output: |dℓ/dz|)
    share_blocks: tuple[str, ...]  # hidden blocks with a saturating or ReLU activation
    share_kinds: tuple[str, ...]  # "saturated" | "dead", per share block
    shares: np.ndarray  # (share blocks,) share of saturated outputs / dead units


def activation_of(model, node: str) -> str:
    """The activation a hidden block applies ("" for blocks without one)."""
    kind = model.types[node]
    if kind == "dense":
        act = model.blocks[node].act
        return act.name if act is not None else "linear"
    return model.blocks[node].name if kind == "activation" else ""


def share_blocks(model) -> list[tuple[str, str]]:
    """(block, "saturated" | "dead") for every hidden block whose units can saturate or die."""
    out = []
    for node in model.order:
        name = activation_of(model, node)
        if name in SATURATING:
            out.append((node, "saturated"))
        elif name in DYING:
            out.append((node, "dead"))
    return out


def weight_layers(model) -> list[str]:
    return [n for n, _ in model.dense_layers()]


class _Plan:
    """What a model's measuring pass needs, worked out once per model (the pass runs every
    epoch, where walking the modules each time would cost more than the arithmetic)."""

    def __init__(self, model) -> None:
        self.model = model
        self.layers = model.dense_layers()
        self.names = tuple(n for n, _ in self.layers)
        self.params = [p for _, lin in self.layers for p in (lin.weight, lin.bias)
                       if p is not None]
        self.shares = share_blocks(model)
        self.ranges = {n: SATURATING[activation_of(model, n)] for n, k in self.shares
                       if k == "saturated"}
        modules = list(model.modules())
        self.norms = [m for m in modules if isinstance(m, BatchNorm)]
        self.dropouts = [m for m in modules if isinstance(m, Dropout)]

    def hold(self) -> tuple:
        """Batch norm on batch statistics, dropout off; returns what `release` puts back:
        the modes and batch norm's running averages, which the pass must not move."""
        saved = ([m.training for m in self.norms], [m.training for m in self.dropouts],
                 [[b.clone() for b in m.buffers()] for m in self.norms])
        for m in self.norms:
            m.training = True
        for m in self.dropouts:
            m.training = False
        return saved

    def release(self, saved: tuple) -> None:
        norms, dropouts, buffers = saved
        with torch.no_grad():
            for m, mode, kept in zip(self.norms, norms, buffers, strict=True):
                m.training = mode
                for b, old in zip(m.buffers(), kept, strict=True):
                    b.copy_(old)
        for m, mode in zip(self.dropouts, dropouts, strict=True):
            m.training = mode


class _Pass:
    """The measuring pass's bookkeeping: gradient sums, |dℓ/da| sums, activity counts."""

    def __init__(self, plan: _Plan):
        self.plan = plan
        self.grad_w = {n: torch.zeros_like(lin.weight) for n, lin in plan.layers}
        self.grad_b = {n: torch.zeros(lin.out_features, device=lin.weight.device)
                       for n, lin in plan.layers}
        self.unit_sum: dict[str, torch.Tensor] = {}
        self.saturated = {n: 0.0 for n, _ in plan.shares}
        self.active: dict[str, torch.Tensor] = {}
        self.count = 0

    def add(self, x: torch.Tensor, target: torch.Tensor, head, weight: torch.Tensor,
            per_example: torch.Tensor) -> None:
        """One forward and backward pass: loss Σ weightᵢ ℓᵢ, whose parameter gradient is the
        epoch's mean of batch gradients; `per_example` turns dL/da back into dℓ/da."""
        plan = self.plan
        model = plan.model
        # The input takes part in autograd, so that a block fed by no parameter (Activation or
        # Dropout right after Input) still has an output to differentiate by.
        z, hidden = model(x.detach().requires_grad_(True), hidden=True)
        hidden[model.output_id] = z
        loss = (head.loss(z, target) * weight).sum()
        names = list(hidden)
        grads = torch.autograd.grad(loss, plan.params + [hidden[n] for n in names],
                                    allow_unused=True)
        k = 0
        for node, lin in plan.layers:
            self.grad_w[node] += grads[k]
            k += 1
            if lin.bias is not None:
                self.grad_b[node] += grads[k]
                k += 1
        for name, g in zip(names, grads[k:], strict=True):
            if g is None:  # a block the loss does not reach (a dangling branch)
                g = torch.zeros_like(hidden[name])
            total = (g * per_example[:, None]).abs().sum(dim=0)
            self.unit_sum[name] = self.unit_sum.get(name, 0) + total
        for node, kind in plan.shares:
            a = hidden[node].detach()
            if kind == "saturated":
                lo, hi = plan.ranges[node]
                scaled = (2.0 * a - (lo + hi)) / (hi - lo)
                self.saturated[node] += float((scaled.abs() > SATURATION).sum())
            else:
                seen = (a > 0).any(dim=0)
                self.active[node] = self.active.get(node, seen) | seen
        self.count += len(x)

    def result(self, epoch: int) -> GradientStats:
        plan = self.plan
        layers = plan.names
        weights = {n: _np(self.grad_w[n]) for n in layers}
        mean_abs = np.array([float(np.abs(weights[n]).mean()) if weights[n].size else 0.0
                             for n in layers], np.float32)
        units = {n: _np(v / max(self.count, 1)) for n, v in self.unit_sum.items()}
        shares = []
        for node, kind in plan.shares:
            if kind == "saturated":
                total = self.count * plan.model.widths[node]
                shares.append(self.saturated[node] / max(total, 1))
            else:
                active = self.active.get(node)
                shares.append(0.0 if active is None else float((~active).float().mean()))
        return GradientStats(epoch, layers, mean_abs, weights,
                             {n: _np(self.grad_b[n]) for n in layers}, units,
                             tuple(n for n, _ in plan.shares), tuple(k for _, k in plan.shares),
                             np.array(shares, np.float32))


def _np(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().float().cpu().numpy(), dtype=np.float32).copy()


def _plan(model) -> _Plan:
    plan = getattr(model, "_gradient_plan", None)
    if plan is None:
        plan = _Plan(model)
        object.__setattr__(model, "_gradient_plan", plan)  # plain attribute, not a submodule
    return plan


def measure(trainer, order: torch.Tensor | None = None) -> GradientStats:
    """The gradient statistics of the trainer's current weights over the epoch whose batches
    `order` gives (default: the trainer's current order); see the module docstring."""
    with torch.inference_mode(False), torch.enable_grad():  # also from a snapshot's pass
        return _measure(trainer, order)


def _measure(trainer, order: torch.Tensor | None) -> GradientStats:
    plan, head = _plan(trainer.model), trainer.head
    order = (trainer.order if order is None else order).to(trainer.device)
    n, size = len(order), trainer.experiment.training.batch_size
    n_batches = -(-n // size)
    run = _Pass(plan)
    saved = plan.hold()
    try:
        if plan.norms:  # batch norm: each batch with its own statistics, as in training
            for start in range(0, n, size):
                idx = order[start:start + size]
                weight = torch.full((len(idx),), 1.0 / (len(idx) * n_batches),
                                    device=order.device)
                run.add(trainer.x_train[idx], trainer.t_train[idx], head, weight,
                        1.0 / weight)
        else:  # independent examples: one weighted pass gives the same mean of batches
            batch_of_place = torch.full((n,), float(size), device=order.device)
            batch_of_place[(n_batches - 1) * size:] = n - (n_batches - 1) * size
            weight = torch.empty(n, device=order.device)
            weight[order] = 1.0 / (batch_of_place * n_batches)
            run.add(trainer.x_train, trainer.t_train, head, weight, 1.0 / weight)
    finally:
        plan.release(saved)
    return run.result(trainer.epoch)


class GradientTracker:
    """A trainer's gradient measurements: at each epoch's end while `on`, the statistics
    (kept as `latest`, for the views) and a row of the log (the heat strips' history)."""

    def __init__(self, model, on: bool = False) -> None:
        shares = share_blocks(model)
        self.log = GradientLog(weight_layers(model), [n for n, _ in shares],
                               [k for _, k in shares])
        self.on = on
        self.latest: GradientStats | None = None
        self.last_order: torch.Tensor | None = None  # the batches of the last finished epoch

    def end_epoch(self, trainer, order: torch.Tensor) -> None:
        """After an epoch trained in `order`: measure it while on (the trainer's epoch count
        already includes it)."""
        self.last_order = order
        self.latest = None
        if self.on:
            self.latest = measure(trainer, order)
            self.log.add(trainer.epoch, self.latest.mean_abs, self.latest.shares)

    def forget(self) -> None:
        """The weights changed outside an epoch (an edit, a restore): measure afresh."""
        self.latest = None

    def current(self, trainer) -> GradientStats | None:
        """The statistics the views show now (None while off): the last epoch's, or measured
        on the current weights over the last epoch's batches (before the first epoch: over
        the batches the first will use)."""
        if not self.on:
            return None
        if self.latest is None:
            self.latest = measure(trainer, self.last_order)
        return self.latest


# --------------------------------------------------------------------------- lesson metrics
def lesson_metric(trainer, name: str) -> float:
    """A gradient metric of a trained run (the lesson's promise); measured on the current
    weights when no epoch was recorded (a promise about the start, at epoch 0).

    first_layer_gradient: log10 of the first weight layer's mean |dL/dW| over the last's,
      averaged over the recorded epochs (−2: a hundred times smaller);
    dead_share / saturated_share: the largest share of dead units / saturated outputs among
      the hidden blocks, at the last recorded epoch."""
    log = trainer.gradients.log
    rows = log.rows()
    if not len(rows["epoch"]):
        stats = measure(trainer)
        mean_abs, shares = stats.mean_abs[None, :], stats.shares[None, :]
    else:
        mean_abs, shares = rows["mean_abs"], rows["shares"]
    if name == "first_layer_gradient":
        if mean_abs.shape[1] < 2:
            return math.nan
        with np.errstate(divide="ignore"):
            ratio = np.log10(np.maximum(mean_abs[:, 0], 1e-30)) - np.log10(
                np.maximum(mean_abs[:, -1], 1e-30))
        return float(np.mean(ratio))
    kind = {"dead_share": "dead", "saturated_share": "saturated"}[name]
    chosen = [i for i, k in enumerate(log.share_kinds) if k == kind]
    return float(shares[-1, chosen].max()) if chosen else 0.0
