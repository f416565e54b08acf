"""The graphics items of the canvas: blocks with their unit tiles, handles and ports, the
weighted unit edges, and the block-level links. Items only draw and forward clicks to the
view; they never change the graph."""

from __future__ import annotations

import functools
import sys

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
)


def guarded(handler):
    """An item's event handler whose errors go to the exception hook instead of escaping
    into Qt (an exception leaving a Qt virtual call aborts PySide6)."""

    @functools.wraps(handler)
    def run(self, event):
        try:
            return handler(self, event)
        except Exception:
            sys.excepthook(*sys.exc_info())
        return None

    return run


LINK_PEN = QPen(QColor("#8a8a8a"), 1.5, Qt.PenStyle.DashLine)
LINK_SELECTED_PEN = QPen(QColor("#1f1f1f"), 5)


def label_font(px: float, bold: bool = False) -> QFont:
    font = QFont("Sans")
    font.setPixelSize(max(1, round(px)))
    font.setBold(bold)
    return font


def _wide_shape(path: QPainterPath, width: float) -> QPainterPath:
    stroker = QPainterPathStroker()
    stroker.setWidth(width)
    return stroker.createStroke(path)


class NeuronItem(QGraphicsPixmapItem):
    """One unit's map (or an image), `size` px square with a thin frame."""

    def __init__(self, view, node: str, unit: int, size: float, parent: QGraphicsItem):
        super().__init__(parent)
        self.view, self.node, self.unit, self.size = view, node, unit, size
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self.setTransformationMode(Qt.TransformationMode.FastTransformation)  # crisp pixels
        self.frame = QGraphicsRectItem(0, 0, size, size, parent)
        self.frame.setPen(QPen(QColor("#777"), 1))
        self.frame.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.frame.setZValue(1)
        blank = QPixmap(1, 1)
        blank.fill(QColor("#eeeeee"))  # until the first snapshot paints the unit
        self.set_map(blank)

    def setPos(self, x: float, y: float) -> None:  # noqa: N802 (Qt's name)
        super().setPos(x, y)
        self.frame.setPos(x, y)

    def set_map(self, pixmap) -> None:
        self.setPixmap(pixmap)
        self.setScale(self.size / max(pixmap.width(), 1))

    @guarded
    def hoverEnterEvent(self, event) -> None:  # noqa: N802
        self.view.on_neuron_hover(self, event.screenPos())

    @guarded
    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        self.view.on_neuron_left()

    @guarded
    def mousePressEvent(self, event) -> None:  # noqa: N802
        event.ignore()  # a press drags or selects the block

    @guarded
    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if self.view.has_bias(self.node):
            self.view.weight_clicked.emit(self.node, self.unit, -1)


class TextTile(QGraphicsRectItem):
    """A square with centred text that calls back when clicked ("+25 more", "−", "+")."""

    def __init__(self, text: str, size: float, font_px: float, on_click, tip: str,
                 parent: QGraphicsItem, height: float | None = None):
        super().__init__(0, 0, size, height or size, parent)
        self.on_click = on_click
        self.setBrush(QBrush(QColor("#f0f0f0")))
        self.setPen(QPen(QColor("#999"), 1))
        self.setToolTip(tip)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.text = QGraphicsSimpleTextItem(text, self)
        self.text.setFont(label_font(font_px, bold=True))
        r = self.text.boundingRect()
        self.text.setPos((size - r.width()) / 2, ((height or size) - r.height()) / 2)
        self.text.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    @guarded
    def mousePressEvent(self, event) -> None:  # noqa: N802
        event.accept()

    @guarded
    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self.contains(event.pos()):
            self.on_click()


class TitleItem(QGraphicsSimpleTextItem):
    """A block's title: a click selects the block and inspects it; the block still drags."""

    def __init__(self, text: str, font_px: float, on_click, parent: QGraphicsItem):
        super().__init__(text, parent)
        self.on_click = on_click
        self.setFont(label_font(font_px, bold=True))
        self.setToolTip("click to inspect, drag to move")
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    @guarded
    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.on_click()
        event.ignore()


class BlockFrame(QGraphicsRectItem):
    """A block: frame, title, unit tiles, ports. Its origin is the top-left of the units."""

    def __init__(self, view, node: str, rect: QRectF, problem: str, column_height: float):
        super().__init__(rect)
        self.view, self.node, self.column_height = view, node, column_height
        self.anchor = column_height / 2  # px from the column's top down to the block's position
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setBrush(QBrush(QColor(255, 255, 255, 0)))
        self.problem = problem
        self.setPen(QPen(QColor("#d62728"), 2) if problem
                    else QPen(QColor("#c8c8c8"), 1, Qt.PenStyle.DotLine))
        if problem:
            self.setToolTip(problem)
        self._pressed_at = QPointF()
        self._press_scene = QPointF()
        self._dragged = False

    def itemChange(self, change, value):  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.setPen(QPen(QColor("#d62728"), 2) if self.problem else
                        QPen(QColor("#3d7ab8"), 2) if value else
                        QPen(QColor("#c8c8c8"), 1, Qt.PenStyle.DotLine))
        return super().itemChange(change, value)

    @guarded
    def mousePressEvent(self, event) -> None:  # noqa: N802
        self._pressed_at = self.pos()
        self._press_scene = event.scenePos()
        self._dragged = False
        self.view.block_selected.emit(self.node)
        self.view.select_link(None)
        super().mousePressEvent(event)

    @guarded
    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if (event.scenePos() - self._press_scene).manhattanLength() > 3:
            self._dragged = True
        super().mouseMoveEvent(event)

    @guarded
    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        # Only a drag moves a block: a click that opened the inspector re-laid the canvas out
        # under the pointer, and was recorded as "move a block".
        if self._dragged and self.pos() != self._pressed_at:
            self.view.on_block_dragged(self)


class PortItem(QGraphicsEllipseItem):
    """In (left) and out (right) ports; drag from an out port to a block to connect."""

    def __init__(self, frame: BlockFrame, centre: QPointF, diameter: float, outgoing: bool):
        r = diameter / 2
        super().__init__(QRectF(centre.x() - r, centre.y() - r, diameter, diameter), frame)
        self.frame, self.outgoing = frame, outgoing
        self.setBrush(QBrush(QColor("#555") if outgoing else QColor("#fff")))
        self.setPen(QPen(QColor("#555"), 2))
        self.setZValue(2)
        self.setToolTip("drag to another block to connect" if outgoing else "input")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._line: QGraphicsLineItem | None = None

    @guarded
    def mousePressEvent(self, event) -> None:  # noqa: N802
        if not self.outgoing:
            event.ignore()
            return
        start = self.sceneBoundingRect().center()
        self._line = self.scene().addLine(QLineF(start, start),
                                          QPen(QColor("#333"), 2, Qt.PenStyle.DashLine))
        event.accept()

    @guarded
    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._line is not None:
            self._line.setLine(QLineF(self._line.line().p1(), event.scenePos()))

    @guarded
    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._line is None:
            return
        self.scene().removeItem(self._line)
        self._line = None
        target = self.frame.view.block_at(event.scenePos())
        if target is not None and target != self.frame.node:
            self.frame.view.connect_requested.emit(self.frame.node, target)


class EdgeItem(QGraphicsLineItem):
    """A unit-to-unit edge. Weighted ones (into Dense and Output) show their weight's sign
    and size; a click selects the link they belong to, a double-click edits the weight."""

    def __init__(self, view, src: str, node: str, row: int, col: int, weighted: bool,
                 line: QLineF):
        super().__init__(line)
        self.view, self.src, self.node, self.row, self.col = view, src, node, row, col
        self.weighted = weighted
        self.pen_key = None
        self._shape: QPainterPath | None = None
        self.setAcceptHoverEvents(True)
        self.setZValue(-1)
        self.setPen(QPen(QColor("#bbb"), 1))

    def setLine(self, line: QLineF) -> None:  # noqa: N802 - the Qt name, so callers keep it
        super().setLine(line)
        self._shape = None

    def setPen(self, pen: QPen) -> None:  # noqa: N802
        super().setPen(pen)
        self._shape = None

    def shape(self) -> QPainterPath:
        """A band at least 6 px wide around the line (easy to click), made once per line
        and pen: Qt asks for it about twice per edge and frame while training draws, which
        rebuilt ~700 stroked paths a frame (~5 ms of the window's thread)."""
        if self._shape is None:
            path = QPainterPath(self.line().p1())
            path.lineTo(self.line().p2())
            self._shape = _wide_shape(path, max(6.0, self.pen().widthF() + 2))
        return self._shape

    @guarded
    def hoverEnterEvent(self, event) -> None:  # noqa: N802
        tip = self.view.edge_tip(self)
        w = self.view.weight(self.node, self.row, self.col) if self.weighted else None
        if tip:
            self.setToolTip(tip)
        elif w is not None:
            self.setToolTip(f"weight {w:.3f} (double-click to edit; click to select the "
                            "link, Delete removes it)")

    @guarded
    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.view.select_link((self.src, self.node))
        event.accept()

    @guarded
    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if self.weighted:
            self.view.weight_clicked.emit(self.node, self.row, self.col)


class LinkItem(QGraphicsPathItem):
    """A block-level connection, port to port: click selects it, Delete removes it, a block
    dropped on it is spliced in."""

    def __init__(self, view, src: str, dst: str, a: QPointF, b: QPointF):
        super().__init__()
        self.view, self.edge = view, (src, dst)
        self.set_ends(a, b)
        self.setPen(LINK_PEN)
        self.setZValue(-2)
        self.setToolTip(f"{src} → {dst}: click to select, Delete removes it; "
                        "drop a block here to insert it")
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_ends(self, a: QPointF, b: QPointF) -> None:
        path = QPainterPath(a)
        bend = max(30.0, (b.x() - a.x()) / 2)
        path.cubicTo(a + QPointF(bend, 0), b - QPointF(bend, 0), b)
        if path != self.path():
            self.setPath(path)

    def shape(self) -> QPainterPath:
        return _wide_shape(self.path(), 14.0)

    def set_selected(self, on: bool) -> None:
        self.setPen(LINK_SELECTED_PEN if on else LINK_PEN)
        self.setZValue(3 if on else -2)

    @guarded
    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.view.select_link(self.edge)
        event.accept()
