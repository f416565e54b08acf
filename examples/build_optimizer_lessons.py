"""Writes the optimizer-lab lessons (opt_*.json) in this folder. Run it after changing one:

    python examples/build_optimizer_lessons.py

Each lesson races optimizers on a 2-D loss surface to show one point of the notes (001 lecture
10, 002, 004: momentum, Adagrad, RMSProp, Adam, learning-rate decay, saddle points, local minima)
and promises an outcome of its race, which the test suite checks.
"""

from __future__ import annotations

import os
import sys

from playground.core import files
from playground.core.lessons import with_sources
from playground.core.optimizer_race import RacerSpec
from playground.core.spec import Experiment, OptimizerLabSpec, OutcomeSpec

HERE = os.path.dirname(os.path.abspath(__file__))


def lesson(title: str, description: str, lab: OptimizerLabSpec,
           outcome: OutcomeSpec) -> Experiment:
    exp = Experiment(title=title, description=description)
    exp.optimizer_lab = lab
    exp.outcome = outcome
    return exp


L11 = "001_073132b22604ecba.txt · Lecture 11 – Optimization for Deep Learning"
REVIEW = "002_d60c65f66eef3937.txt · Optimizers: SGD, momentum, Adagrad, RMSProp, Adam update rules"

# Where each lesson comes from in the notes, and its goal in one line (the lesson browser's card).
META = {
    "opt_momentum_ravine": (f"{L11}: The Momentum Method",
                            "Momentum crosses a ravine that plain SGD zig-zags down."),
    "opt_learning_rate_too_high": (f"{L11}: Learning Rate is Crucial",
                                   "Too large a step oscillates, then diverges."),
    "opt_adagrad_vs_rmsprop": (REVIEW, "Adagrad's steps shrink to nothing; RMSProp's do not."),
    "opt_adam_rosenbrock": (REVIEW, "Adam follows Rosenbrock's curved valley."),
    "opt_escaping_a_saddle": (f"{L11}: Plateaus, Saddle Points etc",
                              "Momentum escapes a saddle that SGD lingers on."),
    "opt_several_minima": (f"{L11}: Local Minima",
                           "Different starts reach different minima."),
    "opt_linear_decay": (f"{L11}: Need for decreasing learning rate",
                         "Decaying ε settles where a constant ε keeps bouncing."),
}


def lessons() -> dict[str, Experiment]:
    return with_sources(_lessons(), "Optimization", META)


def _lessons() -> dict[str, Experiment]:
    out: dict[str, Experiment] = {}
    out["opt_momentum_ravine"] = lesson(
        "Momentum in a ravine",
        "A narrow valley along the diagonal: the gradient points mostly across it, so plain "
        "SGD zig-zags from wall to wall and creeps along the floor. Momentum (v ← αv − εg; "
        "θ ← θ + v, α = 0.9) adds up the small, consistent pull along the floor and cancels "
        "the zig-zag (notes 001, lecture 10). Same ε for both; watch the velocity arrows.",
        OptimizerLabSpec(surface="ravine", steps=150, racers=[
            RacerSpec("sgd", 0.2), RacerSpec("momentum", 0.2, {"momentum": 0.9})]),
        OutcomeSpec("race_loss_ratio", 0, 0.0, 1e-3,
                    "momentum ends at least 1000x lower than SGD"))
    out["opt_learning_rate_too_high"] = lesson(
        "The learning rate too high",
        "SGD on a bowl ½(x² + κy²), κ = 10: along y each step multiplies the distance by "
        "(1 − εκ). With ε = 0.05 it glides in; ε = 0.19 overshoots and oscillates, yet "
        "converges (|1 − εκ| < 1); ε = 0.25 overshoots more each time and diverges "
        "(|1 − εκ| = 1.5). The limit is ε < 2/κ.",
        OptimizerLabSpec(surface="bowl", surface_params={"condition_number": 10.0}, steps=150,
                         racers=[RacerSpec("sgd", 0.05), RacerSpec("sgd", 0.19),
                                 RacerSpec("sgd", 0.25)]),
        OutcomeSpec("race_diverged", 0, 1.0, 1.0, "exactly one racer (ε = 0.25) diverges"))
    out["opt_adagrad_vs_rmsprop"] = lesson(
        "Adagrad's step shrinks to nothing; RMSProp's does not",
        "A plateau with a cliff. Adagrad adds every g⊙g into a for ever (a ← a + g⊙g), so "
        "the large gradients of its first steps keep its step ε/√(a + ν) shrinking, and it "
        "crawls across the flat shelf. RMSProp keeps a moving average (a ← βa + (1 − β)g⊙g) "
        "that forgets them: on the shelf, where g is small, its step grows again, and it "
        "crosses the shelf and drops off the cliff (notes 002). Watch the per-axis step sizes.",
        OptimizerLabSpec(surface="plateau", steps=300, racers=[
            RacerSpec("adagrad", 0.1), RacerSpec("rmsprop", 0.1)]),
        OutcomeSpec("race_loss_ratio", 0, 0.0, 1e-3,
                    "RMSProp ends at least 1000x lower than Adagrad"))
    out["opt_adam_rosenbrock"] = lesson(
        "Adam on Rosenbrock's banana",
        "Rosenbrock's valley is curved, flat along its floor and steep across it. SGD with a "
        "rate small enough not to blow up across the valley barely moves along it. Adam "
        "divides each axis by the root of its averaged squared gradient and uses the averaged "
        "gradient (bias-corrected ṽ, ã), so it follows the banana to (1, 1).",
        OptimizerLabSpec(surface="rosenbrock", steps=500, racers=[
            RacerSpec("sgd", 0.001), RacerSpec("adam", 0.1)]),
        OutcomeSpec("race_loss_ratio", 0, 0.0, 0.01,
                    "Adam ends at least 100x lower than SGD"))
    out["opt_escaping_a_saddle"] = lesson(
        "Escaping a saddle",
        "L = ½x² + ¼y⁴ − ½y² has a saddle at the origin and minima at (0, ±1). Starting "
        "almost on the ridge (y = 0.001), the gradient across it is tiny: SGD slides into the "
        "saddle and lingers there. Momentum carries its speed through the flat spot and "
        "leaves it (notes 000, 001: saddle points).",
        OptimizerLabSpec(surface="saddle", steps=100, racers=[
            RacerSpec("sgd", 0.05), RacerSpec("momentum", 0.05, {"momentum": 0.9})]),
        OutcomeSpec("race_loss_ratio", 0, 0.0, 0.01,
                    "momentum reaches a minimum while SGD is still at the saddle"))
    out["opt_several_minima"] = lesson(
        "Several minima from different starts",
        "Himmelblau's function has four minima of equal depth. The same optimizer (SGD, "
        "ε = 0.01) started from four points ends in four different minima: where gradient "
        "descent ends depends on where it starts (notes 000: local minima). Click the "
        "surface to try other starts.",
        OptimizerLabSpec(surface="himmelblau", steps=200, racers=[
            RacerSpec("sgd", 0.01, start=[1.0, 1.0]), RacerSpec("sgd", 0.01, start=[-1.0, 1.0]),
            RacerSpec("sgd", 0.01, start=[-1.0, -1.0]), RacerSpec("sgd", 0.01, start=[1.0, -1.0])]),
        OutcomeSpec("race_minima", 0, 4.0, 4.0, "four starts, four different minima"))
    out["opt_linear_decay"] = lesson(
        "Linear decay of the learning rate",
        "The notes' schedule ε_k = (1 − α)ε₀ + αε_τ with α = k/τ, constant after τ. On a bowl "
        "with κ = 10, ε₀ = 0.21 is just above the limit 2/κ: at a constant rate the "
        "oscillation grows until it diverges. Decaying to ε_τ = 0.2·ε₀ over τ = 50 steps "
        "brings the rate under the limit in time, and it settles.",
        OptimizerLabSpec(surface="bowl", surface_params={"condition_number": 10.0}, steps=150,
                         racers=[RacerSpec("sgd", 0.21),
                                 RacerSpec("sgd", 0.21, {}, "linear_decay",
                                           {"tau": 50, "final_fraction": 0.2})]),
        OutcomeSpec("race_loss_ratio", 0, 0.0, 1e-6,
                    "the decayed rate converges while the constant one blows up"))
    return out


def main() -> None:
    chosen = sys.argv[1:]
    for name, exp in lessons().items():
        if not chosen or name in chosen:
            files.save_experiment(os.path.join(HERE, f"{name}.json"), exp)
            print(f"wrote {name}.json")


if __name__ == "__main__":
    main()
