"""How long `playground validate` takes on large and hostile files (issue #17; goal < 1 s for
any file under the limits, interpreter and imports excluded).

Networks of 250 to 2,000 blocks (a chain, and a ladder of Add blocks with twice the
connections), a 100,000-point table, and files asking for far more than the limits. Prints wall
and CPU milliseconds, blocks per CPU-second, and the ratio of the 2,000-block time to the
250-block time: 8 for linear validation, 512 for cubic.

    python benchmarks/validation_speed.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import time

from playground.core import files, limits
from playground.core.checks import check_runnable
from playground.core.errors import PlaygroundError
from playground.core.spec import Experiment


def chain(n_blocks: int) -> str:
    doc = json.loads(Experiment().dumps())
    ids = ["input"] + [f"d{i}" for i in range(n_blocks - 2)] + ["output"]
    doc["network"] = {
        "nodes": [{"id": "input", "type": "input"}]
        + [{"id": i, "type": "dense", "params": {"units": 2}} for i in ids[1:-1]]
        + [{"id": "output", "type": "output"}],
        "edges": [[a, b] for a, b in zip(ids, ids[1:], strict=False)]}
    return json.dumps(doc)


def ladder(n_blocks: int) -> str:
    """Dense -> Add rungs, each Add also fed by the rung before: two connections per block."""
    doc = json.loads(Experiment().dumps())
    nodes = [{"id": "input", "type": "input"},
             {"id": "stem", "type": "dense", "params": {"units": 2}}]
    edges, prev = [["input", "stem"]], "stem"
    for i in range((n_blocks - 3) // 2):
        nodes += [{"id": f"d{i}", "type": "dense", "params": {"units": 2}},
                  {"id": f"a{i}", "type": "add"}]
        edges += [[prev, f"d{i}"], [f"d{i}", f"a{i}"], [prev, f"a{i}"]]
        prev = f"a{i}"
    nodes.append({"id": "output", "type": "output"})
    edges.append([prev, "output"])
    doc["network"] = {"nodes": nodes, "edges": edges}
    return json.dumps(doc)


def points(n: int) -> str:
    doc = json.loads(Experiment().dumps())
    doc["data"].update(generator="points",
                       points=[[(i % 300) / 30, (i // 300) / 30, i % 2] for i in range(n)])
    return json.dumps(doc)


def hostile() -> dict[str, str]:
    base = json.loads(Experiment().dumps())
    wide = json.loads(chain(480))  # 478 x 512 x 512 x 8 = 1e9 weights
    for node in wide["network"]["nodes"][1:-1]:
        node["params"] = {"units": 512, "activation": "maxout", "k": 8}
    classes = json.loads(points(limits.MAX_POINTS))
    for i, row in enumerate(classes["data"]["points"]):
        row[2] = i
    cluster = json.loads(json.dumps(base))
    cluster["data"].update(generator="uniform", n_points=20000)
    cluster["clustering"]["algorithm"] = "hierarchical"
    return {"1e9 parameters": json.dumps(wide), "1e5 classes": json.dumps(classes),
            "hierarchical 20k pts": json.dumps(cluster),
            "2M empty lists": json.dumps(base).replace('"description": ""', '"description": '
                                                       + "[[]," * 2_000_000 + "[]"
                                                       + "]" * 2_000_000)}


def measure(text: str, repeats: int) -> tuple[float, float, str]:
    best_wall = best_cpu = float("inf")
    verdict = "valid"
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        try:
            loaded = files.loads(text)
            check_runnable(loaded.experiment, loaded.state)
        except PlaygroundError as exc:
            verdict = f"refused: {str(exc)[:60]}"
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return best_wall, best_cpu, verdict


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    measure(chain(10), 1)  # imports and first-use costs out of the way
    print(f"{'file':<24}{'wall ms':>9}{'CPU ms':>9}{'blocks/CPU-s':>14}  verdict")
    for name, make in (("chain", chain), ("ladder", ladder)):
        cpu_by_n = {}
        for n in (250, 500, 1000, 2000):
            wall, cpu, verdict = measure(make(n), args.repeats)
            cpu_by_n[n] = cpu
            print(f"{name + f' {n} blocks':<24}{wall * 1e3:>9.1f}{cpu * 1e3:>9.1f}"
                  f"{n / max(cpu, 1e-9):>14.0f}  {verdict}")
        print(f"  {name}: CPU 2000 / 250 blocks = {cpu_by_n[2000] / cpu_by_n[250]:.1f} "
              "(linear: 8, quadratic: 64, cubic: 512)")
    wall, cpu, verdict = measure(points(limits.MAX_POINTS), args.repeats)
    print(f"{'100,000 points':<24}{wall * 1e3:>9.1f}{cpu * 1e3:>9.1f}{'':>14}  {verdict}")
    for name, text in hostile().items():
        wall, cpu, verdict = measure(text, 1)
        print(f"{name:<24}{wall * 1e3:>9.1f}{cpu * 1e3:>9.1f}{'':>14}  {verdict}")


if __name__ == "__main__":
    main()
