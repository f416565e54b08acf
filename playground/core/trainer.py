"""Steppable training: one batch, one epoch or n epochs at a time, with history and safety.

A `Trainer` is built from an Experiment and owns the dataset, the network, the optimizer and
the position in training. It never raises on divergence: a NaN or infinite loss moves it to the
"diverged" state with a message, and the last finite weights are put back.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from . import features as feats
from . import shuffle
from .catalog import SCHEDULES, WEIGHT_PENALTIES
from .datasets import Dataset, build_dataset
from .errors import SpecError
from .gradients import GradientTracker
from .history import History
from .model import Network, OutputHead
from .optim import Optimizer
from .spec import Experiment

READY, RUNNING, DIVERGED, STOPPED, FINISHED = "ready", "running", "diverged", "stopped", "finished"
SPLITS = ("train", "val", "test")
SPLIT_METRICS = tuple(f"{s}_{m}" for s in SPLITS for m in ("loss", "accuracy"))


_ALL_THREADS = torch.get_num_threads()
# Rows x parameters from which torch's second thread pays for itself. Measured on 2 cores
# shared with other work (load average ~10, benchmarks/training_speed.py): a plain eager loop,
# spiral, 2 x 8 .. 2 x 512 units (1e2-2.7e5 parameters) at batch 10 (up to 2.7e6) and 250 or
# 2,500 points, is 5-30x faster per CPU-second on one thread than on two (the second thread
# waits for a core at every op: 0.1-17 epochs/s against 0.8-129); a 6x8 net's 100x100 view
# (3.5e6) takes half the time on one thread even on a quiet machine. Even the sweep's largest
# pass, evaluating 2 x 512 units over 25,000 + 25,000 points (1.3e10), took 0.44 s CPU and
# 1.6 s wall on one thread against 0.57 s and 2.0 s on two. So two threads only from 1e11
# (tens of seconds per pass on one core), which no playground network reaches on the CPU.
SMALL_WORK = 100_000_000_000


def threads_for(rows: int, n_params: int) -> int:
    """Threads for a torch pass over `rows` examples of a network of `n_params` parameters:
    one for all playground-sized work (thread hand-offs cost more than they gain, and a
    second thread on a busy machine waits for a core); all only for very large passes."""
    return 1 if rows * n_params < SMALL_WORK else _ALL_THREADS


def use_threads(n: int) -> None:
    """Set torch's thread count; a no-op when it already is `n` (setting it is not free)."""
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


# Parameters from which autograd on one thread beats the fused kernel, at batch 10 or more;
# smaller batches scale it up (autograd's fixed ~0.3-1 ms per batch is then shared by fewer
# examples). The kernel's speed per example grows with the batch (it vectorises across it), so
# the crossover is about the parameters, not batch x parameters. Measured (epochs per
# CPU-second, 2 cores under load, one-thread autograd):
#   spiral, tanh, SGD, batch 10: 2 x 128 units (1.7e4 parameters) fused 133-185 vs 63-111;
#     2 x 192 (3.8e4) 51-83 vs 50-101, a tie; 2 x 256 (6.7e4) 36 vs 77 (Adam: 37 vs 36);
#   digits, ReLU: [64, 64] (8.9e3) at batch 32 fused 139-150 vs 34-52; [128, 128] (2.6e4)
#     at batch 32 55 vs 45 (SGD), at 64 59-75 vs 46-67.
# Re-measured once the autograd step lost its per-tensor optimizer loop and module calls
# (best of 15 epochs, load ~4, spiral 250 points): 2 x 128 fused 302 vs 126, 2 x 192 137 vs
# 100, 2 x 256 76 vs 81, 2 x 512 18 vs 38; the crossover stays between 192 and 256 units.
# fastpath.FUSED_WORK (batch x parameters) sends the very largest batches to autograd too.
FUSED_CROSSOVER = 40_000


def path_for(batch_size: int, n_params: int) -> str:
    """"fast" (the fused kernel) or "general" (autograd) for a network of `n_params`
    parameters trained in batches of `batch_size`, on the CPU; other reasons to leave the
    kernel (blocks it lacks, input noise, fastpath.FUSED_WORK) come on top."""
    return "fast" if n_params * min(batch_size, 10) < 10 * FUSED_CROSSOVER else "general"


# Order entries (int64) one fused call of several epochs holds at most: 8 MiB.
CHUNK_INDICES = 1 << 20

GPU_WORK = 1_000_000  # batch size x parameters from which a GPU step beats the CPU kernel


def pick_device(asked: str = "auto", work: int | None = None) -> tuple[torch.device, str]:
    """The device to train on and a note when it is not the one asked for. "auto" takes the
    GPU only for `work` (batch size x parameters) worth its ~100 kernel launches per step: a
    playground-sized net steps in about a microsecond on the CPU's fused kernel, and a launch
    alone costs several."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if asked == "auto":
        gpu = "cuda" if cuda else "mps" if mps else ""
        if gpu and work is not None and work < GPU_WORK:
            return torch.device("cpu"), f"auto: the CPU, this network is too small to gain from {gpu}"
        return torch.device(gpu or "cpu"), ""
    if (asked == "cuda" and not cuda) or (asked == "mps" and not mps):
        return torch.device("cpu"), f"{asked} is not available here; training on the CPU"
    return torch.device(asked), ""


def _clone_state(state: list[dict[str, torch.Tensor]]) -> list[dict[str, torch.Tensor]]:
    return [{k: v.clone() for k, v in s.items()} for s in state]


def problem_inputs(experiment: Experiment, dataset: Dataset) -> int:
    return len(experiment.features) if dataset.is_2d else dataset.x.shape[1]


class Trainer:
    """Trains the network an Experiment describes; see the module docstring."""

    def __init__(self, experiment: Experiment, device: str | None = None,
                 compile_fast: bool = True, train_limit: int | None = None):
        """`compile_fast=False` never waits for the fused kernel to compile: training starts
        on autograd and `enable_fast_path()` switches over later (the GUI's first start).
        `train_limit`: train on only the first that many training points (learning curves)."""
        self.experiment = experiment.copy()
        spec = self.experiment.training
        self.dataset = build_dataset(self.experiment.data, train_limit)
        if self.dataset.problem != "regression" and self.dataset.n_classes < 2:
            raise SpecError("data.generator", f"{self.dataset.name!r} has a single class; a "
                            "classifier needs two or more (use it in the clustering lab)")
        graph = self.experiment.network
        self.n_inputs = problem_inputs(self.experiment, self.dataset)
        self.head = OutputHead.build(graph, self.dataset.problem, self.dataset.n_classes,
                                     spec.label_smoothing if spec.label_smoothing else 0.0)
        errors = graph.validate(self.n_inputs, self.head.n_outputs)
        if errors:
            raise errors[0]
        self.model = Network(graph, self.n_inputs, self.head.n_outputs, seed=spec.seed)
        self.n_params = sum(p.numel() for p in self.model.parameters())
        self.device, self.device_note = pick_device(device or spec.device,
                                                    spec.batch_size * self.n_params)
        self.model.to(self.device)
        self._load_data()
        rows = len(self.dataset.x)
        # Threads per kind of work; the fused path's torch work is per-epoch bookkeeping on
        # tiny tensors and always takes one (see threads_for).
        self.threads = {"train": threads_for(spec.batch_size, self.n_params),
                        "evaluate": threads_for(rows, self.n_params)}
        params, decay = self.model.weights_and_biases()
        self.params = params
        self.decay_mask = decay
        self.optimizer = Optimizer(spec.optimizer, spec.optimizer_params, params, decay)
        self.penalty = WEIGHT_PENALTIES[spec.regularization]
        self.penalty_params = self.penalty.resolve(spec.regularization_params)
        self.schedule = SCHEDULES[spec.schedule]
        self.schedule_params = self.schedule.resolve(spec.schedule_params)
        self.base_learning_rate = spec.learning_rate
        self.shuffle_gen = torch.Generator().manual_seed(spec.seed + 1)
        self.noise_gen = torch.Generator(device=self.device).manual_seed(spec.seed + 2)
        self.epoch = 0
        self.batch_in_epoch = 0
        self.order = self._epoch_order()
        self.history = History()
        view = self.experiment.view  # measured while shown (files and lessons say what is)
        self.gradients = GradientTracker(self.model, on=view.gradient_flow
                                         or view.panel == "gradients")
        self.show_histograms = view.panel == "histograms"  # snapshots then carry them
        self.status = READY
        self.message = ""
        self.wall_time = 0.0
        self._epoch_seconds = 0.0  # the last measured time of an epoch (train's calls)
        self.best: tuple[float, int, dict] | None = None  # early stopping: loss, epoch, weights
        self._last_good = self._state_copy()
        self.path = "general"
        self.path_reason = "autograd through the graph"
        self.fast = None
        if spec.fast_path:
            self.enable_fast_path(compile_now=compile_fast)
        self.last_metrics = self.evaluate()

    def enable_fast_path(self, compile_now: bool = True) -> bool:
        """Move onto the fused path where it applies (also mid-run: weights and optimizer
        state carry over); otherwise record why not. Returns whether it is on."""
        from .fastpath import FastPath

        batch = self.experiment.training.batch_size
        if self.fast is None and self.device.type == "cpu" and \
                path_for(batch, self.n_params) == "general":
            self.path_reason = (f"autograd with matrix libraries on one thread "
                                f"({self.n_params:,} parameters x batch {batch}: big enough "
                                "that it beats the fused kernel)")
            return False
        if self.fast is None:
            self.fast = FastPath.try_build(self, compile_now)
        if self.fast is not None:
            self.path, self.path_reason = "fast", self.fast.describe()
            self._remember_good()
            return True
        self.path_reason = FastPath.why_not(self, compile_now)
        return False

    # ----------------------------------------------------------------------------- data
    def _load_data(self) -> None:
        ds, dev = self.dataset, self.device
        self.raw_train = torch.as_tensor(ds.x_train, device=dev)
        self.raw_test = torch.as_tensor(ds.x_test, device=dev)
        self.x_train = self.inputs(self.raw_train)
        self.x_test = self.inputs(self.raw_test)
        y_dtype = torch.float32 if ds.problem == "regression" else torch.int64
        self.y_train = torch.as_tensor(ds.y_train, dtype=y_dtype, device=dev)
        self.y_test = torch.as_tensor(ds.y_test, dtype=y_dtype, device=dev)
        self.t_train = self.head.encode(self.y_train)
        self.t_test = self.head.encode(self.y_test)
        # The validation split is evaluated here, through torch, on both paths: the fused
        # kernel knows only train and test (see _validation_metrics).
        self.x_val = self.inputs(torch.as_tensor(ds.x_val, device=dev))
        self.y_val = torch.as_tensor(ds.y_val, dtype=y_dtype, device=dev)
        self.t_val = self.head.encode(self.y_val)

    def inputs(self, raw: torch.Tensor) -> torch.Tensor:
        """Network inputs for raw points: the chosen features (2-D data) or the pixels."""
        if self.dataset.is_2d:
            return feats.transform(raw, self.experiment.features).float().contiguous()
        return raw

    @property
    def n_train(self) -> int:
        return len(self.dataset.train_idx)

    @property
    def batches_per_epoch(self) -> int:
        return math.ceil(self.n_train / self.experiment.training.batch_size)

    def _epoch_order(self) -> torch.Tensor:
        """The next epoch's order of the training examples (shuffle.py: one seed drawn from
        the shuffle generator, as a fused call of many epochs draws them)."""
        if not self.experiment.training.shuffle:
            return torch.arange(self.n_train)
        seed = int(shuffle.draw_seeds(self.shuffle_gen, 1)[0])
        fast = getattr(self, "fast", None)  # (the first order is drawn before there is one)
        return torch.from_numpy(shuffle.shuffled(seed, self.n_train) if fast is None
                                else fast.shuffled(seed, self.n_train))

    # ----------------------------------------------------------------------- settings
    @property
    def learning_rate(self) -> float:
        return self.schedule.fn(self.epoch, self.base_learning_rate, self.schedule_params)

    def set_learning_rate(self, value: float) -> None:
        """Applies at once, without a reset (as in TF Playground)."""
        if not (value > 0 and math.isfinite(value)):
            raise SpecError("training.learning_rate", f"must be > 0, got {value}")
        self.base_learning_rate = float(value)
        self.experiment.training.learning_rate = float(value)

    def apply_live(self, training) -> None:
        """Take the settings that apply without a reset (the fields marked live in the spec):
        learning rate, schedule, epoch limit, early stopping and patience. A run that had
        finished at its epoch limit goes on when the limit is raised or removed."""
        spec = self.experiment.training
        self.set_learning_rate(training.learning_rate)
        self.schedule = SCHEDULES[training.schedule]
        self.schedule_params = self.schedule.resolve(training.schedule_params)
        spec.schedule, spec.schedule_params = training.schedule, dict(training.schedule_params)
        spec.epochs, spec.patience = training.epochs, training.patience
        if spec.early_stopping != training.early_stopping:
            spec.early_stopping = training.early_stopping
            self.best = None
        if self.status == FINISHED and not (spec.epochs and self.epoch >= spec.epochs):
            self.status, self.message = RUNNING, ""

    def set_weight(self, node_id: str, row: int, col: int | None, value: float) -> None:
        """Hand-edit one weight, or the bias when `col` is None (TF Playground's click on an
        edge or a neuron). `row` is the unit the view shows: a maxout unit's k pieces are rows
        row·k … row·k + k − 1, and all of them take the value (the view shows their mean)."""
        if not math.isfinite(value):
            raise SpecError("weight", f"must be a finite number, got {value}")
        layer = dict(self.model.dense_layers())[node_id]
        node = self.experiment.network.nodes[node_id]
        units = int(node.param("units")) if node.type == "dense" else layer.weight.shape[0]
        pieces = max(1, layer.weight.shape[0] // max(units, 1))
        rows = slice(row * pieces, (row + 1) * pieces)
        with torch.no_grad():
            if col is None:
                layer.bias[rows] = value
            else:
                layer.weight[rows, col] = value
        self.gradients.forget()
        self._remember_good()
        self.last_metrics = self.evaluate()

    @property
    def done(self) -> bool:
        return self.status in (DIVERGED, STOPPED, FINISHED)

    # -------------------------------------------------------------------------- steps
    def step_batch(self) -> None:
        """One mini-batch of the current epoch (finishing the epoch if it was the last)."""
        if self.done:
            return
        t0 = time.perf_counter()
        self.status = RUNNING
        use_threads(1 if self.fast is not None else self.threads["train"])
        if self.fast is not None:
            self.fast.run(self.order, self.batch_in_epoch, self.batch_in_epoch + 1,
                          self.learning_rate, evaluate=False)
        else:
            bs = self.experiment.training.batch_size
            idx = self.order[self.batch_in_epoch * bs:(self.batch_in_epoch + 1) * bs]
            self._general_step(idx.to(self.device), self.learning_rate)
        self.batch_in_epoch += 1
        self.wall_time += time.perf_counter() - t0
        if self.batch_in_epoch >= self.batches_per_epoch:
            self._end_epoch()
        else:
            self._check_finite_batch()
            if not self.done:  # the readouts say what this batch did (they kept the epoch's)
                self.last_metrics = self.evaluate()

    def step_epoch(self) -> None:
        """Finish the current epoch (all of it when at its start)."""
        if self.done:
            return
        t0 = time.perf_counter()
        self.status = RUNNING
        lr = self.learning_rate
        metrics = None
        use_threads(1 if self.fast is not None else self.threads["train"])
        if self.fast is not None:  # the epoch's evaluation runs in the same call
            metrics = self.fast.run(self.order, self.batch_in_epoch, self.batches_per_epoch, lr,
                                    evaluate=True)
        else:
            bs = self.experiment.training.batch_size
            order = self.order.to(self.device)
            for b in range(self.batch_in_epoch, self.batches_per_epoch):
                self._general_step(order[b * bs:(b + 1) * bs], lr)
        self.batch_in_epoch = self.batches_per_epoch
        self.wall_time += time.perf_counter() - t0
        self._end_epoch(metrics)

    def run(self, epochs: int) -> None:
        self.train(epochs)
        self.measure_validation()

    def train(self, epochs: int, seconds: float | None = None) -> int:
        """Up to `epochs` epochs (finishing the current one first), fewer when the run ends
        or, given `seconds`, once that long has passed (checked between calls: at least one
        epoch runs). Returns the epochs finished.

        On the fused path, whole epochs run many to a kernel call whenever nothing needs
        Python between them (no early stopping, no gradient measurements): the ~20 µs of
        Python per epoch around a call was as long as a small network's whole epoch. The
        results are the same as epoch by epoch, bit for bit (a test). Given `seconds`, the
        epochs nearest that long go in one call (~150 µs of bookkeeping each, a slice's
        remainder of a fraction of an epoch had a call of its own)."""
        start = time.perf_counter()
        done = 0
        while done < epochs and not self.done:
            left = None if seconds is None else seconds - (time.perf_counter() - start)
            if left is not None and done and (left <= 0 or left < self._epoch_seconds / 2):
                break  # (a call for less than half an epoch: more bookkeeping than training)
            k = self._chunk_size(epochs - done, left)
            began = time.thread_time()  # (CPU time: an epoch's work, whatever else runs)
            if k:  # (one epoch too: the per-epoch path's Python cost ~5% at 2,500 points)
                n = self._train_chunk(k)
            else:
                self.step_epoch()
                n = 1
            done += n
            self._epoch_seconds = (time.thread_time() - began) / max(n, 1)
        return done

    def _chunk_size(self, wanted: int, seconds: float | None) -> int:
        """How many epochs the next fused call may run (0: epoch by epoch, through Python)."""
        spec = self.experiment.training
        if self.fast is None or self.batch_in_epoch or self.gradients.on or spec.early_stopping:
            return 0
        k = wanted
        if spec.epochs:
            k = min(k, spec.epochs - self.epoch)
        k = min(k, max(1, CHUNK_INDICES // max(1, self.n_train)))
        if seconds is not None:
            per = self._epoch_seconds
            k = min(k, max(1, round(seconds / per))) if per else 1  # (the slice in one call)
        return max(k, 1)

    def _train_chunk(self, k: int) -> int:
        """k whole epochs in one fused call, then each epoch's bookkeeping as `_end_epoch`
        does it (history rows, the state to fall back on, the next order, the epoch limit,
        divergence). Returns the epochs finished (the diverged one counted)."""
        spec = self.experiment.training
        t0 = time.perf_counter()
        self.status = RUNNING
        use_threads(1)
        n = self.n_train
        before = self.shuffle_gen.get_state() if spec.shuffle else None
        # row 0: this epoch's order; the kernel shuffles each next row from its seed (the
        # last row is the order of the epoch after these)
        orders = np.empty((k + 1, n), np.int64)
        orders[0] = self.order.numpy()
        if spec.shuffle:
            seeds = shuffle.draw_seeds(self.shuffle_gen, k)
        else:
            seeds = np.zeros(0, np.int64)
            orders[1:] = np.arange(n)
        if self.schedule.name == "constant":  # (a call per epoch was 4% of a small epoch)
            rates = np.full(k, self.base_learning_rate, np.float64)
        else:
            rates = np.array([self.schedule.fn(e, self.base_learning_rate, self.schedule_params)
                              for e in range(self.epoch, self.epoch + k)], np.float64)
        out = np.empty((k, 4))
        m, all_finite = self.fast.run_epochs(orders, seeds, rates, out)
        elapsed = time.perf_counter() - t0
        ran = m + (0 if all_finite else 1)
        if m:  # (validation is left out: NaN, measured only epoch by epoch)
            steps = np.arange(1, m + 1)
            self.history.extend(
                epoch=self.epoch + steps, learning_rate=rates[:m],
                wall_time=self.wall_time + elapsed * steps / ran,
                train_loss=out[:m, 0], train_accuracy=out[:m, 1], test_loss=out[:m, 2],
                test_accuracy=out[:m, 3])
            self.last_metrics = {"train_loss": float(out[m - 1, 0]),
                                 "train_accuracy": float(out[m - 1, 1]),
                                 "val_loss": math.nan, "val_accuracy": math.nan,
                                 "test_loss": float(out[m - 1, 2]),
                                 "test_accuracy": float(out[m - 1, 3])}
            self.gradients.end_epoch(self, torch.from_numpy(orders[m - 1].copy()))
            self._last_good = self.fast.kept_state()
        self.wall_time += elapsed
        self.epoch += ran
        self.batch_in_epoch = 0
        if all_finite:
            self.order = torch.from_numpy(orders[k].copy())
        else:  # the orders epoch by epoch would have drawn: up to the diverged epoch's end
            if before is not None:
                self.shuffle_gen.set_state(before)
            for _ in range(ran):
                self.order = self._epoch_order()
            self._diverge()
            return ran
        if spec.epochs and self.epoch >= spec.epochs:
            self.status = FINISHED
            self.message = f"finished {self.epoch} epochs"
        return ran

    def measure_validation(self) -> None:
        """Fill in the validation metrics the last fused epoch left unmeasured (a headless
        run's end: its results include them)."""
        if len(self.x_val) and math.isnan(self.last_metrics.get("val_loss", math.nan)):
            self.last_metrics = self.last_metrics | self._validation_metrics()

    def _general_step(self, idx: torch.Tensor, lr: float) -> None:
        spec = self.experiment.training
        if not self.model.training:  # train() walks every module: a quarter of a tiny step
            self.model.train()
        if spec.input_noise > 0 and self.dataset.is_2d:
            raw = self.raw_train[idx]
            noise = torch.randn(raw.shape, generator=self.noise_gen, device=self.device)
            xb = self.inputs(raw + spec.input_noise * noise)
        else:
            xb = self.x_train[idx]
        loss = self.head.loss(self.model(xb), self.t_train[idx]).mean()
        grads = list(torch.autograd.grad(loss, self.params, allow_unused=True))
        grads = [torch.zeros_like(p) if g is None else g for g, p in zip(grads, self.params,
                                                                           strict=True)]
        self.apply_update(grads, lr)

    @torch.no_grad()
    def apply_update(self, grads: list[torch.Tensor], lr: float) -> None:
        """Penalty gradients, clipping, the optimizer step and max-norm: shared by both paths."""
        spec = self.experiment.training
        if self.penalty.fn is not None and spec.regularization_rate > 0:
            for i, (p, decay) in enumerate(zip(self.params, self.decay_mask, strict=True)):
                if decay:
                    grads[i] = grads[i] + self.penalty.fn(p, spec.regularization_rate,
                                                          self.penalty_params)
        if spec.gradient_clip > 0:
            norm = torch.sqrt(sum((g * g).sum() for g in grads))
            scale = torch.clamp(spec.gradient_clip / (norm + 1e-12), max=1.0)
            grads = [g * scale for g in grads]
        self.optimizer.step(grads, lr)
        if spec.max_norm > 0:
            for p, decay in zip(self.params, self.decay_mask, strict=True):
                if decay:  # each unit's incoming weights: rows of W
                    norms = p.norm(dim=1, keepdim=True).clamp(min=1e-12)
                    p.mul_(torch.clamp(spec.max_norm / norms, max=1.0))

    # ---------------------------------------------------------------------- bookkeeping
    def _end_epoch(self, metrics: dict[str, float] | None = None) -> None:
        """`metrics`: the evaluation after this epoch's training, when the caller has it."""
        lr = self.learning_rate
        self.epoch += 1
        self.batch_in_epoch = 0
        finished, self.order = self.order, self._epoch_order()
        if metrics is None:
            metrics = self.evaluate()
        elif "val_loss" not in metrics:  # the fused kernel's evaluation: train and test only
            metrics = metrics | self._validation_metrics(every_epoch=True)
        if not (math.isfinite(metrics["train_loss"]) and self._params_finite()):
            self._diverge()
            return
        self.last_metrics = metrics
        self.history.append(epoch=self.epoch, learning_rate=lr, wall_time=self.wall_time,
                            **{k: metrics[k] for k in SPLIT_METRICS})
        self.gradients.end_epoch(self, finished)
        self._remember_good()
        spec = self.experiment.training
        if spec.early_stopping:
            self._early_stopping(metrics[f"{self.watched_split}_loss"], spec.patience)
        if not self.done and spec.epochs and self.epoch >= spec.epochs:
            self.status = FINISHED
            self.message = f"finished {self.epoch} epochs"

    @property
    def watched_split(self) -> str:
        """The split early stopping (and anything else that chooses) watches: validation when
        there is one; otherwise the test split, as TF Playground has no third one."""
        return "val" if len(self.dataset.val_idx) else "test"

    def _early_stopping(self, loss: float, patience: int) -> None:
        if self.best is None or loss < self.best[0]:
            self.best = (loss, self.epoch, self._state_copy())
        elif self.epoch - self.best[1] >= patience:
            self._restore(self.best[2])
            self.gradients.forget()
            self.status = STOPPED
            watched = "validation" if self.watched_split == "val" else "test"
            self.message = (f"stopped early at epoch {self.epoch}: no better {watched} loss "
                            f"for {patience} epochs; kept the best weights (epoch "
                            f"{self.best[1]})")
            self.last_metrics = self.evaluate()

    def _check_finite_batch(self) -> None:
        if not self._params_finite():
            self._diverge()

    def _params_finite(self) -> bool:
        if self.fast is not None:
            return self.fast.params_finite()
        # The smallest and largest of each tensor: one pass (NaN carries through both, an
        # infinity is one of them). isfinite(p).all() makes several passes and temporaries:
        # 0.6 ms a check at 2 x 512 units, 3% of an epoch on 250 points.
        ends = [end for p in self.params if p.numel() for end in torch.aminmax(p.detach())]
        return not ends or bool(torch.isfinite(torch.stack(ends)).all())

    def _diverge(self) -> None:
        self._restore_good()
        self.gradients.forget()
        self.status = DIVERGED
        self.message = (f"diverged at epoch {self.epoch} - try a smaller learning rate "
                        f"(now {self.base_learning_rate:g})")
        self.last_metrics = self.evaluate()

    def _remember_good(self) -> None:
        """Keep the current (finite) weights to fall back on; cheap, it runs every epoch."""
        self._last_good = self.fast.copy_state() if self.fast is not None else self._state_copy()

    def _restore_good(self) -> None:
        if self.fast is not None:
            self.fast.restore_state(self._last_good)
        else:
            self._restore(self._last_good)

    def _state_copy(self) -> dict:
        """Weights, buffers and optimizer state, cloned (a deepcopy costs 5x as much)."""
        return {"model": {k: v.detach().clone() for k, v in self.model.state_dict().items()},
                "optimizer": _clone_state(self.optimizer.state), "t": self.optimizer.t}

    def _restore(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])  # copies in place: the optimizer keeps its tensors
        self.optimizer.state = _clone_state(state["optimizer"])
        self.optimizer.t = state["t"]

    # ----------------------------------------------------------------------- evaluation
    @torch.inference_mode()
    def evaluate(self) -> dict[str, float]:
        """Loss and accuracy over all training, validation and test points (no dropout, BN
        running stats); NaN for a split without points."""
        if getattr(self, "fast", None) is not None:
            return self.fast.evaluate() | self._validation_metrics()
        use_threads(self.threads["evaluate"])
        if self.model.training:
            self.model.eval()
        out = {}
        for split in SPLITS:
            out |= self._split_metrics(split)
        return out

    @torch.inference_mode()
    def _split_metrics(self, split: str) -> dict[str, float]:
        x, t, y = (getattr(self, f"{k}_{split}") for k in ("x", "t", "y"))
        out = {f"{split}_loss": math.nan, f"{split}_accuracy": math.nan}
        if len(x) == 0:
            return out
        z = self.model(x)
        o = self.head.output(z)
        out[f"{split}_loss"] = float(self.head.loss(z, t, o).mean())
        if self.dataset.problem != "regression":
            pred = self.head.predict_class(o)
            out[f"{split}_accuracy"] = float((pred == y).float().mean())
        return out

    def _validation_metrics(self, every_epoch: bool = False) -> dict[str, float]:
        """The validation split through torch's forward pass: the fused kernel evaluates train
        and test only. At the end of each fused epoch (`every_epoch`) it runs only when early
        stopping watches validation: a pass costs more than a small net's fused epoch, and
        otherwise the drawn frames measure validation for free (core/evaluation.py). NaN when
        not measured or there is no split."""
        if not len(self.x_val) or (every_epoch and not self.experiment.training.early_stopping):
            return {"val_loss": math.nan, "val_accuracy": math.nan}
        use_threads(self.threads["evaluate"])  # the next step sets its own again
        if self.model.training:
            self.model.eval()
        return self._split_metrics("val")

    @torch.inference_mode()
    def predict(self, raw: np.ndarray) -> np.ndarray:
        """Display values for raw points: binary score in [-1, 1], class probabilities, or value."""
        self.model.eval()
        x = self.inputs(torch.as_tensor(np.asarray(raw, dtype=np.float32), device=self.device))
        return self.head.display(self.head.output(self.model(x))).float().cpu().numpy()

    def snapshot(self, resolution: int | None = None):
        from .snapshot import take_snapshot

        resolution = resolution or self.experiment.view.resolution
        use_threads(threads_for(resolution * resolution, self.n_params))
        try:
            return take_snapshot(self, resolution)
        finally:
            use_threads(1 if self.fast is not None else self.threads["train"])
