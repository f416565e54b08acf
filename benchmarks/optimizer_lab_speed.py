"""What the optimizer lab's worker spends, per piece, on one race (default: the default race,
four racers × 300 steps on Rosenbrock): the race itself, the 200 × 200 surface grid, and the
contour tracing, which runs in the worker too because it costs about as much as the race.

Prints wall-clock and CPU time for each, steps per CPU-second, and the ratios in one run.

    python benchmarks/optimizer_lab_speed.py [--steps 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

from playground.core.optimizer_race import run_race
from playground.core.spec import Experiment
from playground.core.surfaces import build_surface


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and CPU seconds over `repeat` runs, and the last result."""
    best_wall = best_cpu = float("inf")
    out = None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return best_wall, best_cpu, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from playground.gui.optimizer_lab.race_worker import GRID, contour_lines

    lab = Experiment().optimizer_lab
    surface = build_surface(lab.surface, lab.surface_params, lab.formula)
    n_steps = args.steps * len(lab.racers)
    race = timed(lambda: run_race(surface, lab.racers, surface.start, args.steps), args.repeat)
    grid = timed(lambda: surface.grid(GRID), args.repeat)
    xs, ys, z = grid[2]
    import numpy as np

    shade = np.log10(1.0 + z - z.min()).astype(np.float32)
    contours = timed(lambda: contour_lines(xs, ys, shade), args.repeat)
    print(f"{len(lab.racers)} racers x {args.steps} steps on {surface.label}; grid {GRID}²; "
          f"best of {args.repeat}")
    print(f"{'piece':<22}{'wall ms':>10}{'CPU ms':>10}")
    for name, (wall, cpu, _) in (("race", race), ("surface grid", grid),
                                 ("contours (12 levels)", contours)):
        print(f"{name:<22}{wall * 1e3:>10.1f}{cpu * 1e3:>10.1f}")
    print(f"race: {n_steps / race[0]:,.0f} optimizer steps per wall second, "
          f"{n_steps / max(race[1], 1e-9):,.0f} per CPU-second")
    print(f"ratios (CPU): contours / race = {contours[1] / max(race[1], 1e-9):.2f}, "
          f"grid / race = {grid[1] / max(race[1], 1e-9):.2f}")


if __name__ == "__main__":
    main()
