"""Per-layer histograms of activations (over the training data) and of weights: how an
initialization starts a network, visible at epoch 0.

Zero weights put every unit of a layer on one value (a single spike, spread across units 0);
weights too large pile a tanh or sigmoid layer up at the ends of its range; Glorot or He keep
each layer's activations spread out. The pass runs the network as it evaluates (dropout off,
batch norm on its running averages) under `torch.inference_mode`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .gradients import SATURATING, activation_of

BINS = 41  # odd: a bin sits centred on 0, where a zero-initialized layer puts everything
MAX_ROWS = 5000  # examples used: an even sample of larger training sets


@dataclass(frozen=True)
class LayerHistogram:
    node: str
    kind: str  # the block type: dense, activation, batchnorm, output...
    activation: str  # the function whose output is counted ("" for none)
    act_edges: np.ndarray  # (bins + 1,), at most BINS bins
    act_counts: np.ndarray  # (bins,) share of the layer's outputs in each bin
    unit_spread: float  # mean over examples of the std across the layer's units
    weight_edges: np.ndarray | None  # (bins + 1,); None for blocks without weights
    weight_counts: np.ndarray | None  # (bins,) share of the weights in each bin


def _histogram(values: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    bins = min(BINS, max(9, 2 * int(np.sqrt(values.size)) + 1))  # a few weights: fewer bins
    counts, edges = np.histogram(np.clip(values, lo, hi), bins=bins, range=(lo, hi))
    return edges.astype(np.float32), (counts / max(values.size, 1)).astype(np.float32)


def _symmetric(values: np.ndarray) -> tuple[float, float]:
    m = float(np.abs(values).max()) if values.size else 0.0
    return (-m, m) if m > 0 else (-1.0, 1.0)


@torch.inference_mode()
def layer_histograms(trainer) -> dict[str, LayerHistogram]:
    """Every hidden block's and the output's histograms, in graph order."""
    model, head = trainer.model, trainer.head
    x = trainer.x_train
    if len(x) > MAX_ROWS:
        x = x[torch.linspace(0, len(x) - 1, MAX_ROWS).long()]
    model.eval()
    z, hidden = model(x, hidden=True)
    hidden[model.output_id] = head.output(z)
    weights = dict(model.dense_layers())
    out = {}
    for node in model.order:
        if node not in hidden:
            continue
        a = hidden[node].float().cpu().numpy()
        name = head.activation if node == model.output_id else activation_of(model, node)
        lo, hi = SATURATING.get(name, (float(a.min()), float(a.max())) if a.size else (0.0, 0.0))
        if name not in SATURATING and node == model.output_id and head.link == "softmax":
            lo, hi = 0.0, 1.0
        act_edges, act_counts = _histogram(a, lo, hi)
        spread = float(a.std(axis=1).mean()) if a.ndim == 2 and a.shape[1] > 1 else 0.0
        w_edges = w_counts = None
        if node in weights:
            w = weights[node].weight.detach().float().cpu().numpy()
            w_edges, w_counts = _histogram(w, *_symmetric(w))
        out[node] = LayerHistogram(node, model.types[node], name, act_edges, act_counts,
                                   spread, w_edges, w_counts)
    return out
