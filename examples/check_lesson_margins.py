"""How far each lesson is from breaking its promise, on more seeds and on both training paths.

    python examples/check_lesson_margins.py                  # every lesson, seeds 0-9
    python examples/check_lesson_margins.py 05_spiral_deep  # some lessons (names or paths)
    python examples/check_lesson_margins.py --seeds 5 --built  # lessons as the builder makes them

Training is chaotic: two runs that differ by one rounding step (a numba kernel compiled in this
process against the same kernel loaded from its disk cache, AVX2 against AVX-512, the fused
kernel against autograd) part after a few hundred epochs. A promise that holds by a hair on
five seeds on one machine fails on another. So this trains every lesson and its twin on seeds
0-9 on the fused kernel (F) and on autograd (A, `training.fast_path = False`: other rounding,
the same maths) and prints, per run, the *slack*: how much room the promise had, in the
metric's units (for a comparison the twin's gap beyond the margin; for a range the distance to
its nearer end; the tightest of those and of the `also` ranges). A negative slack is a broken
promise (marked x). The test suite checks seeds 0-4 on the fused kernel only; this is the
evidence that those checks cannot flip.

Lessons with hand-set weights, optimizer-lab races and graph-lab lessons are deterministic and
skipped. `--built` checks `build_lessons.lessons()` without writing the JSON files.

Measured on branch lessons-robust (seeds 0-9, F and A; slack in the metric's units; the
relation, margin and the closest run are in the last columns):

{TABLE}
"""

from __future__ import annotations

import argparse
import glob
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # this checkout's playground, not an installed one

from playground.core import files, lessons  # noqa: E402
from playground.core.spec import Experiment  # noqa: E402

# Bounds a metric cannot cross anyway (an accuracy is at most 1): no room is measured to them.
NATURAL_RANGE = {"train_accuracy": (0.0, 1.0), "test_accuracy": (0.0, 1.0),
                 "stopped_early": (0.0, 1.0), "diverged": (0.0, 1.0)}


def room_in_range(metric: str, value: float, at_least: float, at_most: float) -> float:
    """How far `value` lies inside [at_least, at_most]; negative outside. An exact range (a
    count, a yes/no) has no room to measure: +inf when it holds, -inf when it does not."""
    if at_least == at_most:
        return math.inf if value == at_least else -math.inf
    low, high = NATURAL_RANGE.get(metric, (-math.inf, math.inf))
    room = [math.inf]
    if at_least > low:
        room.append(value - at_least)
    if at_most < high:
        room.append(at_most - value)
    return min(room)


def slack(exp: Experiment, values: dict[str, float], twin_value: float) -> float:
    """The room the promise had in one run (as lessons.check judges it); negative when it
    broke, minus infinity for a NaN."""
    o = exp.outcome
    value = values[o.metric]
    room = [room_in_range(o.metric, value, o.at_least, o.at_most)]
    room += [room_in_range(c.metric, values[c.metric], c.at_least, c.at_most) for c in o.also]
    if o.relation == "below":
        room.append(twin_value - o.margin - value)
    elif o.relation == "above":
        room.append(value - twin_value - o.margin)
    elif o.relation:
        room.append(abs(value - twin_value) - o.margin)
    return -math.inf if any(math.isnan(r) for r in room) else min(room)


def runs(exp: Experiment, seeds: range, paths: str = "FA") -> list[tuple[str, int, float, str]]:
    """(path, seed, slack, values in words) for every seed on the chosen training paths."""
    out = []
    o = exp.outcome
    for path, fast in (("F", True), ("A", False)):
        if path not in paths:
            continue
        variant = exp.copy()
        variant.training.fast_path = fast
        for s in seeds:
            seeded = lessons.with_seed(variant, s)
            values = lessons.measure(seeded)
            twin_value = math.nan
            if o.relation:
                twin_value = lessons.measure(seeded.with_changes(o.twin, "outcome.twin"))[o.metric]
            words = f"{o.metric} {values[o.metric]:.4g}" + (
                f" vs twin {twin_value:.4g}" if o.relation else "") + "".join(
                f", {c.metric} {values[c.metric]:.4g}" for c in o.also)
            out.append((path, s, slack(exp, values, twin_value), words))
    return out


def checked(exp: Experiment, has_state: bool) -> bool:
    return not (has_state or exp.outcome.metric.startswith(("race_", "graph_"))
                or exp.outcome.metric == "none")


def chosen_lessons(names: list[str], built: bool) -> list[tuple[str, Experiment, bool]]:
    if built:
        sys.path.insert(0, HERE)
        import build_lessons

        made = build_lessons.lessons()
        keys = [n.removesuffix(".json").split("/")[-1] for n in names] or list(made)
        return [(k, made[k], k == "01_xor_by_hand") for k in keys]
    paths = [p if p.endswith(".json") else os.path.join(HERE, f"{p}.json") for p in names]
    out = []
    for path in paths or sorted(glob.glob(os.path.join(HERE, "*.json"))):
        loaded = files.load_experiment(path)
        out.append((os.path.basename(path)[:-5], loaded.experiment, loaded.state is not None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson names or paths; default all")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    parser.add_argument("--built", action="store_true",
                        help="check build_lessons.lessons() instead of the JSON files")
    parser.add_argument("--paths", default="FA",
                        help="F (fused kernel), A (autograd) or FA (default); A is slow")
    parser.add_argument("-v", "--verbose", action="store_true", help="every run's summary")
    args = parser.parse_args()
    print(f"{'lesson':34s} {'ok':4s} {'min F':>8s} {'min A':>8s}  relation  margin  closest run")
    for name, exp, has_state in chosen_lessons(args.lessons, args.built):
        if not checked(exp, has_state):
            continue
        start = time.process_time()
        rows = runs(exp, range(args.seeds), args.paths)
        worst = min(rows, key=lambda r: r[2])
        by_path = {p: min((r[2] for r in rows if r[0] == p), default=math.nan) for p in "FA"}
        o = exp.outcome
        ok = "ok" if worst[2] >= 0 else "FAIL"
        print(f"{name:34s} {ok:4s} {by_path['F']:8.4g} {by_path['A']:8.4g}  "
              f"{o.relation or 'range':8s} {o.margin:7.4g}  {worst[0]}{worst[1]}: {worst[3]}"
              f"  [{time.process_time() - start:.0f} s CPU]", flush=True)
        if args.verbose:
            for path, s, room, words in rows:
                print(f"    {path}{s} {'x' if room < 0 else ' '}{room:8.4g}  {words}")


if __name__ == "__main__":
    main()
