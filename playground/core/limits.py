"""Resource limits: how large an experiment may be, checked before anything is allocated.

Experiment files come from strangers, so a file of a few hundred bytes must not be able to ask
for gigabytes. Each limit is generous for real use (a digits-sized network, a 100,000-point CSV)
and each refusal names the limit and the value. The README lists them.
"""

from __future__ import annotations

import contextlib
import gc
import math
from typing import Any

from .errors import SpecError

MAX_FILE_BYTES = 64 * 1024 * 1024  # an experiment file on disk
MAX_JSON_CONTAINERS = 1_000_000  # lists and objects in one file (each costs ~100 bytes parsed)
MAX_JSON_VALUES = 4_000_000  # values in one file (a long text history is the largest user)
MAX_POINTS = 100_000  # rows of a points table (drawn or imported from CSV)
MAX_COORDINATE = 1e6  # |x1|, |x2| and regression targets; float32 trains well far inside this
MAX_CLASSES = 100  # distinct class labels in a points table
MAX_CENTRES = 50  # k and the hand-placed k-means centres
MAX_HIERARCHICAL_POINTS = 5_000  # agglomerative clustering keeps an n x n distance matrix
MAX_BLOCKS = 2_000  # blocks of a network graph
MAX_CONNECTIONS = 8_000  # connections of a network graph
MAX_WIDTH = 16_384  # units coming out of any one block (Concat adds widths up)
MAX_PARAMETERS = 2_000_000  # weights and biases of the whole network
MAX_NAME = 100  # characters of a block id, a block name or a catalog name
MAX_TITLE = 200  # characters of a title
MAX_TEXT = 20_000  # characters of a description or any other text field
MAX_WHOLE_NUMBER_DIGITS = 18  # digits of a whole number in a file (seeds need 10)
MAX_SWEEP_VALUES = 20  # values of a capacity sweep (each trains `seeds` networks)
MAX_SWEEP_SEEDS = 10  # runs per value of a sweep
MAX_SWEEP_EPOCHS = 100_000  # epochs of one sweep run


def at_most(path: str, what: str, value: int, limit: int) -> None:
    """SpecError naming the field, the value and the limit when `value` exceeds `limit`."""
    if value > limit:
        raise SpecError(path, f"{value} {what}; the limit is {limit}")


def check_text(path: str, text: str, limit: int = MAX_TEXT) -> None:
    if len(text) > limit:
        raise SpecError(path, f"is {len(text)} characters long; the limit is {limit}")
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise SpecError(path, "holds a lone surrogate character, which is not text")


def dense_parameters(fan_in: int, units: int, pieces: int, bias: bool) -> int:
    return fan_in * units * pieces + (units * pieces if bias else 0)


def check_document_size(text: str) -> None:
    """Refuse, before parsing, a document whose parsed form would be far larger than its text:
    JSON containers and numbers cost tens of bytes each once parsed. Brackets and commas never
    occur in the base64 the arrays use, so counting them bounds the cost in one pass."""
    containers = text.count("[") + text.count("{")
    at_most("", "lists and objects in the file", containers, MAX_JSON_CONTAINERS)
    at_most("", "values in the file", text.count(","), MAX_JSON_VALUES)


@contextlib.contextmanager
def collector_paused():
    """The cycle collector off for a block that builds many objects and no cycles (restored
    only if it was on, so blocks nest)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def parse_json(text: str, parse_constant) -> Any:
    """json.loads, with numbers a float cannot hold (1e400, a 5,000-digit whole number) kept
    as markers that `check_numbers` then reports with the field they sit in."""
    import json
    import re

    bad: list[str] = []

    def parse_float(token: str) -> float | NotANumber:
        value = float(token)
        if math.isfinite(value):
            return value
        bad.append(token)
        return NotANumber(token)

    def parse_int(token: str) -> int | NotANumber:
        if len(token.lstrip("-")) > MAX_WHOLE_NUMBER_DIGITS:
            bad.append(token)
            return NotANumber(token)
        return int(token)

    # The int hook costs a Python call per number (a second of CPU for the largest allowed
    # points file on a slow machine): only a file with a long run of digits somewhere needs it.
    long_digits = re.search(r"\d{" + str(MAX_WHOLE_NUMBER_DIGITS + 1) + "}", text) is not None
    doc = json.loads(text, parse_constant=parse_constant, parse_float=parse_float,
                     **({"parse_int": parse_int} if long_digits else {}))
    if bad:  # only then walk the document for the field's name
        check_numbers(doc)
    return doc


def check_numbers(doc: Any, path: str = "") -> None:
    """Name the first field of a parsed document that holds a number a float cannot hold."""
    stack = [(path, doc)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{where}.{k}" if where else str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(value))
        elif isinstance(value, NotANumber):
            raise SpecError(where, f"{value} is beyond any number an experiment holds "
                            "(a float reaches about 1.8e308)")
        elif isinstance(value, float) and not math.isfinite(value):
            raise SpecError(where, "must be a finite number")


class NotANumber:
    """Stands in for a number token a float cannot hold, so parsing stays cheap and the field
    it sits in can be named afterwards."""

    def __init__(self, token: str):
        self.token = token

    def __str__(self) -> str:
        if len(self.token) <= 24:
            return self.token
        return f"a number of {len(self.token)} digits"


# ------------------------------------------------------------------- what an experiment asks


def check_experiment(exp: Any) -> None:
    """Refuse an experiment (a `spec.Experiment`) that asks for more than the limits allow:
    classes, clustering size, network width and parameters. Reads only the description, so it
    runs before any array is made."""
    from .datasets import GENERATORS

    data, gen = exp.data, GENERATORS[exp.data.generator]
    n_points = len(data.points) if gen.name == "points" else data.n_points or gen.default_n
    regression = data.problem == "regression" or gen.problem == "regression"
    if gen.name == "points":
        classes = 1 if regression else len({row[2] for row in data.points})
        at_most("data.points", "classes", classes, MAX_CLASSES)
    else:
        classes = 1 if regression else 10 if gen.group == "image" else max(data.n_classes, 2)
    if exp.clustering.algorithm == "hierarchical":
        at_most("data", "points for hierarchical clustering", n_points,
                MAX_HIERARCHICAL_POINTS)
    n_inputs = 64 if gen.group == "image" else len(exp.features)
    check_network(exp.network, n_inputs, max(classes, 2))


def check_network(graph: Any, n_inputs: int, n_outputs: int) -> None:
    """Blocks, connections, widths and the parameter count of a network graph. A graph with
    other problems (a cycle, an unknown activation) is left to the graph's own validation,
    which names them."""
    from .graph import activation_pieces

    at_most("network.nodes", "blocks", len(graph.nodes), MAX_BLOCKS)
    at_most("network.edges", "connections", len(graph.edges), MAX_CONNECTIONS)
    if graph.validate():
        return
    widths = graph._widths(n_inputs, n_outputs, [])
    inputs_of = graph.adjacency()[0]
    total = 0
    for node_id, node in graph.nodes.items():
        at_most(f"network: block {node_id!r}", "units wide", widths[node_id], MAX_WIDTH)
        ins = [widths[s] for s in inputs_of[node_id]]
        if node.type in ("dense", "output"):
            total += dense_parameters(sum(ins), widths[node_id], activation_pieces(node),
                                      node.param("bias") is not False)
        elif node.type == "batchnorm":
            total += 4 * widths[node_id]
        elif node.type == "activation":
            total += 1
    at_most("network", "parameters", total, MAX_PARAMETERS)
