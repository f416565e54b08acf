"""One description per catalog entry: the fused kernel is generated from the entries' own forms,
so a new entry is one entry (and this file's tests hold the forms to the torch functions)."""

import os

import numpy as np
import pytest
import torch

from playground.core import fastpath
from playground.core.catalog import ACTIVATIONS, HIDDEN_ACTIVATIONS, LOSSES, WEIGHT_PENALTIES, Entry, Param
from playground.core.export import pytorch_script
from playground.core.graph import mlp
from playground.core.kernel import store
from playground.core.kernel.forms import ActivationKernel, PiecesKernel, VectorActivationKernel
from playground.core.kernel.generate import Plan, source
from playground.core.optim import OPTIMIZERS
from playground.core.spec import Experiment
from playground.core.trainer import Trainer

from .test_fastpath import assert_same_training

# A test-only activation with a parameter: softsign scaled, f(x) = s·x / (1 + |x|).
SOFTSIGN = Entry(
    "test_softsign", "Scaled softsign (test only)", "f(x) = s·x / (1 + |x|)",
    (Param("scale", 1.0, 0.1, 2.0, "s"),),
    fn=lambda x, p: p["scale"] * x / (1 + x.abs()),
    kernel=ActivationKernel("f32(scale) * z / (f32(1.0) + abs(z))",
                            "d * (f32(scale) / ((f32(1.0) + abs(z)) * (f32(1.0) + abs(z))))"),
    export="{scale} * {x} / (1 + {x}.abs())")


@pytest.fixture
def with_entry():
    """Adds test-only activations to the catalog for one test."""
    added = []

    def add(entry: Entry) -> None:
        ACTIVATIONS[entry.name] = entry
        HIDDEN_ACTIVATIONS.append(entry.name)  # (the list graph.py checks names against)
        added.append(entry.name)

    yield add
    for name in added:
        del ACTIVATIONS[name]
        HIDDEN_ACTIVATIONS.remove(name)


def two_activations(name: str, **params) -> Experiment:
    exp = Experiment()
    exp.data.generator = "spiral"
    exp.network = mlp([5, 4], "tanh")
    exp.network.set_params("dense1", activation=name, **params)
    exp.training.batch_size = 7
    exp.training.optimizer = "adam"
    exp.training.learning_rate = 0.01
    return exp


def test_a_new_activation_is_one_entry_and_trains_fused_equal_to_autograd(with_entry):
    """No table to edit elsewhere: the kernel for a network using the new entry is written from
    its forms (with its parameter, next to a second activation), trains on the fast path like
    autograd, and the exported script uses its template."""
    with_entry(SOFTSIGN)
    exp = two_activations("test_softsign", scale=1.7)
    t = Trainer(exp)
    assert t.path == "fast", t.path_reason
    assert fastpath.plan_for(t).hidden == ("test_softsign", "tanh")
    assert_same_training(exp)
    assert "1.7 * h_1 / (1 + h_1.abs())" in pytorch_script(t)


def test_a_new_activation_without_a_kernel_form_trains_through_autograd(with_entry):
    plain = Entry("test_plain", "Plain (test only)", "f(x) = x / 2", fn=lambda x, p: x / 2)
    with_entry(plain)
    t = Trainer(two_activations("test_plain"))
    assert t.path == "general"
    assert "no form of the activation 'test_plain'" in t.path_reason
    before = t.last_metrics["train_loss"]
    t.run(5)
    assert t.last_metrics["train_loss"] < before


def test_every_entry_has_all_its_forms():
    for name, entry in ACTIVATIONS.items():
        assert entry.export, name
        assert isinstance(entry.kernel, ActivationKernel | PiecesKernel | VectorActivationKernel), name
        if isinstance(entry.kernel, ActivationKernel):
            assert set(entry.kernel.learned) == set(entry.info.get("learned", ())), name
    for table in (LOSSES, WEIGHT_PENALTIES, OPTIMIZERS):
        for name, entry in table.items():
            assert entry.kernel is not None, name


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_update_rule_names_the_state_the_torch_rule_keeps(name):
    """The kernel's state rows are the optimizer's state tensors (views): the names must be
    the ones optim.py's rule creates, or a file's saved state would not reach the kernel."""
    from playground.core.optim import Optimizer

    p = torch.zeros(3)
    opt = Optimizer(name, {}, [p], [True])
    opt.step([torch.ones(3)], 0.1)
    assert tuple(sorted(opt.state[0])) == tuple(sorted(OPTIMIZERS[name].kernel.state))


def test_a_kernel_holds_only_the_entries_its_network_uses():
    text = source(Plan(("tanh",), False, "tanh", "mse", "sgd", "none", "binary"))
    for other in ("relu", "sigmoid", "softmax", "beta1", "momentum", "l1_ratio", "margin"):
        assert other not in text, other
    assert "PIECES = False" in text and "maxout_forward(" in text  # (pruned when compiled)
    mixed = source(Plan(("relu", "prelu"), True, "softmax", "softmax_ce", "adam", "l1",
                        "multiclass"))
    assert "_code == 0:  # relu" in mixed and "_code == 1:  # prelu" in mixed
    assert "alpha_at" in mixed and "PIECES = True" in mixed


def test_a_changed_kernel_file_is_rewritten_and_never_run(tmp_path, monkeypatch):
    """A kernel is imported only when the file holds exactly the generated text."""
    monkeypatch.setenv(store.ENV_DIR, str(tmp_path))
    kernel = store.Kernel(Plan(("tanh",), False, "tanh", "mse", "sgd", "none", "binary"))
    kernel.write()
    kernel.marker.touch()
    assert kernel.compiled_on_disk()
    stamp = os.stat(kernel.path).st_mtime_ns
    kernel.write()  # unchanged: left alone (numba's cache of it stays valid)
    assert os.stat(kernel.path).st_mtime_ns == stamp
    kernel.path.write_text("raise SystemExit('not ours')\n")
    assert not kernel.compiled_on_disk()
    kernel.write()
    assert kernel.path.read_text() == kernel.source and not kernel.marker.exists()


def test_a_background_compile_moves_the_trainer_onto_the_fast_path(tmp_path, monkeypatch):
    """What the window does on a first start: autograd trains while another process compiles
    the network's kernel; then the run continues on the fast path, where it left off."""
    monkeypatch.setenv(store.ENV_DIR, str(tmp_path))
    monkeypatch.setattr(store, "_LOADED", {})
    exp = Experiment()
    exp.data.generator = "xor"
    exp.network = mlp([3], "sine")
    exp.training.optimizer = "nesterov"
    t = Trainer(exp, compile_fast=False)
    assert t.path == "general" and t.path_reason == fastpath.COMPILING
    compiling = fastpath.BackgroundCompile()
    assert not compiling.request(t) and compiling.busy
    while not compiling.poll(t):
        t.run(1)
        assert compiling.busy or t.path == "fast", t.path_reason
    assert t.path == "fast" and t.epoch >= 1
    before = t.epoch
    t.run(3)
    assert t.epoch == before + 3 and np.isfinite(t.last_metrics["train_loss"])
    monkeypatch.setattr(store, "_LOADED", {})  # as the next start of the app finds it:
    again = Trainer(exp, compile_fast=False)  # compiled on disk, loaded at once
    assert again.path_reason == fastpath.COMPILING
    assert fastpath.BackgroundCompile().request(again) and again.path == "fast"


def test_a_second_process_waits_for_a_kernel_being_compiled_instead_of_compiling_it_too(
        monkeypatch):
    """Two processes wanting one kernel at once (the app's background compile and a second
    window, or two test workers) must not both spend the compile: while one holds the kernel's
    lock, the other waits and then loads the first one's disk cache."""
    import threading

    kernel = store.Kernel(Plan(("tanh",), False, "tanh", "mse", "sgd", "none", "binary"))
    kernel.load()  # (compiled once: the waiting load below is then a load from the cache)
    monkeypatch.setattr(store, "_LOADED", {})  # as in another process
    loader = threading.Thread(target=kernel.load)
    with store.compiling_alone(kernel.lock):  # (flock: another open file waits, as a process)
        loader.start()
        loader.join(timeout=1.0)
        assert loader.is_alive(), "loaded beside a compile of the same kernel"
    loader.join(timeout=60)
    assert not loader.is_alive() and kernel.loaded()
