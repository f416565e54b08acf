"""Edits of the network graph as commands that undo and redo exactly.

Every change the GUI makes to a network goes through a command applied to the Graph model
(never to graphics items), so undo/redo and "unsaved changes" work for every edit. A command
records what it needs to restore the graph identically (ids, parameters, positions, the order
of connections).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .errors import GraphError
from .graph import BLOCKS, Graph, mlp, residual_mlp


class Command:
    label = "edit"

    def do(self, graph: Graph) -> None:
        raise NotImplementedError

    def undo(self, graph: Graph) -> None:
        raise NotImplementedError


@dataclass
class Replace(Command):
    """Swap the whole graph (templates, structural edits done in one go)."""

    new: dict
    label: str = "replace network"
    old: dict | None = None
    template: bool = False  # a template's net: its Output block takes the problem's defaults

    def do(self, graph: Graph) -> None:
        self.old = graph.to_json()
        _load(graph, self.new)

    def undo(self, graph: Graph) -> None:
        _load(graph, self.old)


@dataclass
class SetParams(Command):
    node: str
    params: dict[str, Any]
    label: str = "change a block"
    old: dict[str, Any] = field(default_factory=dict)

    def do(self, graph: Graph) -> None:
        current = graph.nodes[self.node].params
        self.old = {k: current.get(k, _MISSING) for k in self.params}
        graph.set_params(self.node, **self.params)

    def undo(self, graph: Graph) -> None:
        params = graph.nodes[self.node].params
        for key, value in self.old.items():
            if value is _MISSING:
                params.pop(key, None)
            else:
                params[key] = value
        graph.set_params(self.node)


@dataclass
class AddNode(Command):
    type: str
    params: dict = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)
    node: str | None = None
    label: str = "add a block"

    def do(self, graph: Graph) -> None:
        self.node = graph.add_node(self.type, self.params, self.node, self.position)

    def undo(self, graph: Graph) -> None:
        graph.remove_node(self.node)


@dataclass
class RemoveNode(Command):
    node: str
    label: str = "delete a block"
    saved: dict | None = None

    def do(self, graph: Graph) -> None:
        self.saved = graph.to_json()
        graph.remove_node(self.node)

    def undo(self, graph: Graph) -> None:
        _load(graph, self.saved)  # restores ids, connections and their order exactly


@dataclass
class Connect(Command):
    src: str
    dst: str
    label: str = "connect"

    def do(self, graph: Graph) -> None:
        graph.connect(self.src, self.dst)  # GraphError with the reason when refused

    def undo(self, graph: Graph) -> None:
        graph.disconnect(self.src, self.dst)


@dataclass
class Disconnect(Command):
    src: str
    dst: str
    label: str = "disconnect"
    index: int = -1

    def do(self, graph: Graph) -> None:
        self.index = graph.edges.index((self.src, self.dst))
        graph.disconnect(self.src, self.dst)

    def undo(self, graph: Graph) -> None:
        graph.edges.insert(self.index, (self.src, self.dst))
        graph._emit("link_added", edge=(self.src, self.dst))


@dataclass
class Splice(Command):
    """Insert a new block onto the link src -> dst: src -> new -> dst, the new connections
    where the old one stood in the list of connections (undo restores it exactly). With
    `shift`, every block from dst's column rightward first moves right by `shift`, making
    room for the new column so that it overlaps nothing."""

    type: str
    src: str
    dst: str
    params: dict = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)
    node: str | None = None
    label: str = "insert a block"
    index: int = -1
    shift: float = 0.0
    moved: dict = field(default_factory=dict)  # block -> its position before the shift

    def do(self, graph: Graph) -> None:
        if (self.src, self.dst) not in graph.edges:
            raise GraphError(None, f"no link {self.src} -> {self.dst} to insert a block into",
                             edge=(self.src, self.dst))
        if BLOCKS.get(self.type) is None or BLOCKS[self.type].max_inputs == 0 \
                or self.type == "output":
            raise GraphError(None, f"a {self.type} block cannot sit inside a link; "
                             "insert a Dense, Dropout, Activation, BatchNorm, Add or Concat")
        self.index = graph.edges.index((self.src, self.dst))
        edge = graph.nodes[self.dst].position[0] - 1e-6
        self.moved = {n: node.position for n, node in graph.nodes.items()
                      if self.shift and node.position[0] >= edge}
        for n, (x, y) in self.moved.items():
            graph.move(n, (x + self.shift, y))
        self.node = graph.add_node(self.type, self.params, self.node, self.position)
        graph.disconnect(self.src, self.dst)
        graph.edges[self.index:self.index] = [(self.src, self.node), (self.node, self.dst)]
        graph._emit("link_added", edge=(self.src, self.node))
        graph._emit("link_added", edge=(self.node, self.dst))

    def undo(self, graph: Graph) -> None:
        graph.remove_node(self.node)
        graph.edges.insert(self.index, (self.src, self.dst))
        graph._emit("link_added", edge=(self.src, self.dst))
        for n, position in self.moved.items():
            graph.move(n, position)


@dataclass
class Move(Command):
    node: str
    position: tuple[float, float]
    label: str = "move a block"
    old: tuple[float, float] = (0.0, 0.0)

    def do(self, graph: Graph) -> None:
        self.old = graph.nodes[self.node].position
        graph.move(self.node, self.position)

    def undo(self, graph: Graph) -> None:
        graph.move(self.node, self.old)


_MISSING = object()


def _load(graph: Graph, doc: dict) -> None:
    fresh = Graph.from_json(copy.deepcopy(doc))
    graph.nodes, graph.edges = fresh.nodes, fresh.edges
    graph._emit("reset")


class UndoStack:
    """Commands done, for undo; commands undone, for redo (cleared by a new edit)."""

    def __init__(self) -> None:
        self.done: list[Command] = []
        self.undone: list[Command] = []

    def push(self, command: Command, graph: Graph) -> None:
        command.do(graph)  # raises before anything is recorded when the edit is refused
        self.done.append(command)
        self.undone.clear()

    def undo(self, graph: Graph) -> Command | None:
        if not self.done:
            return None
        command = self.done.pop()
        command.undo(graph)
        self.undone.append(command)
        return command

    def redo(self, graph: Graph) -> Command | None:
        if not self.undone:
            return None
        command = self.undone.pop()
        command.do(graph)
        self.done.append(command)
        return command


# ------------------------------------------------------------------- quick edits (TF style)

def hidden_chain(graph: Graph) -> list[str]:
    chain = graph.dense_chain()
    if chain is None:
        raise GraphError(None, "quick layer edits need a plain Input -> Dense -> Output stack")
    return chain


def with_hidden_layers(graph: Graph, count: int) -> Graph:
    """The same stack with `count` hidden layers (new ones copy the last layer's settings)."""
    chain = hidden_chain(graph)
    if not 0 <= count <= 12:
        raise GraphError(None, f"a stack has 0 to 12 hidden layers, asked for {count}")
    units = [int(graph.nodes[n].param("units")) for n in chain]
    template = dict(graph.nodes[chain[-1]].params) if chain else {"units": 4}
    units = (units + [units[-1] if units else 4] * count)[:count]
    out = graph.nodes[graph.of_type("output")[0]].params
    new = mlp(units, template.get("activation", "tanh"), output_activation=out.get(
        "activation", "tanh"), loss=out.get("loss", "mse"), init=template.get("init", "tf_uniform"))
    for i, n in enumerate(new.dense_chain()):  # keep every existing layer's own settings
        source = graph.nodes[chain[i]].params if i < len(chain) else template
        new.nodes[n].params.update({**source, "units": units[i]})
    new.nodes["output"].params.update(out)
    return new


TEMPLATES = {
    "perceptron": ("Perceptron (no hidden layer)", lambda: mlp([], "tanh")),
    "tf_default": ("TF Playground's default [4, 2]", lambda: mlp([4, 2], "tanh")),
    "deep_narrow": ("Deep and narrow (sigmoid, 6 x 3)", lambda: mlp([3] * 6, "sigmoid")),
    "wide_shallow": ("Wide and shallow (1 x 32 ReLU)", lambda: mlp([32], "relu",
                                                                    init="he_normal")),
    "residual": ("Residual MLP (2 skip blocks of 8)", lambda: residual_mlp(8, 2)),
}
