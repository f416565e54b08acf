"""Optimizers with the update rules of the lecture notes, written out so users read what runs.

The notes put ν inside the square root (θ ← θ − ε g / √(a + ν)); so do we, and the formulas in
the catalog say so. Every optimizer updates a list of tensors in place from a list of gradients.
Each entry also holds the rule as the fused kernel computes it over its flat buffer (the kernel
is generated from it, kernel/generate.py); tests hold the two equal for every optimizer.

The autograd path runs each rule over all tensors at once (torch's `_foreach_` operations: one
call per operation for the whole list instead of one per tensor, the same arithmetic in the
same order): a step of a small network is mostly Python around tiny operations. A test holds
those forms equal to the per-tensor ones bit for bit, for every optimizer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from .catalog import Entry, Param, _table
from .kernel.forms import UpdateKernel

Update = Callable[[torch.Tensor, torch.Tensor, dict, float, dict, int, bool], None]


def _sgd(p, g, s, lr, hp, t, decay):
    p.sub_(g, alpha=lr)


def _momentum(p, g, s, lr, hp, t, decay):
    v = s.setdefault("v", torch.zeros_like(p))
    v.mul_(hp["momentum"]).sub_(g, alpha=lr)  # v ← αv − εg
    p.add_(v)  # θ ← θ + v


def _nesterov(p, g, s, lr, hp, t, decay):
    # v ← αv − ε∇L(θ + αv); θ ← θ + v, kept in the look-ahead variables φ = θ + αv, where it
    # reads φ ← φ + αv_new − εg with g taken at φ (the parameters we store).
    v = s.setdefault("v", torch.zeros_like(p))
    v.mul_(hp["momentum"]).sub_(g, alpha=lr)
    p.add_(v, alpha=hp["momentum"]).sub_(g, alpha=lr)


def _adagrad(p, g, s, lr, hp, t, decay):
    a = s.setdefault("a", torch.zeros_like(p))
    a.addcmul_(g, g)  # a ← a + g⊙g
    p.addcdiv_(g, (a + hp["nu"]).sqrt_(), value=-lr)


def _rmsprop(p, g, s, lr, hp, t, decay):
    a = s.setdefault("a", torch.zeros_like(p))
    beta = hp["beta"]
    a.mul_(beta).addcmul_(g, g, value=1.0 - beta)  # a ← βa + (1 − β)g⊙g
    p.addcdiv_(g, (a + hp["nu"]).sqrt_(), value=-lr)


def _adam(p, g, s, lr, hp, t, decay):
    v = s.setdefault("v", torch.zeros_like(p))
    a = s.setdefault("a", torch.zeros_like(p))
    b1, b2 = hp["beta1"], hp["beta2"]
    v.mul_(b1).add_(g, alpha=1.0 - b1)
    a.mul_(b2).addcmul_(g, g, value=1.0 - b2)
    v_hat = v / (1.0 - b1**t)
    a_hat = a / (1.0 - b2**t)
    if decay and hp.get("weight_decay", 0.0):
        p.mul_(1.0 - lr * hp["weight_decay"])  # AdamW: decoupled decay, weights only
    p.addcdiv_(v_hat, (a_hat + hp["nu"]).sqrt_(), value=-lr)


_ADAM_PARAMS = (Param("beta1", 0.9, 0.0, 0.9999, "first-moment decay β₁"),
                Param("beta2", 0.999, 0.0, 0.99999, "second-moment decay β₂"),
                Param("nu", 1e-8, 0.0, 1.0, "ν, inside the root"))

# The fused kernel's forms of the same rules (kernel/forms.py UpdateKernel), rounded as torch
# rounds: a Python scalar that meets a float32 tensor becomes float32 (so β₁ is f32(β₁), but
# 1 − β₁ is computed in float64 first), and each in-place operation rounds to float32.
_ADAM_PREPARE = """\
b1, b2, root_nu = f32(beta1), f32(beta2), f32(nu)
rest1, rest2 = f32(1.0 - beta1), f32(1.0 - beta2)
c1, c2 = f32(1.0 - beta1 ** t), f32(1.0 - beta2 ** t)"""
_ADAM_MOMENTS = """\
v[i] = b1 * v[i] + rest1 * grad[i]
a[i] = b2 * a[i] + rest2 * grad[i] * grad[i]
"""
_ADAM_STEP = "theta[i] -= lr * (v[i] / c1) / math.sqrt(a[i] / c2 + root_nu)"

OPTIMIZERS = _table(
    Entry("sgd", "SGD", "θ ← θ − ε g", fn=_sgd,
          kernel=UpdateKernel((), "", "theta[i] -= lr * grad[i]")),
    Entry("momentum", "Momentum", "v ← αv − εg;  θ ← θ + v",
          (Param("momentum", 0.9, 0.0, 0.9999, "α"),), fn=_momentum,
          kernel=UpdateKernel(("v",), "mu = f32(momentum)",
                              "v[i] = mu * v[i] - lr * grad[i]\ntheta[i] += v[i]")),
    Entry("nesterov", "Nesterov", "v ← αv − ε∇L(θ + αv);  θ ← θ + v",
          (Param("momentum", 0.9, 0.0, 0.9999, "α"),), fn=_nesterov,
          kernel=UpdateKernel(("v",), "mu = f32(momentum)",
                              "v[i] = mu * v[i] - lr * grad[i]\n"
                              "theta[i] += mu * v[i] - lr * grad[i]")),
    Entry("adagrad", "Adagrad", "a ← a + g⊙g;  θ ← θ − ε g / √(a + ν)",
          (Param("nu", 1e-7, 0.0, 1.0, "ν, inside the root"),), fn=_adagrad,
          kernel=UpdateKernel(("a",), "root_nu = f32(nu)",
                              "a[i] += grad[i] * grad[i]\n"
                              "theta[i] -= lr * grad[i] / math.sqrt(a[i] + root_nu)")),
    Entry("rmsprop", "RMSProp", "a ← βa + (1 − β) g⊙g;  θ ← θ − ε g / √(a + ν)",
          (Param("beta", 0.99, 0.0, 0.9999, "β"), Param("nu", 1e-7, 0.0, 1.0, "ν, inside the root")),
          fn=_rmsprop,
          kernel=UpdateKernel(("a",), "b, rest, root_nu = f32(beta), f32(1.0 - beta), f32(nu)",
                              "a[i] = b * a[i] + rest * grad[i] * grad[i]\n"
                              "theta[i] -= lr * grad[i] / math.sqrt(a[i] + root_nu)")),
    Entry("adam", "Adam", "v ← β₁v + (1−β₁)g;  a ← β₂a + (1−β₂)g⊙g;  "
          "θ ← θ − ε ṽ / √(ã + ν)   (ṽ, ã bias-corrected)", _ADAM_PARAMS, fn=_adam,
          kernel=UpdateKernel(("v", "a"), _ADAM_PREPARE, _ADAM_MOMENTS + _ADAM_STEP)),
    Entry("adamw", "AdamW", "θ ← θ − ελθ on weights (decoupled decay), then Adam:  "
          "v ← β₁v + (1−β₁)g;  a ← β₂a + (1−β₂)g⊙g;  θ ← θ − ε ṽ / √(ã + ν)",
          (*_ADAM_PARAMS, Param("weight_decay", 0.01, 0.0, 1.0, "λ")), fn=_adam,
          kernel=UpdateKernel(("v", "a"),
                              _ADAM_PREPARE + "\nkeep = f32(1.0 - learning_rate * weight_decay)",
                              _ADAM_MOMENTS + "if decay[i]:\n    theta[i] *= keep\n" + _ADAM_STEP)),
)


# The same rules over lists of tensors (see the module docstring): params, grads, states,
# learning rate, hyperparameters, step count, decay flags.
AllUpdate = Callable[[list, list, list, float, dict, int, list], None]


def _slots(states: list[dict], params: list[torch.Tensor], key: str) -> list[torch.Tensor]:
    """Each tensor's `key` state, zeros the first time (allocated only then)."""
    for s, p in zip(states, params, strict=True):
        if key not in s:
            s[key] = torch.zeros_like(p)
    return [s[key] for s in states]


def _sgd_all(ps, gs, ss, lr, hp, t, decays):
    torch._foreach_sub_(ps, gs, alpha=lr)


def _momentum_all(ps, gs, ss, lr, hp, t, decays):
    vs = _slots(ss, ps, "v")
    torch._foreach_mul_(vs, hp["momentum"])
    torch._foreach_sub_(vs, gs, alpha=lr)
    torch._foreach_add_(ps, vs)


def _nesterov_all(ps, gs, ss, lr, hp, t, decays):
    vs = _slots(ss, ps, "v")
    torch._foreach_mul_(vs, hp["momentum"])
    torch._foreach_sub_(vs, gs, alpha=lr)
    torch._foreach_add_(ps, vs, alpha=hp["momentum"])
    torch._foreach_sub_(ps, gs, alpha=lr)


def _root(acc: list[torch.Tensor], nu: float) -> list[torch.Tensor]:
    """√(a + ν), new tensors (a stays)."""
    out = torch._foreach_add(acc, nu)
    torch._foreach_sqrt_(out)
    return out


def _adagrad_all(ps, gs, ss, lr, hp, t, decays):
    acc = _slots(ss, ps, "a")
    torch._foreach_addcmul_(acc, gs, gs)
    torch._foreach_addcdiv_(ps, gs, _root(acc, hp["nu"]), value=-lr)


def _rmsprop_all(ps, gs, ss, lr, hp, t, decays):
    acc = _slots(ss, ps, "a")
    torch._foreach_mul_(acc, hp["beta"])
    torch._foreach_addcmul_(acc, gs, gs, value=1.0 - hp["beta"])
    torch._foreach_addcdiv_(ps, gs, _root(acc, hp["nu"]), value=-lr)


def _adam_all(ps, gs, ss, lr, hp, t, decays):
    vs, acc = _slots(ss, ps, "v"), _slots(ss, ps, "a")
    b1, b2 = hp["beta1"], hp["beta2"]
    torch._foreach_mul_(vs, b1)
    torch._foreach_add_(vs, gs, alpha=1.0 - b1)
    torch._foreach_mul_(acc, b2)
    torch._foreach_addcmul_(acc, gs, gs, value=1.0 - b2)
    v_hat = torch._foreach_div(vs, 1.0 - b1**t)
    a_hat = torch._foreach_div(acc, 1.0 - b2**t)
    if hp.get("weight_decay", 0.0):
        decayed = [p for p, decay in zip(ps, decays, strict=True) if decay]
        if decayed:
            torch._foreach_mul_(decayed, 1.0 - lr * hp["weight_decay"])
    torch._foreach_addcdiv_(ps, v_hat, _root(a_hat, hp["nu"]), value=-lr)


ALL_AT_ONCE: dict[Any, AllUpdate] = {_sgd: _sgd_all, _momentum: _momentum_all,
                                     _nesterov: _nesterov_all, _adagrad: _adagrad_all,
                                     _rmsprop: _rmsprop_all, _adam: _adam_all}


class Optimizer:
    """State of one optimizer over a fixed list of tensors (weights decay, biases don't)."""

    def __init__(self, name: str, hyper: dict[str, float], params: Sequence[torch.Tensor],
                 decay_mask: Sequence[bool]):
        self.entry = OPTIMIZERS[name]
        self.hyper = self.entry.resolve(hyper)
        self.params = list(params)
        self.decay_mask = list(decay_mask)
        self.state: list[dict[str, torch.Tensor]] = [{} for _ in self.params]
        self.t = 0
        self.all_at_once = ALL_AT_ONCE.get(self.entry.fn)

    @torch.no_grad()
    def step(self, grads: Sequence[torch.Tensor], lr: float, per_tensor: bool = False) -> None:
        """One update; `per_tensor` runs the rule as written in the catalog entry, tensor by
        tensor (the same numbers: a test)."""
        self.t += 1
        if self.all_at_once is not None and not per_tensor and self.params:
            self.all_at_once(self.params, list(grads), self.state, lr, self.hyper, self.t,
                             self.decay_mask)
            return
        update = self.entry.fn
        for p, g, s, decay in zip(self.params, grads, self.state, self.decay_mask, strict=True):
            update(p, g, s, lr, self.hyper, self.t, decay)
