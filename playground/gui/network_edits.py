"""Network edits of the main window: every change to the graph is an undoable command
(core/commands.py) on the session's one stack, whether it comes from the canvas, the quick
controls, the inspector or the training bar. A mixin of MainWindow."""

from __future__ import annotations

import copy

from ..core import commands as C
from ..core.session import Compound
from ..core.session import SetWeight as SessionSetWeight


class NetworkEdits:
    def edit_network(self, command) -> bool:
        """Apply one edit of the network as an undoable command; refused edits say why."""
        return self.qs.edit_graph(command)

    def undo_edit(self) -> None:
        self.session.undo()

    def redo_edit(self) -> None:
        self.session.redo()

    def add_block(self, kind: str, x: float, y: float) -> None:
        self.edit_network(C.AddNode(kind, {}, (round(x, 1), round(y, 1))))

    def add_block_at_end(self, kind: str) -> None:
        xs = [n.position[0] for n in self.experiment.network.nodes.values()] or [0.0]
        self.add_block(kind, max(xs) + 200.0, 150.0)

    def delete_blocks(self, nodes: list[str]) -> None:
        """Delete blocks; a block on a chain (one input) is cut out of it, its input joined to
        what it fed, as TF Playground's '−' removes a layer (a new user deleted a hidden layer
        and was left with a network that could not train)."""
        graph = copy.deepcopy(self.experiment.network)
        for n in nodes:
            sources, targets = graph.inputs_of(n), graph.outputs_of(n)
            graph.remove_node(n)
            if len(sources) != 1:
                continue
            for target in targets:
                if not graph.can_connect(sources[0], target):
                    graph.connect(sources[0], target)
        self.edit_network(C.Replace(graph.to_json(), label=f"delete {', '.join(nodes)}"))

    def copy_blocks(self, nodes: list[str]) -> None:
        """Keep the selected blocks and the connections among them for pasting."""
        doc = self.experiment.network.to_json()
        chosen = set(nodes)
        self._clipboard = {"nodes": [n for n in doc["nodes"] if n["id"] in chosen
                                     and n["type"] not in ("input", "output")],
                           "edges": [e for e in doc["edges"] if set(e) <= chosen]}
        self.statusBar().showMessage(f"copied {len(self._clipboard['nodes'])} blocks", 3000)

    def paste_blocks(self) -> None:
        clip = getattr(self, "_clipboard", None)
        if not clip or not clip["nodes"]:
            return
        graph = copy.deepcopy(self.experiment.network)
        renamed = {}
        for node in clip["nodes"]:  # fresh names, shifted down so the copies show
            renamed[node["id"]] = graph.add_node(node["type"], dict(node["params"]),
                                                 position=(node["position"][0],
                                                           node["position"][1] + 180.0))
        for a, b in clip["edges"]:
            graph.connect(renamed[a], renamed[b])
        self.edit_network(C.Replace(graph.to_json(), label="paste"))

    def auto_layout(self) -> None:
        from ..core.graph import auto_layout

        graph = copy.deepcopy(self.experiment.network)
        for n, pos in auto_layout(graph).items():
            graph.nodes[n].position = pos
        self.edit_network(C.Replace(graph.to_json(), label="auto-layout"))
        self.network_view.fit_all()

    def change_units(self, node: str, delta: int) -> None:
        units = int(self.experiment.network.nodes[node].param("units")) + delta
        if 1 <= units <= 512:
            self.edit_network(C.SetParams(node, {"units": units}, label=f"{node}: {units} units"))


    def edit_block_weights(self, node: str) -> None:
        """The inspector's weight table for `node`: the changed cells as one undoable edit."""
        from .network.weight_dialog import WeightTable

        view = self.network_view
        weights = self._drawn.snapshot.weights if self._drawn is not None else {}
        if node not in weights or node not in self.experiment.network.nodes:
            self.statusBar().showMessage(f"{node} has no weights yet: build a valid network "
                                         "first", 5000)
            return
        units = view.units_of(node)
        sources = self.experiment.network.inputs_of(node)
        src = sources[0] if sources else ""
        fan_in = weights[node].shape[1]
        if src and self.experiment.network.nodes[src].type == "input" and \
                len(view.input_labels) == fan_in:
            columns = list(view.input_labels)
        else:
            columns = [f"{src} {j + 1}" for j in range(fan_in)]
        table = WeightTable(node, units, columns,
                            lambda r, c: view.weight(node, r, c) or 0.0,
                            view.has_bias(node), self)
        if not table.exec() or not table.changes():
            return
        parts = [SessionSetWeight(node, r, None if c < 0 else c, new, old,
                                  label=f"edit a {'bias' if c < 0 else 'weight'} of {node}")
                 for r, c, new, old in table.changes()]
        self.qs.push(parts[0] if len(parts) == 1 else
                     Compound(parts, label=f"edit {len(parts)} weights of {node}"))
