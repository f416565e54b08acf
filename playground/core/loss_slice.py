"""Your own network's loss surface: a 2-D slice through its weights (Li et al. 2018).

The network's loss lives over thousands of weights; we look at it along two random directions
δ, η through the current weights θ*: L(θ* + αδ + βη) on a grid of (α, β). Each direction is
filter-normalised: for every unit, the part of δ holding its incoming weights is rescaled to
the norm of those weights, so a step of 1 along δ changes every unit by as much as it weighs
(biases get no direction, as in the paper). The weights training went through are projected
onto the plane of δ and η (least squares), so the path ends at the origin, θ*.

Everything here works on a copy of the network: the trainer's own weights are never touched.
The optimizer lab slices through the weights the window's training run reports (`slice_at`),
in its own worker, so the slice follows the run the student is watching.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class LossSlice:
    """The loss on the grid (rows: β, columns: α) and the projected training path."""

    alphas: np.ndarray  # (n,) offsets along δ, symmetric, with 0 exactly in the middle
    betas: np.ndarray  # (n,) offsets along η
    loss: np.ndarray  # (n, n) float32 training loss L(θ* + αδ + βη)
    centre_loss: float  # L(θ*): the current training loss
    trajectory: np.ndarray  # (k, 2) the recorded weights projected onto (δ, η); last = (0, 0)
    epoch: int


def flat_weights(params: Sequence[torch.Tensor]) -> np.ndarray:
    """All parameters as one float64 vector (what the trajectory records each epoch)."""
    return np.concatenate([p.detach().cpu().double().reshape(-1).numpy() for p in params])


def filter_normalised_directions(params: Sequence[torch.Tensor], decay_mask: Sequence[bool],
                                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two random directions (flat, like `flat_weights`), each unit's incoming-weight part
    scaled to that unit's weight norm; zero on biases and other undecayed parameters."""
    gen = np.random.default_rng(seed)
    out = []
    for _ in range(2):
        parts = []
        for p, is_weight in zip(params, decay_mask, strict=True):
            w = p.detach().cpu().double().numpy()
            if not is_weight or w.ndim < 2:
                parts.append(np.zeros(w.size))
                continue
            d = gen.standard_normal(w.shape)
            rows_w = np.linalg.norm(w.reshape(w.shape[0], -1), axis=1, keepdims=True)
            rows_d = np.linalg.norm(d.reshape(d.shape[0], -1), axis=1, keepdims=True)
            parts.append((d.reshape(d.shape[0], -1) * rows_w / np.maximum(rows_d, 1e-12))
                         .reshape(-1))
        out.append(np.concatenate(parts))
    return out[0], out[1]


def project(trajectory: Sequence[np.ndarray], centre: np.ndarray, delta: np.ndarray,
            eta: np.ndarray) -> np.ndarray:
    """Coordinates (α, β) of each recorded weight vector in the plane θ* + αδ + βη
    (least squares: the directions are random, so not exactly orthogonal)."""
    if not len(trajectory):
        return np.zeros((0, 2))
    basis = np.stack([delta, eta], axis=1)  # (P, 2)
    offsets = np.stack(trajectory) - centre  # (k, P)
    coords, *_ = np.linalg.lstsq(basis, offsets.T, rcond=None)
    return coords.T


def slice_through(trainer, trajectory: Sequence[np.ndarray] = (), extent: float = 1.0,
                  resolution: int = 21, seed: int = 0) -> LossSlice:
    """The loss slice through the trainer's current weights, on a copy of its network."""
    return slice_at(trainer, flat_weights(trainer.params),
                    {k: v.detach().cpu().numpy() for k, v in trainer.model.named_buffers()},
                    trajectory, extent, resolution, seed, epoch=trainer.epoch)


def slice_at(host, parameters: np.ndarray, buffers: dict[str, np.ndarray],
             trajectory: Sequence[np.ndarray] = (), extent: float = 1.0, resolution: int = 21,
             seed: int = 0, epoch: int = 0) -> LossSlice:
    """The loss slice through `parameters` (flat, in the order of the network's parameters)
    with `buffers` (batch norm's running statistics), as a training run reported them.
    `host` is a trainer of the same experiment: only its network's structure, its training
    points and its loss are used, on a copy; its own weights are never read or touched. The
    loss is the one the trainer reports: over the training points, in evaluation mode."""
    if resolution < 3 or resolution % 2 == 0:
        raise ValueError(f"resolution must be odd and >= 3 (0 in the middle), got {resolution}")
    model = copy.deepcopy(host.model).cpu()
    model.eval()
    params, decay = model.weights_and_biases()
    centre = np.asarray(parameters, dtype=np.float64)
    if centre.shape != (sum(p.numel() for p in params),):
        raise ValueError("the reported weights do not belong to this network")
    with torch.no_grad():
        _assign(params, centre)
        for name, buffer in model.named_buffers():
            buffer.copy_(torch.as_tensor(buffers[name]))
    delta, eta = filter_normalised_directions(params, decay, seed)
    x = host.x_train.detach().cpu()
    t = host.t_train.detach().cpu()
    half = resolution // 2
    offsets = extent * np.arange(-half, half + 1) / half
    grid = [(b, a) for b in offsets for a in offsets]  # row by row: β, then α
    points = [centre + a * delta + b * eta for b, a in grid] + [centre]
    losses = grid_losses(model, host.head, x, t, points)
    loss = losses[:-1].reshape(resolution, resolution).astype(np.float32)
    centre_loss = float(losses[-1])
    points = [*trajectory, centre] if not len(trajectory) or not np.array_equal(
        trajectory[-1], centre) else list(trajectory)
    return LossSlice(alphas=offsets, betas=offsets.copy(), loss=loss, centre_loss=centre_loss,
                     trajectory=project(points, centre, delta, eta), epoch=epoch)


CHUNK_BYTES = 32 * 2**20  # weights and activations of the networks evaluated at once


def grid_losses(model, head, x: torch.Tensor, t: torch.Tensor,
                points: Sequence[np.ndarray]) -> np.ndarray:
    """The training loss at each weight vector of `points`, many networks at a time (torch.func
    vmap): a few hundred small torch calls instead of thousands, which matters on a thread
    that shares the interpreter with the training run. A network the batched form cannot run
    is evaluated one vector after the other; both give the same numbers."""
    from torch.func import functional_call, vmap

    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    sizes = [p.numel() for _, p in model.named_parameters()]
    buffers = dict(model.named_buffers())
    widest = max(model.widths.values(), default=1) * max(_pieces(model), 1)
    per_net = 4 * (sum(sizes) + 2 * len(x) * widest * max(len(model.widths), 1))
    chunk = int(max(1, min(len(points), CHUNK_BYTES // max(per_net, 1))))

    def loss_of(*flat_params):
        out = functional_call(model, ({n: p for n, p in zip(names, flat_params, strict=True)},
                                      buffers), (x,))
        return head.loss(out, t).mean()

    out = np.empty(len(points))
    with torch.inference_mode():
        try:
            batched = vmap(loss_of)
            for start in range(0, len(points), chunk):
                block = torch.as_tensor(np.stack(points[start:start + chunk]),
                                        dtype=torch.float32)
                parts, at = [], 0
                for shape, n in zip(shapes, sizes, strict=True):
                    parts.append(block[:, at:at + n].reshape(len(block), *shape))
                    at += n
                out[start:start + len(block)] = batched(*parts).double().numpy()
            return out
        except (RuntimeError, NotImplementedError):  # an operation vmap has no rule for
            params = [p for _, p in model.named_parameters()]
            for k, vector in enumerate(points):
                _assign(params, vector)
                out[k] = float(head.loss(model(x), t).mean())
            return out


def _pieces(model) -> int:
    return max((getattr(getattr(b, "act", None), "pieces", 1) for b in model.blocks.values()),
               default=1)


def _assign(params: Sequence[torch.Tensor], vector: np.ndarray) -> None:
    start = 0
    for p in params:
        n = p.numel()
        p.copy_(torch.from_numpy(vector[start:start + n]).view(p.shape).to(p.dtype))
        start += n
