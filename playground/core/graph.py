"""The network as a DAG of typed blocks: the model the canvas mirrors and the trainer builds from.

Qt-free. Edits go through methods that check them and tell subscribers (`subscribe`), so a
canvas can mirror the graph and undo commands can change only the model. `validate` returns
every problem at once, each naming its block, so the GUI can highlight them all.
"""

from __future__ import annotations

import copy
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .catalog import ACTIVATIONS, HIDDEN_ACTIVATIONS, INITS, LOSSES
from .errors import GraphError, SpecError, quote
from .limits import MAX_BLOCKS, MAX_CONNECTIONS, MAX_NAME, check_text

MAX_UNITS = 512


@dataclass(frozen=True)
class BlockType:
    name: str
    label: str
    defaults: dict[str, Any]
    min_inputs: int
    max_inputs: int  # -1: any number


BLOCKS: dict[str, BlockType] = {b.name: b for b in (
    BlockType("input", "Input", {}, 0, 0),
    BlockType("dense", "Dense", {"units": 4, "activation": "tanh", "init": "tf_uniform",
                                 "bias": True}, 1, 1),
    BlockType("activation", "Activation", {"activation": "relu"}, 1, 1),
    BlockType("dropout", "Dropout", {"keep_prob": 0.5}, 1, 1),
    BlockType("batchnorm", "BatchNorm", {"momentum": 0.1, "delta": 1e-5}, 1, 1),
    BlockType("add", "Add", {}, 2, -1),
    BlockType("concat", "Concat", {}, 2, -1),
    BlockType("output", "Output", {"activation": "tanh", "loss": "mse", "init": "tf_uniform",
                                   "bias": True}, 1, 1),
)}


@dataclass
class Node:
    id: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)

    def param(self, name: str) -> Any:
        return self.params.get(name, BLOCKS[self.type].defaults.get(name))

    @property
    def label(self) -> str:
        return self.params.get("name") or self.id


Listener = Callable[[str, dict], None]


class Graph:
    """Blocks and the connections between them, in insertion order (which the files keep)."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[tuple[str, str]] = []
        self._listeners: list[Listener] = []

    # ------------------------------------------------------------------ events and equality
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: str, **payload: Any) -> None:
        for listener in list(self._listeners):
            listener(event, payload)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Graph) and self.to_json() == other.to_json()

    def structure(self) -> dict:
        """Blocks and connections without positions: what training depends on."""
        doc = self.to_json()
        for node in doc["nodes"]:
            node.pop("position")
        return doc

    def __deepcopy__(self, memo: dict) -> Graph:
        return Graph.from_json(copy.deepcopy(self.to_json()))  # listeners stay behind

    def __repr__(self) -> str:
        return f"Graph({len(self.nodes)} blocks, {len(self.edges)} connections)"

    # -------------------------------------------------------------------------- editing
    def new_id(self, type_: str) -> str:
        i = 1
        while f"{type_}{i}" in self.nodes:
            i += 1
        return f"{type_}{i}"

    def add_node(self, type_: str, params: dict | None = None, node_id: str | None = None,
                 position: tuple[float, float] = (0.0, 0.0)) -> str:
        if type_ not in BLOCKS:
            raise GraphError(node_id, f"unknown block type {type_!r}; one of {', '.join(BLOCKS)}")
        node_id = node_id or self.new_id(type_)
        if node_id in self.nodes:
            raise GraphError(node_id, "a block with this name exists already")
        self.nodes[node_id] = Node(node_id, type_, dict(params or {}), tuple(position))
        self._emit("node_added", node=node_id)
        return node_id

    def remove_node(self, node_id: str) -> None:
        for edge in [e for e in self.edges if node_id in e]:
            self.disconnect(*edge)
        del self.nodes[node_id]
        self._emit("node_removed", node=node_id)

    def set_params(self, node_id: str, **params: Any) -> None:
        self.nodes[node_id].params.update(params)
        self._emit("node_changed", node=node_id)

    def move(self, node_id: str, position: tuple[float, float]) -> None:
        self.nodes[node_id].position = tuple(position)
        self._emit("node_moved", node=node_id)

    def can_connect(self, src: str, dst: str) -> str | None:
        """Why src -> dst is refused, or None when it may be made."""
        if src not in self.nodes or dst not in self.nodes:
            return "both blocks must exist"
        if src == dst:
            return "a block cannot feed itself"
        if (src, dst) in self.edges:
            return "these blocks are connected already"
        if self.nodes[src].type == "output":
            return "the Output block has no outgoing connections"
        if self._reaches(dst, src):
            return "it would create a cycle"
        kind = BLOCKS[self.nodes[dst].type]
        if kind.max_inputs == 0:
            return "the Input block takes no incoming connections"
        if kind.max_inputs != -1 and len(self.inputs_of(dst)) >= kind.max_inputs:
            return f"{kind.label} takes one input; remove its connection first"
        return None

    def connect(self, src: str, dst: str) -> None:
        reason = self.can_connect(src, dst)
        if reason:
            raise GraphError(None, reason, edge=(src, dst))
        self.edges.append((src, dst))
        self._emit("link_added", edge=(src, dst))

    def disconnect(self, src: str, dst: str) -> None:
        self.edges.remove((src, dst))
        self._emit("link_removed", edge=(src, dst))

    # -------------------------------------------------------------------------- queries
    def inputs_of(self, node_id: str) -> list[str]:
        return [s for s, d in self.edges if d == node_id]

    def outputs_of(self, node_id: str) -> list[str]:
        return [d for s, d in self.edges if s == node_id]

    def of_type(self, type_: str) -> list[str]:
        return [n.id for n in self.nodes.values() if n.type == type_]

    def adjacency(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Inputs and outputs of every block, built in one pass over the connections (the
        whole-graph algorithms use these, so validating stays linear in the graph's size)."""
        ins: dict[str, list[str]] = {n: [] for n in self.nodes}
        outs: dict[str, list[str]] = {n: [] for n in self.nodes}
        for s, d in self.edges:
            outs[s].append(d)
            ins[d].append(s)
        return ins, outs

    def _reaches(self, start: str, goal: str) -> bool:
        return goal in _reachable(start, self.adjacency()[1])

    def topological_order(self) -> list[str]:
        """Blocks in an order where each comes after its inputs; GraphError on a cycle."""
        ins, outs = self.adjacency()
        indegree = {n: len(ins[n]) for n in self.nodes}
        ready = deque(n for n in self.nodes if indegree[n] == 0)
        order = []
        while ready:
            node = ready.popleft()
            order.append(node)
            for d in outs[node]:
                indegree[d] -= 1
                if indegree[d] == 0:
                    ready.append(d)
        if len(order) != len(self.nodes):
            placed = set(order)
            stuck = next(n for n in self.nodes if n not in placed)
            raise GraphError(stuck, "is part of a cycle; a network must flow one way")
        return order

    def dense_chain(self) -> list[str] | None:
        """The Dense blocks in order when the graph is Input -> Dense* -> Output, else None."""
        inputs, outputs = self.of_type("input"), self.of_type("output")
        if len(inputs) != 1 or len(outputs) != 1:
            return None
        ins, outs = self.adjacency()
        chain, node = [], inputs[0]
        while True:
            nxt = outs[node]
            if len(nxt) != 1 or len(ins[nxt[0]]) != 1:
                return None
            node = nxt[0]
            if node == outputs[0]:
                break
            if self.nodes[node].type != "dense":
                return None
            chain.append(node)
        return chain if len(chain) + 2 == len(self.nodes) else None

    # ----------------------------------------------------------------------- validation
    def widths(self, n_inputs: int, n_outputs: int) -> dict[str, int]:
        """Width of each block's output; raises the first GraphError met."""
        errors = self.validate(n_inputs, n_outputs)
        if errors:
            raise errors[0]
        return self._widths(n_inputs, n_outputs, [])

    def _widths(self, n_inputs: int, n_outputs: int, errors: list[GraphError]) -> dict[str, int]:
        width: dict[str, int] = {}
        inputs_of = self.adjacency()[0]
        for node_id in self.topological_order():
            node = self.nodes[node_id]
            ins = [width[s] for s in inputs_of[node_id] if s in width]
            if node.type == "input":
                width[node_id] = n_inputs
            elif node.type == "dense":
                width[node_id] = int(node.param("units"))
            elif node.type == "output":
                width[node_id] = n_outputs
            elif node.type == "concat":
                width[node_id] = sum(ins)
            elif node.type == "add":
                if len(set(ins)) > 1:
                    errors.append(GraphError(node_id, "inputs have different widths "
                                             f"({', '.join(map(str, ins))}); Add needs equal widths"))
                width[node_id] = max(ins) if ins else 0
            else:
                width[node_id] = ins[0] if ins else 0
        return width

    def validate(self, n_inputs: int | None = None, n_outputs: int | None = None) -> list[GraphError]:
        """Every problem of the graph, each naming its block (empty when the graph is valid).
        Linear in blocks and connections."""
        errors: list[GraphError] = []
        inputs, outputs = self.of_type("input"), self.of_type("output")
        if not inputs:
            errors.append(GraphError(None, "the network has no Input block; add one"))
        if not outputs:
            errors.append(GraphError(None, "the network has no Output block; add one"))
        errors += [GraphError(n, "a network has one Input block; remove this one")
                   for n in inputs[1:]]
        errors += [GraphError(n, "a network has one Output block; remove this one")
                   for n in outputs[1:]]
        ins, outs = self.adjacency()
        for node in self.nodes.values():
            errors += self._check_node(node, len(ins[node.id]))
        try:
            self.topological_order()
        except GraphError as exc:
            errors.append(exc)
            return errors
        from_input = _reachable(inputs[0], outs) if inputs else set()
        to_output = _reachable(outputs[0], ins) if outputs else set()
        for node_id in self.nodes:
            if inputs and node_id not in from_input:
                errors.append(GraphError(node_id, "is not reached from the Input block; connect it"))
            elif outputs and node_id not in to_output:
                errors.append(GraphError(node_id, "does not lead to the Output block; connect it"))
        if n_inputs is not None and inputs:  # widths too, alongside other problems
            self._widths(n_inputs, n_outputs or 1, errors)
        return errors

    def _check_node(self, node: Node, n_in: int) -> list[GraphError]:
        kind = BLOCKS[node.type]
        errors = []
        if n_in < kind.min_inputs:
            need = "one input" if kind.min_inputs == 1 else f"at least {kind.min_inputs} inputs"
            errors.append(GraphError(node.id, f"{kind.label} needs {need}, has {n_in}"))
        if kind.max_inputs != -1 and n_in > kind.max_inputs:
            allowed = "no inputs" if kind.max_inputs == 0 else "one input"
            errors.append(GraphError(node.id, f"{kind.label} takes {allowed}, has {n_in}; "
                                     "remove the extra connections (or join them with Add or "
                                     "Concat)"))
        try:
            check_params(node)
        except SpecError as exc:
            errors.append(GraphError(node.id, exc.message if not exc.path else str(exc)))
        return errors

    # ------------------------------------------------------------------------------ JSON
    def to_json(self) -> dict:
        return {
            "nodes": [{"id": n.id, "type": n.type, "params": dict(n.params),
                       "position": [float(n.position[0]), float(n.position[1])]}
                      for n in self.nodes.values()],
            "edges": [[s, d] for s, d in self.edges],
        }

    @classmethod
    def from_json(cls, raw: Any, path: str = "network") -> Graph:
        if not isinstance(raw, dict) or set(raw) - {"nodes", "edges"}:
            raise SpecError(path, "must be an object with 'nodes' and 'edges'")
        graph = cls()
        nodes, edges = raw.get("nodes", []), raw.get("edges", [])
        if not isinstance(nodes, list) or not isinstance(edges, list):
            raise SpecError(path, "'nodes' and 'edges' must be lists")
        if len(nodes) > MAX_BLOCKS:
            raise SpecError(f"{path}.nodes", f"{len(nodes)} blocks; the limit is {MAX_BLOCKS}")
        if len(edges) > MAX_CONNECTIONS:
            raise SpecError(f"{path}.edges", f"{len(edges)} connections; the limit is "
                            f"{MAX_CONNECTIONS}")
        for i, item in enumerate(nodes):
            graph._add_from_json(item, f"{path}.nodes[{i}]")
        for i, edge in enumerate(edges):
            if not (isinstance(edge, list) and len(edge) == 2
                    and all(isinstance(e, str) and e in graph.nodes for e in edge)):
                raise SpecError(f"{path}.edges[{i}]", "must be [from, to] naming two blocks, "
                                f"got {quote(edge)}")
            graph.edges.append((edge[0], edge[1]))
        if len(set(graph.edges)) != len(graph.edges):
            raise SpecError(f"{path}.edges", "lists a connection twice")
        return graph

    def _add_from_json(self, item: Any, where: str) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) \
                or not isinstance(item.get("type"), str) or item["type"] not in BLOCKS:
            raise SpecError(where, f"needs an 'id' and a 'type' (one of {', '.join(BLOCKS)})")
        unknown = set(item) - {"id", "type", "params", "position"}
        if unknown:
            raise SpecError(f"{where}.{sorted(unknown)[0][:MAX_NAME]}",
                            "unknown field; known fields: id, type, params, position")
        check_text(f"{where}.id", item["id"], MAX_NAME)
        if item["id"] in self.nodes:
            raise SpecError(where, f"the id {item['id']!r} is used twice")
        params = item.get("params", {})
        if not isinstance(params, dict) or not all(
                isinstance(v, bool | int | float | str) for v in params.values()):
            raise SpecError(f"{where}.params", "must map names to numbers, names or true/false")
        for key, value in params.items():
            check_text(f"{where}.params", key, MAX_NAME)
            if isinstance(value, str):
                check_text(f"{where}.params.{key}", value, MAX_NAME)
        pos = item.get("position", [0.0, 0.0])
        if not (isinstance(pos, list) and len(pos) == 2
                and all(isinstance(v, int | float) and not isinstance(v, bool)
                        and math.isfinite(v) and abs(v) < 1e9 for v in pos)):
            raise SpecError(f"{where}.position", "must be two finite numbers [x, y]")
        self.nodes[item["id"]] = Node(item["id"], item["type"], dict(params),
                                      (float(pos[0]), float(pos[1])))


def _reachable(start: str, neighbours: dict[str, list[str]]) -> set[str]:
    """Blocks reached from `start` by following `neighbours` (start included)."""
    seen, stack = {start}, [start]
    while stack:
        for nxt in neighbours[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _check_range(node: Node, name: str, lo: float, hi: float, integer: bool = False) -> None:
    value = node.param(name)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer:
        ok = int(value) == value
    if not ok or not lo <= value <= hi:
        kind = "a whole number" if integer else "a number"
        raise SpecError("", f"{name} must be {kind} in [{lo:g}, {hi:g}], got {quote(value)}")


def _check_name(node: Node, name: str, table: dict | list, what: str) -> None:
    value = node.param(name)
    if value not in table:
        raise SpecError("", f"unknown {what} {quote(value)}; one of {', '.join(table)}")


def check_params(node: Node) -> None:
    """Raise SpecError (path empty; the block is the place) for a parameter out of range."""
    # (any activation's parameters: a block keeps them when its activation changes)
    known = set(BLOCKS[node.type].defaults) | {"name"}
    if node.type in ("dense", "activation", "output"):
        known |= {p.name for entry in ACTIVATIONS.values() for p in entry.params}
    if node.type in ("dense", "output"):  # kept when the init changes, as an activation's are
        known |= {p.name for entry in INITS.values() for p in entry.params}
    if node.type in ("output",):
        known |= {p.name for entry in LOSSES.values() for p in entry.params}
    for key in node.params:
        if key not in known:
            raise SpecError("", f"unknown parameter {quote(key)}")
    if node.type in ("dense",):
        _check_range(node, "units", 1, MAX_UNITS, integer=True)
    if node.type in ("dense", "activation"):
        _check_name(node, "activation", HIDDEN_ACTIVATIONS, "activation")
    if node.type == "activation" and node.param("activation") == "maxout":
        raise SpecError("", "maxout takes the max over a Dense block's own affine pieces; "
                        "choose it on a Dense block, or another activation here")
    if node.type == "output":
        _check_name(node, "activation", ACTIVATIONS, "output activation")
        _check_name(node, "loss", LOSSES, "loss")
        LOSSES[node.param("loss")].resolve(_subset(node, LOSSES[node.param("loss")]))
    if node.type in ("dense", "activation", "output"):
        entry = ACTIVATIONS[node.param("activation")]
        entry.resolve(_subset(node, entry))
    if node.type in ("dense", "output"):
        _check_name(node, "init", INITS, "init")
        INITS[node.param("init")].resolve(_subset(node, INITS[node.param("init")]))
        if not isinstance(node.param("bias"), bool):
            raise SpecError("", f"bias must be true or false, got {node.param('bias')!r}")
    if node.type == "dropout":
        _check_range(node, "keep_prob", 0.05, 1.0)
    if node.type == "batchnorm":
        _check_range(node, "momentum", 0.0, 1.0)
        _check_range(node, "delta", 1e-12, 1.0)


def _subset(node: Node, entry) -> dict:
    names = {p.name for p in entry.params}
    return {k: v for k, v in node.params.items() if k in names}


def activation_pieces(node: Node) -> int:
    """Affine pieces per unit: maxout's k, else 1 (how many rows a Dense block's weights have
    per unit)."""
    entry = ACTIVATIONS.get(node.param("activation"))
    if entry is None or not entry.info.get("pieces"):
        return 1
    return int(activation_params(node)["k"])


def activation_params(node: Node) -> dict[str, float]:
    entry = ACTIVATIONS[node.param("activation")]
    return entry.resolve(_subset(node, entry))


def init_params(node: Node) -> dict[str, float]:
    entry = INITS[node.param("init")]
    return entry.resolve(_subset(node, entry))


def loss_params(node: Node) -> dict[str, float]:
    entry = LOSSES[node.param("loss")]
    return entry.resolve(_subset(node, entry))


# ------------------------------------------------------------------------------ templates

def mlp(hidden: list[int], activation: str = "tanh", *, output_activation: str = "tanh",
        loss: str = "mse", init: str = "tf_uniform") -> Graph:
    """Input -> Dense(hidden[0]) -> ... -> Output, laid out left to right."""
    graph = Graph()
    prev = graph.add_node("input", node_id="input", position=(0.0, 0.0))
    for i, units in enumerate(hidden, start=1):
        node = graph.add_node("dense", {"units": units, "activation": activation, "init": init},
                              node_id=f"dense{i}", position=(200.0 * i, 0.0))
        graph.connect(prev, node)
        prev = node
    out = graph.add_node("output", {"activation": output_activation, "loss": loss, "init": init},
                         node_id="output", position=(200.0 * (len(hidden) + 1), 0.0))
    graph.connect(prev, out)
    return graph


def residual_mlp(width: int = 8, blocks: int = 2, activation: str = "relu", *,
                 output_activation: str = "tanh", loss: str = "mse",
                 init: str = "he_normal") -> Graph:
    """Input -> Dense(width) -> [Dense -> Dense, + skip] x blocks -> Output."""
    graph = Graph()
    graph.add_node("input", node_id="input")
    prev = graph.add_node("dense", {"units": width, "activation": activation, "init": init},
                          node_id="stem", position=(200.0, 0.0))
    graph.connect("input", prev)
    x = 400.0
    for b in range(1, blocks + 1):
        a = graph.add_node("dense", {"units": width, "activation": activation, "init": init},
                           node_id=f"block{b}a", position=(x, -80.0))
        c = graph.add_node("dense", {"units": width, "activation": "linear", "init": init},
                           node_id=f"block{b}b", position=(x + 200.0, -80.0))
        add = graph.add_node("add", node_id=f"add{b}", position=(x + 400.0, 0.0))
        graph.connect(prev, a)
        graph.connect(a, c)
        graph.connect(c, add)
        graph.connect(prev, add)
        prev, x = add, x + 600.0
    out = graph.add_node("output", {"activation": output_activation, "loss": loss, "init": init},
                         node_id="output", position=(x, 0.0))
    graph.connect(prev, out)
    return graph


def auto_layout(graph: Graph, column: float = 200.0, row: float = 160.0) -> dict:
    """Positions left to right by depth (longest path from a source), stacked within a depth.
    Cycles are laid out as far as they go; the rest stays in the last column."""
    depth: dict[str, int] = {}
    try:
        order = graph.topological_order()
    except GraphError:
        order = list(graph.nodes)
    for n in order:
        depth[n] = 1 + max((depth.get(s, 0) for s in graph.inputs_of(n) if s in depth),
                           default=-1)
    columns: dict[int, list[str]] = {}
    for n in order:
        columns.setdefault(depth[n], []).append(n)
    return {n: (column * d, row * (i - (len(nodes) - 1) / 2))
            for d, nodes in columns.items() for i, n in enumerate(nodes)}


def tolerant_widths(graph: Graph, n_inputs: int, n_outputs: int) -> dict[str, int]:
    """Widths for drawing any graph, valid or not: a block without inputs gets width 0, a
    cycle leaves its blocks at their own unit count."""
    try:
        return graph._widths(n_inputs, n_outputs, [])
    except GraphError:
        return {n: int(node.param("units")) if node.type == "dense" else
                (n_inputs if node.type == "input" else n_outputs if node.type == "output" else 1)
                for n, node in graph.nodes.items()}


def positions_usable(graph: Graph) -> bool:
    """Whether the stored positions can be drawn as they are (no two blocks on one spot)."""
    spots = {n.position for n in graph.nodes.values()}
    return len(spots) == len(graph.nodes)


# Output defaults per problem: TF Playground's tanh + squared error for binary, softmax with
# cross-entropy for several classes, a linear unit with squared error for regression.
OUTPUT_DEFAULTS = {"binary": ("tanh", "mse"), "multiclass": ("softmax", "softmax_ce"),
                   "regression": ("linear", "mse")}


def output_fits(loss_name: str, activation: str, problem: str) -> bool:
    """Whether an Output block with this loss and activation can serve `problem`."""
    loss = LOSSES.get(loss_name)
    if loss is None or problem not in loss.info["problems"]:
        return False
    return loss.info["link"] != "activation" or activation != "softmax" or problem == "multiclass"


def adapt_output(graph: Graph, problem: str, previous: str | None = None) -> bool:
    """Give the Output block the defaults of `problem` when the kind of problem changed from
    `previous` or when its loss or activation cannot serve it; otherwise keep the user's choice.

    Returns True when something changed (the GUI says so).
    """
    changed = False
    for out in graph.of_type("output"):
        node = graph.nodes[out]
        switched = previous is not None and previous != problem
        if switched or not output_fits(node.param("loss"), node.param("activation"), problem):
            if (node.param("activation"), node.param("loss")) == OUTPUT_DEFAULTS[problem]:
                continue
            activation, loss = OUTPUT_DEFAULTS[problem]
            graph.set_params(out, activation=activation, loss=loss)
            changed = True
    return changed
