"""Writes the computational-graph lessons (graph_*.json) in this folder. Run it after changing one:

    python examples/build_graph_lessons.py

Each lesson opens the Backprop tab on one of the notes' worked backprop examples (001 lecture
7, 000's logistic table, 002's PReLU/ELU exercise) and promises the derivative that stepping
to the end of reverse mode shows, which the test suite checks.
"""

from __future__ import annotations

import os
import sys

from playground.core import files
from playground.core.compgraph import EXAMPLES
from playground.core.lessons import with_sources
from playground.core.spec import Experiment, GraphLabSpec, OutcomeSpec

HERE = os.path.dirname(os.path.abspath(__file__))


def lesson(title: str, description: str, example: str, outcome: OutcomeSpec) -> Experiment:
    e = EXAMPLES[example]
    exp = Experiment(title=title, description=description)
    exp.graph_lab = GraphLabSpec(e.expression, dict(e.inputs), e.wrt)
    exp.outcome = outcome
    return exp


# Where each lesson comes from in the notes, and its goal in one line (the lesson browser's card).
META = {
    "graph_sum_product": ("001_073132b22604ecba.txt · Lecture 7 – Backpropagation: f = (x + y)z",
                          "Reverse mode gives every input's derivative in one sweep."),
    "graph_logistic": ("000_b1987726ade904bc.txt · Computational graph: forward and reverse mode",
                       "The logistic loss's derivative, node by node, with its sign."),
    "graph_prelu_elu": ("002_d60c65f66eef3937.txt · Backpropagation: a three-layer PReLU/ELU net",
                        "The review sheet's closed form, checked step by step."),
}


def lessons() -> dict[str, Experiment]:
    return with_sources(_lessons(), "Backpropagation", META)


def _lessons() -> dict[str, Experiment]:
    out: dict[str, Experiment] = {}
    out["graph_sum_product"] = lesson(
        "Backprop by hand: f = (x + y)·z",
        "At x = −2, y = 5, z = −4 (notes 001, lecture 7). Press Next to fill the forward "
        "table: q = x + y = 3, f = qz = −12. Then reverse mode starts from df/df = 1: the "
        "multiply gate swaps its inputs (df/dq = z = −4, df/dz = q = 3) and the add gate hands "
        "its gradient to both inputs unchanged, so ∂f/∂(x, y, z) = (−4, −4, 3). The tangent "
        "column (forward mode along x) reaches the same −4 in one sweep, but needs a sweep per "
        "input; reverse mode gets all three at once.",
        "sum_product", OutcomeSpec("graph_gradient", 0, -4.0, -4.0, "df/dx = −4"))
    out["graph_logistic"] = lesson(
        "Backprop by hand: the logistic loss with one weight",
        "L = −y log σ(WX) at X = 3, y = 1, W = 3, written node by node as in the notes' table "
        "(000): −WX = −9, e^−9, 1 + e^−9, p = 1/(1 + e^−9), log p, L. Step through the forward "
        "table, then reverse mode: dL/dW = −X(1 − σ(9)) = −3.7018e-4. The notes' table prints "
        "0.00037018372 and drops the sign; the minus matters, since gradient descent moves W "
        "the other way (W grows, making σ(WX) still closer to y = 1).",
        "logistic", OutcomeSpec("graph_gradient", 0, -3.70185e-4, -3.70182e-4,
                                "dL/dW = −3.7018e-4, negative"))
    out["graph_prelu_elu"] = lesson(
        "Backprop by hand: PReLU, ELU and a linear layer (review sheet 002)",
        "The sheet's three-layer net in scalars: q6 = W1x, q5 = PReLU(q6), q4 = W2q5, "
        "q3 = ELU(q4), q1 = W3q3 − y, L = ½q1². Both units sit on their negative side here, "
        "so the local derivatives are r = PReLU′(q6) = a and p = ELU′(q4) = αe^q4. Reverse "
        "mode reproduces the sheet's closed forms: dL/dW3 = q1q3, dL/dW2 = W3q1·p·q5, "
        "dL/dW1 = W2W3q1·p·r·x.",
        "prelu_elu", OutcomeSpec("graph_gradient", 0, -1.160235138, -1.160235136,
                                 "dL/dW1 = W2W3q1·p·r·x = −1.1602"))
    return out


def main() -> None:
    chosen = sys.argv[1:]
    for name, exp in lessons().items():
        if not chosen or name in chosen:
            files.save_experiment(os.path.join(HERE, f"{name}.json"), exp)
            print(f"wrote {name}.json")


if __name__ == "__main__":
    main()
