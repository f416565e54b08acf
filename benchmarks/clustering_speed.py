"""One step of each clustering algorithm on 5,000 points (issue: clustering lab; goal < 50 ms).

Prints the set-up time (first state) and the median and worst time of the next steps.

    python benchmarks/clustering_speed.py [--points 5000] [--steps 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

from playground.core.clustering import Stepper
from playground.core.clustering.dbscan import dbscan_steps
from playground.core.clustering.hierarchical import agglomerative_steps
from playground.core.clustering.kmeans import initial_centres, kmeans_steps
from playground.core.clustering.meanshift import meanshift_steps
from playground.core.datasets import build_dataset
from playground.core.spec import DataSpec


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    x = build_dataset(DataSpec(generator="gaussian_mixture", n_points=args.points)).x.astype(float)
    runs = {
        "k-means (k=8)": lambda: kmeans_steps(x, initial_centres(x, 8, "kmeans++")),
        "mean shift (bw 2)": lambda: meanshift_steps(x, 2.0),
        "hierarchical, single": lambda: agglomerative_steps(x, "single"),
        "hierarchical, ward": lambda: agglomerative_steps(x, "ward"),
        "DBSCAN (eps 0.5, 4)": lambda: dbscan_steps(x, 0.5, 4),
    }
    print(f"{len(x)} points; goal: one step < 50 ms")
    print(f"{'algorithm':<24}{'set-up ms':>10}{'median step ms':>16}{'worst step ms':>15}")
    for name, make in runs.items():
        t0 = time.perf_counter()
        stepper = Stepper(make())
        setup = (time.perf_counter() - t0) * 1000
        times = []
        for _ in range(args.steps):
            if stepper.done:
                break
            t = time.perf_counter()
            stepper.forward()
            times.append((time.perf_counter() - t) * 1000)
        print(f"{name:<24}{setup:>10.1f}{statistics.median(times):>16.2f}{max(times):>15.2f}")


if __name__ == "__main__":
    main()
