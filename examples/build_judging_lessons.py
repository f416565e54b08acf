"""Writes the lessons on judging a model (56-59) and the README of this folder:

    python examples/build_judging_lessons.py

Capacity and the U-shaped validation curve, choosing L2 by validation (both sweeps, stored
with their results so the curve is there on opening), accuracy against ROC on imbalanced
data, and the confusion matrix of the digits. Each promise is checked headless on five seeds
by the test suite, as every lesson's is.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from build_lessons import lesson, promise, step, write_readme  # noqa: E402
from build_lessons import lessons as main_lessons  # noqa: E402

from playground.core import files  # noqa: E402
from playground.core.graph import mlp  # noqa: E402
from playground.core.spec import Experiment  # noqa: E402
from playground.core.sweep import SweepSpec  # noqa: E402
from playground.core.sweep_runner import run_sweep, with_results  # noqa: E402

BASICS = "Lecture 3 – Machine Learning Basics"


def noisy_circle(title: str, description: str, outcome, hidden=(4, 4), **kw) -> Experiment:
    """TF Playground's circle with 30 % label noise, few training points and a validation
    split, trained by Adam: the ground on which capacity shows."""
    exp = lesson(title, description, "circle", hidden, outcome=outcome, optimizer="adam",
                 learning_rate=0.01, **kw)
    exp.data.noise, exp.data.train_fraction, exp.data.validation_fraction = 0.3, 0.2, 0.3
    exp.view.show_test_data = True
    return exp


def lessons() -> dict[str, Experiment]:
    out: dict[str, Experiment] = {}
    exp = noisy_circle(
        "Capacity: the U-shaped validation curve",
        "Open the Sweeps tab: the same network at hidden widths 1 to 64, two seeds each, "
        "trained on 100 points with noise 45. Training loss (black) falls with every unit added; "
        "validation loss (green) falls, bottoms out and rises again as the wide networks "
        "start to fit the noise. Underfitting on the left, overfitting on the right, the "
        "capacity to choose in the dip: validation picks it, the test split only confirms. "
        "Click a dot to see that run's boundary, and Run sweep to measure it again.",
        promise("sweep_best_value", 0, "validation is lowest at a middle width; training "
                "keeps improving past it", at_least=2, at_most=16,
                also=[("sweep_val_rise", 0.01, 1e9), ("sweep_train_fall", 0.15, 1e9)]),
        topic="Capacity", notes="001", section=f"{BASICS}: capacity, under- and overfitting",
        goal="Training error falls with capacity; validation error turns back up.")
    # Noise 45 and 500 epochs: on seeds 0-9 validation is lowest at width 2 or 4 and rises at
    # least 0.04 by width 64. At noise 30 (250 or 500 epochs) the wide networks barely
    # overfit: on some seeds width 64 had the lowest validation loss. At 300 epochs, once the
    # epochs' orders came from a new shuffle, seed 2's width 64 had not yet turned back up.
    exp.data.noise = 0.45
    exp.sweep = SweepSpec("hidden_width", [1, 2, 4, 16, 64], 2, 500, "loss")
    out["56_capacity_u_curve"] = exp

    exp = noisy_circle(
        "Choosing the L2 rate by validation",
        "A network big enough to memorise 50 noisy points, swept over the L2 rate λ (the "
        "penalty λ·½‖W‖² on the weights). λ = 0 overfits: the validation loss is high. Too "
        "large a λ flattens the boundary until it underfits. The best λ lies between, and "
        "the validation split, not the test split, is what chooses it. Open the Sweeps tab.",
        promise("sweep_best_value", 0, "validation chooses a middle λ, neither none nor the "
                "largest", at_least=0.001, at_most=0.3),
        hidden=(16, 16), topic="Regularization", notes="001",
        section=f"{BASICS}: the validation-set approach",
        goal="Sweep λ and let the validation split choose it.")
    exp.data.train_fraction = 0.1
    exp.sweep = SweepSpec("l2_rate", [0, 0.001, 0.01, 0.03, 0.1, 0.3, 1.0], 2, 300, "loss")
    out["57_l2_by_validation"] = exp

    exp = lesson(
        "Accuracy misleads on imbalanced data",
        "Only 10 % of the points are blue (Blue share 0.10). A network without a hidden layer "
        "cannot draw a circle, so it calls everything orange: 90 % accuracy for learning "
        "nothing. The ROC tab tells the truth: its curve hugs the diagonal, AUC about 0.5, no "
        "better than chance at ranking blue above orange. The twin, given x₁² and x₂² as "
        "inputs too, draws the circle: AUC near 1, at an accuracy only a few points higher.",
        "circle", (), outcome=promise(
            "test_auc", 200, "about 90 % accurate, yet no better than chance at ranking",
            "below", {"features": ["x1", "x2", "x1_sq", "x2_sq"]}, "x₁², x₂² as inputs too",
            0.3, also=[("test_accuracy", 0.85, 1.0)]),
        topic="Judging a model", notes="001",
        section=f"{BASICS}: accuracy, the confusion matrix, ROC and AUC",
        goal="90 % accuracy and AUC 0.5: the majority class wins accuracy for free.")
    exp.data.positive_share = 0.1
    # Cross-entropy on a sigmoid output: with tanh and squared error the twin's x² inputs
    # (up to 36) saturated the output at the wrong sign on seed 5, where squared error passes
    # no gradient (accuracy 0.10, AUC 0); cross-entropy's gradient, p − y, never vanishes.
    exp.network.set_params("output", loss="bce", activation="sigmoid")
    exp.view.show_test_data = True
    exp.lesson.steps = [
        step("Nine points in ten are orange. This network has no hidden layer: one straight "
             "line is all it can draw.", "After training, what will its test accuracy be?",
             ["About 50 %, a coin toss", "About 90 %", "Close to 100 %"], [1],
             ("train", 200), "About 90 %: it calls every point orange and is right nine times "
             "in ten, without having learned anything about the circle."),
        step("Open the ROC tab beside the trace plots.",
             "What will the area under its ROC curve be?",
             ["About 0.5", "About 0.9, like the accuracy", "1"], [0], ("none",),
             "About 0.5: its scores rank a blue point above an orange one no more often than "
             "chance. Drag the red point along the curve: every threshold trades missed blue "
             "points for false alarms, and none is good."),
        step("Now give it x₁² and x₂² as inputs too: with them one straight cut in the inputs "
             "is a circle in the plane.", action=("set", "features", ["x1", "x2", "x1_sq",
                                                                    "x2_sq"]),
             reveal="Press Play: the AUC climbs towards 1, while the accuracy gains only a "
             "few points. On imbalanced data, judge by the ROC curve (or the minority class's "
             "recall), not by accuracy."),
    ]
    out["58_accuracy_vs_roc_imbalanced"] = exp

    exp = lesson(
        "Which digits get confused",
        "The 8×8 digits, a small network trained a few epochs. Overall test accuracy is "
        "high, but the confusion matrix beside the images shows that not every digit is "
        "learned alike: the weakest digit's recall (its row's diagonal share; tick 'row "
        "shares' on the Confusion tab) lags well behind the average. Click an off-diagonal "
        "cell to see exactly which images were mistaken for which digit.",
        "digits", (12,), "relu", promise(
            "recall_gap", 5, "one accuracy for all digits hides the weakest one",
            at_least=0.08, also=[("test_accuracy", 0.8, 1.0)]),
        topic="Judging a model", notes="001",
        section=f"{BASICS}: confusion matrix, precision, recall, F-measure",
        goal="Read the confusion matrix: which digit is mistaken for which.",
        optimizer="adam", learning_rate=0.01, batch_size=32)
    exp.network = mlp([12], "relu", output_activation="softmax", loss="softmax_ce",
                      init="he_normal")
    exp.lesson.steps = [
        step("The network is about to train for five epochs; its test accuracy will pass "
             "85 %. The confusion matrix beside the test images has a row per true digit and "
             "a column per digit the network says.",
             "Will every digit then be recognised about as often as the accuracy says?",
             ["Yes, every row's diagonal about the same", "No, some digits lag behind"],
             [1], ("train", 5), "Some rows spill into other columns: those digits are "
             "recognised far less often than the average (tick 'row shares' on the "
             "Confusion tab to read each row's recall)."),
        step("Click the largest off-diagonal cell of the matrix.",
             reveal="The grid shows just those images, each with the digit the network "
                    "gave it: often a digit written like another (a 1 like a 7, a 9 like a "
                    "4). Click the cell again to see all test images."),
    ]
    out["59_digits_confusion"] = exp
    return out


def main() -> None:
    chosen = sys.argv[1:]
    for name, exp in lessons().items():
        if chosen and name not in chosen:
            continue
        if exp.sweep.results == [] and exp.outcome.metric.startswith("sweep_"):
            exp = with_results(exp, run_sweep(exp))  # the curve is there when it opens
        files.save_experiment(os.path.join(HERE, f"{name}.json"), exp)
        print(f"wrote {name}.json")
    write_readme(main_lessons())


if __name__ == "__main__":
    main()
