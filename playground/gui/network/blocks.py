"""Drawing blocks: a block's frame, title, unit tiles, "n more" tile, ± handles and ports,
and painting the tiles from each snapshot (neuron maps, or images for image data)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QGraphicsSimpleTextItem

from .items import BlockFrame, NeuronItem, PortItem, TextTile, TitleItem, label_font
from .layout import UNITS_SHOWN, BlockBox
from .tiles import effective_weights, heat_pixmap, image_pixmap

ZOOM_PX = 192  # a hovered unit's weight image, large


def maxout_pieces(graph, node: str) -> int:
    n = graph.nodes.get(node)
    if n is None or n.type not in ("dense", "output") or n.param("activation") != "maxout":
        return 1
    return int(n.params.get("k", 2))


class BlockPainter:
    def __init__(self, view):
        self.view = view
        self.images: dict[str, np.ndarray] = {}  # block -> each unit's weights on the pixels
        self.zoom: QGraphicsPixmapItem | None = None

    def font(self, bold: bool = False):
        return label_font(self.view.style_.label, bold)

    def title(self, n: str) -> str:
        """The block's title; a long one breaks after its first word (two short lines pack
        the columns closer than one long line)."""
        text = self._title(n)
        return text.replace(" ", "\n", 1) if len(text) > 8 else text

    def _title(self, n: str) -> str:
        v = self.view
        node, width = v._graph.nodes[n], v._widths.get(n, 0)
        if node.type == "input":
            if v.is_image_input(n):
                side = v.example.shape[0]
                return f"{side}×{side} image"
            return "input"
        if node.type == "dense":
            return f"{width} {node.param('activation')}"
        if node.type == "output":
            return f"output {node.param('activation')}"
        if node.type == "dropout":
            # keep_prob, said as such: "p" reads as the drop probability in most texts and
            # torch (keep 0.8 was titled "p=0.8")
            return f"dropout keep {node.param('keep_prob'):g}"
        return node.type

    # ----------------------------------------------------------------------- building
    def build(self, n: str, node, box: BlockBox) -> None:
        v, plan = self.view, self.view.plan
        size, gap, style = plan.neuron, plan.gap, plan.style
        shown, more = v.shown_units(n)
        column = plan.column_height(shown)
        sx, sy = plan.to_scene(box.x, box.y)
        left, top, right, bottom = plan.extent(box)
        origin = QPointF(sx, sy - plan.column_top(box))
        rect = QRectF(left - origin.x(), top - origin.y(), right - left, bottom - top)
        frame = BlockFrame(v, n, rect, v._problems.get(n, ""), column)
        frame.anchor = plan.column_top(box)  # from the column's top down to the position
        frame.setPos(origin)
        v.scene().addItem(frame)
        v.frames[n] = frame
        first, _, second = self.title(n).partition("\n")
        title = TitleItem(first, style.label, lambda: v.block_selected.emit(n), frame)
        line = style.label + 3
        top_line = -style.header + 2
        title.setPos((size - title.boundingRect().width()) / 2,
                     top_line if second else top_line + line)  # one line sits low
        if second:
            below = TitleItem(second, style.label, lambda: v.block_selected.emit(n), frame)
            below.setPos((size - below.boundingRect().width()) / 2, top_line + line)
        v.titles[n] = title
        tiles = shown - 1 if more else shown
        for u in range(tiles):
            item = NeuronItem(v, n, u, size, frame)
            item.setPos(0, u * (size + gap))
            v.neurons[(n, u)] = item
            if node.type == "input" and not v.is_image_input(n) and u < len(v._labels):
                self._feature_label(frame, v._labels[u], u * (size + gap) + size / 2)
        if v.is_image_input(n):
            v.neurons[(n, 0)].setToolTip("the input image: each pixel one input")
        if more:
            width = v._widths.get(n, 0)
            expanded = n in v.expanded
            text = "show\nfewer" if expanded else f"+{width - tiles}\nmore"
            tip = ("collapse this block" if expanded
                   else f"{width - tiles} more units: click to show them all")
            TextTile(text, size, style.label, lambda: v.toggle_expanded(n), tip,
                     frame).setPos(0, tiles * (size + gap))
        if node.type == "dense":  # TF Playground's quick neuron controls, above the title
            # where adding or removing a unit never moves them (the column grows downward)
            h = style.handle
            for dx, text, delta in ((-h - 2, "−", -1), (2, "+", +1)):
                TextTile(text, h, style.label, lambda k=delta: v.units_delta.emit(n, k),
                         "one neuron less" if delta < 0 else "one neuron more",
                         frame).setPos(size / 2 + dx, -style.header - style.handle_row + 2)
        r = style.port / 2 + 2
        if node.type != "input":
            PortItem(frame, QPointF(-r, column / 2), style.port, False)
        if node.type != "output":
            PortItem(frame, QPointF(size + r, column / 2), style.port, True)

    def _feature_label(self, frame, text: str, y: float) -> None:
        label = QGraphicsSimpleTextItem(text, frame)
        label.setFont(self.font())
        r = label.boundingRect()
        label.setPos(-r.width() - 6, y - r.height() / 2)
        label.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def place(self, n: str, box: BlockBox) -> None:
        frame = self.view.frames[n]
        sx, sy = self.view.plan.to_scene(box.x, box.y)
        target = QPointF(sx, sy - self.view.plan.column_top(box))
        if frame.pos() != target:
            frame.setPos(target)

    # ---------------------------------------------------------------------- painting
    def paint_tiles(self, snap) -> None:
        v = self.view
        if v._graph is None:
            return
        inputs = v._graph.of_type("input")
        if inputs and v.is_image_input(inputs[0]):
            self._paint_images(snap, inputs[0])
            return
        self.images = {}
        for (n, u), item in v.neurons.items():
            maps = snap.neurons.get(n)
            if maps is not None and u < len(maps):
                item.set_map(heat_pixmap(maps[u], item.size))
            elif n in snap.weights and snap.output is not None and n in v._graph.nodes \
                    and v._graph.nodes[n].type == "output":
                if snap.output.ndim == 2:
                    item.set_map(heat_pixmap(snap.output, item.size))
                elif u < snap.output.shape[-1]:  # an older frame may have fewer classes
                    item.set_map(heat_pixmap(2.0 * snap.output[..., u] - 1.0, item.size))

    def _paint_images(self, snap, input_id: str) -> None:
        v = self.view
        side = v.example.shape[0]
        pieces = {n: maxout_pieces(v._graph, n) for n in v._graph.nodes}
        try:
            self.images = effective_weights(v._graph, snap.weights, pieces, input_id)
        except Exception:  # a graph mid-edit (a cycle): keep the last images
            return
        from .tiles import weight_pixmap

        for (n, u), item in v.neurons.items():
            if n == input_id:
                item.set_map(image_pixmap(v.example, side))
            elif n in self.images and u < len(self.images[n]) \
                    and self.images[n].shape[1] == side * side:
                item.set_map(weight_pixmap(self.images[n][u], side))

    def unit_image(self, n: str, u: int) -> np.ndarray | None:
        w = self.images.get(n)
        return w[u] if w is not None and u < len(w) else None

    def show_zoom(self, item, pixmap) -> None:
        scene = self.view.scene()
        if self.zoom is None or self.zoom.scene() is not scene:
            self.zoom = QGraphicsPixmapItem()
            self.zoom.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            self.zoom.setTransformationMode(Qt.TransformationMode.FastTransformation)
            self.zoom.setZValue(50)
            scene.addItem(self.zoom)
            edge = scene.addRect(QRectF(), QPen(QColor("#333"), 2))
            edge.setParentItem(self.zoom)
        px = ZOOM_PX * (1.4 if self.view.style_.label > 13 else 1.0)
        self.zoom.setPixmap(pixmap.scaled(int(px), int(px)))
        self.zoom.childItems()[0].setRect(QRectF(0, 0, px, px))
        at = item.sceneBoundingRect().topRight() + QPointF(10, 0)
        self.zoom.setPos(at)
        self.zoom.setVisible(True)

    def hide_zoom(self) -> None:
        if self.zoom is not None and self.zoom.scene() is self.view.scene():
            self.zoom.setVisible(False)


__all__ = ["UNITS_SHOWN", "BlockPainter", "maxout_pieces"]
