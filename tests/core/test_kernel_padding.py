"""The fused kernel runs its elementwise loops over the batch rounded up to 16 columns; the extra
columns hold whatever earlier batches or chunks left there, and no result may depend on them:
every sum over examples (gradients, losses, accuracy, a learned activation's parameter) covers
the batch itself. Here the kernel's buffers start full of NaN, which would poison any sum that
read a leftover column, and training must come out bit for bit as from clean buffers, for every
hidden activation, loss, output and optimizer."""

import numpy as np
import pytest
import torch

from playground.core.trainer import Trainer

from .test_fastpath import activation_groups, base, catalog_case, catalog_cases


def trained(exp, leftovers: bool) -> Trainer:
    t = Trainer(exp)
    assert t.path == "fast", t.path_reason
    if leftovers:
        t.fast.TB[...] = np.nan
        t.fast.ARG[...] = -1  # (maxout's winning pieces: none of them)
    for _ in range(3):  # single batches, then whole epochs many to a call
        t.step_batch()
    t.run(3)
    return t


def assert_leftovers_change_nothing(exp) -> None:
    clean, dirty = trained(exp, False), trained(exp, True)
    assert np.isfinite(clean.history.train_loss).all()
    for a, b in zip(clean.params, dirty.params, strict=True):
        assert torch.equal(a, b)
    for column in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        assert np.array_equal(clean.history.column(column), dirty.history.column(column),
                              equal_nan=True), column


@pytest.mark.parametrize("group", activation_groups(), ids="-".join)
def test_leftover_columns_never_reach_a_result_for_any_activation(group):
    """(The networks of test_fastpath's every-activation test, batch 7: PReLU sums its slope's
    gradient over the examples, maxout keeps its winning pieces per column.)"""
    exp = base(hidden=(5,) * len(group), optimizer="adam", learning_rate=0.01)
    for i, name in enumerate(group, start=1):
        exp.network.set_params(f"dense{i}", activation=name, **({"k": 3} if name == "maxout" else {}))
    assert_leftovers_change_nothing(exp)


@pytest.mark.parametrize("case", catalog_cases(), ids="-".join)
def test_leftover_columns_never_reach_a_result_for_any_loss_or_optimizer(case):
    """(Elementwise heads train over the padded width; softmax and vector losses go example
    by example.)"""
    assert_leftovers_change_nothing(catalog_case(*case))


@pytest.mark.parametrize("batch", [10, 20, 1])
def test_leftover_columns_never_reach_a_result_at_any_batch_size(batch):
    exp = base(hidden=(4, 2))
    exp.training.batch_size = batch
    assert_leftovers_change_nothing(exp)
