"""The network view: every unit a small live heatmap, every weight an edge.

Edges are blue for positive and orange for negative weights, 1–10 px wide for |w| in 0–5 (as
TF Playground). Hovering a unit shows its full map in the output view; hovering an edge shows
its weight; clicking an edge or a unit edits the weight or the bias.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QToolTip,
)

from .. import colors

NEURON = 34  # px
GAP = 10
COLUMN = 150
MAX_SHOWN = 16  # units drawn per block; wider blocks show the first ones and a count


def heat_pixmap(values: np.ndarray, size: int = NEURON) -> QPixmap:
    """A (res, res) map (row 0 = bottom) as a pixmap of about size×size in the diverging
    colours (the item scales it the rest of the way)."""
    step = max(1, values.shape[0] // size)
    rgba = np.ascontiguousarray(colors.map_values(np.flipud(values[::step, ::step])))
    h, w = rgba.shape[:2]
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(image)  # fromImage copies: rgba may go


class NeuronItem(QGraphicsPixmapItem):
    def __init__(self, view: NetworkView, node: str, unit: int):
        super().__init__()
        self.view, self.node, self.unit = view, node, unit
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.frame = QGraphicsRectItem(0, 0, NEURON, NEURON, self)
        self.frame.setPen(QPen(QColor("#777"), 1))

    def set_map(self, pixmap: QPixmap) -> None:
        if pixmap.width() != int(self.pixmap().width()):
            self.setScale(NEURON / pixmap.width())
            self.frame.setScale(pixmap.width() / NEURON)
        self.setPixmap(pixmap)

    def hoverEnterEvent(self, event) -> None:
        self.view.on_neuron_hover(self, event.screenPos())

    def hoverLeaveEvent(self, event) -> None:
        self.view.neuron_hovered.emit("", -1)

    def mousePressEvent(self, event) -> None:
        if self.view.has_bias(self.node):
            self.view.weight_clicked.emit(self.node, self.unit, -1)


class EdgeItem(QGraphicsLineItem):
    def __init__(self, view: NetworkView, node: str, row: int, col: int, line: QLineF):
        super().__init__(line)
        self.view, self.node, self.row, self.col = view, node, row, col
        self.setAcceptHoverEvents(True)
        self.setZValue(-1)

    def hoverEnterEvent(self, event) -> None:
        w = self.view.weight(self.node, self.row, self.col)
        if w is not None:
            QToolTip.showText(event.screenPos(), f"weight {w:.3f} (click to edit)")

    def mousePressEvent(self, event) -> None:
        self.view.weight_clicked.emit(self.node, self.row, self.col)


class ClickText(QGraphicsSimpleTextItem):
    """A text item that calls back when clicked (block titles, the +/- handles)."""

    def __init__(self, text: str, on_click, tip: str = ""):
        super().__init__(text)
        self.on_click = on_click
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        if tip:
            self.setToolTip(tip)

    def mousePressEvent(self, event) -> None:
        self.on_click()


class NetworkView(QGraphicsView):
    neuron_hovered = Signal(str, int)  # block, unit ("" and -1 when the pointer leaves)
    weight_clicked = Signal(str, int, int)  # block, row, column (-1: the bias)
    block_selected = Signal(str)
    units_delta = Signal(str, int)  # a Dense block's + / - handle

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setBackgroundBrush(QBrush(QColor("#fafafa")))
        self.neurons: dict[tuple[str, int], NeuronItem] = {}
        self.edges: list[tuple[EdgeItem, str, int, int, str]] = []  # item, node, row, col, kind
        self._snap = None
        self._pieces: dict[str, int] = {}
        self._pens: dict[tuple[bool, int], QPen] = {}
        self._edge_keys: dict[int, tuple[bool, int]] = {}

    # --------------------------------------------------------------------------- layout
    def set_network(self, graph, widths: dict[str, int], input_labels: list[str]) -> None:
        """Lay out the graph by depth (longest path from the Input), left to right."""
        scene = self.scene()
        scene.clear()
        self.neurons.clear()
        self.edges.clear()
        self._edge_keys.clear()
        self.titles: dict[str, ClickText] = {}
        order = graph.topological_order()
        depth: dict[str, int] = {}
        for n in order:
            ins = graph.inputs_of(n)
            depth[n] = 1 + max((depth[s] for s in ins), default=-1)
        columns: dict[int, list[str]] = {}
        for n in order:
            columns.setdefault(depth[n], []).append(n)
        anchors: dict[tuple[str, int], tuple[QPointF, QPointF]] = {}
        tallest = max(sum(min(widths[n], MAX_SHOWN) for n in col) for col in columns.values())
        for d, nodes in columns.items():
            count = sum(min(widths[n], MAX_SHOWN) for n in nodes) + len(nodes) - 1
            y = (tallest - count) * (NEURON + GAP) / 2
            for n in nodes:
                node = graph.nodes[n]
                title = self._title(node, widths[n])
                label = ClickText(title, lambda n=n: self.block_selected.emit(n),
                                  "click to inspect this block")
                label.setFont(QFont("Sans", 8))
                label.setPos(d * COLUMN, y - 16)
                scene.addItem(label)
                self.titles[n] = label
                if node.type == "dense":  # TF Playground's quick neuron controls
                    for dx, text, delta in ((-22, "−", -1), (-11, "+", +1)):
                        handle = ClickText(text, lambda n=n, k=delta: self.units_delta.emit(n, k),
                                           "one neuron less" if delta < 0 else "one neuron more")
                        handle.setFont(QFont("Sans", 10, QFont.Weight.Bold))
                        handle.setPos(d * COLUMN + dx, y - 18)
                        scene.addItem(handle)
                act = node.param("activation") if node.type == "dense" else None
                self._pieces[n] = int(node.params.get("k", 2)) if act == "maxout" else 1
                for u in range(min(widths[n], MAX_SHOWN)):
                    item = NeuronItem(self, n, u)
                    item.setPos(d * COLUMN, y)
                    if node.type == "input" and u < len(input_labels):
                        item.setToolTip(input_labels[u])
                    scene.addItem(item)
                    self.neurons[(n, u)] = item
                    anchors[(n, u)] = (QPointF(d * COLUMN, y + NEURON / 2),
                                       QPointF(d * COLUMN + NEURON, y + NEURON / 2))
                    y += NEURON + GAP
                if widths[n] > MAX_SHOWN:
                    more = QGraphicsSimpleTextItem(f"+{widths[n] - MAX_SHOWN} more")
                    more.setPos(d * COLUMN, y)
                    scene.addItem(more)
                    y += NEURON / 2
                y += NEURON + GAP
        for n in order:
            self._add_edges(graph, n, widths, anchors)
        self.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.fit()

    def _title(self, node, width: int) -> str:
        if node.type == "dense":
            return f"{width} {node.param('activation')}"
        if node.type == "output":
            return f"output {node.param('activation')}"
        if node.type == "dropout":
            return f"dropout p={node.param('keep_prob'):g}"
        return node.type

    def _add_edges(self, graph, n: str, widths, anchors) -> None:
        kind = graph.nodes[n].type
        sources = graph.inputs_of(n)
        offset = 0
        for s in sources:
            for i in range(min(widths[s], MAX_SHOWN)):
                if kind in ("dense", "output"):
                    targets = [(j, i) for j in range(min(widths[n], MAX_SHOWN))]
                elif kind == "concat":
                    targets = [(offset + i, -1)] if offset + i < MAX_SHOWN else []
                else:
                    targets = [(i, -1)] if i < MAX_SHOWN else []
                for j, col in targets:
                    line = QLineF(anchors[(s, i)][1], anchors[(n, j)][0])
                    item = EdgeItem(self, n, j, col, line)
                    weighted = kind in ("dense", "output")
                    item.setPen(QPen(QColor("#bbb"), 1))
                    item.setAcceptedMouseButtons(Qt.MouseButton.LeftButton if weighted
                                                 else Qt.MouseButton.NoButton)
                    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
                    self.scene().addItem(item)
                    if weighted:
                        self.edges.append((item, n, j, col, kind))
            offset += widths[s]

    def fit(self) -> None:
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    # ---------------------------------------------------------------------------- frames
    def update_snapshot(self, snap) -> None:
        self._snap = snap
        for (n, u), item in self.neurons.items():
            maps = snap.neurons.get(n)
            if maps is not None and u < len(maps):
                item.set_map(heat_pixmap(maps[u]))
            elif n in snap.weights and snap.output is not None:  # the Output block's units
                out = snap.output if snap.output.ndim == 2 else 2.0 * snap.output[..., u] - 1.0
                item.set_map(heat_pixmap(out))
        for i, (item, n, row, col, _) in enumerate(self.edges):
            w = self.weight(n, row, col)
            if w is None:
                continue
            # Width 1-10 px for |w| 0-5, in quarter pixels: a pen changes only when it shows.
            key = (w > 0, round(4.0 * (1.0 + 9.0 * min(abs(w), 5.0) / 5.0)))
            if self._edge_keys.get(i) != key:
                self._edge_keys[i] = key
                item.setPen(self._pen(key))

    def _pen(self, key: tuple[bool, int]) -> QPen:
        pen = self._pens.get(key)
        if pen is None:
            color = QColor(*colors.BLUE) if key[0] else QColor(*colors.ORANGE)
            pen = self._pens[key] = QPen(color, key[1] / 4.0)
        return pen

    def weight(self, node: str, row: int, col: int) -> float | None:
        if self._snap is None or node not in self._snap.weights:
            return None
        w = self._snap.weights[node]
        pieces = self._pieces.get(node, 1)
        if col < 0:
            return float(self._snap.biases[node][row * pieces])
        return float(w[row * pieces:(row + 1) * pieces, col].mean())

    def has_bias(self, node: str) -> bool:
        return self._snap is not None and node in self._snap.biases

    def on_neuron_hover(self, item: NeuronItem, screen_pos) -> None:
        self.neuron_hovered.emit(item.node, item.unit)
        if self.has_bias(item.node):
            b = self.weight(item.node, item.unit, -1)
            QToolTip.showText(screen_pos, f"{item.node} unit {item.unit + 1}: bias {b:.3f} "
                              "(click to edit)")
