"""What judging the model costs (issue #19), measured in one run:

1. A validation split: the fused kernel evaluates train and test only. Validation is
   measured at drawn frames (from the pass the views make anyway), and through torch's
   forward pass after every fused epoch only when early stopping watches it. Epochs per
   CPU-second without a split, with a 20 % split, and with one watched by early stopping
   (patience high enough never to stop), with their ratios to the first (1.0 = free).
2. A frame's evaluation: the snapshot's one forward pass over every point and the AUC (or
   R²) it records, against the whole snapshot (the 100 x 100 maps of every neuron).
3. A sweep: runs per second in this process and in worker processes on every core.

    python benchmarks/judging_cost.py [--epochs 2000]
"""

from __future__ import annotations

import argparse
import os
import time

from playground.core import evaluation
from playground.core import sweep as S
from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.core.sweep_runner import SweepRun, run_sweep
from playground.core.sweep_workers import Workers
from playground.core.trainer import Trainer

CASES = {"circle [4, 2]": ("circle", [4, 2], "tanh"),
         "circle [16, 16]": ("circle", [16, 16], "tanh"),
         "digits [64]": ("digits", [64], "relu")}


def experiment(generator: str, hidden: list[int], activation: str, validation: float,
               early_stopping: bool = False):
    exp = Experiment()
    exp.data.generator, exp.data.validation_fraction = generator, validation
    exp.training.early_stopping, exp.training.patience = early_stopping, 10000
    if generator == "digits":
        exp.network = mlp(hidden, activation, output_activation="softmax", loss="softmax_ce")
        exp.training.batch_size = 32
    else:
        exp.network = mlp(hidden, activation)
    return exp


def epochs_per_cpu_second(exp: Experiment, epochs: int) -> tuple[float, float, str]:
    t = Trainer(exp)
    t.run(20)  # warm
    cpu, wall = time.process_time(), time.perf_counter()
    t.run(epochs)
    return (epochs / (time.process_time() - cpu), epochs / (time.perf_counter() - wall),
            t.path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2000)
    args = parser.parse_args()
    print("1. validation split: epochs per CPU-second (wall in brackets)")
    for name, case in CASES.items():
        epochs = args.epochs if case[0] != "digits" else max(50, args.epochs // 40)
        plain = epochs_per_cpu_second(experiment(*case, 0.0), epochs)
        held = epochs_per_cpu_second(experiment(*case, 0.2), epochs)
        watched = epochs_per_cpu_second(experiment(*case, 0.2, True), epochs)
        print(f"   {name:16s} {plain[2]:5s} none {plain[0]:7.0f} ({plain[1]:.0f})  "
              f"20% {held[0]:7.0f} ({held[1]:.0f}) ratio {held[0] / plain[0]:.2f}  "
              f"watched {watched[0]:7.0f} ({watched[1]:.0f}) ratio {watched[0] / plain[0]:.2f}")
    print("2. a frame: the evaluation's share of a snapshot (CPU ms)")
    for name, case in CASES.items():
        t = Trainer(experiment(*case, 0.2))
        t.run(5)
        reps = 30
        cpu = time.process_time()
        for _ in range(reps):
            evaluation.record_frame_metrics(t, evaluation.split_outputs(t))
        judged = (time.process_time() - cpu) / reps
        cpu = time.process_time()
        for _ in range(reps):
            t.snapshot(100)
        whole = (time.process_time() - cpu) / reps
        print(f"   {name:16s} evaluation {judged * 1e3:6.2f} ms of a {whole * 1e3:6.2f} ms "
              f"snapshot ({judged / whole:.0%})")
    print("3. a sweep of 6 widths x 2 seeds x 100 epochs on the noisy circle")
    exp = experiment("circle", [4, 4], "tanh", 0.3)
    exp.data.noise = 0.3
    exp.training.optimizer = "adam"
    exp.sweep = S.SweepSpec("hidden_width", [1, 2, 4, 8, 16, 32], 2, 100)
    wall = time.perf_counter()
    run_sweep(exp, 0)
    wall = time.perf_counter() - wall
    print(f"   one after another here  {12 / wall:5.1f} runs/s wall ({wall:.1f} s)")
    workers = Workers(os.cpu_count() or 1)
    for when in ("cold (start-up included)", "warm (kept from the last)"):
        run = SweepRun(exp, workers=workers)
        wall = time.perf_counter()
        run.start()
        while not run.done:
            run.poll()
            time.sleep(0.01)
        wall = time.perf_counter() - wall
        print(f"   {workers.processes} workers, {when:26s} {12 / wall:5.1f} runs/s wall "
              f"({wall:.1f} s)")
    workers.terminate()


if __name__ == "__main__":
    main()
