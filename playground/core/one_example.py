"""One example through the network: forward, backward and the update it alone would cause.

`trace_example` runs one training example through the trainer's own modules block by block,
keeping each block's input x, pre-activation z and output a; autograd then gives every
∂ℓ/∂a, ∂ℓ/∂z and ∂ℓ/∂W of the example's loss ℓ, and the local derivative f′(z) of each
elementwise activation. The update is the trainer's own code (`Trainer.apply_update`: the
penalty's gradient, clipping, the optimizer's rule, max-norm) run on copies of the weights and
of the optimizer's state, as if this example were a batch of one; nothing in the trainer
changes. The network runs as it evaluates (dropout off, batch norm on its running averages).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import torch

from .catalog import LOSSES
from .gradients import activation_of
from .optim import Optimizer


@dataclass(frozen=True)
class BlockTrace:
    """One block's numbers for the example ((units,) vectors unless said otherwise)."""

    node: str
    kind: str  # dense, output, activation, batchnorm, dropout, add, concat
    activation: str  # the elementwise function a = f(z) ("" for none)
    inputs: np.ndarray  # x: what the block receives (Concat: its inputs joined)
    pre: np.ndarray | None  # z = Wx + b (Dense, Output; maxout: the winning piece), f's input
    post: np.ndarray  # a: the block's output (Output: the linked output, e.g. tanh(z))
    grad_post: np.ndarray | None  # ∂ℓ/∂a (None where the loss reads z itself: logits)
    local: np.ndarray | None  # f′(z) = ∂a/∂z, elementwise activations only
    grad_pre: np.ndarray | None  # ∂ℓ/∂z = ∂ℓ/∂a · f′(z)
    weight: np.ndarray | None = None  # (rows, in) W before the update
    bias: np.ndarray | None = None
    grad_weight: np.ndarray | None = None  # ∂ℓ/∂W = ∂ℓ/∂z · xᵀ
    grad_bias: np.ndarray | None = None
    new_weight: np.ndarray | None = None  # W after the optimizer's step
    new_bias: np.ndarray | None = None


@dataclass(frozen=True)
class ExampleTrace:
    index: int  # in the training split
    epoch: int
    features: np.ndarray  # the network's input for the example
    label: float  # class index or regression value
    target: np.ndarray  # what the loss compares against (±1, 0/1, one-hot, value)
    loss: float  # ℓ of this example
    loss_name: str
    loss_formula: str
    link: str  # how the Output's z becomes the output (head.link)
    blocks: tuple[BlockTrace, ...]  # in the order the forward pass runs them
    optimizer: str
    optimizer_formula: str
    learning_rate: float
    step: int  # the optimizer's step number t the update uses

    def block(self, node: str) -> BlockTrace:
        return next(b for b in self.blocks if b.node == node)


def _np(t: torch.Tensor | None) -> np.ndarray | None:
    """A parameter as it is, in float64 (the views print these numbers)."""
    return None if t is None else t.detach().double().cpu().numpy().copy()


def _vec(t: torch.Tensor | None) -> np.ndarray | None:
    """The one example's row of a (1, units) tensor."""
    return None if t is None else _np(t)[0]


def _forward(model, head, x: torch.Tensor):
    """Run the model's blocks on one example, keeping x, z and a (tensors in the graph)."""
    values = {model.input_id: x}
    kept = {}
    for node in model.order:
        if node == model.input_id:
            continue
        ins = [values[s] for s in model.inputs[node]]
        kind = model.types[node]
        xin = torch.cat(ins, dim=1) if kind == "concat" else ins[0]
        pre = None
        if kind in ("dense", "output"):
            block = model.blocks[node]
            pre = block.linear(xin)
            out = block.act(pre) if block.act is not None else pre
        elif kind == "activation":
            pre = xin
            out = model.blocks[node](xin)
        elif kind == "add":
            out = ins[0]
            for extra in ins[1:]:
                out = out + extra
            xin = torch.cat(ins, dim=1)
        elif kind == "concat":
            out = xin
        else:
            out = model.blocks[node](xin)
        values[node] = out
        kept[node] = (xin, pre, out)
    z = values[model.output_id]
    linked = head.output(z)
    kept[model.output_id] = (kept[model.output_id][0], z, linked)
    return z, kept


def _local(model, node: str, pre: torch.Tensor) -> torch.Tensor | None:
    """f′(z) for a block's elementwise activation (maxout: 1 for the winning piece)."""
    kind = model.types[node]
    if kind == "output" or kind not in ("dense", "activation"):
        return None
    act = model.blocks[node].act if kind == "dense" else model.blocks[node]
    if act is None:
        return torch.ones_like(pre)
    if act.pieces > 1:
        return torch.ones(pre.shape[0], pre.shape[1] // act.pieces)
    z = pre.detach().clone().requires_grad_(True)
    return torch.autograd.grad(act(z).sum(), z)[0]


def _output_local(head, z: torch.Tensor) -> torch.Tensor | None:
    if head.link != "activation" or head.activation == "softmax":
        return None  # the loss reads the logits, or the Jacobian is not diagonal
    zz = z.detach().clone().requires_grad_(True)
    return torch.autograd.grad(head.output(zz).sum(), zz)[0]


def trace_example(trainer, index: int) -> ExampleTrace:
    """Forward, backward and update of training example `index` (see the module docstring)."""
    with torch.inference_mode(False), torch.enable_grad():
        return _trace(trainer, index)


def _trace(trainer, index: int) -> ExampleTrace:
    model, head = trainer.model, trainer.head
    if not 0 <= index < trainer.n_train:
        raise IndexError(f"training example {index} does not exist (0..{trainer.n_train - 1})")
    x = trainer.x_train[index:index + 1]
    t = trainer.t_train[index:index + 1]
    was = model.training
    model.eval()
    try:
        z, kept = _forward(model, head, x)
        # head.loss's own rule, fed the linked output kept above so that ∂ℓ/∂a exists for it
        fed = kept[model.output_id][2] if head.link == "activation" else z
        loss = LOSSES[head.loss_name].fn(fed, t, head.loss_params).sum()
        nodes = list(kept)
        outs = [kept[n][2] for n in nodes]
        pres = [(n, kept[n][1]) for n in nodes if kept[n][1] is not None]
        params = trainer.params
        wanted = outs + [p for _, p in pres] + list(params)
        grads = torch.autograd.grad(loss, wanted, allow_unused=True)
    finally:
        model.train(was)
    grad_out = dict(zip(nodes, grads[:len(nodes)], strict=True))
    grad_pre = {n: g for (n, _), g in zip(pres, grads[len(nodes):len(nodes) + len(pres)],
                                          strict=True)}
    param_grads = [torch.zeros_like(p) if g is None else g.detach()
                   for g, p in zip(grads[len(nodes) + len(pres):], params, strict=True)]
    new = _updated(trainer, param_grads)
    where = {id(p): i for i, p in enumerate(params)}
    layers = dict(model.dense_layers())
    blocks = []
    for node in nodes:
        xin, pre, out = kept[node]
        kind = model.types[node]
        local = _output_local(head, pre) if node == model.output_id else \
            (_local(model, node, pre) if pre is not None else None)
        g_post = grad_out[node]
        if node == model.output_id and head.link != "activation":
            g_post = None  # the loss is computed from the logits z, not from the output
        shown_pre = pre
        if kind == "dense" and model.blocks[node].act is not None \
                and model.blocks[node].act.pieces > 1:
            shown_pre, g_pre = out, g_post  # maxout: the winning piece passes straight on
        else:
            g_pre = grad_pre.get(node)
        fields = {}
        if node in layers:
            lin = layers[node]
            w_i = where[id(lin.weight)]
            fields = {"weight": _np(lin.weight), "grad_weight": _np(param_grads[w_i]),
                      "new_weight": _np(new[w_i])}
            if lin.bias is not None:
                b_i = where[id(lin.bias)]
                fields |= {"bias": _np(lin.bias), "grad_bias": _np(param_grads[b_i]),
                           "new_bias": _np(new[b_i])}
        name = head.activation if node == model.output_id else activation_of(model, node)
        blocks.append(BlockTrace(node, kind, name, _vec(xin), _vec(shown_pre), _vec(out),
                                 _vec(g_post), _vec(local), _vec(g_pre), **fields))
    spec = trainer.experiment.training
    label = trainer.y_train[index]
    return ExampleTrace(index, trainer.epoch, _vec(x), float(label), _vec(t), float(loss.detach()),
                        head.loss_name, LOSSES[head.loss_name].formula, head.link,
                        tuple(blocks), spec.optimizer, trainer.optimizer.entry.formula,
                        float(trainer.learning_rate), trainer.optimizer.t + 1)


def _updated(trainer, grads: list[torch.Tensor]) -> list[torch.Tensor]:
    """The parameters after the trainer's own update on `grads`, applied to copies."""
    copies = [p.detach().clone() for p in trainer.params]
    opt = trainer.optimizer
    twin = Optimizer(opt.entry.name, {}, copies, trainer.decay_mask)
    twin.hyper = dict(opt.hyper)
    twin.state = [{k: v.detach().clone() for k, v in s.items()} for s in opt.state]
    twin.t = opt.t
    stand_in = SimpleNamespace(experiment=trainer.experiment, penalty=trainer.penalty,
                               penalty_params=trainer.penalty_params, params=copies,
                               decay_mask=trainer.decay_mask, optimizer=twin)
    type(trainer).apply_update(stand_in, [g.clone() for g in grads], trainer.learning_rate)
    return copies
