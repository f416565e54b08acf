"""Two-parameter loss surfaces L(x, y) on which the optimizers race.

Each surface is a catalog entry (name, label, the formula shown, parameters with ranges) that
builds a `Surface`: the loss as a torch function, its gradient written out by hand (tests hold
it equal to autograd's), the region drawn, a start point that tells the surface's story, and
the minima to mark. "custom" is a formula the user types, read by `expr.parse` (never run as
code); its gradient comes from autograd.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .catalog import Entry, Param, _table
from .errors import SpecError, quote
from .expr import ExpressionError, parse

Fn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Grad = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class Surface:
    """One built surface: L(x, y), its gradient, the region shown, a start and the minima."""

    name: str
    label: str
    formula: str
    loss: Fn
    domain: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    grad: Grad | None = None  # closed form; None: autograd
    log_scale: bool = False  # draw log(1 + L − L_min): Rosenbrock's valley spans 1e-3 .. 1e4
    learning_rate: float = 0.01  # a rate at which plain SGD makes visible progress

    def value(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.loss(x, y)

    def gradient(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(∂L/∂x, ∂L/∂y) at (x, y)."""
        if self.grad is not None:
            return self.grad(x, y)
        with torch.enable_grad():
            xr = x.detach().clone().requires_grad_(True)
            yr = y.detach().clone().requires_grad_(True)
            gx, gy = torch.autograd.grad(self.loss(xr, yr).sum(), (xr, yr), allow_unused=True)
        return (torch.zeros_like(x) if gx is None else gx,
                torch.zeros_like(y) if gy is None else gy)

    def grid(self, resolution: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x and y sample points and L on the grid (rows = y), float64; NaN where undefined."""
        x0, x1, y0, y1 = self.domain
        xs = torch.linspace(x0, x1, resolution, dtype=torch.float64)
        ys = torch.linspace(y0, y1, resolution, dtype=torch.float64)
        with torch.no_grad():
            z = self.loss(xs[None, :], ys[:, None]).expand(resolution, resolution)
        return xs.numpy(), ys.numpy(), z.numpy().copy()


# ---------------------------------------------------------------------------------- the surfaces

def _bowl(p: dict) -> Surface:
    k = p["condition_number"]
    return Surface(
        "bowl", "Ill-conditioned bowl", f"L = ½(x² + κy²), κ = {k:g}",
        loss=lambda x, y: 0.5 * (x * x + k * y * y),
        grad=lambda x, y: (x, k * y),
        domain=(-10.0, 10.0, -10.0, 10.0), start=(-9.0, 3.0), minima=((0.0, 0.0),),
        learning_rate=1.0 / k)


def _ravine(p: dict) -> Surface:
    # a narrow valley along the diagonal: steep across it (u = x − y), gentle along it
    # (w = x + y). Rotated, so per-axis rates (Adagrad, RMSProp) cannot fix it as in the bowl.
    a, b = 0.02, 2.0
    return Surface(
        "ravine", "Ravine", "L = 0.02(x + y)² + 2(x − y)²",
        loss=lambda x, y: a * (x + y) ** 2 + b * (x - y) ** 2,
        grad=lambda x, y: (2 * a * (x + y) + 2 * b * (x - y), 2 * a * (x + y) - 2 * b * (x - y)),
        domain=(-6.0, 6.0, -6.0, 6.0), start=(-5.0, -4.0), minima=((0.0, 0.0),),
        learning_rate=0.2)


def _saddle(p: dict) -> Surface:
    # a saddle at the origin between two minima at (0, ±1); a start on y ≈ 0 sits on the ridge
    return Surface(
        "saddle", "Saddle", "L = ½x² + ¼y⁴ − ½y²",
        loss=lambda x, y: 0.5 * x * x + 0.25 * y**4 - 0.5 * y * y,
        grad=lambda x, y: (x, y**3 - y),
        domain=(-2.0, 2.0, -2.0, 2.0), start=(-1.8, 0.001), minima=((0.0, 1.0), (0.0, -1.0)),
        learning_rate=0.1)


def _rosenbrock(p: dict) -> Surface:
    return Surface(
        "rosenbrock", "Rosenbrock", "L = (1 − x)² + 100(y − x²)²",
        loss=lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        grad=lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
        domain=(-2.0, 2.0, -1.0, 3.0), start=(-1.5, 2.0), minima=((1.0, 1.0),),
        log_scale=True, learning_rate=0.001)


def _beale_terms(x, y):
    return (1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y**3)


def _beale(x, y):
    t1, t2, t3 = _beale_terms(x, y)
    return t1**2 + t2**2 + t3**2


def _beale_grad(x, y):
    t1, t2, t3 = _beale_terms(x, y)
    gx = 2 * t1 * (y - 1) + 2 * t2 * (y * y - 1) + 2 * t3 * (y**3 - 1)
    gy = 2 * t1 * x + 2 * t2 * 2 * x * y + 2 * t3 * 3 * x * y * y
    return gx, gy


def _himmelblau(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmelblau_grad(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


# plateau with a cliff: an almost flat shelf (x > 0.5) that drops steeply at x ≈ 0 into a bowl
_CLIFF_HEIGHT, _CLIFF_STEEPNESS = 3.0, 10.0


def _plateau(x, y):
    return (_CLIFF_HEIGHT * torch.sigmoid(_CLIFF_STEEPNESS * x) + 0.01 * (x + 2) ** 2
            + 0.5 * y * y)


def _plateau_grad(x, y):
    s = torch.sigmoid(_CLIFF_STEEPNESS * x)
    return _CLIFF_HEIGHT * _CLIFF_STEEPNESS * s * (1 - s) + 0.02 * (x + 2), y


def _fixed(surface: Surface) -> Callable[[dict], Surface]:
    return lambda p: surface


_HIMMELBLAU_MINIMA = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                      (3.584428, -1.848126))

SURFACES = _table(
    Entry("bowl", "Ill-conditioned bowl", "L = ½(x² + κy²)",
          (Param("condition_number", 10.0, 1.0, 1000.0,
                 "κ: curvature across / along; the bowl's condition number"),), fn=_bowl),
    Entry("ravine", "Ravine", "L = 0.02(x + y)² + 2(x − y)²", fn=_ravine),
    Entry("saddle", "Saddle", "L = ½x² + ¼y⁴ − ½y²", fn=_saddle),
    Entry("rosenbrock", "Rosenbrock", "L = (1 − x)² + 100(y − x²)²", fn=_rosenbrock),
    Entry("beale", "Beale", "L = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
          fn=_fixed(Surface("beale", "Beale", "L = (1.5 − x + xy)² + (2.25 − x + xy²)² + "
                            "(2.625 − x + xy³)²", loss=_beale, grad=_beale_grad,
                            domain=(-4.5, 4.5, -4.5, 4.5), start=(1.0, 1.4),
                            minima=((3.0, 0.5),), log_scale=True, learning_rate=0.01))),
    Entry("himmelblau", "Himmelblau (four minima)", "L = (x² + y − 11)² + (x + y² − 7)²",
          fn=_fixed(Surface("himmelblau", "Himmelblau (four minima)",
                            "L = (x² + y − 11)² + (x + y² − 7)²", loss=_himmelblau,
                            grad=_himmelblau_grad, domain=(-5.0, 5.0, -5.0, 5.0),
                            start=(-0.3, -0.9), minima=_HIMMELBLAU_MINIMA, log_scale=True,
                            learning_rate=0.01))),
    Entry("plateau", "Plateau with a cliff", "L = 3σ(10x) + 0.01(x + 2)² + ½y²",
          fn=_fixed(Surface("plateau", "Plateau with a cliff",
                            "L = 3σ(10x) + 0.01(x + 2)² + ½y²", loss=_plateau,
                            grad=_plateau_grad, domain=(-4.0, 4.0, -3.0, 3.0),
                            start=(3.5, 2.5), minima=((-2.0, 0.0),), learning_rate=0.1))),
    Entry("custom", "Your f(x, y)", "typed by you", (
        Param("extent", 5.0, 0.01, 1000.0, "the region drawn: x and y in [−extent, extent]"),),
        fn=None),
)

CUSTOM_DEFAULT = "x^2 + 3*y^2 + sin(3*x)"


def build_surface(name: str, params: dict | None = None, formula: str = "",
                  path: str = "optimizer_lab") -> Surface:
    """The surface `name` with its parameters (and, for "custom", the typed formula)."""
    if name not in SURFACES:
        raise SpecError(f"{path}.surface",
                        f"must be one of {', '.join(SURFACES)}; got {quote(name)}")
    entry = SURFACES[name]
    resolved = entry.resolve(params, f"{path}.surface_params")
    if name != "custom":
        return entry.fn(resolved)
    return custom_surface(formula or CUSTOM_DEFAULT, resolved["extent"], path)


def custom_surface(formula: str, extent: float = 5.0, path: str = "optimizer_lab") -> Surface:
    """A surface from a typed formula in x and y; SpecError names the field and the problem."""
    try:
        expression = parse(formula, ("x", "y"))
    except ExpressionError as exc:
        raise SpecError(f"{path}.formula", str(exc)) from None

    def loss(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return expression.evaluate(x=x, y=y) + 0 * (x + y)  # broadcast even if x or y is unused

    if not math.isfinite(extent) or extent <= 0:
        raise SpecError(f"{path}.surface_params.extent", f"must be > 0, got {extent}")
    s = 0.6 * extent
    return Surface("custom", "Your f(x, y)", f"L = {expression.text}", loss=loss,
                   domain=(-extent, extent, -extent, extent), start=(-s, s), learning_rate=0.01)
