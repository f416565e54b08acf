"""The catalog: every activation, loss, regularizer, schedule and init the app offers.

Each entry holds its name (what files store), the label and formula users see, and its
parameters with defaults and ranges, next to the code that computes it, so the UI and the maths
cannot disagree. Optimizers live in `optim.py` with their update rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

from .errors import SpecError, quote
from .kernel import scalar
from .kernel.forms import (
    ActivationKernel,
    ElementLossKernel,
    PenaltyKernel,
    PiecesKernel,
    VectorActivationKernel,
    VectorLossKernel,
)


@dataclass(frozen=True)
class Param:
    name: str
    default: float
    lo: float | None = None
    hi: float | None = None
    doc: str = ""
    integer: bool = False


@dataclass(frozen=True)
class Entry:
    """One catalog entry and all its forms: `fn`, what torch computes; `formula`, what users
    read; `export`, the exported script's expression (activations: `{x}` and the parameters
    by name); `kernel`, what the fused kernel computes (kernel/forms.py; None: the entry
    trains through autograd, and the app says why)."""

    name: str
    label: str
    formula: str
    params: tuple[Param, ...] = ()
    fn: Callable[..., Any] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    kernel: Any = None
    export: str | None = None

    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}

    def resolve(self, given: dict[str, Any] | None, path: str = "") -> dict[str, float]:
        """Defaults overlaid with `given`, each checked against its range (SpecError names it)."""
        out = self.defaults()
        for key, value in (given or {}).items():
            spec = next((p for p in self.params if p.name == key), None)
            where = f"{path}.{key}" if path else key
            if spec is None:
                known = ", ".join(p.name for p in self.params) or "none"
                raise SpecError(where, f"{self.label} has no parameter {key!r} (it takes: {known})")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SpecError(where, f"must be a number, got {quote(value)}")
            if not math.isfinite(value):
                raise SpecError(where, f"must be a finite number, got {value}")
            if spec.integer and int(value) != value:
                raise SpecError(where, f"must be a whole number, got {value}")
            if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
                raise SpecError(where, f"must be in [{spec.lo:g}, {spec.hi:g}], got {value:g}")
            out[key] = int(value) if spec.integer else float(value)
        return out


def _table(*entries: Entry) -> dict[str, Entry]:
    return {e.name: e for e in entries}


# ---------------------------------------------------------------------------------- activations
# fn(x, params) -> tensor. `never_negative` marks outputs that cannot go below 0 (sigmoid,
# softmax, ReLU, softplus, Gaussian): a binary output of that kind gets 0/1 targets and the
# threshold ½, since a −1 target is out of its reach; every other output gets ±1 and threshold 0.
# `learned` names parameters that training learns (each a torch parameter of its block).
# Kernel forms follow torch's float32 semantics: NaN passes through, derivatives select where
# torch's backward selects (ReLU, hard tanh), so an infinite upstream gradient stays put, and
# ELU and SELU take e^x − 1 as expm1, as torch does (exp(x) − 1 loses every digit near 0: a
# pre-activation of −1e-38 gave 0 where torch gives −1.8e-38, flipping a later unit's side).

SELU_SCALE, SELU_ALPHA = 1.0507009873554805, 1.6732632423543772
_SIGMOID = "1.0 / (1.0 + math.exp(-z))"
# (m and total stay defined after it: softmax cross-entropy uses them for its log-sum-exp)
_SOFTMAX = """\
m = x[0]
for k in range(1, n):
    m = max(m, x[k])
total = 0.0
for k in range(n):
    o[k] = math.exp(x[k] - m)
    total += o[k]
for k in range(n):
    o[k] /= total"""

ACTIVATIONS = _table(
    Entry("linear", "Linear", "f(x) = x", fn=lambda x, p: x,
          kernel=ActivationKernel("z", "d"), export="{x}"),
    Entry("sigmoid", "Sigmoid", "f(x) = 1 / (1 + e^(-x))", fn=lambda x, p: torch.sigmoid(x),
          info={"never_negative": True},
          kernel=ActivationKernel(_SIGMOID, "d * (y * (f32(1.0) - y))"),
          export="torch.sigmoid({x})"),
    Entry("tanh", "Tanh", "f(x) = tanh(x)", fn=lambda x, p: torch.tanh(x),
          kernel=ActivationKernel("tanh32(z)", "d * (f32(1.0) - y * y)",
                                  helpers=(scalar.tanh32,)),
          export="torch.tanh({x})"),
    Entry("relu", "ReLU", "f(x) = max(0, x)   (f′(0) = 0)", fn=lambda x, p: torch.relu(x),
          info={"never_negative": True},
          kernel=ActivationKernel("f32(0.0) if z <= 0.0 else z", "f32(0.0) if z <= 0.0 else d"),
          export="torch.relu({x})"),
    Entry("leaky_relu", "Leaky ReLU", "f(x) = x if x > 0 else a·x",
          (Param("alpha", 0.01, 0.0, 1.0, "slope for x < 0"),),
          fn=lambda x, p: F.leaky_relu(x, p["alpha"]),
          kernel=ActivationKernel("z if z > 0.0 else f32(alpha) * z",
                                  "d if z > 0.0 else d * f32(alpha)"),
          export="F.leaky_relu({x}, {alpha})"),
    Entry("prelu", "PReLU", "f(x) = x if x > 0 else a·x, a learned (starts at a₀)",
          (Param("alpha", 0.25, 0.0, 1.0, "starting slope for x < 0, then learned"),),
          fn=lambda x, p: torch.where(x > 0, x, p["alpha"] * x), info={"learned": ("alpha",)},
          kernel=ActivationKernel("z if z > 0.0 else alpha * z", "d if z > 0.0 else d * alpha",
                                  learned={"alpha": "f32(0.0) if z > 0.0 else d * z"}),
          export="torch.where({x} > 0, {x}, {alpha} * {x})"),
    Entry("elu", "ELU", "f(x) = x if x > 0 else a·(e^x − 1)",
          (Param("alpha", 1.0, 0.0, 10.0, "scale of the negative part"),),
          fn=lambda x, p: F.elu(x, p["alpha"]),
          kernel=ActivationKernel("z if z > 0.0 else alpha * math.expm1(z)",
                                  "d if z > 0.0 else d * (alpha * math.exp(z))"),
          export="F.elu({x}, {alpha})"),
    Entry("selu", "SELU", "f(x) = λ·(x if x > 0 else a·(e^x − 1)), λ≈1.0507, a≈1.6733",
          fn=lambda x, p: F.selu(x),
          kernel=ActivationKernel(
              f"{SELU_SCALE!r} * (z if z > 0.0 else {SELU_ALPHA!r} * math.expm1(z))",
              f"d * ({SELU_SCALE!r} if z > 0.0 else {SELU_SCALE * SELU_ALPHA!r} * math.exp(z))"),
          export="F.selu({x})"),
    Entry("softplus", "Softplus", "f(x) = log(1 + e^x)   (f′(x) = σ(x))",
          fn=lambda x, p: F.softplus(x), info={"never_negative": True},
          # (torch's threshold: past 20, softplus is x to float32 precision)
          kernel=ActivationKernel("z if z > 20.0 else math.log1p(math.exp(z))",
                                  f"d if z > 20.0 else d * ({_SIGMOID})"),
          export="F.softplus({x})"),
    Entry("gelu", "GELU", "f(x) = x·Φ(x)", fn=lambda x, p: F.gelu(x),
          kernel=ActivationKernel(
              f"0.5 * z * (1.0 + math.erf(z / {math.sqrt(2.0)!r}))",
              f"d * (0.5 * (1.0 + math.erf(z / {math.sqrt(2.0)!r})) "
              f"+ z * math.exp(-0.5 * z * z) / {math.sqrt(2.0 * math.pi)!r})"),
          export="F.gelu({x})"),
    Entry("silu", "SiLU / swish", "f(x) = x·σ(x)", fn=lambda x, p: F.silu(x),
          kernel=ActivationKernel("z / (1.0 + math.exp(-z))", "d * silu_slope(z)",
                                  helpers=(scalar.silu_slope,)),
          export="F.silu({x})"),
    Entry("hardtanh", "Hard tanh", "f(x) = max(−1, min(1, x))", fn=lambda x, p: F.hardtanh(x),
          kernel=ActivationKernel("-1.0 if z < -1.0 else (1.0 if z > 1.0 else z)",
                                  "f32(0.0) if z <= -1.0 or z >= 1.0 else d"),
          export="F.hardtanh({x})"),
    Entry("sine", "Sine", "f(x) = sin(x)", fn=lambda x, p: torch.sin(x),
          kernel=ActivationKernel("math.sin(z)", "d * math.cos(z)"), export="torch.sin({x})"),
    Entry("gaussian", "Gaussian", "f(x) = e^(−x²)", fn=lambda x, p: torch.exp(-x * x),
          info={"never_negative": True},
          kernel=ActivationKernel("math.exp(-z * z)", "d * (-2.0 * z * math.exp(-z * z))"),
          export="torch.exp(-{x} * {x})"),
    Entry("maxout", "Maxout", "f(x) = max over k pieces of (wᵢ·x + bᵢ)   (on a tie the first "
          "largest piece takes the whole gradient)",
          (Param("k", 2, 2, 8, "affine pieces per unit", integer=True),),
          fn=None, info={"pieces": True}, kernel=PiecesKernel("k"),
          export="{x}.view({x}.shape[0], -1, {k}).amax(dim=2)"),
    Entry("softmax", "Softmax", "f(x)ᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)   (multi-class output only)",
          fn=lambda x, p: torch.softmax(x, dim=1), info={"never_negative": True, "output_only": True},
          kernel=VectorActivationKernel(
              forward=_SOFTMAX,
              backward="""\
dot = 0.0
for k in range(n):
    dot += g[k] * o[k]
for k in range(n):
    dx[k] = o[k] * (g[k] - dot)"""),
          export="torch.softmax({x}, dim=1)"),
)

HIDDEN_ACTIVATIONS = [n for n, e in ACTIVATIONS.items() if not e.info.get("output_only")]


# --------------------------------------------------------------------------------------- losses
# fn(out, target, params) -> per-example loss (N,). `out` is what the loss's link produces:
# the output activation (mse, mae, huber), raw scores (hinge family) or logits (cross-entropy,
# with the link applied inside for numerical stability). `target` is encoded per `targets`:
#   "pm1" ±1 (or 0/1 after a (0,1) activation), "index" class indices, "onehot", "value".

def _huber(out, t, p):
    d = p["delta"]
    err = (out - t).abs()
    return torch.where(err <= d, 0.5 * err * err, d * (err - 0.5 * d)).sum(dim=1)


def _bce(z, t, p):
    return F.binary_cross_entropy_with_logits(z, t, reduction="none").sum(dim=1)


def _softmax_ce(z, t, p):
    return -(t * torch.log_softmax(z, dim=1)).sum(dim=1)


# The hinge family's max(0, m) takes the gradient 0 at its kink m = 0 (as ReLU does), on both
# paths: torch.relu, not torch.clamp, whose gradient at the bound is 1.

def _multiclass_hinge(s, t, p):
    correct = (s * t).sum(dim=1, keepdim=True)
    margins = torch.relu(s - correct + p["margin"]) * (1.0 - t)
    return margins.sum(dim=1)


# The activation each link applies to the output layer's z to give what the app shows, where
# the loss takes z itself (logits, scores); link "activation" is the Output block's own.
LINKS = {"sigmoid": "sigmoid", "softmax": "softmax", "scores": "linear"}

# Kernel forms: `x` is what the loss takes (the output activation, or the logit or score).
_ELEMENTWISE_ERROR = "e = x - t\n"

LOSSES = _table(
    Entry("mse", "Squared error (MSE)", "L = ½ (o − t)², averaged over the batch",
          fn=lambda o, t, p: 0.5 * ((o - t) ** 2).sum(dim=1),
          info={"link": "activation", "problems": {"binary", "multiclass", "regression"}},
          kernel=ElementLossKernel(_ELEMENTWISE_ERROR + "value = f32(0.5) * e * e\ndx = e")),
    Entry("mae", "Absolute error (MAE)", "L = |o − t|",
          fn=lambda o, t, p: (o - t).abs().sum(dim=1),
          info={"link": "activation", "problems": {"binary", "multiclass", "regression"}},
          kernel=ElementLossKernel(_ELEMENTWISE_ERROR + "value = abs(e)\n"
                                   "dx = f32(1.0) if e > 0.0 else (f32(-1.0) if e < 0.0 else f32(0.0))")),
    Entry("huber", "Huber", "L = ½e² if |e| ≤ δ else δ(|e| − ½δ), e = o − t",
          (Param("delta", 1.0, 1e-3, 100.0, "where the loss turns linear"),), fn=_huber,
          info={"link": "activation", "problems": {"binary", "multiclass", "regression"}},
          kernel=ElementLossKernel(_ELEMENTWISE_ERROR + """\
d32 = f32(delta)
if abs(e) <= d32:
    value = f32(0.5) * e * e
    dx = e
else:
    value = d32 * (abs(e) - f32(0.5 * delta))
    dx = d32 if e > 0.0 else -d32""")),
    Entry("bce", "Binary cross-entropy", "L = −[t·log σ(z) + (1 − t)·log(1 − σ(z))]",
          fn=_bce, info={"link": "sigmoid", "problems": {"binary"}},
          kernel=ElementLossKernel("""\
value = max(x, 0.0) - x * t + math.log1p(math.exp(-abs(x)))
dx = f32(1.0 / (1.0 + math.exp(-x))) - t""")),
    Entry("softmax_ce", "Softmax cross-entropy", "L = −Σᵢ tᵢ·log softmax(z)ᵢ",
          fn=_softmax_ce, info={"link": "softmax", "problems": {"multiclass"}},
          # (the softmax and its log-sum-exp from one set of exponentials, written to o)
          kernel=VectorLossKernel(_SOFTMAX + """
log_total = math.log(total)
value = 0.0
for k in range(n):
    dx[k] = o[k] - t[k]
    value -= t[k] * (x[k] - m - log_total)""", writes_output=True)),
    Entry("hinge", "Hinge", "L = max(0, 1 − t·s), t = ±1   (gradient 0 at the kink)",
          fn=lambda s, t, p: torch.relu(1.0 - t * s).sum(dim=1),
          info={"link": "scores", "problems": {"binary"}},
          kernel=ElementLossKernel("""\
h = 1.0 - t * x
value = h if h > 0.0 else 0.0
dx = -t if h > 0.0 else f32(0.0)""")),
    Entry("squared_hinge", "Squared hinge", "L = max(0, 1 − t·s)², t = ±1",
          fn=lambda s, t, p: (torch.relu(1.0 - t * s) ** 2).sum(dim=1),
          info={"link": "scores", "problems": {"binary"}},
          kernel=ElementLossKernel("""\
h = 1.0 - t * x
value = h * h if h > 0.0 else 0.0
dx = -2.0 * h * t if h > 0.0 else 0.0""")),
    Entry("multiclass_hinge", "Multiclass SVM hinge",
          "L = Σ_{j≠y} max(0, s_j − s_y + Δ)   (gradient 0 at the kink)",
          (Param("margin", 1.0, 0.0, 100.0, "the margin Δ"),), fn=_multiclass_hinge,
          info={"link": "scores", "problems": {"multiclass"}},
          kernel=VectorLossKernel("""\
correct = 0.0
for k in range(n):
    correct += x[k] * t[k]
value = 0.0
for k in range(n):
    dx[k] = 0.0
for k in range(n):
    if t[k] == 0.0:
        excess = x[k] - correct + margin
        if excess > 0.0:  # the kink (excess 0) passes no gradient
            value += excess
            dx[k] += 1.0
            for c in range(n):
                dx[c] -= t[c]""")),
)


# ---------------------------------------------------------------------------------------- inits
# fn(weight, bias, generator, **params): fills in place. Weight shape is (fan_out, fan_in).

def _uniform(w: torch.Tensor, limit: float, gen: torch.Generator) -> None:
    w.uniform_(-limit, limit, generator=gen)


def _init_tf(w, b, gen, **_):
    _uniform(w, 0.5, gen)
    if b is not None:
        b.fill_(0.1)


def _init_fan(limit_of: Callable[[int, int], float]):
    def init(w, b, gen, **_):
        fan_out, fan_in = w.shape
        _uniform(w, limit_of(fan_in, fan_out), gen)
        if b is not None:
            b.zero_()

    return init


def _init_he(w, b, gen, **_):
    w.normal_(0.0, math.sqrt(2.0 / w.shape[1]), generator=gen)
    if b is not None:
        b.zero_()


def _init_normal(w, b, gen, sigma: float = 1.0, **_):
    # A scale chosen by hand, not from the fan-in: large σ saturates tanh and sigmoid units.
    w.normal_(0.0, sigma, generator=gen)
    if b is not None:
        b.zero_()


def _init_zeros(w, b, gen, **_):
    w.zero_()
    if b is not None:
        b.zero_()


INITS = _table(
    Entry("tf_uniform", "TF Playground", "w ~ U(−0.5, 0.5), b = 0.1", fn=_init_tf),
    Entry("zeros", "Zeros", "w = 0, b = 0   (every unit stays the same: symmetry)", fn=_init_zeros),
    Entry("uniform_fan_in", "Uniform 1/√N", "w ~ U(−1/√N, 1/√N), b = 0, N = inputs",
          fn=_init_fan(lambda n, m: 1.0 / math.sqrt(n))),
    Entry("lecun_uniform", "LeCun uniform", "w ~ U(−√(3/N), √(3/N)), b = 0, N = inputs",
          fn=_init_fan(lambda n, m: math.sqrt(3.0 / n))),
    Entry("glorot_uniform", "Glorot / Xavier uniform", "w ~ U(±√(6/(N + M))), b = 0",
          fn=_init_fan(lambda n, m: math.sqrt(6.0 / (n + m)))),
    Entry("he_normal", "He normal", "w ~ N(0, 2/N), b = 0", fn=_init_he),
    Entry("normal", "Normal, chosen σ", "w ~ N(0, σ²), b = 0   (σ by hand, whatever N is)",
          (Param("sigma", 1.0, 0.0, 10.0, "the standard deviation σ of the initial weights"),),
          fn=_init_normal),
)


# ------------------------------------------------------------------------------------ schedules
# fn(epoch, base_lr, params) -> learning rate for that epoch (epochs count from 0).

def _linear_decay(k, lr0, p):
    alpha = min(k / p["tau"], 1.0)
    return (1.0 - alpha) * lr0 + alpha * lr0 * p["final_fraction"]


def _cosine(k, lr0, p):
    lr_min = lr0 * p["final_fraction"]
    t = min(k / p["period"], 1.0)
    return lr_min + 0.5 * (lr0 - lr_min) * (1.0 + math.cos(math.pi * t))


SCHEDULES = _table(
    Entry("constant", "Constant", "ε_k = ε₀", fn=lambda k, lr0, p: lr0),
    Entry("step", "Step", "ε_k = ε₀ · γ^⌊k / s⌋",
          (Param("step_size", 100, 1, 1e6, "epochs between drops", integer=True),
           Param("gamma", 0.5, 0.0, 1.0, "factor per drop")),
          fn=lambda k, lr0, p: lr0 * p["gamma"] ** (k // p["step_size"])),
    Entry("exponential", "Exponential", "ε_k = ε₀ · γ^k",
          (Param("gamma", 0.99, 0.0, 1.0, "factor per epoch"),),
          fn=lambda k, lr0, p: lr0 * p["gamma"] ** k),
    Entry("linear_decay", "Linear decay", "ε_k = (1 − α)ε₀ + αε_τ, α = k/τ, constant after τ",
          (Param("tau", 200, 1, 1e6, "epoch τ where the decay ends", integer=True),
           Param("final_fraction", 0.01, 0.0, 1.0, "ε_τ as a fraction of ε₀")),
          fn=_linear_decay),
    Entry("cosine", "Cosine", "ε_k = ε_min + ½(ε₀ − ε_min)(1 + cos(π·k/T)), constant after T",
          (Param("period", 200, 1, 1e6, "epochs T", integer=True),
           Param("final_fraction", 0.0, 0.0, 1.0, "ε_min as a fraction of ε₀")),
          fn=_cosine),
)


# --------------------------------------------------------------------------------- regularizers
# Weight penalties act on weights only, never biases: fn(w, rate, p) is added to ∂L/∂w. The
# loss the app reports is the data loss, without the penalty (as TF Playground's).

def _l1_grad(w, rate, p):
    return rate * torch.sign(w)


def _l2_grad(w, rate, p):
    return rate * w


def _elastic_grad(w, rate, p):
    r = p["l1_ratio"]
    return rate * (r * torch.sign(w) + (1.0 - r) * w)


WEIGHT_PENALTIES = _table(
    Entry("none", "None", "no penalty", fn=None, kernel=PenaltyKernel(None)),
    Entry("l1", "L1", "Ω = λ Σ|w|   (∂Ω/∂w = λ·sign(w))", fn=_l1_grad,
          kernel=PenaltyKernel("f32(rate) * sign")),
    Entry("l2", "L2", "Ω = λ · ½‖W‖²   (∂Ω/∂W = λW; biases not penalized)", fn=_l2_grad,
          kernel=PenaltyKernel("f32(rate) * w")),
    Entry("elastic_net", "Elastic net", "Ω = λ(r Σ|w| + (1 − r) · ½‖W‖²)",
          (Param("l1_ratio", 0.5, 0.0, 1.0, "share r of the L1 part"),), fn=_elastic_grad,
          kernel=PenaltyKernel("f32(rate) * (f32(l1_ratio) * sign + f32(1.0 - l1_ratio) * w)")),
)

# The other regularizers are settings of the trainer or blocks of the graph; listed here so the
# UI explains each with its formula.
OTHER_REGULARIZERS = _table(
    Entry("max_norm", "Max-norm", "after each step, ‖w_unit‖ ≤ c (rescaled when larger)",
          info={"setting": "training.max_norm"}),
    Entry("dropout", "Dropout", "keep each unit with probability p in training; ×1/p (inverted)",
          info={"block": "dropout"}),
    Entry("batchnorm", "Batch norm", "x̂ = (x − μ)/√(σ² + δ), y = γx̂ + β; running averages at test",
          info={"block": "batchnorm"}),
    Entry("early_stopping", "Early stopping", "stop after `patience` epochs without a better "
          "validation loss (test loss without a validation split); keep the best weights",
          info={"setting": "training.early_stopping"}),
    Entry("input_noise", "Input noise", "train on x + N(0, σ²) (augmentation)",
          info={"setting": "training.input_noise"}),
    Entry("label_smoothing", "Label smoothing", "t ← (1 − s)·t + s/C for cross-entropy targets",
          info={"setting": "training.label_smoothing"}),
    Entry("gradient_clipping", "Gradient clipping", "g ← g · min(1, c/‖g‖) (global norm)",
          info={"setting": "training.gradient_clip"}),
)
