"""Writes the lesson files in this folder. Run it after changing a lesson:

    python examples/build_lessons.py

Each lesson mirrors a point of the course notes (../shared/seeds) and states its outcome; the
test suite trains every file headless and checks that outcome.
"""

from __future__ import annotations

import glob
import os
import sys

import numpy as np

from playground.core import files
from playground.core.graph import mlp
from playground.core.spec import (
    LESSON_TOPICS,
    ActionSpec,
    CheckSpec,
    Experiment,
    LessonSpec,
    OutcomeSpec,
    StepSpec,
)
from playground.core.trainer import Trainer

HERE = os.path.dirname(os.path.abspath(__file__))
XOR_POINTS = [[0.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]


NOTES = {"000": "000_b1987726ade904bc.txt", "001": "001_073132b22604ecba.txt",
         "002": "002_d60c65f66eef3937.txt", "003": "003_a13259ec3cd317e4.txt",
         "004": "004_561cca0368ebcbec.txt"}


def source(notes: str, section: str) -> str:
    return f"{NOTES[notes]} · {section}"


def lesson(title: str, description: str, generator: str = "circle", hidden=(4, 2),
           activation: str = "tanh", outcome: OutcomeSpec | None = None, *, topic: str = "",
           notes: str = "", section: str = "", goal: str = "", **training) -> Experiment:
    exp = Experiment(title=title, description=description)
    exp.data.generator = generator
    exp.network = mlp(list(hidden), activation)
    for key, value in training.items():
        setattr(exp.training, key, value)
    exp.outcome = outcome or OutcomeSpec()
    exp.lesson = LessonSpec(topic=topic, source=source(notes, section) if notes else "",
                            goal=goal)
    return exp


def promise(metric: str, epochs: int, text: str, relation: str = "", twin=None,
            twin_title: str = "", margin: float = 0.0, at_least: float = -1e9,
            at_most: float = 1e9, also=()) -> OutcomeSpec:
    """The lesson's promise: a range for `metric` and, mostly, a comparison with a twin."""
    return OutcomeSpec(metric, epochs, at_least, at_most, text, dict(twin or {}), twin_title,
                       relation, margin, [CheckSpec(*c) for c in also])


def step(text: str, question: str = "", choices=(), answers=(), action: tuple = ("none",),
         reveal: str = "") -> StepSpec:
    """A guided step; `action` is ("set", field, value), ("train", epochs),
    ("step_clustering", n) or ("run_clustering",)."""
    kind, *args = action
    spec = ActionSpec(kind)
    if kind == "set":
        spec.field, spec.value = args
    elif args:
        spec.count = args[0]
    return StepSpec(text, question, list(choices), list(answers), spec, reveal)


def overfitting(title, description, outcome, **kw) -> Experiment:
    """The regularization lessons' setting: 1,000 circle points at TF Playground's highest
    noise (50: a quarter of the labels land on the wrong side), 10 % of them to train on, all
    100 in every step, and a [16, 16] net with Adam at 0.03 for 600 epochs. The net learns
    every training point, flipped labels included (train accuracy ≈ 1, test ≈ 0.68, test
    loss ≈ 0.6), so each cure shows on every seed, not only on lucky draws of the data. A
    cured net scores about 0.8 on its training points; one colour everywhere scores the
    larger class's share, about 0.65 (a check of "train accuracy ≥ 0.7" tells them apart)."""
    training = {"optimizer": "adam", "learning_rate": 0.03, "batch_size": 100} | \
        kw.pop("training", {})
    exp = lesson(title, description, "circle", (16, 16), outcome=outcome,
                 topic="Regularization", **training, **kw)
    exp.data.noise = 0.5
    exp.data.n_points = 1000
    exp.data.train_fraction = 0.1
    exp.view.show_test_data = True
    return exp


OVERFIT_EPOCHS = 600
SETTING = ("1,000 noisy circle points (noise 50), 10 % of them to train on, all 100 in "
           "every step")


def with_blocks(exp: Experiment, kind: str, params: dict, after=("dense1", "dense2")) -> None:
    """Put a block (dropout, batch norm) after each named Dense block."""
    g = exp.network
    for i, src in enumerate(after, start=1):
        dst = g.outputs_of(src)[0]
        block = g.add_node(kind, dict(params), node_id=f"{kind}{i}")
        g.disconnect(src, dst)
        g.connect(src, block)
        g.connect(block, dst)


def bridge_points() -> list[list[float]]:
    """Two blobs joined by a thin line of points: single link chains along it."""
    rng = np.random.default_rng(7)
    left = rng.normal([-5, 0], 0.8, (60, 2))
    right = rng.normal([5, 0], 0.8, (60, 2))
    bridge = np.stack([np.linspace(-3.5, 3.5, 12), rng.normal(0, 0.05, 12)], axis=1)
    rows = [[a, b, 0.0] for a, b in left] + [[a, b, 1.0] for a, b in right]
    rows += [[a, b, 0.0 if a < 0 else 1.0] for a, b in bridge]
    return [[round(float(v), 4) for v in r] for r in rows]


def basics(out: dict[str, Experiment]) -> None:
    exp = lesson("XOR by hand", "The notes' network: ReLU hidden layer W = [[1, 1], [1, 1]], "
                 "c = [0, -1], output w = [1, -2], b = 0. It outputs exactly 0, 1, 1, 0 on "
                 "(0,0), (0,1), (1,0), (1,1) without any training: every point on the right "
                 "side. The loss is not 0 because the app's targets for a linear output are "
                 "TF Playground's −1/+1, not the notes' 0/1. Hover the edges to read the weights; "
                 "press Play to see training pull the 0s down to −1.", "points", (2,), "relu",
                 promise("train_accuracy", 0, "the hand-set net is already right", at_least=1.0),
                 topic="Basics", notes="001", section="Lecture 5 – Feedforward Networks: XOR",
                 goal="Four hand-set weights solve XOR before any training.")
    exp.data.points = XOR_POINTS * 2
    exp.data.train_fraction = 0.9  # one point held out: every corner is trained on
    exp.data.domain_half_width = 2.0  # zoomed to the four corners, not TF's [-6, 6]
    exp.network.set_params("output", activation="linear")
    out["01_xor_by_hand"] = exp
    out["02_xor_learned"] = lesson(
        "XOR learned", "TF Playground's XOR data: no line separates the classes, but one "
        "hidden layer of 8 tanh units bends the boundary into four quadrants. The twin "
        "without the hidden layer can only draw one straight line and stays near a coin "
        "toss. (With fewer units, e.g. [4, 2], a start now and then ends in a local minimum "
        "with one quadrant wrong: see the lesson on local minima.)", "xor", (8,),
        outcome=promise("test_accuracy", 200, "solved; one straight line is not enough", "above",
                {"network.dense1": "removed"}, "the same net without the hidden layer", 0.2,
                at_least=0.9),
        topic="Basics", notes="001", section="Lecture 5 – Feedforward Networks: XOR",
        goal="A hidden layer bends the boundary around the four quadrants.")
    exp = lesson("Circle by features", "With x₁² and x₂² as inputs the circle is a straight "
                 "cut: no hidden layer needed, the output neuron alone separates the classes. "
                 "The twin with plain x₁, x₂ cannot.", "circle", (),
                 outcome=promise("test_accuracy", 100, "a perceptron suffices with the right features",
                         "above", {"features": ["x1", "x2"]}, "x₁, x₂ only", 0.3,
                         at_least=0.95),
                 topic="Features and depth", notes="004",
                 section="Link to the TensorFlow Playground: feature crosses",
                 goal="The right input features make a hard problem linear.")
    exp.features = ["x1_sq", "x2_sq"]
    exp.lesson.steps = [
        step("The circle data: blue inside, orange outside. The network has no hidden layer: "
             "the output neuron alone draws the boundary from the inputs it is given.",
             "With only x₁ and x₂ as inputs, what can one neuron draw?",
             ["A circle around the blue points", "One straight line", "Nothing at all"], [1],
             ("set", "features", ["x1", "x2"]),
             "With x₁, x₂ the output is tanh(w₁x₁ + w₂x₂ + b): its boundary is a straight "
             "line, so it cannot close around the blue points."),
        step("Train it and watch the boundary.", action=("train", 50),
             reveal="The line settles somewhere through the data; the test accuracy stays "
             "near the share of the larger class."),
        step("Now give the neuron x₁² and x₂² instead.",
             "What shape will the boundary take?",
             ["A straight line again", "A circle", "A spiral"], [1],
             ("set", "features", ["x1_sq", "x2_sq"]),
             "w₁x₁² + w₂x₂² + b = 0 is a circle (an ellipse) in the plane: the same single "
             "neuron, a closed boundary."),
        step("Train it.", action=("train", 100),
             reveal="The test accuracy climbs above 95 %: the right features made the "
             "problem linear."),
    ]
    out["03_circle_by_features"] = exp
    out["04_circle_by_depth"] = lesson(
        "Circle by depth", "With only x₁ and x₂, TF Playground's default [4, 2] tanh network "
        "builds the circle from bent lines; watch the neurons. Without hidden layers it is a "
        "single straight cut.", outcome=promise(
            "test_accuracy", 400, "hidden layers build the circle", "above",
            {"network.dense1": "removed", "network.dense2": "removed"}, "no hidden layers", 0.25,
            at_least=0.9),
        topic="Features and depth", notes="001", section="Lecture 5 – Feedforward Networks",
        goal="Hidden units combine lines into a closed boundary.")
    out["05_spiral_deep"] = lesson(
        "The spiral needs depth", "Two interleaved arms: one hidden layer of 16 cannot follow "
        "them in 200 epochs (test accuracy about 70 %); three hidden layers of 16 can (about "
        "98 %). Both train with Adam in batches of 50.", "spiral", (16, 16, 16),
        outcome=promise("test_accuracy", 200, "deeper follows the arms", "above",
                        {"network.dense2": "removed", "network.dense3": "removed"},
                        "one hidden layer of 16", 0.15, at_least=0.85),
        optimizer="adam", learning_rate=0.01, batch_size=50, topic="Features and depth",
        notes="001",
        section="Lecture 5 – Feedforward Networks: depth",
        goal="Depth lets a small network follow two interleaved arms.")


def regularization(out: dict[str, Experiment]) -> None:
    out["06_overfitting"] = overfitting(
        "Overfitting", f"{SETTING}: a [16, 16] network learns the noise. Training accuracy "
        "climbs to about 100 %, test accuracy stays near 70 %: the boundary throws out arms "
        "and streaks to reach single flipped points (show the test data to see them land "
        "among the other class). Its twin has ten times the points (still 10 % to train "
        "on): the same network tries as hard but cannot learn 1,000 noisy points by heart, "
        "and the gap between training and test accuracy shrinks to a third or a half.",
        promise("accuracy_gap", OVERFIT_EPOCHS, "train beats test by a wide margin", "above",
                {"data.n_points": 10000}, "the twin with ten times the points", 0.07,
                at_least=0.2),
        notes="000", section="Regularization: overfitting",
        goal="Few noisy points and a big network: train and test accuracy part.")
    out["07_overfitting_l2"] = overfitting(
        "Overfitting cured by L2", "The same data and network with an L2 penalty λ·½‖W‖² on the "
        "weights (never the biases), λ = 0.03: the weights stay small, the boundary stays a "
        "smooth closed curve, and the test loss (the error on unseen points) ends far below "
        "the unregularized twin's, whose test loss climbs while it memorizes the noise.",
        promise("test_loss", OVERFIT_EPOCHS, "smaller weights, a smoother boundary, a lower "
                "error on unseen points", "below", {"training.regularization_rate": 0.0},
                "no penalty", 0.1, also=[("train_accuracy", 0.7, 1.0),
                                         ("weight_norm", 1.0, 4.0)]),
        training={"regularization": "l2", "regularization_rate": 0.03},
        notes="000", section="Regularization: weight decay (L2)",
        goal="An L2 penalty keeps the weights small and the boundary smooth.")
    exp = overfitting("Overfitting cured by dropout", "Dropout keeps each hidden unit with "
                      "probability 0.5 in training, as the notes do for hidden units "
                      "(inverted dropout: ×1/p), so no unit can rely on another. Training "
                      "accuracy no longer reaches 100 % and the gap between training and "
                      "test accuracy shrinks well below the overfit twin's (keep = 1).",
                      promise("accuracy_gap", OVERFIT_EPOCHS, "less overfitting", "below",
                              {"network.dropout1.keep_prob": 1.0,
                               "network.dropout2.keep_prob": 1.0}, "no dropout", 0.05,
                              also=[("train_accuracy", 0.7, 1.0)]),
                      notes="000", section="Regularization: dropout",
                      goal="Dropped units cannot conspire: less overfitting.")
    with_blocks(exp, "dropout", {"keep_prob": 0.5})
    out["08_overfitting_dropout"] = exp
    exp = overfitting(
        "Overfitting cured by early stopping", "Stop when the validation loss has not "
        "improved for 30 epochs (the patience) and keep the best weights seen. The "
        "validation split (30 % of the points, green rims) chooses when to stop; the test "
        "split stays untouched. The validation loss bottoms out after 10 to 30 epochs, so "
        "training stops by itself 30 epochs later, around epoch 50, and on the test split "
        "the kept model has a far lower loss than the twin trained on to epoch 600.",
        promise("test_loss", OVERFIT_EPOCHS, "stops by itself, keeps a better model", "below",
                {"training.early_stopping": False}, f"training on to epoch {OVERFIT_EPOCHS}",
                0.1, also=[("stopped_early", 1.0, 1.0), ("train_accuracy", 0.7, 1.0)]),
        training={"early_stopping": True, "patience": 30},
        notes="000", section="Regularization: early stopping and patience",
        goal="Stop when the validation loss turns; keep the best weights.")
    exp.data.validation_fraction = 0.3  # the notes' hold-out set: test is never chosen with
    out["09_overfitting_early_stopping"] = exp


def learning_rates_and_optimizers(out: dict[str, Experiment]) -> None:
    exp = lesson("A learning rate too high", "A linear model on the plane, full batch, "
                 "learning rate 0.25: each step overshoots the valley, so the output flips "
                 "colour every epoch and swings wider until the numbers overflow (the app "
                 "stops and keeps the last finite weights). Its twin at 0.1 settles.", "plane",
                 (), outcome=promise("diverged_epoch", 300, "oscillates, then diverges", "below",
                                     {"training.learning_rate": 0.1}, "learning rate 0.1",
                                     at_least=20.0, at_most=200.0,
                                     also=[("loss_rises", 15.0, 1e9)]),
                 learning_rate=0.25, batch_size=4096, topic="Optimization", notes="001",
                 section="Lecture 11 – Optimization: the learning rate",
                 goal="Too large a step overshoots, oscillates and blows up.")
    exp.network.set_params("output", activation="linear")
    exp.lesson.steps = [
        step("A linear model on the plane data, trained on all points at once (one step per "
             "epoch) with learning rate 0.25.",
             "What will the loss do over the next 20 epochs?",
             ["Fall smoothly", "Rise, while the output flips colour every epoch",
              "Stay where it is"], [1], ("train", 20),
             "Each step jumps past the bottom of the valley to the other side, a little "
             "higher each time: the weights change sign every epoch, so does the colour."),
        step("Keep going.", action=("train", 200),
             reveal="The swings grow until the numbers overflow: the app stops, says it "
                    "diverged and keeps the last finite weights."),
        step("Lower the learning rate to 0.1.", "With 0.1, what happens?",
             ["It diverges later", "It settles"], [1],
             ("set", "training.learning_rate", 0.1),
             "Below 2/λ (λ the curvature of the loss) every step lands closer to the bottom."),
        step("Train with 0.1.", action=("train", 50),
             reveal="The loss falls and stays down: the step is now smaller than the valley."),
    ]
    out["10_learning_rate_too_high"] = exp
    # The six optimizer lessons share one problem: the spiral, a [16, 16] tanh net, batches
    # of 10, 200 epochs, against plain SGD at 0.01. SGD crawls (loss ≈ 0.4, near where it
    # started); every other rule ends below 0.12 on every seed, so the comparison is a
    # factor of three or more, not a hair.
    for name, title, text, opt, lr, relation, twin, twin_title in (
        ("11_sgd", "Plain SGD", "θ ← θ − εg with ε = 0.01 on the spiral: slow progress in 200 "
         "epochs, far above the momentum twin's loss.", "sgd", 0.01, "above",
         {"training.optimizer": "momentum"}, "momentum 0.9"),
        ("12_momentum", "Momentum", "v ← αv − εg; θ ← θ + v with α = 0.9 and ε = 0.01: the "
         "same problem, a far lower loss than plain SGD after the same 200 epochs.",
         "momentum", 0.01, "below", {"training.optimizer": "sgd"}, "plain SGD"),
        ("13_adam", "Adam", "Moments of the gradient and of its square, bias-corrected, "
         "ε = 0.01: the same problem, a far lower loss than plain SGD at the same ε after 200 "
         "epochs.", "adam", 0.01, "below", {"training.optimizer": "sgd"}, "plain SGD"),
    ):
        out[name] = lesson(title, text + " Compare the three lessons' loss curves.", "spiral",
                           (16, 16), outcome=promise("train_loss", 200, f"{relation} "
                                                     f"{twin_title}", relation, twin,
                                                     twin_title, 0.1),
                           optimizer=opt, learning_rate=lr, topic="Optimization", notes="002",
                           section="Optimizers: SGD, momentum, Adam update rules",
                           goal=f"{title} against {twin_title} on the same spiral.")
    out["12_momentum"].lesson.steps = [
        step("The spiral and a [16, 16] tanh network, learning rate 0.01. First plain SGD, "
             "for comparison.",
             action=("set", "training.optimizer", "sgd"),
             reveal="θ ← θ − εg: each step follows the gradient and forgets it."),
        step("Train with plain SGD; note the loss.", action=("train", 200),
             reveal="Slow progress: where the gradient is small, so are the steps."),
        step("Back to the start, now with momentum α = 0.9.",
             action=("set", "training.optimizer", "momentum"),
             reveal="v ← αv − εg; θ ← θ + v: steps in a steady direction add up, about "
                    "1/(1 − α) = 10 times longer."),
        step("Train with momentum for the same 200 epochs.",
             "Whose loss will be lower after 200 epochs?",
             ["Plain SGD's", "Momentum's", "About the same"], [1], ("train", 200),
             "A far lower loss in the same 200 epochs: the velocity carried the weights "
             "across the flat stretches."),
    ]
    for name, title, opt, lr, section, text in (
        ("31_nesterov", "Nesterov momentum", "nesterov", 0.01, "Lecture 11 – Optimization: "
         "Nesterov momentum", "v ← αv − ε∇L(θ + αv) with α = 0.9, ε = 0.01: the gradient is "
         "taken where momentum is about to carry the weights."),
        ("32_adagrad", "Adagrad", "adagrad", 0.1, "Adagrad", "a ← a + g⊙g; each weight's "
         "step ε = 0.1 is divided by the root of its summed squared gradients: rarely moved "
         "weights keep large steps."),
        ("33_rmsprop", "RMSProp", "rmsprop", 0.01, "RMSProp", "a ← βa + (1 − β)g⊙g, ε = 0.01: "
         "Adagrad with a forgetting sum, so the steps do not shrink to nothing."),
    ):
        out[name] = lesson(title, text + " Against plain SGD at 0.01 on the same spiral: a "
                           "far lower loss after 200 epochs.", "spiral", (16, 16),
                           outcome=promise("train_loss", 200, "below plain SGD", "below",
                                           {"training.optimizer": "sgd",
                                            "training.learning_rate": 0.01}, "plain SGD", 0.1),
                           optimizer=opt, learning_rate=lr, topic="Optimization",
                           notes="001" if opt == "nesterov" else "002", section=section,
                           goal=f"{title} against plain SGD on the same spiral.")
    exp = lesson("Learning-rate decay", "ε_k = (1 − α)ε₀ + αε_τ with α = k/τ: large steps "
                 "first, then small ones. With mini-batches of 5 the constant rate keeps "
                 "jittering around the minimum; the decayed one settles lower.", "spiral",
                 (8, 8, 8), outcome=promise("train_loss", 300, "settles below the constant rate",
                                    "below", {"training.schedule_params.final_fraction": 1.0},
                                    "a constant learning rate", 0.0),
                 optimizer="adam", learning_rate=0.03, batch_size=5, schedule="linear_decay",
                 schedule_params={"tau": 200, "final_fraction": 0.02}, topic="Optimization",
                 notes="001", section="Lecture 11 – Optimization: learning-rate decay",
                 goal="Shrinking steps let the loss settle instead of jittering.")
    out["34_learning_rate_decay"] = exp
    decreasing = "Lecture 11 – Optimization: need for decreasing learning rate (Σε = ∞, Σε² < ∞)"
    # Each twin is the same schedule made constant (γ = 1, ε_min = ε₀): one field changed.
    for name, title, schedule, params, constant, text in (
        ("62_step_decay", "Step decay", "step", {"step_size": 50, "gamma": 0.5}, "gamma",
         "ε_k = ε₀·γ^⌊k/s⌋: the rate halves every 50 epochs, in visible stairs on the loss."),
        ("63_exponential_decay", "Exponential decay", "exponential", {"gamma": 0.985}, "gamma",
         "ε_k = ε₀·γ^k with γ = 0.985: a little smaller every epoch, a twentieth after 200."),
        ("64_cosine_schedule", "Cosine schedule", "cosine", {"period": 250, "final_fraction": 0.0},
         "final_fraction",
         "ε_k = ½ε₀(1 + cos(πk/T)), T = 250: slow at first, steep in the middle, gentle at the "
         "end."),
    ):
        out[name] = lesson(
            title, text + " Mini-batches of 5 make SGD noisy (the notes: its gradient has a "
            "source of error that does not vanish at the minimum), so a constant rate keeps "
            "jittering; the shrinking rate settles lower on the same spiral.", "spiral", (8, 8, 8),
            outcome=promise("train_loss", 300, "settles below the constant rate", "below",
                            {f"training.schedule_params.{constant}": 1.0},
                            "a constant learning rate", 0.0),
            optimizer="adam", learning_rate=0.03, batch_size=5, schedule=schedule,
            schedule_params=params, topic="Optimization", notes="001", section=decreasing,
            goal=f"{title}: shrinking steps settle where a constant rate jitters.")
    out["65_adamw"] = lesson(
        "AdamW: decoupled weight decay", "AdamW shrinks every weight by ελθ before Adam's step "
        "(θ ← θ − ελθ, λ = 0.1), apart from the gradient, so Adam's per-weight scaling does not "
        "weaken the decay. The same [16, 16] net fits the circle as well as with plain Adam, "
        "with weights about half as large.", "circle", (16, 16),
        outcome=promise("weight_norm", 200, "the same fit with smaller weights", "below",
                        {"training.optimizer_params.weight_decay": 0.0}, "Adam (λ = 0)", 1.0,
                        also=[("train_accuracy", 0.9, 1.0)]),
        optimizer="adamw", learning_rate=0.01, optimizer_params={"weight_decay": 0.1},
        topic="Optimization", notes="001",
        section="Lecture 9 – Regularization: weight decay (with Adam's update, Lecture 11)",
        goal="Weight decay applied apart from Adam's scaled step.")
    exp = lesson("Mini-batch size and noise", "Batch size 1: every step follows one point, "
                 "so the loss trace jitters up and down, rising in about every second epoch "
                 "(noise 20 flips a few labels, so no weights fit every point and the single "
                 "points keep pulling different ways); its twin with batches of 100 averages "
                 "the gradient and the trace falls smoothly.", "circle", (4, 2),
                 outcome=promise("loss_rises", 100, "a jagged trace plot", "above",
                         {"training.batch_size": 100}, "batches of 100", 20.0),
                 learning_rate=0.1, batch_size=1, topic="Optimization", notes="000",
                 section="Mini-batch SGD and the trace plot",
                 goal="Small batches give a noisy trace plot; large ones a smooth one.")
    exp.data.noise = 0.2
    out["35_minibatch_noise"] = exp
    exp = lesson("Local minima", "A network of three ReLU units on XOR lands in different "
                 "places from different starting weights: the same data, five starts, five "
                 "final losses. Some starts solve XOR (loss near 0); others stop in a local "
                 "minimum with part of the plane wrong, where no small step lowers the loss. "
                 "The twin with 8 units has room enough that every start solves it. Change "
                 "the training seed and train again to see another minimum.",
                 "xor", (3,), "relu",
                 outcome=promise("seed_spread", 300, "the final losses differ", "above",
                                 {"network.dense1.units": 8}, "8 hidden units", 0.1),
                 learning_rate=0.1, topic="Optimization", notes="000",
                 section="Gradient descent: local minima",
                 goal="The same net from other starting points ends in other minima.")
    out["36_local_minima"] = exp


def activations(out: dict[str, Experiment]) -> None:
    out["14_deep_sigmoid_vanishes"] = lesson(
        "Deep sigmoid: vanishing gradients", "Six sigmoid layers: σ′ ≤ 0.25, so the gradient "
        "shrinks at every layer on its way back and the first layers barely move. The ReLU "
        "twin learns the circle in the same 150 epochs of plain SGD.", "circle", (16,) * 6,
        "sigmoid",
        promise("test_accuracy", 150, "it does not learn", "below",
                {"network.hidden.activation": "relu", "network.hidden.init": "he_normal"},
                "the ReLU twin (He init)", 0.3),
        learning_rate=0.1, topic="Activations", notes="003",
        section="Activation functions: sigmoid saturation",
        goal="Stacked sigmoids starve the first layers of gradient.")
    exp = lesson("Deep ReLU learns", "The same six layers of 16 with ReLU (He init): the "
                 "gradient passes through active units unchanged, and the circle is found "
                 "while the sigmoid twin stays at chance.", "circle", (16,) * 6, "relu",
                 promise("test_accuracy", 150, "it learns", "above",
                         {"network.hidden.activation": "sigmoid"}, "the sigmoid twin", 0.3,
                         at_least=0.9),
                 learning_rate=0.1, topic="Activations", notes="003",
                 section="Activation functions: ReLU",
                 goal="ReLU passes the gradient through deep stacks.")
    # He init in the hidden layers; the output keeps TF's init, as in lesson 14's twin
    exp.network = mlp([16] * 6, "relu", init="he_normal")
    exp.network.set_params("output", init="tf_uniform")
    out["15_deep_relu_learns"] = exp
    exp = lesson(
        "Dead ReLU and the leaky cure", "A ReLU unit whose input is negative for every "
        "training point outputs 0 and gets no gradient (ReLU′ = 0 there): it is dead for good. "
        "Adam at a learning rate of 0.1 takes steps big enough to push a third to a half of a "
        "layer's units there: the Gradients panel counts them in the dead share, and the "
        "survivors usually still fit the circle. The leaky twin (slope 0.01 below 0) has no "
        "dead units: below 0 a unit still passes a hundredth of its gradient, so its "
        "learning never stops for good.", "circle", (16, 16), "relu",
        promise("dead_share", 150, "units die for good; leaky ones cannot", "above",
                {"network.hidden.activation": "leaky_relu"}, "leaky ReLU", 0.15,
                at_least=0.15),
        optimizer="adam", learning_rate=0.1, topic="Activations", notes="002",
        section="Leaky rectified linear unit", goal="Dead ReLUs stop learning; leaky ones don't.")
    exp.view.panel = "gradients"  # the dead share is counted there
    out["37_dead_relu"] = exp
    out["38_elu_selu"] = lesson(
        "ELU and SELU", "ELU α(eˣ − 1) below 0 and its self-normalizing scaled form SELU keep "
        "a non-zero gradient for negative inputs and mean activations near 0: eight SELU "
        "layers learn where eight sigmoid layers stall.", "circle", (8,) * 8, "selu",
        promise("test_accuracy", 150, "deep SELU learns", "above",
                {"network.hidden.activation": "sigmoid"}, "sigmoid", 0.2, at_least=0.85),
        optimizer="adam", learning_rate=0.01, topic="Activations", notes="003",
        section="Exponential Linear Unit (ELU, SELU)",
        goal="Self-normalizing units train deep stacks.")
    exp = lesson("Maxout", "Each maxout unit takes the max of k = 3 affine pieces: three "
                 "units are enough to cut a closed region around the circle. The linear twin "
                 "can only draw a line.", "circle", (3,), "maxout",
                 promise("test_accuracy", 150, "pieces of lines make a closed region", "above",
                         {"network.hidden.activation": "linear"}, "linear units", 0.25,
                         at_least=0.85),
                 optimizer="adam", learning_rate=0.03, topic="Activations", notes="003",
                 section="Maxout", goal="A max over affine pieces is a learned activation.")
    exp.network.set_params("dense1", k=3)
    out["39_maxout"] = exp
    out["40_sine"] = lesson(
        "Sine units on the spiral", "sin(x) is periodic: a few sine units fold the plane into "
        "stripes that follow the spiral's arms much sooner than tanh units do.", "spiral",
        (16, 16), "sine",
        promise("test_accuracy", 30, "periodic units follow the arms", "above",
                {"network.hidden.activation": "tanh"}, "tanh", 0.2, at_least=0.9),
        optimizer="adam", learning_rate=0.01, topic="Activations", notes="001",
        section="Lecture 5 – Feedforward Networks: other activations",
        goal="A periodic activation suits a periodic pattern.")
    out["41_tanh_vs_sigmoid"] = lesson(
        "Tanh against sigmoid", "tanh is a sigmoid stretched to (−1, 1) and centred on 0: its "
        "outputs feed the next layer with mean near 0 and its slope at 0 is 1, not 0.25. The "
        "same [8, 8] net learns faster with tanh.", "xor", (8, 8), "tanh",
        promise("train_loss", 100, "zero-centred units learn faster", "below",
                {"network.hidden.activation": "sigmoid"}, "sigmoid", 0.02),
        topic="Activations", notes="003", section="Activation functions: sigmoid and tanh",
        goal="Zero-centred activations speed learning up.")


def initialization(out: dict[str, Experiment]) -> None:
    exp = lesson("Zero init and symmetry", "All weights 0: every hidden unit computes the same "
                 "thing and gets the same gradient, so they stay copies of each other forever "
                 "and the net is no better than one unit. Random init breaks the symmetry.",
                 "circle", (8, 8), "tanh",
                 promise("test_accuracy", 150, "identical units cannot share the work",
                         "below", {"network.hidden.init": "glorot_uniform",
                                   "network.output.init": "glorot_uniform"},
                         "Glorot init", 0.2),
                 optimizer="adam", learning_rate=0.01, topic="Initialization", notes="001",
                 section="Lecture 11 – Optimization: parameter initialization, symmetry",
                 goal="Zero weights never break the symmetry between units.")
    exp.network = mlp([8, 8], "tanh", init="zeros")
    out["42_zero_init"] = exp
    exp = lesson("Glorot initialization", "Glorot's U(±√(6/(N + M))) keeps the variance of "
                 "activations and gradients about equal across layers. Four tanh layers "
                 "of 16 started from Glorot fit the circle within 20 epochs of plain SGD; "
                 "started from U(−1/√N, 1/√N) the signal shrinks layer by layer and the loss "
                 "has hardly moved.", "circle", (16,) * 4, "tanh",
                 promise("train_loss", 20, "a balanced start learns sooner", "below",
                         {"network.hidden.init": "uniform_fan_in",
                          "network.output.init": "uniform_fan_in"}, "U(−1/√N, 1/√N)", 0.1),
                 learning_rate=0.03, topic="Initialization", notes="002",
                 section="Xavier initialization",
                 goal="Initial weight scale decides whether a deep net starts learning.")
    exp.network = mlp([16] * 4, "tanh", init="glorot_uniform")
    out["43_glorot_init"] = exp
    exp = lesson("He initialization for ReLU", "ReLU zeroes half its inputs, so it needs "
                 "twice the variance: He's N(0, 2/N). Eight ReLU layers of 16 started from "
                 "He learn the circle within 30 epochs of SGD at 0.01; started from "
                 "U(−1/√N, 1/√N) the signal fades before the output and the loss has hardly "
                 "moved.",
                 "circle", (16,) * 8, "relu",
                 promise("train_loss", 30, "the signal survives eight layers", "below",
                         {"network.hidden.init": "uniform_fan_in",
                          "network.output.init": "uniform_fan_in"}, "U(−1/√N, 1/√N)", 0.1),
                 topic="Initialization", learning_rate=0.01, notes="001",
                 section="Lecture 11 – Optimization: parameter initialization",
                 goal="ReLU stacks need He's larger initial weights.")
    exp.network = mlp([16] * 8, "relu", init="he_normal")
    out["44_he_init"] = exp
    exp = lesson("Initial weights too large", "Every weight drawn from N(0, σ²) with σ = 3, "
                 "whatever the number of inputs: each tanh unit sums inputs of several units "
                 "times weights of about ±3, lands far out on the flat tails (|a| > 0.99, slope "
                 "under 0.02) and passes almost no gradient back. Three quarters of the hidden "
                 "outputs are stuck there and the loss hardly moves; the Glorot twin, started "
                 "with U(±√(6/(N + M))), fits the circle. Hover a unit: its map is two flat "
                 "colours with a hard edge.", "circle", (16,) * 3, "tanh",
                 promise("train_loss", 100, "tanh saturates and learning stalls", "above",
                         {"network.hidden.init": "glorot_uniform",
                          "network.output.init": "glorot_uniform"}, "Glorot init", 0.05,
                         also=[("saturated_share", 0.5, 1.0)]),
                 learning_rate=0.03, topic="Initialization", notes="001",
                 section="Lecture 11 – Optimization: weights drawn from a Gaussian, the "
                         "initial scale (too large may result in exploding values)",
                 goal="Too large a start saturates tanh units: learning stalls.")
    exp.network = mlp([16] * 3, "tanh", init="normal")
    for block in exp.network.nodes.values():
        if block.type in ("dense", "output"):
            block.params["sigma"] = 3.0
    out["61_init_too_large"] = exp


def more_regularization(out: dict[str, Experiment]) -> None:
    exp = lesson("Batch norm", "x̂ = (x − μ)/√(σ² + δ), y = γx̂ + β after each hidden layer: "
                 "every layer sees inputs of mean 0 and variance 1, so a deep sigmoid net "
                 "trains with plain SGD. The twin without batch norm stalls at chance.", "circle", (8,) * 4,
                 "sigmoid", promise("train_accuracy", 60, "normalized layers learn", "above",
                                    {f"network.batchnorm{i}": "removed" for i in range(1, 5)},
                                    "no batch norm", 0.15),
                 learning_rate=0.1, batch_size=20, topic="Regularization",
                 notes="002", section="Batch normalization",
                 goal="Normalizing each layer's inputs lets a deep sigmoid net train.")
    with_blocks(exp, "batchnorm", {}, ("dense1", "dense2", "dense3", "dense4"))
    out["45_batch_norm"] = exp
    exp = lesson("Label smoothing", "Targets (1 − s)·t + s/C instead of one-hot: with s = 0.2 "
                 "the net no longer profits from ever larger logits, so its weights stay "
                 "smaller than the twin's trained on hard targets.", "blobs", (16,), "relu",
                 promise("weight_norm", 300, "no race to infinite confidence", "below",
                         {"training.label_smoothing": 0.0}, "hard targets", 0.5),
                 optimizer="adam", learning_rate=0.03, label_smoothing=0.2,
                 topic="Regularization", notes="001",
                 section="Lecture 9 – Regularization: label smoothing",
                 goal="Soft targets keep a classifier from over-confidence.")
    exp.data.n_classes = 3
    exp.network = mlp([16], "relu", output_activation="softmax", loss="softmax_ce")
    out["46_label_smoothing"] = exp
    out["47_input_noise"] = overfitting(
        "Input noise as augmentation", "Train on x + N(0, σ²) with σ = 1: every epoch sees "
        "moved copies of the 100 training points, so the net cannot memorize them. Training "
        "accuracy drops to about the share of points on their true side and the gap between "
        "train and test accuracy all but closes, while the twin without noise learns every "
        "flipped point.",
        promise("accuracy_gap", OVERFIT_EPOCHS, "the gap shrinks", "below",
                {"training.input_noise": 0.0}, "no noise", 0.1),
        training={"input_noise": 1.0}, notes="002",
        section="Regularization: dataset augmentation (add noise)",
        goal="Noisy copies of the inputs are more data for free.")
    out["48_max_norm"] = overfitting(
        "Max-norm", "After each step every unit's incoming weight vector is scaled back to "
        "‖w‖ ≤ c = 1: the weights cannot grow to fit the noise, so ‖W‖ stays far below the "
        "unconstrained twin's.",
        promise("weight_norm", OVERFIT_EPOCHS, "weights held on a ball", "below",
                {"training.max_norm": 0.0}, "no constraint", 5.0,
                also=[("train_accuracy", 0.7, 1.0)]),
        training={"max_norm": 1.0}, notes="004", section="Max norm regularization",
        goal="A hard cap on each unit's weights.")
    out["49_elastic_net"] = overfitting(
        "Elastic net", "λ(r Σ|w| + (1 − r)·½‖W‖²): the L1 part pushes small weights to "
        "exactly zero, the L2 part shrinks the rest. The weights end far smaller than the "
        "unregularized twin's.",
        promise("weight_norm", OVERFIT_EPOCHS, "small, sparse weights", "below",
                {"training.regularization_rate": 0.0}, "no penalty", 5.0,
                also=[("train_accuracy", 0.7, 1.0)]),
        training={"regularization": "elastic_net", "regularization_rate": 0.003,
                  "regularization_params": {"l1_ratio": 0.5}},
        notes="004", section="Elastic net (L1 + L2)", goal="L1 and L2 together.")


def losses_and_outputs(out: dict[str, Experiment]) -> None:
    exp = lesson("Softmax and cross-entropy on 4 blobs", "Four classes: the output has one unit "
                 "per class (one-hot targets), softmax turns them into probabilities and "
                 "cross-entropy −log p(y) scores them. Class colours blend by probability.",
                 "blobs", (8,), "relu",
                 promise("test_accuracy", 100, "every class found", at_least=0.95),
                 optimizer="adam", learning_rate=0.01, topic="Losses", notes="003",
                 section="Multi-class classification: softmax, one-hot encoding",
                 goal="One output per class, softmax, cross-entropy.")
    exp.data.n_classes = 4
    exp.network.set_params("output", activation="softmax", loss="softmax_ce")
    out["16_softmax_four_blobs"] = exp
    exp = lesson("The hinge loss", "max(0, 1 − t·s) with labels ±1: points beyond the margin "
                 "cost nothing, as in a support vector machine.", "gauss", (4,),
                 outcome=promise("test_accuracy", 50, "separated", at_least=0.95),
                 topic="Losses", notes="002", section="Hinge loss function",
                 goal="Only points inside the margin pull on the boundary.")
    exp.network.set_params("output", activation="linear", loss="hinge")
    out["17_hinge_loss"] = exp
    exp = lesson("Digits with a small MLP", "8×8 images of handwritten digits, 64 inputs and "
                 "10 classes: one hidden layer of 32 ReLU units reads them.", "digits", (32,),
                 "relu", promise("test_accuracy", 20, "most digits read right",
                                 at_least=0.9), optimizer="adam", learning_rate=0.005,
                 batch_size=32, topic="Losses", notes="003",
                 section="Multi-class classification: softmax",
                 goal="Ten classes from 64 pixels.")
    exp.network = mlp([32], "relu", output_activation="softmax", loss="softmax_ce",
                      init="he_normal")
    out["18_digits_mlp"] = exp
    exp = lesson("Cross-entropy against squared error", "The notes derive both from "
                 "likelihoods: squared error from a Gaussian, cross-entropy from a Bernoulli. "
                 "On a sigmoid output, squared error's gradient carries σ′ and fades when the "
                 "output is confidently wrong; cross-entropy's does not. Same net, same XOR "
                 "data: after 30 epochs cross-entropy has found the four quadrants (train "
                 "accuracy about 95 %) while squared error is still on its way (about 70 %).",
                 "xor", (8,), "tanh",
                 promise("train_accuracy", 30, "learns faster", "above",
                         {"network.output.loss": "mse"}, "squared error", 0.05),
                 learning_rate=0.03, topic="Losses", notes="000",
                 section="Loss functions from likelihoods (MSE, BCE)",
                 goal="The loss comes from the likelihood; it changes how fast a net learns.")
    exp.network.set_params("output", activation="sigmoid", loss="bce")
    out["50_cross_entropy_vs_mse"] = exp
    exp = lesson("Multiclass SVM hinge against softmax", "Σ_{j≠y} max(0, s_j − s_y + 1): once "
                 "the right class wins by the margin the loss is 0 and the weights stop "
                 "growing; softmax cross-entropy always wants more confidence. Both separate "
                 "the blobs; the hinge net ends with smaller weights.", "blobs", (8,), "relu",
                 promise("weight_norm", 300, "satisfied margins stop the push", "below",
                         {"network.output.loss": "softmax_ce",
                          "network.output.activation": "softmax"}, "softmax cross-entropy", 0.5,
                         also=[("test_accuracy", 0.9, 1.0)]),
                 optimizer="adam", learning_rate=0.01, topic="Losses", notes="004",
                 section="Softmax (cross-entropy loss) vs SVM (hinge loss)",
                 goal="Hinge is satisfied at the margin; cross-entropy never is.")
    exp.data.n_classes = 3
    exp.network.set_params("output", activation="linear", loss="multiclass_hinge")
    out["51_multiclass_hinge"] = exp
    exp = lesson("Regression on the multi-Gaussian", "A linear output and squared error: the "
                 "net predicts a number, drawn as the colour. A hidden layer of 8 tanh units "
                 "shapes the six bumps; the twin without hidden units can only tilt a plane.",
                 "multi_gauss", (8, 8), "tanh",
                 promise("test_loss", 200, "the bumps are fitted", "below",
                         {"network.dense1": "removed", "network.dense2": "removed"},
                         "no hidden layer", 0.02),
                 optimizer="adam", learning_rate=0.01, topic="Losses", notes="001",
                 section="Lecture 4 – Regression", goal="A net that outputs numbers.")
    exp.network.set_params("output", activation="linear")
    out["52_regression"] = exp
    out["53_underfitting"] = lesson(
        "Underfitting: too little capacity", "One hidden unit can only draw one bent line: "
        "training and test accuracy both stay low. The twin with 8 units has room for the "
        "circle: capacity must match the problem.", "circle", (1,), "tanh",
        promise("train_accuracy", 200, "too small to fit even the training set", "below",
                {"network.dense1.units": 8}, "8 hidden units", 0.15),
        optimizer="adam", learning_rate=0.03, topic="Capacity", notes="001",
        section="Lecture 3 – Machine Learning Basics: underfitting and overfitting",
        goal="Too small a network underfits.")


def clustering(title, text, generator, outcome, *, section: str, goal: str,
               topic: str, **settings) -> Experiment:
    exp = lesson(title, text, generator, outcome=outcome, topic=topic, notes="000",
                 section=section, goal=goal)
    for key, value in settings.items():
        setattr(exp.clustering, key, value)
    exp.view.hidden_controls = []
    return exp


def clustering_lessons(out: dict[str, Experiment]) -> None:
    exp = out["19_kmeans_smiley"] = clustering(
        "k-means on the smiley", "K = 4 and k-means++: k-means cuts the plane into four "
        "Voronoi cells of about equal reach, so the big ring is cut into four arcs and each "
        "arc takes an eye or half of the mouth with it; no cluster is a face part. DBSCAN, which follows "
        "density, finds the face (the twin).", "smiley",
        promise("agreement", 0, "round cells, not shapes", "below",
                {"clustering.algorithm": "dbscan", "clustering.eps": 1.5}, "DBSCAN", 0.3),
        algorithm="kmeans", k=4, init="kmeans++", topic="k-means",
        section="k-means: what it assumes", goal="k-means finds round blobs, not shapes.")
    exp.lesson.steps = [
        step("The smiley: a ring, two eyes and a mouth. k-means with K = 4 will look for four "
             "clusters.", "Where will the four centres end?",
             ["One on each face part", "Spread around the ring, each taking a piece of it",
              "All in the middle"], [1], ("step_clustering", 2),
             "Each point goes to its nearest centre and each centre moves to the mean of its "
             "points: watch the first assignment and update."),
        step("Run k-means to the end.", action=("run_clustering",),
             reveal="The cells are Voronoi regions of about equal reach: the ring is cut "
                    "into four arcs, and each arc takes an eye or half of the mouth with it."),
        step("Switch to DBSCAN, which follows density instead of distance to a centre.",
             "Will DBSCAN find the face parts?", ["Yes", "No"], [0],
             ("set", "clustering.algorithm", "dbscan"),
             "DBSCAN grows clusters from dense cores: the ring, eyes and mouth are each a "
             "dense, connected region."),
        step("Run DBSCAN.", action=("run_clustering",),
             reveal="The face parts come out as clusters: shape, not roundness, decides."),
    ]
    out["20_kmeans_rings"] = clustering(
        "k-means fails on rings", "Two concentric rings, K = 2: every straight Voronoi cut "
        "halves both rings. Single link, which follows neighbours, separates them.", "circles",
        promise("agreement", 0, "the rings are not separated", "below",
                {"clustering.algorithm": "hierarchical", "clustering.linkage": "single"},
                "single link", 0.5),
        algorithm="kmeans", k=2, init="kmeans++", topic="k-means",
        section="k-means: what it assumes", goal="A straight cut cannot separate rings.")
    out["21_dbscan_pimpled_smiley"] = clustering(
        "DBSCAN on the pimpled smiley", "eps 1.2, minPoints 4: the ring, the eyes and the mouth "
        "come out as clusters and the scattered pimples as noise. Drag eps down to 1.0 and "
        "the ring, sparser than the eyes, breaks into arcs. k-means (the twin) cannot.",
        "pimpled_smiley", promise("agreement", 0, "the face parts are found", "above",
                                  {"clustering.algorithm": "kmeans", "clustering.k": 4},
                                  "k-means, K = 4", 0.3, at_least=0.5),
        algorithm="dbscan", eps=1.2, min_points=4, topic="DBSCAN",
        section="DBSCAN: epsilon, minPoints, noise", goal="Density finds shapes and noise.")
    for name, linkage, relation, other, text in (
        ("22_single_link_chaining", "single", "below", "complete",
         "Single link merges the clusters whose closest points are nearest: the thin bridge "
         "chains the two blobs together. Complete link (the twin) keeps them apart."),
        ("23_complete_link", "complete", "above", "single", "Complete link merges by the "
         "farthest points: the bridge does not chain, the two blobs come out. (It pays for "
         "this with outlier sensitivity: see the notes' 1-D example.)"),
    ):
        exp = clustering(f"{linkage.capitalize()} link on a bridge", text, "points",
                         promise("agreement", 0, "chaining" if linkage == "single" else
                                 "the two blobs", relation,
                                 {"clustering.linkage": other}, f"{other} link", 0.3),
                         algorithm="hierarchical", linkage=linkage, k=2,
                         topic="Hierarchical clustering",
                         section="Hierarchical clustering: chaining phenomenon",
                         goal=f"{linkage.capitalize()} link on two blobs joined by a bridge.")
        exp.data.points = bridge_points()
        out[name] = exp
    out["24_meanshift_blobs"] = clustering(
        "Mean shift finds the modes", "A window around every point climbs to the densest spot "
        "nearby; windows that meet merge. No K to choose: the bandwidth decides, and 2.5 "
        "finds the three modes.", "gaussian_mixture",
        promise("clusters", 0, "three modes", at_least=3, at_most=3),
        algorithm="meanshift", bandwidth=2.5, topic="Mean shift",
        section="Mean shift: the bandwidth", goal="Windows climb to the densest spots.")
    out["25_meanshift_bandwidth"] = clustering(
        "Mean-shift bandwidth", "The bandwidth is the window size: 0.8 is smaller than the "
        "blobs' spread, so each blob breaks into many small modes; the twin at 2.5 finds "
        "the three real ones.", "gaussian_mixture",
        promise("clusters", 0, "a small window sees many modes", "above",
                {"clustering.bandwidth": 2.5}, "bandwidth 2.5", 2.0),
        algorithm="meanshift", bandwidth=0.8, topic="Mean shift",
        section="Mean shift: the bandwidth", goal="Window size decides the number of clusters.")
    exp = clustering(
        "k-means initialization", "Where k-means starts decides where it ends. Here the "
        "three centres were placed by hand, two in the left blob and one between the others: "
        "k-means splits the left blob and leaves one centre for two blobs, a local minimum it "
        "never leaves. The farthest-point start (the twin) puts each next centre on the "
        "point farthest from those already chosen, so one lands in each blob, and finds the "
        "three blobs with a far smaller within-cluster sum. k-means++ draws far points only "
        "with high probability: now and then it too puts two centres in one blob, which is "
        "why the notes say to start several times. Try random positions, random points and "
        "k-means++ with several seeds.", "gaussian_mixture",
        promise("inertia", 0, "a bad start is a bad end", "above",
                {"clustering.init": "farthest"}, "the farthest-point start", 1000.0),
        algorithm="kmeans", k=3, init="manual", topic="k-means",
        section="k-means: initialization methods", goal="A bad start ends in a local minimum.")
    exp.clustering.centres = [[-7.0, -6.0, 0.0], [-5.0, -6.0, 0.0], [3.0, 0.0, 0.0]]
    out["26_kmeans_init"] = exp
    out["27_kmeans_elbow"] = clustering(
        "Choosing K by the elbow", "The within-cluster sum of squares always falls as K "
        "grows; the elbow is where it stops falling fast. Three Gaussian blobs: K = 3 is far "
        "below K = 2 (the twin); try K = 4 and see it barely move.", "gaussian_mixture",
        promise("inertia", 0, "the drop to K = 3 is the elbow", "below",
                {"clustering.k": 2}, "K = 2", 2000.0),
        # the farthest-point start: k-means++ now and then splits a blob (a local minimum
        # above K = 2's sum), which is lesson 26's point, not this one's
        algorithm="kmeans", k=3, init="farthest", topic="k-means",
        section="k-means: “Knee” or “Elbow” method", goal="Read K off the elbow.")
    out["28_average_link"] = clustering(
        "Average link on a bridge", "Average link merges by the mean distance between all "
        "pairs: a compromise between single link's chains and complete link's outlier fear. "
        "On the two blobs joined by a bridge it finds the blobs; single link (the twin) "
        "chains them.", "points",
        promise("agreement", 0, "the two blobs", "above", {"clustering.linkage": "single"},
                "single link", 0.3),
        algorithm="hierarchical", linkage="average", k=2, topic="Hierarchical clustering",
        section="Hierarchical clustering: average linkage", goal="The mean pairwise distance.")
    out["29_ward_link"] = clustering(
        "Ward linkage on a bridge", "Ward merges the pair whose union grows the within-cluster "
        "sum of squares least: k-means' criterion, built bottom-up. It finds the two blobs "
        "where single link (the twin) chains along the bridge.", "points",
        promise("agreement", 0, "compact clusters", "above", {"clustering.linkage": "single"},
                "single link", 0.3),
        algorithm="hierarchical", linkage="ward", k=2, topic="Hierarchical clustering",
        section="Hierarchical clustering: linkage matters",
        goal="Merge what grows the squared error least.")
    for name in ("28_average_link", "29_ward_link"):
        out[name].data.points = bridge_points()
    out["30_dbscan_eps"] = clustering(
        "DBSCAN: eps and minPoints", "eps is the neighbourhood radius, minPoints how many "
        "points make a core. With eps 0.5 the sparse ring of the smiley has too few "
        "neighbours per point and a sixth of the face is marked noise; at eps 1.2 (the twin) "
        "every part joins up.", "smiley",
        promise("noise_share", 0, "too small a radius: everything is noise", "above",
                {"clustering.eps": 1.2}, "eps 1.2", 0.1),
        algorithm="dbscan", eps=0.5, min_points=4, topic="DBSCAN",
        section="DBSCAN: epsilon, minPoints, noise", goal="The radius decides what is dense.")
    out["54_dbscan_kdistance"] = clustering(
        "DBSCAN's eps from the k-distance plot", "Sort every point's distance to its "
        "minPoints-th neighbour: the plot is flat inside clusters and shoots up at the noise. "
        "eps at the knee (0.6 on the moons) separates the two moons, which k-means (the twin) "
        "cannot.", "moons",
        promise("agreement", 0, "the knee's eps finds both moons", "above",
                {"clustering.algorithm": "kmeans", "clustering.k": 2}, "k-means", 0.3,
                at_least=0.9),
        algorithm="dbscan", eps=0.6, min_points=4, topic="DBSCAN",
        section="DBSCAN: choosing epsilon", goal="Read eps off the knee of the sorted "
        "k-distances.")
    out["55_dbscan_min_points"] = clustering(
        "DBSCAN: minPoints", "minPoints 1 makes every point a core: no noise at all, even the "
        "pimples become clusters of one. minPoints 4 (the twin) leaves the scattered pimples "
        "as noise.", "pimpled_smiley",
        promise("clusters", 0, "every pimple its own cluster", "above",
                {"clustering.min_points": 4}, "minPoints 4", 10.0),
        algorithm="dbscan", eps=1.2, min_points=1, topic="DBSCAN",
        section="DBSCAN: epsilon, minPoints, noise", goal="minPoints decides what is a core.")


def lessons() -> dict[str, Experiment]:
    out: dict[str, Experiment] = {}
    for part in (basics, regularization, learning_rates_and_optimizers, activations,
                 initialization, more_regularization, losses_and_outputs, clustering_lessons):
        part(out)
    return dict(sorted(out.items()))


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


def promise_text(exp: Experiment) -> str:
    o = exp.outcome
    words = {"below": "below", "above": "above", "differs": "away from"}
    text = o.text
    if o.relation:
        text += f" ({o.metric} {words[o.relation]} the twin's: {o.twin_title})"
    return text


def readme(all_lessons: dict[str, Experiment]) -> str:
    """examples/README.md: the lessons by topic, with their promise and their source."""
    lines = ["# Lessons", "",
             "Each lesson is an experiment file with a promise that the test suite checks "
             "headless on five seeds, mostly as a comparison with a *twin* (the same file with "
             "a few fields changed, named in `outcome.twin`). Lessons marked *guided* walk "
             "through steps: predict, then see. The source is the file and section of the "
             "course notes (`shared/seeds/`). This file is written by `build_lessons.py`.", ""]
    for topic in LESSON_TOPICS:
        members = [(n, e) for n, e in all_lessons.items() if e.lesson.topic == topic]
        if not members:
            continue
        lines += [f"## {topic}", "", "| file | lesson | promise | source in the notes |",
                  "|---|---|---|---|"]
        for name, exp in members:
            guided = " *(guided)*" if exp.lesson.steps else ""
            lines.append(f"| `{name}.json` | **{exp.title}**{guided}: {exp.lesson.goal} | "
                         f"{promise_text(exp)} | {exp.lesson.source} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    chosen = sys.argv[1:]
    all_lessons = lessons()
    for name, exp in all_lessons.items():
        if not chosen or name in chosen:
            write(name, exp)
            print(f"wrote {name}.json")
    write_readme(all_lessons)


def write_readme(built: dict[str, Experiment]) -> None:
    """README.md for `built` and every other lesson file here (the other builders' lessons)."""
    listed = dict(built)
    for path in sorted(glob.glob(os.path.join(HERE, "*.json"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name not in listed:
            listed[name] = files.load_experiment(path).experiment
    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8") as fh:
        fh.write(readme(listed))
    print("wrote README.md")


if __name__ == "__main__":
    main()
