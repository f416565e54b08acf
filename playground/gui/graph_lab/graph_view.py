"""The computational graph drawn: layers by depth from the inputs at the top down to the output
(the order of the notes' tables), each node showing its value and adjoint as the walk-through
fills them, each edge its local derivative."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

LAYER_GAP, ROW_GAP = 88.0, 150.0
WIDTH, HEIGHT = 118.0, 62.0
FILL = {"variable": "#d8e9f7", "number": "#eceff1"}
OPERATION_FILL = "#ffffff"
CURRENT = QColor("#f5b400")
ADJOINT = QColor("#d35400")
EDGE = QColor("#90a4ae")


def number(v: float) -> str:
    return f"{v:.5g}"


class GraphView(QGraphicsView):
    """Draws a CompGraph; `show_state` reveals values and adjoints step by step."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("graph_lab.graph")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(300, 220)
        self.graph = None
        self.boxes: dict[int, QGraphicsRectItem] = {}
        self.texts: dict[int, tuple[QGraphicsSimpleTextItem, ...]] = {}
        self.edges: list[tuple[int, int, int, QGraphicsPathItem, QGraphicsSimpleTextItem]] = []

    def set_graph(self, graph) -> None:
        scene = self.scene()
        scene.clear()
        self.graph, self.boxes, self.texts, self.edges = graph, {}, {}, []
        where = {i: QPointF(row * ROW_GAP, layer * LAYER_GAP)
                 for i, (layer, row) in graph.layout().items()}
        small = QFont()
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        for node in graph.nodes:
            for k, i in enumerate(node.operands):
                self._edge(i, node.index, k, where[i], where[node.index], small)
        for node in graph.nodes:
            c = where[node.index]
            box = scene.addRect(QRectF(c.x() - WIDTH / 2, c.y() - HEIGHT / 2, WIDTH, HEIGHT),
                                QPen(QColor("#546e7a"), 1.2),
                                QBrush(QColor(FILL.get(node.op, OPERATION_FILL))))
            box.setToolTip(f"{node.definition}\nvalue {number(node.value)}")
            title = node.name if node.is_leaf else f"{node.name}   {node.label}"
            lines = [scene.addSimpleText(title), scene.addSimpleText(""),
                     scene.addSimpleText("")]
            lines[2].setBrush(ADJOINT)
            for r, item in enumerate(lines):
                item.setParentItem(box)
                item.setPos(c.x() - WIDTH / 2 + 6, c.y() - HEIGHT / 2 + 3 + r * 19)
            self.boxes[node.index], self.texts[node.index] = box, tuple(lines)
        self.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.fit()

    def _edge(self, i: int, j: int, k: int, a: QPointF, b: QPointF, font: QFont) -> None:
        start, end = a + QPointF(0, HEIGHT / 2), b - QPointF(0, HEIGHT / 2)
        path = QPainterPath(start)
        bend = (end.y() - start.y()) / 2
        path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
        line = self.scene().addPath(path, QPen(EDGE, 1.4))
        head = QGraphicsPolygonItem(QPolygonF([end, end + QPointF(-4, -9), end + QPointF(4, -9)]),
                                    line)
        head.setBrush(EDGE)
        head.setPen(Qt.PenStyle.NoPen)
        label = self.scene().addSimpleText("", font)
        label.setPos(path.pointAtPercent(0.5) + QPointF(4, -8 + 12 * k))
        label.setBrush(QColor("#37474f"))
        self.edges.append((i, j, k, line, label))

    def show_state(self, values: frozenset, adjoints: frozenset, current: int | None) -> None:
        """Reveal what the walk-through has computed so far; outline the node just filled."""
        g = self.graph
        if g is None:
            return
        for node in g.nodes:
            _, value, adjoint = self.texts[node.index]
            value.setText(f"v = {number(node.value)}" if node.index in values else "v = ?")
            adjoint.setText(f"ā = {number(node.adjoint)}" if node.index in adjoints else "")
            pen = QPen(CURRENT if node.index == current else QColor("#546e7a"),
                       3.0 if node.index == current else 1.2)
            self.boxes[node.index].setPen(pen)
        for i, j, k, line, label in self.edges:
            known = j in values and g.nodes[i].active
            label.setText(f"∂ = {number(g.nodes[j].local[k])}" if known else "")
            carried = i in adjoints
            line.setPen(QPen(ADJOINT if carried else EDGE, 2.4 if carried else 1.4))

    def fit(self) -> None:
        if self.scene().items():
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()
