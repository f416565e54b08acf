"""What the network says about each data point, split by split, and the metrics read from it.

`split_outputs` runs one batched forward pass over every point of the data set (no dropout,
batch norm's running statistics) and cuts it into train / validation / test. The snapshot
carries these arrays to the views (confusion matrix, ROC, score histograms, predicted vs
true), so the history slider replays them; `frame_metrics` reads AUC (two classes) or R²
(regression) from them, which the trainer's history keeps for the epochs a frame was drawn
at, with the validation split's loss and accuracy from the same pass (unless early stopping
had them measured every epoch). Measuring all that every epoch would cost a forward pass
per epoch on the fused path, whose kernel computes only train and test loss and accuracy:
several times a small network's fused epoch (benchmarks/judging_cost.py).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from . import metrics as M

SPLITS = ("train", "val", "test")


def split_outputs(trainer) -> dict[str, np.ndarray]:
    """Per split, one value per point: the binary score s (unclamped; the network says
    class 1 where s > 0), the predicted class (several classes) or the predicted value
    (regression). Fresh arrays."""
    return measure_points(trainer)[0]


@torch.inference_mode()
def measure_points(trainer) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """`split_outputs`, and from the same forward pass the validation split's loss and
    accuracy (the fused path measures those only when early stopping needs every epoch's)."""
    ds, head, model = trainer.dataset, trainer.head, trainer.model
    if model.training:
        model.eval()
    z = model(_all_inputs(trainer))
    o = head.output(z)
    if ds.problem == "binary":
        out = (2.0 * o - 1.0 if head.zero_one else o).reshape(-1).float()
    elif ds.problem == "multiclass":
        out = head.predict_class(o)
    else:
        out = o.reshape(-1).float()
    values = out.cpu().numpy()
    outputs = {split: values[ds.split_of(split)].copy() for split in SPLITS}
    validation = {}
    if len(ds.val_idx):
        rows = torch.as_tensor(ds.val_idx, device=z.device)
        validation["val_loss"] = float(head.loss(z[rows], trainer.t_val).mean())
        validation["val_accuracy"] = math.nan if ds.problem == "regression" else float(
            (head.predict_class(o[rows]) == trainer.y_val).float().mean())
    return outputs, validation


def split_truth(dataset) -> dict[str, np.ndarray]:
    """Per split, the true class or value of each point, read-only (shared by every frame)."""
    out = {}
    for split in SPLITS:
        y = dataset.y[dataset.split_of(split)]
        y.flags.writeable = False
        out[split] = y
    return out


def _all_inputs(trainer) -> torch.Tensor:
    cache = getattr(trainer, "_all_inputs_cache", None)
    if cache is None:
        raw = torch.as_tensor(trainer.dataset.x, device=trainer.device)
        cache = trainer._all_inputs_cache = trainer.inputs(raw)
    return cache


def frame_metrics(problem: str, truth: dict[str, np.ndarray],
                  outputs: dict[str, np.ndarray]) -> dict[str, float]:
    """AUC per split for two classes, R² per split for regression (history column names);
    nothing for several classes. NaN for an empty split."""
    out = {}
    for split in SPLITS:
        y, o = truth.get(split), outputs.get(split)
        if y is None or o is None:
            continue
        if problem == "binary":
            out[f"{split}_auc"] = M.roc_auc(y, o) if len(y) else math.nan
        elif problem == "regression":
            out[f"{split}_r2"] = M.r2(y, o)
    return out


def record_frame_metrics(trainer, outputs: dict[str, np.ndarray],
                         validation: dict[str, float] | None = None) -> dict[str, float]:
    """Put this frame's AUC or R² (and the validation loss and accuracy, when the epoch did
    not measure them) into the newest history row when it belongs to it (the weights are
    those of the end of that epoch), and into the trainer's latest metrics; returns them."""
    values = frame_metrics(trainer.dataset.problem, split_truth_of(trainer), outputs)
    history, last = trainer.history, len(trainer.history) - 1
    this_epoch = trainer.batch_in_epoch == 0 and last >= 0 \
        and history.column("epoch", last)[0] == trainer.epoch
    for key, value in (validation or {}).items():
        if math.isnan(trainer.last_metrics.get(key, math.nan)):
            trainer.last_metrics[key] = value
        if this_epoch and math.isnan(history.column(key, last)[0]):
            values[key] = value
    if values and this_epoch:
        history.set_last(**values)
    return values


def split_truth_of(trainer) -> dict[str, np.ndarray]:
    cache = getattr(trainer, "_split_truth_cache", None)
    if cache is None:
        cache = trainer._split_truth_cache = split_truth(trainer.dataset)
    return cache


def final_metrics(trainer) -> dict[str, float]:
    """The metrics a headless run reports at its end beside loss and accuracy: AUC (two
    classes), RMSE and R² (regression), and for classes the lowest per-class recall and the
    mean F1 of the test split."""
    outputs, truth = split_outputs(trainer), split_truth_of(trainer)
    problem = trainer.dataset.problem
    values = frame_metrics(problem, truth, outputs)
    for split in SPLITS:
        y, o = truth[split], outputs[split]
        if problem == "regression":
            values[f"{split}_rmse"] = M.rmse(y, o)
            continue
        predicted = M.predict_at(o) if problem == "binary" else o
        report = M.class_report(M.confusion_matrix(y, predicted, trainer.dataset.n_classes))
        present = report.support > 0
        values[f"{split}_min_recall"] = float(report.recall[present].min()) if present.any() \
            else math.nan
        values[f"{split}_mean_f1"] = float(report.f1[present].mean()) if present.any() \
            else math.nan
    return values
