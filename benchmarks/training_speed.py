"""Training speed, measured in one run: the trainer against the plain loops people write and
against TF Playground's engine (issue: speed without cliffs).

Every figure is epochs per CPU-second (process time, all threads counted) beside epochs per
wall-clock second, so a busy machine or a second thread cannot flatter a result. An epoch is
what the app does per epoch: train on every batch, then loss and accuracy over both splits.

1. Width x size sweep: spiral, 2 hidden tanh layers of 8 .. 512, 250 / 2,500 / 25,000
   training points, batch 10, SGD 0.03, squared error. Columns: a plain eager PyTorch loop on
   one thread, the same on all threads, the fused kernel, and the trainer (its own choice of
   path and threads), then the trainer over the best of the three. Each figure is the best of
   `--rounds` rounds, the columns taking turns (the machine is shared: one round's figures
   spread 30-40%). Cells time whole epochs: an epoch longer than `--seconds` is timed once a
   round (its first call; a 25,000-point epoch at 2 x 512 units is seconds), shorter ones
   after a warm-up call, as many as fit. Only a reference loop whose epoch would take more
   than `--epoch-limit` seconds (torch on all threads collapses on a busy machine: minutes
   per 25,000-point epoch) is timed in parts, a slice of its batches and its evaluation each
   timed alone and added up, marked "~". (Timing a slice plus an evaluation and subtracting
   the evaluation timed apart was fragile: at 25,000 points the evaluation outweighed the
   slice, and its noise read as a 7x cliff of the trainer at 2 x 512 that whole epochs do
   not show.)
2. TF Playground's own configurations, [4, 2] and six layers of 8 on its spiral, against its
   engine timed in the same run (Node, benchmarks/tf_engine.js; ~7,900 and ~780 epochs per
   CPU-second on this machine class when the issue was filed; goal 10x), rounds in turns.
3. The full view snapshot (output and 48 neuron maps at 100x100) of the 6x8 net.

    python benchmarks/training_speed.py [--seconds 1] [--quick] [--sizes 25000] [--digits]

The 25,000-point row takes minutes (about 2 epochs per cell, the fused kernel's at 512 units
tens of seconds).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from playground.core import fastpath
from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.core.trainer import Trainer
from playground.gui.worker import SLICE  # (the window worker's slice at full speed)

WIDTHS = (8, 16, 32, 64, 128, 256, 512)
SIZES = (250, 2_500, 25_000)
TF_ENGINE = {"[4, 2]": 7_900.0, "6x8": 780.0}  # the figures (Node 20), shown without Node
ALL_THREADS = torch.get_num_threads()


def spiral_experiment(hidden: list[int], fast: bool = True, n_train: int = 250) -> Experiment:
    exp = Experiment()
    exp.data.generator = "spiral"
    exp.data.n_points = 2 * n_train  # half train, half test
    exp.network = mlp(hidden, "tanh")
    exp.training.fast_path = fast
    return exp


@dataclass
class Timed:
    """What a figure times: `call` trains `epochs` whole epochs (0: as many as it returns),
    each ending in an evaluation of both splits; a reference loop also gives its parts,
    timed apart when an epoch is too long to time whole: `batches` trains the first
    `fraction` of an epoch's batches, and `evaluate` evaluates both splits."""

    call: Callable[[], object]
    epochs: int = 1
    batches: Callable[[], object] | None = None
    fraction: float = 1.0
    evaluate: Callable[[], object] | None = None
    in_parts: bool | None = None  # decided on the first figure, kept for the later rounds


def per_call(fn: Callable[[], object], seconds: float, counted: bool = False
             ) -> tuple[float, float]:
    """Mean (CPU, wall) seconds per call over about `seconds`; per unit of what the calls
    return when `counted` (the trainer's epochs done). A first call that takes at least
    `seconds` is the measurement (one call of a big epoch: its first batches' warm-up is lost
    in thousands); a shorter one is a warm-up, and the calls after it are timed."""
    c0, w0 = time.process_time(), time.perf_counter()
    done = fn()
    first_cpu, first_wall = time.process_time() - c0, time.perf_counter() - w0
    if first_wall >= seconds:
        return first_cpu / (done if counted else 1), first_wall / (done if counted else 1)
    n, c0, w0 = 0, time.process_time(), time.perf_counter()
    while n == 0 or time.perf_counter() - w0 < seconds:
        done = fn()
        done = done if counted else 1
        if not done:
            raise RuntimeError("the trainer stopped (an epoch limit, or divergence)")
        n += done
    return (time.process_time() - c0) / n, (time.perf_counter() - w0) / n


def once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rate(timed: Timed, seconds: float, epoch_limit: float = math.inf) -> tuple[float, float, bool]:
    """(epochs per CPU-second, epochs per wall second, whether it was timed in parts)."""
    if timed.in_parts is None:
        timed.in_parts = timed.batches is not None and timed.evaluate is not None and \
            once(timed.batches) / timed.fraction + once(timed.evaluate) > epoch_limit
    if timed.in_parts:
        cpu_b, wall_b = per_call(timed.batches, seconds)
        cpu_e, wall_e = per_call(timed.evaluate, seconds)
        return (1 / (cpu_b / timed.fraction + cpu_e), 1 / (wall_b / timed.fraction + wall_e),
                True)
    cpu, wall = per_call(timed.call, seconds, counted=timed.epochs == 0)
    epochs = timed.epochs or 1
    return epochs / max(cpu, 1e-9), epochs / wall, False


def eager_epoch(trainer: Trainer, threads: int) -> Timed:
    """The plain loop people write first: nn.Sequential, autograd, torch.optim.SGD, then an
    evaluation of both splits under no_grad."""
    hidden = [layer.out_features for _, layer in trainer.model.dense_layers()][:-1]
    x, xt = trainer.x_train, trainer.x_test
    t = torch.as_tensor(np.where(trainer.dataset.y_train == 1, 1.0, -1.0),
                        dtype=torch.float32).view(-1, 1)
    layers, width = [], x.shape[1]
    for units in hidden:
        layers += [torch.nn.Linear(width, units), torch.nn.Tanh()]
        width = units
    net = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1), torch.nn.Tanh())
    opt = torch.optim.SGD(net.parameters(), lr=0.03)
    bs, n = 10, len(x)
    n_batches = -(-n // bs)
    k = slice_batches(n_batches)

    def batches(stop: int) -> None:
        torch.set_num_threads(threads)
        order = torch.randperm(n)
        for b in range(0, stop * bs, bs):
            idx = order[b:b + bs]
            opt.zero_grad()
            loss = (0.5 * (net(x[idx]) - t[idx]) ** 2).mean()
            loss.backward()
            opt.step()

    def evaluate() -> None:
        torch.set_num_threads(threads)
        with torch.no_grad():
            net(x)
            net(xt)

    def epoch() -> None:
        batches(n_batches)
        evaluate()

    return Timed(epoch, 1, lambda: batches(k), k / n_batches, evaluate)


def slice_batches(n_batches: int) -> int:
    """Batches a timed part trains when an epoch is too long to time whole."""
    return min(n_batches, 100)


def fused_epoch(trainer: Trainer) -> Timed:
    """The fused kernel alone (whatever the trainer would pick) as a training loop: a fresh
    order each epoch (the kernel's own shuffle, as the eager loop draws randperm and the
    trainer shuffles; this loop once reused one order), batches, then evaluation."""
    fast = fastpath.FastPath(trainer)
    n_batches, n = trainer.batches_per_epoch, trainer.n_train
    k = slice_batches(n_batches)
    seeds = iter(range(1 << 62))

    def batches(stop: int) -> None:
        order = torch.from_numpy(fast.shuffled(next(seeds), n))
        fast.run(order, 0, stop, 0.03, evaluate=False)

    def epoch() -> None:
        batches(n_batches)
        fast.evaluate()

    return Timed(epoch, 1, lambda: batches(k), k / n_batches, fast.evaluate)




def trainer_epoch(trainer: Trainer) -> Timed:
    """The trainer as the app runs it (threads and path its own choice): `train` as the
    window's worker calls it at full speed (epochs for SLICE seconds, many to a fused call)
    while an epoch is small (under 20M weight-uses of training: points x parameters), one
    epoch a call above."""
    if trainer.n_train * trainer.n_params < 20_000_000:
        return Timed(lambda: trainer.train(1 << 40, seconds=SLICE), 0)
    return Timed(lambda: trainer.train(1), 1)


def num(value: float, width: int) -> str:
    """Three significant figures or so: 12,345 / 123 / 12.3 / 1.23 / 0.123."""
    digits = 0 if value >= 100 else 1 if value >= 10 else 2 if value >= 1 else 3
    return f"{value:>{width},.{digits}f}"


def sweep(seconds: float, widths, sizes, rounds: int = 3, epoch_limit: float = 20.0) -> None:
    print(f"1. spiral, 2 hidden tanh layers, batch 10: epochs per CPU-second (per wall second), "
          f"best of {rounds} rounds")
    head = f"{'width':>5} {'train':>6} | {'eager 1 thr':>18} {f'eager {ALL_THREADS} thr':>18} " \
           f"{'fused':>18} {'trainer':>18} | {'ratio':>5}  trainer's choice"
    print(head)
    for n_train in sizes:
        for width in widths:
            hidden = [width, width]
            base = Trainer(spiral_experiment(hidden, fast=False, n_train=n_train))
            ours = Trainer(spiral_experiment(hidden, n_train=n_train))
            figures = {"eager1": eager_epoch(base, 1), "eagerN": eager_epoch(base, ALL_THREADS),
                       "fused": fused_epoch(base), "trainer": trainer_epoch(ours)}
            cells = {k: (0.0, 0.0, False) for k in figures}
            for _ in range(rounds):  # the columns take turns; each keeps its best round
                for k, timed in figures.items():
                    torch.set_num_threads(ALL_THREADS)
                    cells[k] = max(cells[k], rate(timed, seconds, epoch_limit))
            best = max(cells[k][0] for k in ("eager1", "eagerN", "fused"))
            text = " ".join(f"{'~' if parts else ' '}{num(c, 8)} ({num(w, 6)})"
                            for c, w, parts in cells.values())
            print(f"{width:>5} {n_train:>6} | {text} | {cells['trainer'][0] / best:>5.2f}  "
                  f"{ours.path}, {ours.threads['train']} thread(s)")
            torch.set_num_threads(ALL_THREADS)


class TFEngine:
    """TF Playground's engine on its spiral, run by Node beside this process
    (benchmarks/tf_engine.js --serve: its objects and loops re-written, one example at a time),
    one net training on between requests so that the two can take turns."""

    def __init__(self, shape: list[int]):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf_engine.js")
        self.process = subprocess.Popen(
            [shutil.which("node") or "node", script, "--serve", ",".join(map(str, shape))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.version = json.loads(self.process.stdout.readline())["node"]

    def rate(self, seconds: float, with_loss: bool = False) -> tuple[float, float]:
        """(epochs per CPU-second, per wall second) over about `seconds` of CPU time."""
        self.process.stdin.write(f"{'loss' if with_loss else 'train'} {seconds}\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return answer["per_cpu_second"], answer["per_wall_second"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def tf_ground(seconds: float, rounds: int) -> None:
    """TF Playground's [4, 2] and 6x8 against its own engine, measured in this run and in
    turns: each round times the engine (training only, then with its step's loss), the eager
    loop and the trainer for about `seconds` each, back to back. The machine's speed moves
    +-30% within a minute here (Node and the trainer alike), so the ratio is taken per round,
    between figures seconds apart, and the median and the lowest of those are printed beside
    each column's best round."""
    if shutil.which("node") is None:
        print(f"\n2. TF Playground's spiral: Node not found, its engine was not measured (it "
              f"ran about {TF_ENGINE['[4, 2]']:,.0f} and {TF_ENGINE['6x8']:,.0f} epochs per "
              f"CPU-second on [4, 2] and 6x8 on this machine class)")
        return
    print(f"\n2. TF Playground's spiral (250 training points, batch 10, SGD 0.03, tanh, squared "
          f"error), {rounds} rounds in turns, {seconds:g} s each: epochs per CPU-second (per "
          f"wall second), best round")
    print(f"{'network':<8}{'TF engine':>18}{'with loss':>18}{'eager 1 thr':>18}{'trainer':>20}"
          f" | x TF: median  lowest | x eager")
    for name, hidden in (("[4, 2]", [4, 2]), ("6x8", [8] * 6)):
        engine = TFEngine(hidden)
        base = Trainer(spiral_experiment(hidden, fast=False))
        ours = Trainer(spiral_experiment(hidden))
        ours.train(1 << 40, seconds=1.0)  # (as the engine's warm-up)
        figures: dict[str, list[tuple[float, float]]] = {
            "tf": [], "tf_loss": [], "eager": [], "trainer": []}
        for _ in range(rounds):
            figures["tf"].append(engine.rate(seconds))
            figures["tf_loss"].append(engine.rate(seconds, with_loss=True))
            figures["eager"].append(rate(eager_epoch(base, 1), seconds)[:2])
            figures["trainer"].append(rate(trainer_epoch(ours), seconds)[:2])
        engine.close()
        ratios = sorted(t[0] / f[0] for t, f in zip(figures["trainer"], figures["tf"],
                                                    strict=True))
        best = {k: max(v) for k, v in figures.items()}
        cells = "".join(f"{num(best[k][0], 10)} ({num(best[k][1], 6)})"
                        for k in ("tf", "tf_loss", "eager"))
        cpu, wall = best["trainer"]
        print(f"{name:<8}{cells}{num(cpu, 12)} ({num(wall, 6)}) | {np.median(ratios):>11.1f}"
              f"{ratios[0]:>8.1f} | {cpu / best['eager'][0]:>7.0f}")
    print(f"(Node {engine.version}. TF engine: training only, as the issue's goal counts it; "
          f"with loss: plus its step's loss over both splits. The trainer's epoch always "
          f"includes that evaluation. x TF: trainer / TF engine training only, per round; goal "
          f">= 10)")


def view_snapshot(seconds: float) -> None:
    trainer = Trainer(spiral_experiment([8] * 6))
    trainer.run(5)
    cpu, wall, _ = rate(Timed(lambda: trainer.snapshot(100)), seconds)
    print(f"\n3. full view snapshot, 6x8, output + 48 neuron maps at 100x100: "
          f"{1000 / wall:.2f} ms wall, {1000 / cpu:.2f} ms CPU")


COLD_CASES = (("[4, 2] tanh, squared error, SGD (the first kernel: blocks too)",
               [4, 2], "tanh", "sgd"),
              ("6x8 ReLU, squared error, Adam (a further combination)", [8] * 6, "relu", "adam"))


def cold_compile() -> list[tuple[str, float, float]]:
    """(what, wall seconds, CPU seconds) of compiling kernels from nothing, as the app does in
    the background: `python -m playground.core.kernel.store PLAN`, a fresh process each
    (imports included), with empty kernel and numba cache folders. The first compiles the
    shared blocks too; the second finds them cached, as every later combination does."""
    from playground.core.kernel import store

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = []
    with tempfile.TemporaryDirectory() as kernels, tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, store.ENV_DIR: kernels, "NUMBA_CACHE_DIR": cache,
               "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
        for what, hidden, activation, optimizer in COLD_CASES:
            exp = spiral_experiment(hidden)
            exp.network = mlp(hidden, activation)
            exp.training.optimizer = optimizer
            command = fastpath.kernel_for(Trainer(exp, compile_fast=False)).compile_command()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            out.append((what, wall, cpu))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0, help="per figure")
    parser.add_argument("--quick", action="store_true", help="widths 8, 32, 128, 512; 250 and "
                        "2,500 points")
    parser.add_argument("--sizes", type=int, nargs="+", help="training-set sizes to sweep")
    parser.add_argument("--widths", type=int, nargs="+", help="hidden widths to sweep")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per sweep figure "
                        "(the best counts)")
    parser.add_argument("--epoch-limit", type=float, default=20.0, help="seconds from which "
                        "a reference loop's epoch is timed in parts")
    parser.add_argument("--sweep-only", action="store_true", help="only the width x size "
                        "sweep (no cold compile, TF ground, snapshot)")
    parser.add_argument("--digits", action="store_true", help="also the fused/autograd "
                        "crossover on digits")
    parser.add_argument("--compile-only", action="store_true", help="only the cold compile")
    parser.add_argument("--ground-only", action="store_true", help="only TF Playground's "
                        "ground (its engine, the eager loop and the trainer)")
    parser.add_argument("--ground-rounds", type=int, default=10, help="rounds on TF "
                        "Playground's ground")
    args = parser.parse_args()
    if args.ground_only:
        fastpath.warm_up(spiral_experiment([8, 8]))
        tf_ground(args.seconds / 2, args.ground_rounds)
        return
    if not args.sweep_only:
        print("fused kernel cold compile (a fresh process each, imports included, empty kernel "
              "and numba cache folders):")
        for what, wall, cpu in cold_compile():
            print(f"  {what}: {wall:.1f} s wall, {cpu:.1f} CPU-s")
        if args.compile_only:
            return
    fastpath.warm_up(spiral_experiment([8, 8]))  # (every spiral figure's kernel: no compile timed)
    print(f"torch {torch.__version__}, {ALL_THREADS} threads by default, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}; {args.seconds:g} s per figure\n")
    widths, sizes = ((8, 32, 128, 512), (250, 2_500)) if args.quick else (WIDTHS, SIZES)
    sweep(args.seconds, args.widths or widths, args.sizes or sizes, args.rounds, args.epoch_limit)
    if not args.sweep_only:
        tf_ground(args.seconds / 2, args.ground_rounds)
        view_snapshot(args.seconds)
        if args.digits:
            crossover(args.seconds)
        if torch.cuda.is_available():
            gpu_figures(args.seconds)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


def digits_experiment(hidden: list[int], batch: int) -> Experiment:
    exp = Experiment()
    exp.data.generator = "digits"
    exp.network = mlp(hidden, "relu", output_activation="softmax", loss="softmax_ce",
                      init="he_normal")
    exp.training.batch_size = batch
    exp.training.optimizer = "adam"
    exp.training.learning_rate = 0.001
    return exp


def crossover(seconds: float) -> None:
    """The fused kernel against autograd + matrix libraries on the CPU, small to large, and
    which one the trainer picks (fastpath.FUSED_WORK)."""
    print("\n4. digits, Adam: fused kernel vs autograd on the CPU (epochs per CPU-second), and "
          "the trainer's pick")
    limit = fastpath.FUSED_WORK
    for hidden, batch in (([64, 64], 32), ([128, 128], 64), ([256, 256], 32), ([256] * 4, 256)):
        exp = digits_experiment(hidden, batch)
        picked = Trainer(exp).path
        fastpath.FUSED_WORK = 1 << 62  # let the kernel take any size, for the comparison
        fused = rate(trainer_epoch(Trainer(exp)), seconds)[0]
        fastpath.FUSED_WORK = limit
        exp.training.fast_path = False
        auto = rate(trainer_epoch(Trainer(exp)), seconds)[0]
        print(f"  {str(hidden):<22} batch {batch:<4} fused {fused:>8,.1f}  autograd {auto:>8,.1f}"
              f"  picks {picked}")


def gpu_figures(seconds: float) -> None:
    exp = digits_experiment([256] * 4, 256)
    rates = {}
    for device in ("cpu", "cuda"):
        t = Trainer(exp, device=device)
        rates[device] = rate(trainer_epoch(t), seconds)[1]
    print(f"digits, 4x256 MLP, batch 256: cpu {rates['cpu']:.1f} epochs/s, "
          f"cuda {rates['cuda']:.1f} epochs/s, ratio {rates['cuda'] / rates['cpu']:.1f}; "
          f"auto picks {Trainer(exp).device}")


if __name__ == "__main__":
    main()
