"""The fused kernel's forms of a catalog entry: its maths as float32 scalar source.

A catalog entry (catalog.py, optim.py) holds its torch function, its formula, its export
template and, here, what the fused kernel computes for it. generate.py writes a kernel for a
network's own combination of entries from these forms; an entry without one trains through
autograd, and the app says why. So adding an activation is one entry: its torch function and,
for speed, an `ActivationKernel`.

Forms are Python source text because they are pasted into loops of the generated kernel, where
they compile to straight-line float32 code that vectorizes (a call per element would not). The
names a form may use are stated on each class. All arrays are float32; parameters arrive as
Python floats (float64), so a form rounds them with `f32(...)` where torch rounds its Python
scalars, which keeps both paths' float32 arithmetic the same operation by operation. Besides
`f32`, `math` and `np`, a form may call the plain-Python helpers it lists (scalar.py), whose
source is copied into the kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActivationKernel:
    """An elementwise activation. `f`: f(z) from the pre-activation `z`. `backward`: ∂L/∂z
    from `d` = ∂L/∂f(z), `z` and `y` = f(z) (whichever is cheaper); a select where torch's
    backward selects (ReLU: 0 if z ≤ 0 else d), so an infinite d stays put there. `learned`:
    for each parameter that training learns (PReLU's slope), its share of ∂L/∂parameter from
    `d` and `z`. All may name the entry's parameters."""

    f: str
    backward: str
    helpers: tuple[Callable, ...] = ()
    learned: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VectorActivationKernel:
    """An activation over a whole output row (softmax). Statements over `n` outputs:
    `forward` reads `x[k]` and writes `o[k]`; `backward` turns ∂L/∂o in `g[k]` into ∂L/∂x in
    `dx[k]` (the vector-Jacobian product; it may read `o`, and `dx` may be `g`)."""

    forward: str
    backward: str


@dataclass(frozen=True)
class PiecesKernel:
    """Maxout: a unit is the largest of `param` affine pieces. The kernel's dense layer
    computes the pieces; a tie gives the whole gradient to the first largest piece."""

    param: str = "k"


@dataclass(frozen=True)
class ElementLossKernel:
    """A loss that is a sum over outputs of one output's loss. Statements that set `value`
    (this output's loss) and `dx` (its derivative in `x`) from `x`, what the loss takes (the
    output activation, or the logit or score for the other links), the target `t` and the
    entry's parameters. Where the loss takes the output activation, the kernel chains f′."""

    body: str
    helpers: tuple[Callable, ...] = ()


@dataclass(frozen=True)
class VectorLossKernel:
    """A loss over a whole output row. Statements over `n` outputs that read `x[k]` (logits or
    scores), `o[k]` (the linked outputs, already computed) and `t[k]`, write ∂L/∂x into
    `dx[k]` and set `value`. With `writes_output` the body computes the linked outputs into
    `o` itself (softmax cross-entropy shares its exponentials with the softmax), and the
    link's own forward is skipped."""

    body: str
    writes_output: bool = False


@dataclass(frozen=True)
class UpdateKernel:
    """An optimizer step. `state`: the per-parameter state rows the optimizer keeps, named as
    optim.py names them in its state dicts (they are views of the kernel's buffer).
    `prepare`: statements run once per step that may read the entry's hyperparameters (Python
    floats, in their declared order), `lr` (float32-rounded) and the step count `t`.
    `step`: the body of the loop over parameters `i`: it updates `theta[i]` and the state
    arrays from `grad[i]`; `decay[i]` says whether parameter i is a weight (not a bias)."""

    state: tuple[str, ...]
    prepare: str
    step: str


@dataclass(frozen=True)
class PenaltyKernel:
    """A weight penalty's gradient ∂Ω/∂w added to each weight's (biases are never penalized):
    an expression in `w`, `sign` (of w: −1, 0 or 1, float32), `rate` (λ, a Python float) and
    the entry's parameters; None for no penalty."""

    grad: str | None
