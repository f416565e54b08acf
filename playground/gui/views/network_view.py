"""The network view: every unit a small live heatmap, every weight an edge.

Edges are blue for positive and orange for negative weights, 1–10 px wide for |w| in 0–5 (as
TF Playground). Hovering a unit shows its full map in the output view; hovering an edge shows
its weight; clicking an edge or a unit edits the weight or the bias.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QToolTip,
)

from ...core.graph import auto_layout, positions_usable
from .. import colors

BLOCK_MIME = "application/x-playground-block"

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

    def __init__(self, text: str, on_click, tip: str = "", parent=None,
                 pass_through: bool = False):
        super().__init__(text, parent)
        self.on_click = on_click
        self.pass_through = pass_through  # a title: click selects, and the block still drags
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        if tip:
            self.setToolTip(tip)

    def mousePressEvent(self, event) -> None:
        self.on_click()
        if self.pass_through:
            event.ignore()


class BlockFrame(QGraphicsRectItem):
    """A block on the canvas: frame, title, units, ports. Drag it to move the block."""

    def __init__(self, view: NetworkView, node: str, height: float, problem: str = ""):
        super().__init__(QRectF(-8, -24, NEURON + 16, height + 32))
        self.view, self.node = view, node
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setBrush(QBrush(QColor(255, 255, 255, 0)))
        self.problem = problem
        self.setPen(QPen(QColor("#d62728") if problem else QColor("#c8c8c8"), 2 if problem else 1,
                         Qt.PenStyle.SolidLine if problem else Qt.PenStyle.DotLine))
        if problem:
            self.setToolTip(problem)
        self._pressed_at = QPointF()

    def mousePressEvent(self, event) -> None:
        self._pressed_at = self.pos()
        self.view.block_selected.emit(self.node)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if self.pos() != self._pressed_at:
            height = self.rect().height() - 32  # the units' column inside the frame
            self.view.block_moved.emit(self.node, self.pos().x(), self.pos().y() + height / 2)


class PortItem(QGraphicsEllipseItem):
    """In (left) and out (right) ports; drag from an out port to a block to connect."""

    def __init__(self, frame: BlockFrame, outgoing: bool, y: float):
        x = NEURON + 8 if outgoing else -8
        super().__init__(QRectF(x - 5, y - 5, 10, 10), frame)
        self.frame, self.outgoing = frame, outgoing
        self.setBrush(QBrush(QColor("#555") if outgoing else QColor("#fff")))
        self.setPen(QPen(QColor("#555"), 1.5))
        self.setToolTip("drag to another block to connect" if outgoing else "input")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._line: QGraphicsLineItem | None = None

    def mousePressEvent(self, event) -> None:
        if not self.outgoing:
            event.ignore()
            return
        start = self.sceneBoundingRect().center()
        self._line = self.scene().addLine(QLineF(start, start), QPen(QColor("#333"), 2,
                                                                     Qt.PenStyle.DashLine))
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if self._line is not None:
            line = self._line.line()
            self._line.setLine(QLineF(line.p1(), event.scenePos()))

    def mouseReleaseEvent(self, event) -> None:
        if self._line is None:
            return
        self.scene().removeItem(self._line)
        self._line = None
        target = self.frame.view.block_at(event.scenePos())
        if target is not None and target != self.frame.node:
            self.frame.view.connect_requested.emit(self.frame.node, target)


class NetworkView(QGraphicsView):
    neuron_hovered = Signal(str, int)  # block, unit ("" and -1 when the pointer leaves)
    weight_clicked = Signal(str, int, int)  # block, row, column (-1: the bias)
    block_selected = Signal(str)
    units_delta = Signal(str, int)  # a Dense block's + / - handle
    block_moved = Signal(str, float, float)  # block, new position (x, vertical centre)
    connect_requested = Signal(str, str)  # from, to (dragged from an out port)
    block_dropped = Signal(str, float, float)  # block type from the palette, position
    delete_requested = Signal(list)  # selected blocks
    copy_requested = Signal(list)  # selected blocks (Ctrl+C)
    paste_requested = Signal()  # Ctrl+V

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAcceptDrops(True)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.frames: dict[str, BlockFrame] = {}
        self.user_zoomed = False
        self.setBackgroundBrush(QBrush(QColor("#fafafa")))
        self.neurons: dict[tuple[str, int], NeuronItem] = {}
        self.edges: list[tuple[EdgeItem, str, int, int, str]] = []  # item, node, row, col, kind
        self._snap = None
        self._pieces: dict[str, int] = {}
        self._pens: dict[tuple[bool, int], QPen] = {}
        self._edge_keys: dict[int, tuple[bool, int]] = {}

    # --------------------------------------------------------------------------- layout
    def set_network(self, graph, widths: dict[str, int], input_labels: list[str],
                    problems: dict[str, str] | None = None) -> None:
        """Draw every block at its position (auto-laid out when positions are unset), with
        its units, ports and connections; blocks in `problems` are outlined red with why."""
        scene = self.scene()
        scene.clear()
        self.neurons.clear()
        self.edges.clear()
        self._edge_keys.clear()
        self.titles: dict[str, ClickText] = {}
        self.frames.clear()
        problems = problems or {}
        where = ({n: node.position for n, node in graph.nodes.items()}
                 if positions_usable(graph) else auto_layout(graph))
        anchors: dict[tuple[str, int], tuple[QPointF, QPointF]] = {}
        for n, node in graph.nodes.items():
            shown = min(widths.get(n, 0), MAX_SHOWN)
            height = max(shown, 1) * (NEURON + GAP) - GAP
            x, centre = where[n]
            frame = BlockFrame(self, n, height, problems.get(n, ""))
            frame.setPos(x, centre - height / 2)
            scene.addItem(frame)
            self.frames[n] = frame
            title = ClickText(self._title(node, widths.get(n, 0)),
                              lambda n=n: self.block_selected.emit(n),
                              "click to inspect, drag to move", frame, pass_through=True)
            title.setFont(QFont("Sans", 8))
            title.setPos(0, -18)
            self.titles[n] = title
            act = node.param("activation") if node.type == "dense" else None
            self._pieces[n] = int(node.params.get("k", 2)) if act == "maxout" else 1
            if node.type == "dense":  # TF Playground's quick neuron controls
                for dx, text, delta in ((-22, "−", -1), (-11, "+", +1)):
                    handle = ClickText(text, lambda n=n, k=delta: self.units_delta.emit(n, k),
                                       "one neuron less" if delta < 0 else "one neuron more",
                                       frame)
                    handle.setFont(QFont("Sans", 10, QFont.Weight.Bold))
                    handle.setPos(dx, -20)
            if node.type != "input":
                PortItem(frame, False, height / 2)
            if node.type != "output":
                PortItem(frame, True, height / 2)
            for u in range(shown):
                item = NeuronItem(self, n, u)
                item.setParentItem(frame)
                item.setPos(0, u * (NEURON + GAP))
                if node.type == "input" and u < len(input_labels):
                    item.setToolTip(input_labels[u])
                self.neurons[(n, u)] = item
                top = frame.pos() + QPointF(0, u * (NEURON + GAP) + NEURON / 2)
                anchors[(n, u)] = (top, top + QPointF(NEURON, 0))
            if widths.get(n, 0) > MAX_SHOWN:
                more = QGraphicsSimpleTextItem(f"+{widths[n] - MAX_SHOWN} more", frame)
                more.setPos(0, height + 2)
        for n in graph.nodes:
            self._add_edges(graph, n, widths, anchors)
        for src, dst in graph.edges:  # the block-level connection, port to port
            a = self.frames[src].mapToScene(QPointF(NEURON + 8, self._port_y(src)))
            b = self.frames[dst].mapToScene(QPointF(-8, self._port_y(dst)))
            link = scene.addLine(QLineF(a, b), QPen(QColor("#999"), 1, Qt.PenStyle.DashLine))
            link.setZValue(-2)
        self.setSceneRect(scene.itemsBoundingRect().adjusted(-30, -30, 30, 30))
        if not self.user_zoomed:
            self.fit()

    def _port_y(self, node: str) -> float:
        return (self.frames[node].rect().height() - 32) / 2  # the middle of the units' column

    def block_at(self, pos: QPointF) -> str | None:
        for item in self.scene().items(pos):
            while item is not None and not isinstance(item, BlockFrame):
                item = item.parentItem()
            if item is not None:
                return item.node
        return None

    # ------------------------------------------------------------- canvas interactions
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if not event.mimeData().hasFormat(BLOCK_MIME):
            return super().dropEvent(event)
        kind = bytes(event.mimeData().data(BLOCK_MIME)).decode()
        p = self.mapToScene(event.position().toPoint())
        event.acceptProposedAction()
        self.block_dropped.emit(kind, p.x(), p.y())

    def selected_blocks(self) -> list[str]:
        return [f.node for f in self.frames.values() if f.isSelected()]

    def keyPressEvent(self, event) -> None:
        chosen = self.selected_blocks()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and chosen:
            self.delete_requested.emit(chosen)
        elif ctrl and event.key() == Qt.Key.Key_C and chosen:
            self.copy_requested.emit(chosen)
        elif ctrl and event.key() == Qt.Key.Key_V:
            self.paste_requested.emit()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:  # pan with the middle button
            self._pan_from = event.position()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        start = getattr(self, "_pan_from", None)
        if start is not None:
            delta = event.position() - start
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(int(self.horizontalScrollBar().value() - delta.x()))
            self.verticalScrollBar().setValue(int(self.verticalScrollBar().value() - delta.y()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = None
            return
        super().mouseReleaseEvent(event)

    def wheelEvent(self, event) -> None:
        factor = 1.15 ** (event.angleDelta().y() / 120)
        self.user_zoomed = True
        self.scale(factor, factor)

    def fit_all(self) -> None:
        self.user_zoomed = False
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
                    if (s, i) not in anchors or (n, j) not in anchors:
                        continue
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
        if not self.user_zoomed:
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
        if (row + 1) * pieces > w.shape[0] or col >= w.shape[1]:
            return None  # a snapshot of another shape (the network was just edited)
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
