"""What the views draw: fresh float32 NumPy arrays, computed in one batched pass.

A Snapshot is immutable once made and shares no memory with the trainer, so it may cross to the
GUI thread while training goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from . import evaluation


@dataclass(frozen=True)
class Snapshot:
    epoch: int
    batch: int
    status: str
    message: str
    problem: str
    n_classes: int
    metrics: dict[str, float]
    learning_rate: float
    domain: tuple[float, float, float, float] | None
    resolution: int
    # Binary: score in [-1, 1] (res, res); multiclass: probabilities (res, res, C);
    # regression: value (res, res). Row 0 is the bottom of the domain (y = ymin).
    output: np.ndarray | None
    neurons: dict[str, np.ndarray]  # block id -> (units, res, res)
    weights: dict[str, np.ndarray]  # block id -> (out, in)
    biases: dict[str, np.ndarray]  # block id -> (out,)
    path: str = "general"
    # The trace plots' view of the history (History.view): every epoch while short, then
    # min/max per bucket; a fixed size however long the run.
    history: dict[str, np.ndarray] = field(default_factory=dict)
    # Image data: the class the network gives each test example (the test-image grid and
    # the confusion matrix draw these); None for 2-D data and regression.
    predicted: np.ndarray | None = None
    # Every parameter of the network, flat in the order of `model.parameters()` (`weights`
    # and `biases` are views into it), and its buffers (batch norm's running statistics):
    # the weights the loss slice of the optimizer lab follows.
    parameters: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    buffers: dict[str, np.ndarray] = field(default_factory=dict)
    # While the gradient view or panel is on: the last epoch's gradients (core/gradients.py)
    # and the heat strips' history (core/gradient_log.py); else None.
    gradients: object | None = None
    gradient_log: object | None = None
    # While the histogram panel is on: block id -> LayerHistogram (core/layer_histograms.py).
    histograms: dict | None = None
    # Per split ("train", "val", "test"): what the network says about each point (binary
    # score, predicted class or value; core/evaluation.py) and the truth (read-only, shared
    # by every frame of a run). The confusion matrix, ROC and fit views draw these.
    split_outputs: dict[str, np.ndarray] = field(default_factory=dict)
    split_truth: dict[str, np.ndarray] = field(default_factory=dict)


def grid_points(domain: tuple[float, float, float, float], resolution: int) -> np.ndarray:
    """Cell centres of a resolution² grid over the domain, row-major with y rising by row."""
    x0, x1, y0, y1 = domain
    xs = x0 + (np.arange(resolution) + 0.5) * (x1 - x0) / resolution
    ys = y0 + (np.arange(resolution) + 0.5) * (y1 - y0) / resolution
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)


def _grid_inputs(trainer, resolution: int) -> torch.Tensor:
    cache = getattr(trainer, "_grid_cache", None)
    if cache is None or cache[0] != resolution:
        raw = torch.as_tensor(grid_points(trainer.dataset.domain, resolution), device=trainer.device)
        cache = (resolution, trainer.inputs(raw))
        trainer._grid_cache = cache
    return cache[1]


def _np(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().float().cpu().numpy(), dtype=np.float32).copy()


@torch.inference_mode()
def take_snapshot(trainer, resolution: int) -> Snapshot:
    model, head = trainer.model, trainer.head
    model.eval()
    output, neurons = None, {}
    if trainer.dataset.is_2d:
        grid = _grid_inputs(trainer, resolution)
        z, hidden = model(grid, hidden=True)
        shown = head.display(head.output(z))
        res = resolution
        output = _np(shown.view(res, res, -1) if shown.dim() == 2 else shown.view(res, res))
        hidden[model.input_id] = grid  # the Input block's units are the feature maps
        neurons = {k: _np(v.T.reshape(v.shape[1], res, res)) for k, v in hidden.items()}
    outputs, validation = evaluation.measure_points(trainer)
    # AUC / R² (and validation, unless the epoch measured it) of this epoch's history row
    evaluation.record_frame_metrics(trainer, outputs, validation)
    predicted = None
    if not trainer.dataset.is_2d and trainer.dataset.problem != "regression" \
            and len(trainer.x_test):
        predicted = outputs["test"].astype(np.int64)
    parameters, views = _flat_parameters(model)
    weights = {n: views[id(layer.weight)] for n, layer in model.dense_layers()}
    biases = {n: views[id(layer.bias)] if layer.bias is not None else np.zeros(
        layer.out_features, np.float32) for n, layer in model.dense_layers()}
    buffers = {name: b.detach().cpu().numpy().copy() for name, b in model.named_buffers()}
    hist = trainer.history.view()  # thinned to a fixed size: costs the same at any epoch
    gradients = trainer.gradients.current(trainer)
    histograms = None
    if trainer.show_histograms:
        from .layer_histograms import layer_histograms

        histograms = layer_histograms(trainer)
    return Snapshot(
        epoch=trainer.epoch, batch=trainer.batch_in_epoch, status=trainer.status,
        message=trainer.message, problem=trainer.dataset.problem,
        n_classes=trainer.dataset.n_classes, metrics=dict(trainer.last_metrics),
        learning_rate=trainer.learning_rate, domain=trainer.dataset.domain, resolution=resolution,
        output=output, neurons=neurons, weights=weights, biases=biases, path=trainer.path,
        history=hist, predicted=predicted, parameters=parameters, buffers=buffers,
        gradients=gradients,
        gradient_log=trainer.gradients.log.view() if gradients is not None else None,
        histograms=histograms, split_outputs=outputs,
        split_truth=evaluation.split_truth_of(trainer))


def _flat_parameters(model) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """One fresh float32 copy of every parameter, and a view of it per parameter (by id): one
    copy serves the weight views and the loss slice."""
    params = list(model.parameters())
    if not params:
        return np.zeros(0, np.float32), {}
    flat = torch.cat([p.detach().reshape(-1) for p in params]).float().cpu().numpy()
    views, start = {}, 0
    for p in params:
        views[id(p)] = flat[start:start + p.numel()].reshape(tuple(p.shape))
        start += p.numel()
    return flat, views
