"""Drawing connections: the block-level link between two blocks' ports, and the unit edges
whose colour and width show each weight (TF Playground's 1–10 px for |w| in 0–5)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF
from PySide6.QtGui import QColor, QPen

from .. import colors
from .blocks import maxout_pieces
from .items import EdgeItem, LinkItem

MAX_EDGES = 2500  # per link; beyond, the link alone stands for them


class EdgePainter:
    def __init__(self, view):
        self.view = view
        self._pens: dict[tuple[bool, int], QPen] = {}

    def _port(self, node: str, outgoing: bool) -> QPointF:
        frame, style = self.view.frames[node], self.view.plan.style
        r = style.port / 2 + 2
        x = self.view.plan.neuron + r if outgoing else -r
        return frame.mapToScene(QPointF(x, frame.column_height / 2))

    def link(self, src: str, dst: str) -> LinkItem:
        item = LinkItem(self.view, src, dst, self._port(src, True), self._port(dst, False))
        self.view.scene().addItem(item)
        return item

    def _tiles(self, node: str) -> list[int]:
        return sorted(u for n, u in self.view.neurons if n == node)

    def unit_edges(self, src: str, dst: str) -> list[EdgeItem]:
        v = self.view
        g = v._graph
        kind = g.nodes[dst].type
        sources, targets = self._tiles(src), self._tiles(dst)
        weighted = kind in ("dense", "output") and not v.is_image_input(src)
        if v.is_image_input(src):
            pairs = [(0, j, -1) for j in targets]
        elif kind in ("dense", "output"):
            pairs = [(i, j, i) for i in sources for j in targets]
        else:
            offset = 0
            if kind == "concat":
                for s in g.inputs_of(dst):
                    if s == src:
                        break
                    offset += v._widths.get(s, 0)
            shown = set(targets)
            pairs = [(i, i + offset, -1) for i in sources if i + offset in shown]
        if len(pairs) > MAX_EDGES:
            return []
        items = []
        for i, j, col in pairs:
            item = EdgeItem(v, src, dst, j, col, weighted, self._line(src, i, dst, j))
            item.src_unit = i
            v.scene().addItem(item)
            items.append(item)
        return items

    def _line(self, src: str, i: int, dst: str, j: int) -> QLineF:
        n = self.view.plan.neuron
        return QLineF(self.view.neurons[(src, i)].scenePos() + QPointF(n, n / 2),
                      self.view.neurons[(dst, j)].scenePos() + QPointF(0, n / 2))

    def reroute(self, edge: tuple[str, str]) -> None:
        """Follow blocks that moved (a new plan, a drag): the same items, new geometry."""
        src, dst = edge
        self.view.links[edge].set_ends(self._port(src, True), self._port(dst, False))
        for item in self.view.edges.get(edge, []):
            line = self._line(src, item.src_unit, dst, item.row)
            if item.line() != line:
                item.setLine(line)

    def paint_weights(self, snap) -> None:
        """Each weighted edge's colour and width from its weight. Per block, the shown matrix
        (maxout pieces averaged) and the pen keys of all its entries are computed in one array
        pass; edges then only look theirs up (a Python mean per edge cost ~3 ms a frame)."""
        if snap is None or self.view._graph is None:
            return
        scale = self.view.style_.edge_scale
        keys: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
        for items in self.view.edges.values():
            for item in items:
                if not item.weighted:
                    continue
                node = item.node
                if node not in keys:
                    keys[node] = self._pen_keys(snap, node, scale)
                table = keys[node]
                shape = table[0].shape if table is not None else (0, 0)
                if item.row >= shape[0] or item.col >= shape[1]:
                    continue  # (an older frame, or the network was just edited)
                key = (bool(table[0][item.row, item.col]), int(table[1][item.row, item.col]))
                if item.pen_key != key:
                    item.pen_key = key
                    item.setPen(self._pen(key))

    def _pen_keys(self, snap, node: str, scale: float) -> tuple[np.ndarray, np.ndarray] | None:
        """(positive, width in quarter pixels) of every edge into `node`, as two (units,
        inputs) arrays: width 1-10 px for |w| 0-5, as TF Playground draws them; in quarter
        pixels, so a pen changes only when it shows."""
        w = snap.weights.get(node)
        if w is None:
            return None
        pieces = maxout_pieces(self.view._graph, node)
        if w.shape[0] % pieces:
            return None
        shown = w.reshape(-1, pieces, w.shape[1]).mean(axis=1) if pieces > 1 else w
        width = np.round(4.0 * scale * (1.0 + 9.0 * np.minimum(np.abs(shown), 5.0) / 5.0))
        return shown > 0, width.astype(np.int64)

    def paint_by(self, value) -> None:
        """Colour and width from `value(item)`: (positive, width in px), None for a faded
        grey edge (overlays: gradients, one example's steps)."""
        for items in self.view.edges.values():
            for item in items:
                if not item.weighted:
                    continue
                shown = value(item)
                key = (None, 4) if shown is None else (shown[0], round(4.0 * shown[1]))
                if item.pen_key != key:
                    item.pen_key = key
                    item.setPen(self._pen(key))

    def _pen(self, key: tuple[bool | None, int]) -> QPen:
        pen = self._pens.get(key)
        if pen is None:
            color = QColor("#d5d5d5") if key[0] is None else \
                QColor(*colors.BLUE) if key[0] else QColor(*colors.ORANGE)
            pen = self._pens[key] = QPen(color, key[1] / 4.0)
        return pen

    def weight(self, snap, node: str, row: int, col: int) -> float | None:
        """The weight an edge shows (a maxout unit: its pieces' mean), or the bias (col -1)."""
        if snap is None or node not in snap.weights or self.view._graph is None:
            return None
        return self.entry(snap.weights[node], snap.biases[node], node, row, col)

    def entry(self, w, b, node: str, row: int, col: int) -> float | None:
        """What an edge (or a unit, col -1) shows of a block's (rows, in) matrix `w` and its
        (rows,) vector `b`: a maxout unit's pieces averaged. None when the shapes no longer
        fit the drawing (the network was just edited)."""
        pieces = maxout_pieces(self.view._graph, node)
        if (row + 1) * pieces > w.shape[0] or col >= w.shape[1]:
            return None
        if col < 0:
            return float(b[row * pieces])
        return float(w[row * pieces:(row + 1) * pieces, col].mean())
