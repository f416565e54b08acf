"""Writes the lesson files in this folder. Run it after changing a lesson:

    python examples/build_lessons.py

Each lesson mirrors a point of the course notes (../shared/seeds) and states its outcome; the
test suite trains every file headless and checks that outcome.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from playground.core import files
from playground.core.graph import mlp
from playground.core.spec import Experiment, OutcomeSpec
from playground.core.trainer import Trainer

HERE = os.path.dirname(os.path.abspath(__file__))
XOR_POINTS = [[0.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]


def lesson(title: str, description: str, generator: str = "circle", hidden=(4, 2),
           activation: str = "tanh", outcome: OutcomeSpec | None = None, **training) -> Experiment:
    exp = Experiment(title=title, description=description)
    exp.data.generator = generator
    exp.network = mlp(list(hidden), activation)
    for key, value in training.items():
        setattr(exp.training, key, value)
    exp.outcome = outcome or OutcomeSpec()
    return exp


def overfitting(title, description, outcome, **training) -> Experiment:
    exp = lesson(title, description, "circle", (8, 8, 8), optimizer="adam", learning_rate=0.03,
                 outcome=outcome, **training)
    exp.data.noise = 0.5
    exp.data.train_fraction = 0.1
    exp.view.show_test_data = True
    return exp


def bridge_points() -> list[list[float]]:
    """Two blobs joined by a thin line of points: single link chains along it."""
    rng = np.random.default_rng(7)
    left = rng.normal([-5, 0], 0.8, (60, 2))
    right = rng.normal([5, 0], 0.8, (60, 2))
    bridge = np.stack([np.linspace(-3.5, 3.5, 12), rng.normal(0, 0.05, 12)], axis=1)
    rows = [[a, b, 0.0] for a, b in left] + [[a, b, 1.0] for a, b in right]
    rows += [[a, b, 0.0 if a < 0 else 1.0] for a, b in bridge]
    return [[round(float(v), 4) for v in r] for r in rows]


def lessons() -> dict[str, Experiment]:
    out: dict[str, Experiment] = {}

    # --- XOR (notes 001, lecture 5)
    exp = lesson("XOR by hand", "The notes' network: ReLU hidden layer W = [[1, 1], [1, 1]], "
                 "c = [0, -1], output w = [1, -2], b = 0. It outputs exactly 0, 1, 1, 0 on "
                 "(0,0), (0,1), (1,0), (1,1) without any training: every point on the right "
                 "side. The loss is not 0 because the app's targets for a linear output are "
                 "TF Playground's −1/+1, not the notes' 0/1. Hover the edges to read the weights; "
                 "press Play to see training pull the 0s down to −1.", "points", (2,), "relu",
                 OutcomeSpec("train_accuracy", 0, 1.0, 1.0, "the hand-set net is already right"))
    exp.data.points = XOR_POINTS * 2
    exp.data.train_fraction = 0.9  # one point held out: every corner is trained on
    exp.network.set_params("output", activation="linear")
    out["01_xor_by_hand"] = exp
    out["02_xor_learned"] = lesson(
        "XOR learned", "TF Playground's XOR data: no line separates the classes, but a small "
        "tanh network bends the boundary into four quadrants.", "xor", (4, 2),
        outcome=OutcomeSpec("test_accuracy", 300, 0.95, 1.0, "solved"))

    # --- circle: features versus depth
    exp = lesson("Circle by features", "With x₁² and x₂² as inputs the circle is a straight "
                 "cut: no hidden layer needed, the output neuron alone separates the classes.",
                 "circle", (), outcome=OutcomeSpec("test_accuracy", 100, 0.95, 1.0,
                                                   "a perceptron suffices"))
    exp.features = ["x1_sq", "x2_sq"]
    out["03_circle_by_features"] = exp
    out["04_circle_by_depth"] = lesson(
        "Circle by depth", "With only x₁ and x₂, TF Playground's default [4, 2] tanh network "
        "builds the circle from bent lines. Watch the neurons: it sits on a plateau for a few "
        "hundred epochs, then finds it.", outcome=OutcomeSpec("test_accuracy", 600, 0.95, 1.0,
                                                              "solved after the plateau"))
    out["05_spiral_deep"] = lesson(
        "The spiral needs depth", "Two interleaved arms: a shallow net cannot follow them; "
        "three hidden layers of 16 can.", "spiral", (16, 16, 16), optimizer="adam",
        learning_rate=0.01, outcome=OutcomeSpec("test_accuracy", 300, 0.95, 1.0, "solved"))

    # --- overfitting and three cures (notes 000, 001: regularization)
    out["06_overfitting"] = overfitting(
        "Overfitting", "Noise 50 and only 10 % of the points to train on: a big network learns "
        "the noise. Training accuracy climbs, test accuracy does not (show the test data).",
        OutcomeSpec("accuracy_gap", 300, 0.15, 1.0, "train beats test by a wide margin"))
    out["07_overfitting_l2"] = overfitting(
        "Overfitting cured by L2", "The same data and network with an L2 penalty λ·½‖W‖² on the "
        "weights (never the biases): smoother boundary, a much smaller gap.",
        OutcomeSpec("accuracy_gap", 300, -1.0, 0.12, "the gap shrinks"), regularization="l2",
        regularization_rate=0.03)
    exp = overfitting("Overfitting cured by dropout", "Dropout blocks keep each hidden unit "
                      "with probability 0.5 in training (inverted dropout: ×1/p), so no unit "
                      "can rely on another.", OutcomeSpec("accuracy_gap", 300, -1.0, 0.12,
                                                          "the gap shrinks"))
    g = exp.network
    for i, (src, dst) in enumerate((("dense1", "dense2"), ("dense2", "dense3"),
                                    ("dense3", "output")), start=1):
        drop = g.add_node("dropout", {"keep_prob": 0.5}, node_id=f"dropout{i}")
        g.disconnect(src, dst)
        g.connect(src, drop)
        g.connect(drop, dst)
    out["08_overfitting_dropout"] = exp
    out["09_overfitting_early_stopping"] = overfitting(
        "Overfitting cured by early stopping", "Stop when the test loss has not improved for "
        "20 epochs (the patience) and keep the best weights seen.",
        OutcomeSpec("stopped_early", 500, 1.0, 1.0, "training stops by itself"),
        early_stopping=True, patience=20)

    # --- learning rate and optimizers (notes 001, lecture on optimization; 002)
    exp = lesson("A learning rate too high", "Learning rate 10 on the plane: each step "
                 "overshoots further until the numbers overflow. The app stops and keeps the last "
                 "finite weights: try 0.01.", "plane", (8, 8), "relu",
                 OutcomeSpec("diverged", 100, 1.0, 1.0, "it diverges"), learning_rate=10.0)
    exp.network.set_params("output", activation="linear")
    out["10_learning_rate_too_high"] = exp
    for name, title, text, opt, lr, promise in (
        ("11_sgd", "Plain SGD", "θ ← θ − εg on the spiral: slow progress in 150 epochs.",
         "sgd", 0.03, OutcomeSpec("train_loss", 150, 0.3, 10.0, "still far from a fit")),
        ("12_momentum", "Momentum", "v ← αv − εg; θ ← θ + v with α = 0.9: the same "
         "problem, much further in the same 150 epochs.", "momentum", 0.03,
         OutcomeSpec("train_loss", 150, 0.0, 0.3, "below plain SGD")),
        ("13_adam", "Adam", "Moments of the gradient and of its square, bias-corrected: "
         "the same problem, solved in 150 epochs.", "adam", 0.01,
         OutcomeSpec("train_loss", 150, 0.0, 0.05, "solved")),
    ):
        out[name] = lesson(title, text + " Compare the three lessons' loss curves.", "spiral",
                           (8, 8, 8), optimizer=opt, learning_rate=lr, outcome=promise)

    # --- vanishing gradients (notes 001, 003)
    out["14_deep_sigmoid_vanishes"] = lesson(
        "Deep sigmoid: vanishing gradients", "Six sigmoid layers: σ′ ≤ 0.25, so the gradient "
        "shrinks at every layer on its way back and the first layers barely move.", "circle",
        (8,) * 6, "sigmoid", OutcomeSpec("test_accuracy", 200, 0.0, 0.7, "it does not learn"))
    exp = lesson("Deep ReLU learns", "The same six layers with ReLU (He init): the gradient "
                 "passes through active units unchanged.", "circle", (8,) * 6, "relu",
                 OutcomeSpec("test_accuracy", 200, 0.9, 1.0, "it learns"), optimizer="adam",
                 learning_rate=0.01)
    exp.network = mlp([8] * 6, "relu", init="he_normal")
    exp.outcome = OutcomeSpec("test_accuracy", 200, 0.9, 1.0, "it learns")
    out["15_deep_relu_learns"] = exp

    # --- losses (notes 003, 004)
    exp = lesson("Softmax and cross-entropy on 4 blobs", "Four classes: the output has one unit "
                 "per class, softmax turns them into probabilities and cross-entropy −log p(y) "
                 "scores them. Class colours blend by probability.", "blobs", (8,), "relu",
                 OutcomeSpec("test_accuracy", 100, 0.95, 1.0, "every class found"),
                 optimizer="adam", learning_rate=0.01)
    exp.data.n_classes = 4
    exp.network.set_params("output", activation="softmax", loss="softmax_ce")
    out["16_softmax_four_blobs"] = exp
    exp = lesson("The hinge loss", "max(0, 1 − t·s) with labels ±1: points beyond the margin "
                 "cost nothing, as in a support vector machine.", "gauss", (4,),
                 outcome=OutcomeSpec("test_accuracy", 50, 0.95, 1.0, "separated"))
    exp.network.set_params("output", activation="linear", loss="hinge")
    out["17_hinge_loss"] = exp
    exp = lesson("Digits with a small MLP", "8×8 images of handwritten digits, 64 inputs and "
                 "10 classes: one hidden layer of 32 ReLU units reads them.", "digits", (32,),
                 "relu", OutcomeSpec("test_accuracy", 30, 0.9, 1.0, "most digits read right"),
                 optimizer="adam", learning_rate=0.005, batch_size=32)
    exp.network = mlp([32], "relu", output_activation="softmax", loss="softmax_ce",
                      init="he_normal")
    out["18_digits_mlp"] = exp

    # --- clustering (notes 000)
    def clustering(title, text, generator, outcome, **settings) -> Experiment:
        exp = lesson(title, text, generator, outcome=outcome)
        for key, value in settings.items():
            setattr(exp.clustering, key, value)
        return exp

    out["19_kmeans_smiley"] = clustering(
        "k-means on the smiley", "K = 4 and k-means++: the four centres settle in the four "
        "quarters of the face, so each cluster is a quarter of the ring with an eye or half of "
        "the mouth. k-means finds round blobs of similar size, not shapes.",
        "smiley", OutcomeSpec("agreement", 0, -1.0, 0.6, "the face is not recovered"),
        algorithm="kmeans", k=4, init="kmeans++")
    out["20_kmeans_rings"] = clustering(
        "k-means fails on rings", "Two concentric rings, K = 2: every straight Voronoi cut "
        "halves both rings.", "circles", OutcomeSpec("agreement", 0, -1.0, 0.1,
                                                      "the rings are not separated"),
        algorithm="kmeans", k=2, init="kmeans++")
    out["21_dbscan_pimpled_smiley"] = clustering(
        "DBSCAN on the pimpled smiley", "eps 1.2, minPoints 4: the ring, the eyes and the mouth "
        "come out as clusters and the scattered pimples as noise. Drag eps down to 1.0 and "
        "the ring, sparser than the eyes, breaks into arcs.", "pimpled_smiley",
        OutcomeSpec("agreement", 0, 0.85, 1.0, "the face parts are found"), algorithm="dbscan",
        eps=1.2, min_points=4)
    for name, linkage, promise, text in (
        ("22_single_link_chaining", "single", OutcomeSpec("agreement", 0, -1.0, 0.2,
         "chaining: one cluster swallows both blobs"),
         "Single link merges the clusters whose closest points are nearest: the thin bridge "
         "chains the two blobs together, and a stray point ends up as the second cluster."),
        ("23_complete_link", "complete", OutcomeSpec("agreement", 0, 0.8, 1.0,
         "the two blobs"), "Complete link merges by the farthest points: the bridge does "
         "not chain, the two blobs come out. (It pays for this with outlier sensitivity: "
         "see the notes' 1-D example.)"),
    ):
        exp = clustering(f"{linkage.capitalize()} link on a bridge", text, "points", promise,
                         algorithm="hierarchical", linkage=linkage, k=2)
        exp.data.points = bridge_points()
        out[name] = exp
    out["24_meanshift_blobs"] = clustering(
        "Mean shift finds the modes", "A window around every point climbs to the densest spot "
        "nearby; windows that meet merge. No K to choose: the bandwidth decides.",
        "gaussian_mixture", OutcomeSpec("clusters", 0, 3, 3, "three modes"),
        algorithm="meanshift", bandwidth=2.5)
    return out


def write(name: str, exp: Experiment) -> None:
    path = os.path.join(HERE, f"{name}.json")
    trainer = None
    if name == "01_xor_by_hand":  # the weights are the lesson: store them
        trainer = Trainer(exp)
        for (row, col), value in {(0, 0): 1, (0, 1): 1, (1, 0): 1, (1, 1): 1}.items():
            trainer.set_weight("dense1", row, col, float(value))
        trainer.set_weight("dense1", 0, None, 0.0)
        trainer.set_weight("dense1", 1, None, -1.0)
        trainer.set_weight("output", 0, 0, 1.0)
        trainer.set_weight("output", 0, 1, -2.0)
        trainer.set_weight("output", 0, None, 0.0)
    files.save_experiment(path, exp, trainer)


def main() -> None:
    chosen = sys.argv[1:]
    for name, exp in lessons().items():
        if not chosen or name in chosen:
            write(name, exp)
            print(f"wrote {name}.json")


if __name__ == "__main__":
    main()
