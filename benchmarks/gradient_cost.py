"""What watching the gradients costs: epochs per CPU-second with the gradient view off and on,
on both training paths, measured in one run (issue #18).

The rule (core/gradients.py): while the gradient view or panel is on, each epoch ends with one
autograd pass over that epoch's batches at the epoch's final weights (mean |dL/dW|, |dL/da|,
saturated and dead shares). The fused kernel runs a whole epoch in one compiled call, so that
pass costs it several epochs' time; on the autograd path it is about one more batched pass.
Off, nothing is measured and neither path pays anything.

Every figure is epochs per CPU-second (process time, all threads) beside epochs per
wall-clock second, so a busy machine cannot flatter a result; the ratio is off / on.

    python benchmarks/gradient_cost.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import time

from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.core.trainer import Trainer

NETWORKS = {"[4, 2] tanh": ([4, 2], "tanh"), "6x8 sigmoid": ([8] * 6, "sigmoid"),
            "2x64 ReLU": ([64, 64], "relu")}


def experiment(hidden: list[int], activation: str, fast: bool, on: bool) -> Experiment:
    exp = Experiment()
    exp.data.generator = "spiral"  # TF Playground's: 250 training points, batch 10, SGD
    exp.network = mlp(hidden, activation)
    exp.training.fast_path = fast
    exp.view.gradient_flow = on
    return exp


def rate(trainer: Trainer, seconds: float) -> tuple[float, float]:
    """(epochs per CPU-second, epochs per wall-second) over about `seconds`."""
    trainer.run(2)  # warm: first calls, caches
    n, c0, w0 = 0, time.process_time(), time.perf_counter()
    while n == 0 or time.perf_counter() - w0 < seconds:
        trainer.step_epoch()
        n += 1
    return n / max(time.process_time() - c0, 1e-9), n / (time.perf_counter() - w0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    print(f"{'network':<14} {'path':<9} {'off /CPU-s':>11} {'off /s':>9} {'on /CPU-s':>10} "
          f"{'on /s':>8} {'off/on':>7}")
    for name, (hidden, activation) in NETWORKS.items():
        for fast in (True, False):
            rates = {}
            for on in (False, True):
                trainer = Trainer(experiment(hidden, activation, fast, on))
                path = trainer.path
                rates[on] = rate(trainer, args.seconds)
            (off_cpu, off_wall), (on_cpu, on_wall) = rates[False], rates[True]
            print(f"{name:<14} {path:<9} {off_cpu:>11,.0f} {off_wall:>9,.0f} {on_cpu:>10,.0f} "
                  f"{on_wall:>8,.0f} {off_cpu / on_cpu:>6.1f}x")


if __name__ == "__main__":
    main()
