"""Writes the backward-pass lessons (grad_*.json) in this folder. Run it after changing one:

    python examples/build_gradient_lessons.py

Each opens with the network view's gradient flow on and the panel it needs (the gradient heat
strip or the per-layer histograms), and promises what that panel shows, checked headless on
five seeds: the first layer's gradient against the last one's (core/gradients.py's
`first_layer_gradient`, in decades), the share of dead ReLU units, the share of saturated tanh
outputs at epoch 0. `python examples/build_lessons.py none` then lists them in README.md.
"""

from __future__ import annotations

import os
import sys

from build_lessons import lesson, promise, step, with_blocks

from playground.core import files
from playground.core.graph import mlp, residual_mlp
from playground.core.spec import Experiment

HERE = os.path.dirname(os.path.abspath(__file__))


def watching(exp: Experiment, panel: str) -> Experiment:
    """Gradient flow on in the network view, and the panel beside the output."""
    exp.view.gradient_flow = panel == "gradients"
    exp.view.panel = panel
    return exp


def vanishing(out: dict[str, Experiment]) -> None:
    exp = lesson(
        "Vanishing gradients: six sigmoid layers",
        "Gradient flow is on: each edge is drawn by its gradient ∂L/∂w and each unit shaded "
        "by |∂L/∂a|, on a log scale. The Gradients panel's heat strip shows every layer's mean "
        "|∂L/∂W| by epoch. On its way back the gradient is multiplied at each sigmoid by "
        "σ′(z) ≤ 0.25, so the first layer gets about 10⁻⁴ of what the output layer gets and "
        "barely moves. The ReLU twin (He init) passes it through active units unchanged.",
        "circle", (8,) * 6, "sigmoid",
        promise("first_layer_gradient", 20, "the first layer's gradient is 100× (2 decades) or "
                "more below the last layer's", "below",
                {"network.hidden.activation": "relu", "network.hidden.init": "he_normal"},
                "the ReLU twin (He init)", 1.5, at_most=-2.0),
        learning_rate=0.1, topic="Backpropagation", notes="003",
        section="Activation functions: the vanishing gradient problem",
        goal="Stacked sigmoids starve the first layers of gradient: see it layer by layer.")
    exp.lesson.steps = [
        step("Six sigmoid layers of 8 units on the circle. The heat strip on the right will "
             "show each layer's mean |∂L/∂W| per epoch, first layer on top.",
             "Which layer will get the smallest gradient?",
             ["dense1, next to the input", "The output layer", "All about the same"], [0],
             ("train", 10),
             "The strip pales towards the top and dense1's edges are hairlines: the backward "
             "pass multiplies by σ′(z) ≤ 0.25 at every layer, six times, so dense1 gets about "
             "10⁻⁴ of the output layer's gradient (the panel prints the ratio)."),
        step("Swap the sigmoids for ReLU units.", action=("set", "network.hidden.activation",
                                                          "relu"),
             reveal="A fresh network: ReLU's slope is 1 wherever a unit is active."),
        step("Give ReLU the initialization it needs: He's N(0, 2/N).",
             action=("set", "network.hidden.init", "he_normal")),
        step("Train it.", "How will the strip look now?",
             ["Even from top to bottom", "Paler at the top again", "Paler at the bottom"], [0],
             ("train", 10),
             "Every layer gets a gradient of about the same size: active ReLU units pass it "
             "through unchanged. Batch norm and skip connections are the other cures: see "
             "grad_vanishing_batch_norm and grad_vanishing_residual."),
    ]
    out["grad_vanishing_sigmoid"] = watching(exp, "gradients")

    exp = lesson(
        "Vanishing gradients: batch norm lets sigmoids through",
        "The same six sigmoid layers with batch norm after each: every layer's inputs are "
        "brought back to mean 0 and variance 1, the sigmoids work near their steepest point, "
        "and the heat strip stays even: the first layer's gradient is within a factor of ten "
        "or so of the last one's, against about 10⁻⁴ without batch norm (the twin).",
        "circle", (8,) * 6, "sigmoid",
        promise("first_layer_gradient", 20, "normalized layers pass the gradient back", "above",
                {f"network.batchnorm{i}": "removed" for i in range(1, 7)}, "no batch norm",
                2.0, at_least=-1.5),
        learning_rate=0.1, topic="Backpropagation", notes="002", section="Batch normalization",
        goal="Batch norm keeps sigmoids in their steep range: the gradient reaches the input.")
    with_blocks(exp, "batchnorm", {}, tuple(f"dense{i}" for i in range(1, 7)))
    out["grad_vanishing_batch_norm"] = watching(exp, "gradients")

    exp = lesson(
        "Vanishing gradients: skip connections",
        "Seven sigmoid layers again, but three pairs of them are bridged by skip connections "
        "(Add blocks): the backward pass reaches dense1 along the skips without passing "
        "through the sigmoids' σ′ ≤ 0.25, so dense1's gradient is about a tenth of the last "
        "layer's, not the 10⁻⁴ of the plain six-layer stack (grad_vanishing_sigmoid).",
        "circle", (), "sigmoid",
        promise("first_layer_gradient", 20, "the skips carry the gradient past the sigmoids",
                at_least=-1.5),
        learning_rate=0.1, topic="Backpropagation", notes="001",
        section="Lecture 10 – Vanishing and exploding gradients; skip connections",
        goal="Skip connections give the gradient a short way back.")
    exp.network = residual_mlp(8, 3, "sigmoid", init="tf_uniform")
    out["grad_vanishing_residual"] = watching(exp, "gradients")


def dying_relu(out: dict[str, Experiment]) -> None:
    exp = lesson(
        "The dying ReLU",
        "Three ReLU layers trained with a learning rate of 3: a few big steps push some "
        "units' inputs below 0 for every point. Such a unit outputs 0 everywhere and passes no "
        "gradient to its weights (ReLU′ = 0 there, so ∂L/∂w = ∂L/∂a · 0 · x), so it never "
        "comes back: the edges into it are hairlines, and the Gradients panel counts it in "
        "the dead share. Kill enough and the whole net stops learning. With ε = 0.03 (the "
        "twin) almost none die.",
        "circle", (12, 12, 12), "relu",
        # (12 units a layer, ε = 3: on seeds 0-9 and both paths at least a quarter of some
        # layer dies, the twin's share stays 15 points lower; with 8 units and ε = 2 two
        # seeds lost only two units and the twin one)
        promise("dead_share", 30, "a high learning rate kills units for good", "above",
                {"training.learning_rate": 0.03}, "ε = 0.03", 0.15, at_least=0.25),
        learning_rate=3.0, topic="Backpropagation", notes="003",
        section="Rectified linear unit (ReLU): issue: dying ReLU",
        goal="A large step can kill ReLU units; the dead share shows how many.")
    exp.network = mlp([12, 12, 12], "relu", init="he_normal")
    exp.lesson.steps = [
        step("Three ReLU layers of 12, He init, trained with ε = 3.",
             "What will such large steps do to the units?",
             ["Kill some: they stop for good", "Nothing special, just learn faster",
              "Make every unit saturate at 1"], [0], ("train", 30),
             "The lower strip counts the dead units (never active on any training point): "
             "a quarter or more of a layer, often far more, sometimes the whole net. The edges "
             "into a dead unit are hairlines: ∂L/∂w = ∂L/∂a · ReLU′(z) · x and ReLU′(z) = 0 on every "
             "point."),
        step("Lower the learning rate to 0.03 and train on.",
             "Will the dead units come back?", ["Yes, slowly", "No, never"], [1],
             ("set", "training.learning_rate", 0.03),
             "They cannot: a dead unit's ∂L/∂w is 0 for every example, whatever ε is. Train a "
             "few more epochs to see the share stay put; only a fresh start (Reset) revives "
             "them. Leaky ReLU keeps a slope below 0 (lesson 37)."),
        step("Train 20 more epochs at ε = 0.03.", action=("train", 20)),
    ]
    out["grad_dying_relu"] = watching(exp, "gradients")


def initialization(out: dict[str, Experiment]) -> None:
    exp = lesson(
        "Initialization at a glance: zeros, too large, Glorot, He",
        # What the student is asked to predict stays out of this text (it is on screen from
        # the start): the steps' reveals explain each picture once it is seen.
        "Four tanh layers of 16 units, before any training. The Histograms panel shows each "
        "layer's outputs over the training data (blue) and its weights (orange). The steps "
        "try four initializations, N(0, 1), all zeros, Glorot's U(±√(6/(N + M))) and, for "
        "ReLU units, He's N(0, 2/N): predict what each does to the layers, then see it.",
        "circle", (16,) * 4, "tanh",
        promise("saturated_share", 0, "weights too large saturate tanh before any training",
                "above", {"network.hidden.init": "glorot_uniform"}, "Glorot init", 0.3,
                at_least=0.4),
        topic="Initialization", notes="001",
        section="Lecture 11 – Optimization: parameter initialization",
        goal="What an initialization does to every layer, visible at epoch 0.")
    exp.network = mlp([16] * 4, "tanh", init="normal")
    exp.lesson.steps = [
        # The lesson opens on the trace, so the histograms (the answer) show only once the
        # student has predicted.
        step("Four tanh layers of 16, weights drawn from N(0, 1), no training yet.",
             "What will the layers' outputs look like?",
             ["Piled up at −1 and +1", "Spread evenly around 0", "All exactly 0"], [0],
             ("set", "view.panel", "histograms"),
             "Each unit adds 16 inputs with weights of size 1: z spreads over about ±4 and "
             "tanh saturates, piling up at ±1 where its slope (and so the gradient) is 0. The "
             "panel's caption gives the spread across units; the Gradients panel shows the "
             "saturated share."),
        step("Set every weight to zero.", "What will the histograms show now?",
             ["One spike: every unit the same", "The same piles at ±1", "A bell curve"], [0],
             ("set", "network.hidden.init", "zeros"),
             "A single bar at 0 in every layer, and the units differ by exactly 0: with equal "
             "weights every unit computes the same thing and gets the same gradient, so they "
             "stay copies (the symmetry random initialization breaks)."),
        step("Now Glorot's U(±√(6/(N + M))).", action=("set", "network.hidden.init",
                                                       "glorot_uniform"),
             reveal="Outputs spread inside (−1, 1) in every layer, none saturated: the variance "
                    "stays about the same from layer to layer."),
        step("ReLU units with He's N(0, 2/N): first switch to ReLU.",
             action=("set", "network.hidden.activation", "relu")),
        step("Then He init.", action=("set", "network.hidden.init", "he_normal"),
             reveal="ReLU zeroes half its inputs, so it needs twice Glorot's variance: the "
                    "outputs keep their size through all four layers."),
    ]
    out["grad_init"] = watching(exp, "loss")


def lessons() -> dict[str, Experiment]:
    out: dict[str, Experiment] = {}
    for part in (vanishing, dying_relu, initialization):
        part(out)
    return out


def main() -> None:
    chosen = sys.argv[1:]
    for name, exp in lessons().items():
        if not chosen or name in chosen:
            files.save_experiment(os.path.join(HERE, f"{name}.json"), exp)
            print(f"wrote {name}.json")


if __name__ == "__main__":
    main()
