"""Training speed against a plain eager PyTorch loop, measured in one run (issue: speed).

TF Playground's spiral: 250 training points, batch 10, learning rate 0.03, tanh, squared error,
plain SGD; networks [4, 2] and six hidden layers of 8. Prints epochs per second of
  (a) a plain eager PyTorch loop: nn.Sequential + autograd + torch.optim.SGD,
  (b) our Trainer as the app runs it (step_epoch: training, then loss and accuracy over all
      points, history), and the ratio b/a,
plus the time of one full view snapshot (output and every neuron map at 100x100), the fused
kernel's cold compile (a fresh process with an empty NUMBA_CACHE_DIR: what a first start on a
new machine waits for, wall-clock and CPU seconds), and GPU figures (digits, a 4x256 MLP,
batch 256) when a GPU is present.

    python benchmarks/training_speed.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

from playground.core import fastpath
from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.core.trainer import Trainer


def spiral_experiment(hidden: list[int], fast: bool = True) -> Experiment:
    exp = Experiment()
    exp.data.generator = "spiral"
    exp.network = mlp(hidden, "tanh")
    exp.training.fast_path = fast
    return exp


LAST_CPU_RATE = [0.0]  # epochs per CPU-second of the last epochs_per_second call


def epochs_per_second(step, seconds: float) -> float:
    """Epochs per wall-clock second; the rate per CPU-second goes to LAST_CPU_RATE (on a
    shared machine the wall-clock rate moves with the load, the CPU rate much less)."""
    step()  # warm-up (and compile)
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        step()
        n += 1
    LAST_CPU_RATE[0] = n / max(time.process_time() - cpu, 1e-9)
    return n / (time.perf_counter() - start)


def eager_loop(hidden: list[int], threads: int | None):
    """The plain loop people write first."""
    trainer = Trainer(spiral_experiment(hidden))  # only for the identical data
    x = torch.as_tensor(trainer.dataset.x_train)
    t = torch.as_tensor(np.where(trainer.dataset.y_train == 1, 1.0, -1.0),
                        dtype=torch.float32).view(-1, 1)
    layers, width = [], 2
    for units in hidden:
        layers += [torch.nn.Linear(width, units), torch.nn.Tanh()]
        width = units
    net = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1), torch.nn.Tanh())
    opt = torch.optim.SGD(net.parameters(), lr=0.03)

    def epoch():
        if threads:
            torch.set_num_threads(threads)
        order = torch.randperm(len(x))
        for i in range(0, len(x), 10):
            idx = order[i:i + 10]
            opt.zero_grad()
            loss = (0.5 * (net(x[idx]) - t[idx]) ** 2).mean()
            loss.backward()
            opt.step()

    return epoch


def cold_compile() -> tuple[float, float]:
    """Wall-clock and CPU seconds of compiling the kernel from nothing, in a fresh process."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("import time; t = time.perf_counter(); from playground.core import fastpath; "
            "fastpath.warm_up(); print(time.perf_counter() - t)")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache,
               "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(done.stdout.strip().splitlines()[-1]), cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--compile-only", action="store_true", help="only the cold compile")
    args = parser.parse_args()
    wall, cpu = cold_compile()
    compile_line = (f"fused kernel cold compile (empty NUMBA_CACHE_DIR, fresh process, imports "
                    f"included): {wall:.1f} s wall, {cpu:.1f} CPU-s")
    if args.compile_only:
        print(compile_line)
        return
    default_threads = torch.get_num_threads()
    print(f"torch {torch.__version__}, {default_threads} threads by default; "
          f"{args.seconds:g} s per figure\n")
    print(f"{'network':<22}{'(a) eager':>12}{'eager 1 thr':>13}{'(b) ours':>12}{'b/a':>8}"
          f"{'general':>10}{'ours/CPU-s':>12}  path")
    for hidden in ([4, 2], [8] * 6):
        torch.set_num_threads(default_threads)
        a = epochs_per_second(eager_loop(hidden, None), args.seconds)
        a1 = epochs_per_second(eager_loop(hidden, 1), args.seconds)
        torch.set_num_threads(default_threads)
        ours = Trainer(spiral_experiment(hidden))
        b = epochs_per_second(ours.step_epoch, args.seconds)
        b_cpu = LAST_CPU_RATE[0]
        general = Trainer(spiral_experiment(hidden, fast=False))
        g = epochs_per_second(general.step_epoch, args.seconds)
        print(f"{str(hidden):<22}{a:>12,.0f}{a1:>13,.0f}{b:>12,.0f}{b / a:>8.1f}{g:>10,.0f}"
              f"{b_cpu:>12,.0f}  {ours.path}")
    trainer = Trainer(spiral_experiment([8] * 6))
    trainer.run(5)
    trainer.snapshot(100)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        trainer.snapshot(100)
        n += 1
    print(compile_line)
    print(f"\nfull view snapshot, 6x8 network, output + 48 neuron maps at 100x100: "
          f"{(time.perf_counter() - start) / n * 1000:.2f} ms")
    crossover(args.seconds)
    if torch.cuda.is_available():
        gpu_figures(args.seconds)
    else:
        print("no GPU here: GPU figures skipped")


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
    print("\ndigits, Adam: fused kernel vs autograd on the CPU (epochs/s), and the trainer's pick")
    limit = fastpath.FUSED_WORK
    for hidden, batch in (([64, 64], 32), ([128, 128], 64), ([256, 256], 32), ([256] * 4, 256)):
        exp = digits_experiment(hidden, batch)
        picked = Trainer(exp).path
        fastpath.FUSED_WORK = 1 << 62  # let the kernel take any size, for the comparison
        fused = epochs_per_second(Trainer(exp).step_epoch, seconds)
        fastpath.FUSED_WORK = limit
        exp.training.fast_path = False
        auto = epochs_per_second(Trainer(exp).step_epoch, seconds)
        print(f"  {str(hidden):<22} batch {batch:<4} fused {fused:>8,.1f}  autograd {auto:>8,.1f}"
              f"  picks {picked}")


def gpu_figures(seconds: float) -> None:
    exp = digits_experiment([256] * 4, 256)
    rates = {}
    for device in ("cpu", "cuda"):
        t = Trainer(exp, device=device)
        rates[device] = epochs_per_second(t.step_epoch, seconds)
    print(f"digits, 4x256 MLP, batch 256: cpu {rates['cpu']:.1f} epochs/s, "
          f"cuda {rates['cuda']:.1f} epochs/s, ratio {rates['cuda'] / rates['cpu']:.1f}; "
          f"auto picks {Trainer(exp).device}")


if __name__ == "__main__":
    main()
