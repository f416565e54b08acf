"""The fast path: a whole epoch and its evaluation in one compiled call, for plain Dense stacks.

Tiny networks are all overhead in eager PyTorch (a few µs per operation, dozens of operations
per step), which makes them ~30x slower than TF Playground's hand-written JavaScript. Here the
forward pass, backward pass, weight penalty, gradient clipping, optimizer update and max-norm of
every mini-batch, and then the loss and accuracy over both splits, run inside one numba-compiled
call, on a flat float32 buffer that the torch model's parameters *view* (no copies: the views,
snapshots and files see the same numbers).

The kernel is generated for the network's own combination of catalog entries (kernel/):
each entry's kernel forms (its f and backward, its loss, its update rule) are written into a
module in the user's cache folder, which numba compiles in seconds and caches. The GUI compiles
in a background process while autograd trains (`kernel_for` + `store.start_compiling`); a
Trainer built with `compile_fast=False` never waits for a compile.

What makes it fast: examples are the inner, contiguous dimension of every buffer (inputs,
activations, targets are stored feature-major), so the loops over a batch or a split compile to
SIMD; elementwise loops run over the batch rounded up to 16 columns, so a batch of 10 is one
16-wide vector step instead of LLVM's remainder code, while every sum over examples covers the
batch itself (template.py `run_epoch`); the buffers start on a cache line, so those steps never
straddle two; tanh is a vectorizable rational function rather than a libm call; squared-error
heads run as vector loops; divisions use numpy's error model (a Python-style zero check would
stop LLVM vectorizing); one call per epoch with a handful of arguments keeps dispatch to ~2 µs;
and only the entries the network uses are compiled in, so no loop branches on which activation
it is.

Its float32 follows torch's: tanh saturates to exactly ±1 where torch's does, NaN passes
through ReLU, losses are summed in float32 (an overflow is inf, hence divergence, at the same
epoch), and the optimizer step and its scalar settings are rounded to float32. Ties and kinks
follow the rules the catalog's formulas state: a maxout tie gives the whole gradient to the
first largest piece, a hinge at its kink passes none. An entry without a kernel form
(`missing_kernel_form`) sends the network to autograd with the reason. The kernel also runs as
plain Python under NUMBA_DISABLE_JIT=1, for stepping through it.

Only graphs the general path would build identically qualify: Input -> Dense* -> Output on the
CPU, with no input noise. Everything else (dropout, batch norm, skip connections, GPUs) trains
through autograd, and `why_not` says why. Equality with the general path is a test.
"""

from __future__ import annotations

import subprocess

import numpy as np
import torch

from .catalog import ACTIVATIONS, LINKS, LOSSES, WEIGHT_PENALTIES
from .kernel.forms import PiecesKernel
from .kernel.generate import Plan, missing_form
from .kernel.store import Kernel, start_compiling
from .optim import OPTIMIZERS

try:  # numba is a dependency, but a broken install must not stop the app: fall back
    import numba

    _NUMBA_ERROR = ""
except Exception as exc:  # pragma: no cover - exercised only on broken installs
    numba = None
    _NUMBA_ERROR = f"numba unavailable ({exc})"

# Batch size x parameters from which torch's matrix libraries beat the kernel's plain loops.
# Measured on 2 cores, digits, Adam: [64, 64] at batch 32 (2.9e5) is 2.6x faster fused;
# [128, 128] at 64 (1.7e6) 1.0-1.2x faster fused; [256, 256] at 32 (2.7e6) 1.5x faster through
# autograd, 4x256 at 256 (5.5e7) 3.9x.
FUSED_WORK = 2_000_000

# Evaluation runs through the training batch's buffers, a whole split at a time where these
# bytes allow (each chunk repeats a loop setup per weight: digits' 64 inputs in chunks of 256
# evaluated 30% slower than in one), else in chunks that fit.
BUFFER_BYTES = 64 * 2**20

COMPILING = ("autograd while the fused kernel for this network compiles (once per machine "
             "for each combination of activations, loss, optimizer and penalty)")


def zeros_on_lines(shape: tuple[int, ...], dtype) -> np.ndarray:
    """np.zeros starting on a 64-byte cache line (NumPy's own start 16 bytes in): with rows a
    whole number of lines long, every 16-column vector step of the kernel then reads and
    writes one line instead of straddling two (8% of a [4, 2] epoch at batch 10)."""
    n = int(np.prod(shape)) * np.dtype(dtype).itemsize
    raw = np.zeros(n + 64, np.uint8)
    start = -raw.ctypes.data % 64
    return raw[start:start + n].view(dtype).reshape(shape)


def plan_for(trainer) -> Plan:
    """The combination of catalog entries `trainer`'s network uses (what its kernel holds)."""
    spec, head, model = trainer.experiment.training, trainer.head, trainer.model
    hidden: list[str] = []
    pieces = False
    for node, _ in model.dense_layers():
        act = model.blocks[node].act
        if act is None:
            continue
        if isinstance(ACTIVATIONS[act.name].kernel, PiecesKernel):
            pieces = True
        elif act.name not in hidden:
            hidden.append(act.name)
    link = head.activation if head.link == "activation" else LINKS[head.link]
    return Plan(tuple(hidden), pieces, link, head.loss_name, spec.optimizer, spec.regularization,
                trainer.dataset.problem)


def kernel_for(trainer) -> Kernel:
    return Kernel(plan_for(trainer))


def warm_up(experiment=None) -> None:
    """Compile (or load from the disk cache) the kernel of `experiment`'s network (the default
    experiment's when None), in this process."""
    from .spec import Experiment
    from .trainer import Trainer

    trainer = Trainer(experiment or Experiment(), compile_fast=False)
    if FastPath.why_not(trainer, compile_now=False) == COMPILING:
        kernel_for(trainer).load()


class BackgroundCompile:
    """Compiles the kernel a trainer waits for (its path_reason is COMPILING) in a process of
    its own, which writes numba's disk cache: the app's process never stalls on a compile nor
    shares the GIL the window needs with one, and autograd trains meanwhile. Qt-free; the
    GUI's worker calls `request` after each build and `poll` between steps."""

    def __init__(self) -> None:
        self.kernel: Kernel | None = None
        self.process: subprocess.Popen | None = None
        self.failure = ""

    @property
    def busy(self) -> bool:
        return self.process is not None

    def request(self, trainer) -> bool:
        """Start compiling `trainer`'s kernel if it waits for one; a kernel compiled before
        on this machine is loaded at once instead. Returns whether the trainer moved onto
        the fast path now."""
        if trainer is None or trainer.path_reason != COMPILING:
            return False
        kernel = kernel_for(trainer)
        if kernel.compiled_on_disk():  # loading takes a fraction of a second
            return trainer.enable_fast_path()
        if self.kernel is not None and self.kernel.name == kernel.name:
            return False  # (already on it)
        self.stop()  # the network changed: its kernel is the one wanted now
        kernel.write()
        self.kernel, self.process = kernel, start_compiling(kernel)
        if self.process is None:
            self.kernel = None
        return False

    def poll(self, trainer) -> bool:
        """Whether the compile finished and `trainer` moved onto the fast path now. A failed
        compile leaves it on autograd, saying so (the log is beside the kernel's file)."""
        if self.process is None or self.process.poll() is None:
            return False
        kernel, code = self.kernel, self.process.returncode
        self.kernel = self.process = None
        if trainer is None or trainer.path_reason != COMPILING or \
                kernel_for(trainer).name != kernel.name:
            return False
        if code != 0:
            trainer.path_reason = (f"autograd (the fused kernel failed to compile; see "
                                   f"{kernel.log})")
            return False
        return trainer.enable_fast_path()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        self.kernel = self.process = None


class FastPath:
    """Compiled training for Input -> Dense* -> Output on the CPU (see the module docstring)."""

    @classmethod
    def why_not(cls, trainer, compile_now: bool = True) -> str:
        if numba is None:
            return f"autograd through the graph ({_NUMBA_ERROR})"
        if trainer.device.type != "cpu":
            return f"autograd on {trainer.device.type} (the fused path is CPU-only)"
        if trainer.experiment.network.dense_chain() is None:
            return "autograd through the graph (it has blocks beyond Input -> Dense -> Output)"
        if trainer.experiment.training.input_noise > 0:
            return "autograd through the graph (input noise recomputes features each batch)"
        missing = cls.missing_kernel_form(trainer)
        if missing:
            return f"autograd through the graph (the fused kernel has no form of {missing})"
        if trainer.experiment.training.batch_size * trainer.n_params >= FUSED_WORK:
            return (f"autograd with matrix libraries ({trainer.n_params:,} parameters x batch "
                    f"{trainer.experiment.training.batch_size}: big enough that they beat the "
                    "fused kernel)")
        kernel = kernel_for(trainer)
        if not kernel.loaded():
            if not compile_now:
                return COMPILING
            kernel.load()
        return ""

    @staticmethod
    def missing_kernel_form(trainer) -> str:
        """The first catalog entry this network uses that the kernel cannot compute, named for
        people ("" when there is none)."""
        spec, head = trainer.experiment.training, trainer.head
        used = [("activation", ACTIVATIONS[block.act.name])
                for node, _ in trainer.model.dense_layers()
                if (block := trainer.model.blocks[node]).act is not None]
        link = head.activation if head.link == "activation" else LINKS[head.link]
        used += [("output activation", ACTIVATIONS[link]), ("loss", LOSSES[head.loss_name]),
                 ("optimizer", OPTIMIZERS[spec.optimizer]),
                 ("weight penalty", WEIGHT_PENALTIES[spec.regularization])]
        for kind, entry in used:
            reason = missing_form(kind, entry)
            if reason:
                return reason
        return ""

    @classmethod
    def try_build(cls, trainer, compile_now: bool = True) -> FastPath | None:
        return None if cls.why_not(trainer, compile_now) else cls(trainer)

    def __init__(self, trainer):
        self.trainer = trainer
        self.kernel = kernel_for(trainer)
        self.module = module = self.kernel.load()
        model, head = trainer.model, trainer.head
        params = list(model.parameters())
        sizes = [p.numel() for p in params]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        # rows: parameters, gradient, then the optimizer's state (named as optim.py names it)
        self.P = torch.zeros((2 + len(module.STATE), int(offsets[-1])), dtype=torch.float32)
        self.Pn = self.P.numpy()
        self.flat = self.P[0]
        with torch.no_grad():
            for p, o, n in zip(params, offsets, sizes, strict=False):
                self.flat[o:o + n].copy_(p.detach().reshape(-1))
                p.data = self.flat[o:o + n].view(p.shape)  # the model now views the buffer
        where = {id(p): int(o) for p, o in zip(params, offsets, strict=False)}
        self.layers = self._layer_records(where)
        self.theta = self.flat.numpy()
        self.decay = np.zeros(len(self.theta), dtype=np.bool_)
        for o, n, d in zip(offsets, sizes, trainer.decay_mask, strict=False):
            self.decay[o:o + n] = d
        self.state = {name: self.P[2 + i] for i, name in enumerate(module.STATE)}
        # Rows copy_state keeps: the weights and the optimizer's state.
        self._kept_rows = np.array([0] + [2 + i for i in range(len(module.STATE))], np.int64)
        self._kept: np.ndarray | None = None
        self._shared = None
        self.share_state()
        width = int(max(max(r["units"] * r["pieces"], r["n_in"]) for r in self.layers))
        n_layers = len(self.layers)
        spec = trainer.experiment.training
        batch = spec.batch_size
        n_train, n_test = len(trainer.dataset.train_idx), len(trainer.dataset.test_idx)
        # Columns: a batch, or a chunk of a split in evaluation, rounded up to whole 16-column
        # cache lines (the kernel's elementwise loops run over that rounded width); rows an
        # odd number of lines long (a power-of-two stride would put a batch's rows in the same
        # few cache sets, where they evict each other).
        per_column = 4 * (n_layers + 1) * width * 4
        chunk = max(batch, min(max(n_train, n_test, 1), BUFFER_BYTES // per_column))
        lines = -(-chunk // 16)
        columns = 16 * (lines + 1 - lines % 2)
        self.TB = zeros_on_lines((4, n_layers + 1, width, columns), np.float32)
        maxout = bool((self.layers["pieces"] > 1).any())
        # (without maxout a placeholder, one per layer: the kernel indexes it per layer)
        self.ARG = zeros_on_lines((n_layers + 1, width, columns) if maxout else
                                  (n_layers + 1, 1, 1), np.int64)
        self.small = np.zeros((4, width), np.float32)
        self.X = np.ascontiguousarray(trainer.x_train.numpy().T)
        self.Xe = np.ascontiguousarray(trainer.x_test.numpy().T)
        self.T, self.Te = (np.ascontiguousarray(t.numpy().astype(np.float32).reshape(len(t), -1).T)
                           for t in (trainer.t_train, trainer.t_test))
        self.Y = np.concatenate([trainer.y_train.numpy(), trainer.y_test.numpy()]).astype(np.int64)
        self.no_order = np.zeros(0, np.int64)
        self._no_seeds = np.zeros(0, np.int64)
        # one epoch's call: its rate, its metrics, and no rows to keep
        self._one_rate = np.zeros(1)
        self._one_out = np.full((1, 4), np.nan)
        self._kept_none = np.zeros((0, self.Pn.shape[1]), np.float32)
        self._no_rows = np.zeros(0, np.int64)
        self.settings = np.zeros(1, module.SETTINGS)
        s = self.settings[0]
        s["batch"], s["n_train"], s["zero_one"] = batch, n_train, head.zero_one
        s["chunk"] = chunk
        s["gradient_clip"], s["max_norm"] = spec.gradient_clip, spec.max_norm
        s["penalty_rate"] = spec.regularization_rate
        given = {"output": head.activation_params if head.link == "activation" else {},
                 "loss": head.loss_params, "optimizer": trainer.optimizer.hyper,
                 "penalty": trainer.penalty_params}
        for role, values in given.items():
            for key, value in values.items():
                field = f"{role}_{key}"
                if field in module.SETTINGS.names:
                    s[field] = value
        self.finite = True

    def _layer_records(self, where: dict[int, int]) -> np.ndarray:
        """One LAYER record per dense layer (output last): sizes, offsets in the buffer, the
        activation's index in the kernel's HIDDEN, and its parameters."""
        model, module = self.trainer.model, self.module
        dense = model.dense_layers()
        layers = np.zeros(len(dense), module.LAYER)
        for li, (node_id, layer) in enumerate(dense):
            act = model.blocks[node_id].act
            record = layers[li]
            pieces = act.pieces if act is not None else 1
            record["n_in"], record["units"], record["pieces"] = (
                layer.in_features, layer.out_features // pieces, pieces)
            record["w"] = where[id(layer.weight)]
            record["b"] = where[id(layer.bias)] if layer.bias is not None else -1
            record["act"] = module.HIDDEN.index(act.name) if act is not None and \
                act.name in module.HIDDEN else -1
            if act is None:
                continue
            for key, value in act.params.items():
                learned = getattr(act, key, None)
                if isinstance(learned, torch.nn.Parameter):
                    record[f"{key}_at"] = where[id(learned)]
                elif key in module.LAYER.names:
                    record[key] = value
        return layers

    def describe(self) -> str:
        return "fused numba kernel, whole epochs per call"

    def share_state(self) -> None:
        """Point the optimizer's state tensors at our buffers (again after a file restore put
        new ones in)."""
        opt = self.trainer.optimizer
        if self._shared is opt.state:
            return
        offsets = 0
        for i, p in enumerate(self.trainer.params):
            n = p.numel()
            for key, row in self.state.items():
                view = row[offsets:offsets + n].view(p.shape)
                current = opt.state[i].get(key)
                if current is None or current.data_ptr() != view.data_ptr():
                    if current is not None:
                        view.copy_(current)
                    else:
                        view.zero_()
                    opt.state[i][key] = view
            offsets += n
        self._shared = opt.state

    def copy_state(self) -> tuple:
        """The weights and the optimizer's state, copied into one preallocated buffer that
        the next call overwrites (the trainer keeps only the last good state). It runs every
        epoch, so it is plain NumPy copies of the rows in use: a torch gather would start
        threads for it (~0.3 ms, against ~5 us here at 2 x 32 units)."""
        self.share_state()
        rows = self._kept_rows
        if self._kept is None:
            self._kept = np.empty((len(rows), self.Pn.shape[1]), np.float32)
        for i, row in enumerate(rows):
            np.copyto(self._kept[i], self.Pn[row])
        return self._kept, self.trainer.optimizer.t

    def restore_state(self, saved: tuple) -> None:
        self.share_state()
        buffers, self.trainer.optimizer.t = saved
        for i, row in enumerate(self._kept_rows):
            self.Pn[row] = buffers[i]
        self.finite = True

    def run(self, order: torch.Tensor | None, b0: int, b1: int, lr: float,
            evaluate: bool) -> dict[str, float] | None:
        """Mini-batches b0..b1-1 of `order`, then loss and accuracy over both splits if asked."""
        self.share_state()
        opt = self.trainer.optimizer
        order = self.no_order if order is None else order.numpy()
        self._one_rate[0] = lr
        # (Python ints, a float and a bool: the types the kernel was compiled for)
        _, _, t, finite = self.module.run_epochs(
            self.Pn, self.decay, self.layers, self.X, self.Xe, self.T, self.Te, self.Y,
            order.reshape(1, -1), self._no_seeds, self.settings, self.TB, self.ARG, self.small,
            int(b0), int(b1),
            self._one_rate, int(opt.t), bool(evaluate), self._one_out, self._kept_none,
            self._no_rows)
        opt.t = int(t)
        self.finite = bool(finite)
        if not evaluate:
            return None
        m = self._one_out[0]
        return {"train_loss": float(m[0]), "train_accuracy": float(m[1]),
                "test_loss": float(m[2]), "test_accuracy": float(m[3])}

    def run_epochs(self, orders: np.ndarray, seeds: np.ndarray, learning_rates: np.ndarray,
                   out: np.ndarray) -> tuple[int, bool]:
        """Whole epochs in one call (a rate each, the first on orders[0]), their evaluations
        into the rows of `out`, until one ends non-finite. Given a seed per epoch, each
        epoch's end shuffles the next row of `orders` (shuffle.py; the last, the order of the
        epoch after them); without, the rows are the orders. The state after the last finite
        epoch is what `copy_state` would have kept then. Returns the finite epochs done and
        whether all were (False: the next one diverged; the parameters are its, not yet put
        back)."""
        self.copy_state()  # (the kept buffer holds the state before the first of them)
        opt = self.trainer.optimizer
        done, kept_t, t, finite = self.module.run_epochs(
            self.Pn, self.decay, self.layers, self.X, self.Xe, self.T, self.Te, self.Y, orders,
            seeds, self.settings, self.TB, self.ARG, self.small, 0,
            int(self.trainer.batches_per_epoch),
            learning_rates, int(opt.t), True, out, self._kept, self._kept_rows)
        opt.t = int(t)
        self._kept_t = int(kept_t)
        self.finite = bool(finite)
        return int(done), int(done) == len(learning_rates)

    def shuffled(self, seed: int, n: int) -> np.ndarray:
        """shuffle.shuffled(seed, n), compiled (the kernel's own shuffle)."""
        order = np.empty(n, np.int64)
        self.module.shuffled_into(seed, order)
        return order

    def kept_state(self) -> tuple:
        """What `copy_state` would return after the last finite epoch of `run_epochs`."""
        return self._kept, self._kept_t

    def params_finite(self) -> bool:
        """After the last run (the kernel checks)."""
        return self.finite

    def evaluate(self) -> dict[str, float]:
        return self.run(None, 0, 0, 0.0, True)
