"""The network view: every unit a live tile, every weight an edge, every connection a link.

It mirrors the graph (as orange-canvas-core's scene mirrors its scheme): it subscribes to the
graph's events and, on each change, replaces only the items of blocks and links that changed,
so an edit never moves what it did not touch. It is laid out to fill its area (layout.py) and
only re-fitted when asked (Fit), when resized, or when the drawing no longer fits.

Edges are blue for positive and orange for negative weights, 1–10 px wide for |w| in 0–5 (as
TF Playground). Hovering a unit shows its full map; double-clicking an edge or a unit edits
the weight or the bias; a click on a link selects it, Delete removes it, and a block dropped
on it is spliced in. Edits leave as commands (`edit_requested`) for the window's undo stack.
"""

from __future__ import annotations

import json
import weakref

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QToolTip

from ...core import commands as C
from ...core.graph import auto_layout, positions_usable, tolerant_widths
from .blocks import BlockPainter
from .edges import EdgePainter
from .layout import NORMAL, PRESENTATION, BlockBox, Plan, plan_layout
from .tiles import weight_pixmap

BLOCK_MIME = "application/x-playground-block"
MARGIN = 10  # px around the drawing
READABLE_LABEL = 11.0  # px: the least a label may be scaled down to (then the view scrolls)


class NetworkView(QGraphicsView):
    neuron_hovered = Signal(str, int)  # block, unit ("" and -1 when the pointer leaves)
    weight_clicked = Signal(str, int, int)  # block, row, column (-1: the bias)
    block_selected = Signal(str)
    units_delta = Signal(str, int)  # a Dense block's + / - handle
    block_moved = Signal(str, float, float)  # block, new graph position (x, vertical centre)
    connect_requested = Signal(str, str)  # from, to (dragged from an out port)
    block_dropped = Signal(str, float, float)  # block type from the palette, graph position
    delete_requested = Signal(list)  # selected blocks
    copy_requested = Signal(list)  # selected blocks (Ctrl+C)
    paste_requested = Signal()  # Ctrl+V
    edit_requested = Signal(object)  # a graph command (Disconnect, Splice)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAcceptDrops(True)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setBackgroundBrush(QBrush(QColor("#fafafa")))
        self.setMinimumSize(200, 200)
        # The plan fills the view, so scroll bars only show when even the smallest readable
        # drawing is larger than the view (a long residual net in a narrow canvas).
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.user_zoomed = False
        self.style_ = NORMAL
        self.plan: Plan | None = None
        self.frames: dict = {}  # block id -> BlockFrame
        self.titles: dict = {}  # block id -> its title item
        self.neurons: dict = {}  # (block, unit) -> NeuronItem
        self.links: dict = {}  # (src, dst) -> LinkItem
        self.edges: dict = {}  # (src, dst) -> [EdgeItem]
        self.selected_link: tuple[str, str] | None = None
        self.expanded: set[str] = set()  # wide blocks shown in full
        self.example = None  # the input image, for image data
        # Paints units and edges in place of maps and weights (gradient flow, one example):
        # an object with paint(snap) -> bool, clear(), edge_tip(item) and unit_tip(item).
        self.overlay = None
        self._graph = None
        self._listener = None
        self._widths: dict[str, int] = {}
        self._labels: list[str] = []
        self._problems: dict[str, str] = {}
        self._signatures: dict[str, tuple] = {}
        self._link_signatures: dict = {}
        self._snap = None
        self._bounds = QRectF()
        self._in_mouse_event = False
        self._place_later: bool | None = None
        self._fits = True  # whether the last plan fitted the view
        self._to_start = False  # a new plan too big for the view: show its start
        self._scroll_before_resize: list[int] | None = None
        self._planned: list[BlockBox] = []
        self._reserved: dict[str, int] = {}  # block -> tiles its column was planned for
        self.blocks = BlockPainter(self)
        self.edge_painter = EdgePainter(self)
        self._pending = QTimer(self, singleShot=True, interval=0)
        self._pending.timeout.connect(self._graph_changed)
        self._graveyard: list = []
        self._bury = QTimer(self, singleShot=True, interval=0)
        self._bury.timeout.connect(self._empty_graveyard)

    # -------------------------------------------------------------------- the graph
    def set_network(self, graph, widths: dict[str, int], input_labels: list[str],
                    problems: dict[str, str] | None = None) -> None:
        """Show `graph` (units per block in `widths`, input names, blocks in `problems`
        outlined with why); only what differs from the drawing is redrawn."""
        if graph is not self._graph:
            self._follow(graph)
        self._widths, self._labels = dict(widths), list(input_labels)
        self._problems = dict(problems or {})
        self._sync()

    def _follow(self, graph) -> None:
        """Listen to this graph's events (and stop listening to the last one's)."""
        if self._graph is not None and self._listener is not None:
            self._graph.unsubscribe(self._listener)
        me = weakref.ref(self)

        def listener(event: str, payload: dict) -> None:
            view = me()
            if view is not None:
                view._pending.start()  # one redraw however many events an edit sends

        self._graph, self._listener = graph, listener
        graph.subscribe(listener)

    def _graph_changed(self) -> None:
        g = self._graph
        if g is None:
            return
        ins, outs = g.of_type("input"), g.of_type("output")
        n_in = self._widths.get(ins[0], 2) if ins else 2
        n_out = self._widths.get(outs[0], 1) if outs else 1
        self._widths = tolerant_widths(g, n_in, n_out)
        self._problems = {}
        for e in g.validate(n_in, n_out):
            if e.node:
                self._problems[e.node] = "; ".join(
                    filter(None, [self._problems.get(e.node), e.message]))
        self._sync()

    def positions(self) -> dict[str, tuple[float, float]]:
        g = self._graph
        return ({n: node.position for n, node in g.nodes.items()} if positions_usable(g)
                else auto_layout(g))

    @property
    def input_labels(self) -> list[str]:
        return list(self._labels)

    def units_of(self, node: str) -> int:
        return self._widths.get(node, 0)

    def is_image_input(self, node: str) -> bool:
        return (self._graph.nodes[node].type == "input" and self.example is not None
                and self._widths.get(node, 0) == self.example.size)

    def shown_units(self, node: str) -> tuple[int, bool]:
        """Tiles drawn in a block's column and whether the last is an "n more" tile."""
        from .layout import UNITS_SHOWN

        width = self._widths.get(node, 0)
        if self.is_image_input(node):
            return 1, False
        if width > UNITS_SHOWN and node not in self.expanded:
            return UNITS_SHOWN, True
        return max(width, 1), False

    def _boxes(self) -> dict[str, BlockBox]:
        metrics = QFontMetricsF(self.blocks.font(bold=True))
        small = QFontMetricsF(self.blocks.font())
        where = self.positions()
        boxes = {}
        for n, node in self._graph.nodes.items():
            x, y = where[n]
            left = 0.0
            if node.type == "input" and not self.is_image_input(n):
                left = max((small.horizontalAdvance(t) for t in self._labels), default=0.0)
            title = max(metrics.horizontalAdvance(t) for t in self.blocks.title(n).split("\n"))
            dense = node.type == "dense"
            boxes[n] = BlockBox(x, y, self.shown_units(n)[0], title, left, dense,
                                self._reserved.get(n, 0) if dense else 0)
        return boxes

    def _sync(self, refit: bool = False) -> None:
        """Make the scene match the graph: re-plan when asked or when the drawing no longer
        fits, then replace the items of the blocks and links that changed."""
        if self._graph is None:
            return
        boxes = self._boxes()
        # Planned for the view without its scroll bars: with them, a bar showing or hiding
        # resized the view, which re-planned, which showed or hid the bar... (the window froze)
        area = self.maximumViewportSize()
        self._planned_for = area
        fits = True
        # A drawing too big for the view (it scrolls) is planned again only when its blocks
        # change: a redraw must not scroll the user back to the start.
        planned = list(boxes.values())
        replan = refit or self.plan is None or self.plan.style != self.style_ or (
            not self.user_zoomed and not self.plan.fits(planned, area.width() - 2 * MARGIN,
                                                      area.height() - 2 * MARGIN)
            and (self._fits or planned != self._planned))
        if not replan and not self.user_zoomed and self.plan.neuron < self.style_.min_neuron:
            # tiles shrunk for a bigger network than this one: grow them again if they can
            replan = plan_layout(planned, area.width() - 2 * MARGIN,
                                 area.height() - 2 * MARGIN, self.style_)[0].neuron > \
                self.plan.neuron
        if replan:
            # A new plan centres every column on its position again; until the next one, a
            # Dense block's column keeps its top (and ± handles) and grows or shrinks below.
            self._reserved = {n: b.units for n, b in boxes.items()}
            boxes = self._boxes()
            planned = list(boxes.values())
            before = (self.plan, self._planned)
            self.plan, fits = plan_layout(planned, area.width() - 2 * MARGIN,
                                          area.height() - 2 * MARGIN, self.style_)
            self._fits, self._planned = fits, planned
            self._to_start = (self.plan, planned) != before  # else keep where the user scrolled
        self._sync_blocks(boxes)
        self._sync_links()
        self._bounds = QRectF()
        self._bounds.setCoords(*self.plan.bounds(list(boxes.values())))
        if self._in_mouse_event:  # Qt must not re-map the view under the item being clicked
            self._place_later = fits if replan else self._place_later
            QTimer.singleShot(0, self._place_deferred)
        else:
            self._place(fits if replan else None)
        if self._snap is not None:
            self.update_snapshot(self._snap)

    def _sync_blocks(self, boxes: dict[str, BlockBox]) -> None:
        for n in [n for n in self.frames if n not in self._graph.nodes]:
            self._drop_block(n)
        for n, node in self._graph.nodes.items():
            sig = (node.type, json.dumps(node.params, sort_keys=True), self._widths.get(n, 0),
                   self.shown_units(n), self._problems.get(n, ""), self.is_image_input(n),
                   tuple(self._labels) if node.type == "input" else (), self.plan.neuron,
                   self.plan.style, boxes[n].reserved)
            # A new plan that keeps the tile size only moves blocks: their items stay.
            if self._signatures.get(n) != sig:
                self._drop_block(n)
                self.blocks.build(n, node, boxes[n])
                self._signatures[n] = sig
            else:
                self.blocks.place(n, boxes[n])

    def _drop_block(self, n: str) -> None:
        frame = self.frames.pop(n, None)
        if frame is not None:
            self._discard(frame)
        self.titles.pop(n, None)
        self._signatures.pop(n, None)
        for key in [k for k in self.neurons if k[0] == n]:
            del self.neurons[key]

    def _discard(self, item) -> None:
        """Hide now, remove later: the item may be handling the very click that changed the
        graph (a port's release connects two blocks), and Qt must not lose it mid-event."""
        self.scene().removeItem(item)
        self._graveyard.append(item)  # the Python wrapper keeps it alive until then
        self._bury.start()

    def _empty_graveyard(self) -> None:
        self._graveyard.clear()

    def _sync_links(self) -> None:
        g = self._graph
        wanted = {}
        for src, dst in g.edges:
            if src in self.frames and dst in self.frames:
                ins = g.inputs_of(dst)
                wanted[(src, dst)] = (id(self.frames[src]), id(self.frames[dst]),
                                      tuple((s, self._widths.get(s, 0)) for s in ins))
        for edge in [e for e in self.links if self._link_signatures.get(e) != wanted.get(e)]:
            self._discard(self.links.pop(edge))
            for item in self.edges.pop(edge, []):
                self._discard(item)
            self._link_signatures.pop(edge, None)
        for edge, sig in wanted.items():
            if edge not in self.links:
                self.links[edge] = self.edge_painter.link(*edge)
                self.edges[edge] = self.edge_painter.unit_edges(*edge)
                self._link_signatures[edge] = sig
            else:  # the same link between blocks that may have moved: re-routed in place
                self.edge_painter.reroute(edge)
        if self.selected_link not in self.links:
            self.selected_link = None
        elif self.selected_link:
            self.links[self.selected_link].set_selected(True)

    def _place_deferred(self) -> None:
        fits, self._place_later = self._place_later, None
        self._place(fits)

    def _place(self, fits: bool | None) -> None:
        """Scene rectangle around the drawing; at plan time the view shows it at 1:1 (the
        plan sized it for the view) or scaled down when even the smallest plan is too big."""
        rect = self._bounds.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        area = QRectF(self.viewport().rect())
        if fits is not None and not self.user_zoomed:
            self.resetTransform()
            if not fits:  # scaled down, but never below readable labels: beyond, it scrolls
                self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
                least = READABLE_LABEL / self.style_.label
                if self.transform().m11() < least:
                    self.setTransform(QTransform.fromScale(least, least))
        scale = max(self.transform().m11(), 1e-6)
        grow_x = max(0.0, area.width() / scale - rect.width()) / 2
        grow_y = max(0.0, area.height() / scale - rect.height()) / 2
        bars = self.horizontalScrollBar(), self.verticalScrollBar()
        kept, self._scroll_before_resize = (self._scroll_before_resize
                                            or [b.value() for b in bars]), None
        # The drawing sits at the top, as TF Playground's columns do, with the room to spare
        # below, where Dense columns grow when units are added.
        wanted, now = rect.adjusted(-grow_x, 0, grow_x, 2 * grow_y), self.sceneRect()
        same_size = abs(now.width() - wanted.width()) < 0.5 and \
            abs(now.height() - wanted.height()) < 0.5
        if fits is None and same_size:
            # An edit that keeps the plan keeps the scene where it was (re-centring on the new
            # bounds would shift every block on screen, the ± handles away from the pointer),
            # moved only as far as the drawing now reaches past it.
            dx = max(0.0, rect.right() - now.right()) - max(0.0, now.left() - rect.left())
            dy = max(0.0, rect.bottom() - now.bottom()) - max(0.0, now.top() - rect.top())
            wanted = now.translated(dx, dy)
        if wanted != now:
            self.setSceneRect(wanted)
        if not self._fits and not self.user_zoomed:  # a drawing that scrolls
            if self._to_start:  # a new plan: show its start (the input)
                self._to_start = False
                self.centerOn(rect.left() + area.width() / scale / 2, rect.center().y())
            else:  # the same plan: where the user scrolled to
                for bar, value in zip(bars, kept, strict=True):
                    bar.setValue(value)

    def block_at(self, pos: QPointF) -> str | None:
        from .items import BlockFrame

        for item in self.scene().items(pos):
            while item is not None and not isinstance(item, BlockFrame):
                item = item.parentItem()
            if item is not None:
                return item.node
        return None

    def link_at(self, pos: QPointF) -> tuple[str, str] | None:
        for item in self.scene().items(pos):
            if getattr(item, "edge", None) in self.links:
                return item.edge
        return None

    def on_block_dragged(self, frame) -> None:
        x, y = self.plan.to_graph(frame.pos().x(), frame.pos().y() + frame.anchor)
        self.block_moved.emit(frame.node, x, y)

    def toggle_expanded(self, node: str) -> None:
        self.expanded ^= {node}
        self._sync()

    # ------------------------------------------------------------------- view options
    def set_presentation(self, on: bool) -> None:
        """Presentation mode: larger tiles, labels, handles and edges (the back row)."""
        style = PRESENTATION if on else NORMAL
        if style != self.style_:
            self.style_ = style
            self.user_zoomed = False
            self._sync(refit=True)

    def set_example(self, pixels) -> None:
        """The image shown as the Input block for image data (None: 2-D data)."""
        was = self.example is not None
        self.example = pixels
        if self._graph is not None and (was or pixels is not None):
            self._sync()

    def fit_all(self) -> None:
        """Fit the drawing to the view, up as well as down; a drawing that scrolls even at
        its smallest readable size is shown whole, smaller (the user asked to see it all)."""
        self.user_zoomed = False
        self._sync(refit=True)
        if not self._fits:
            self.fitInView(self._bounds.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN),
                           Qt.AspectRatioMode.KeepAspectRatio)
            self.user_zoomed = True  # as after a wheel zoom: kept until Layout or Fit

    fit = fit_all

    def resizeEvent(self, event) -> None:  # noqa: N802
        # Qt re-anchors the scroll position on a resize (a scroll bar showing is one): keep
        # where the drawing was scrolled to, for _place.
        self._scroll_before_resize = [self.horizontalScrollBar().value(),
                                      self.verticalScrollBar().value()]
        super().resizeEvent(event)
        if not self.user_zoomed and self._graph is not None and \
                self.maximumViewportSize() != getattr(self, "_planned_for", None):
            self._sync(refit=True)  # (a scroll bar coming or going is no new room)

    # ------------------------------------------------------------ canvas interactions
    def select_link(self, edge: tuple[str, str] | None) -> None:
        if self.selected_link in self.links:
            self.links[self.selected_link].set_selected(False)
        self.selected_link = edge
        if edge is not None:
            self.scene().clearSelection()
            self.links[edge].set_selected(True)
            self.setFocus()

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    dragMoveEvent = dragEnterEvent  # noqa: N815

    def dropEvent(self, event) -> None:  # noqa: N802
        if not event.mimeData().hasFormat(BLOCK_MIME):
            return super().dropEvent(event)
        kind = bytes(event.mimeData().data(BLOCK_MIME)).decode()
        p = self.mapToScene(event.position().toPoint())
        event.acceptProposedAction()
        x, y = self.plan.to_graph(p.x(), p.y()) if self.plan else (p.x(), p.y())
        x, y = round(x, 1), round(y, 1)
        link = self.link_at(p)
        if link is not None and kind not in ("input", "output"):
            self.edit_requested.emit(self._splice(kind, link))
        else:
            self.block_dropped.emit(kind, x, y)

    def _splice(self, kind: str, link: tuple[str, str]):
        """Insert onto `link` a new column where its end stood, the blocks from that end
        rightward moved one column step (the link's length) over: the spacing stays as it
        was, so nothing overlaps, and the plan (re-fitted when the longer drawing no longer
        fits) keeps the whole network in view."""
        g = self._graph
        (x0, y0), (x1, y1) = g.nodes[link[0]].position, g.nodes[link[1]].position
        y = round((y0 + y1) / 2, 1)
        if x1 - x0 <= 1e-6:  # a link drawn backwards or straight down: no column to open
            return C.Splice(kind, *link, position=(round((x0 + x1) / 2, 1), y))
        return C.Splice(kind, *link, position=(x1, y), shift=x1 - x0)

    def selected_blocks(self) -> list[str]:
        return [f.node for f in self.frames.values() if f.isSelected()]

    def keyPressEvent(self, event) -> None:  # noqa: N802
        chosen = self.selected_blocks()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and chosen:
            self.delete_requested.emit(chosen)
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_link:
            link, self.selected_link = self.selected_link, None
            self.edit_requested.emit(C.Disconnect(*link, label=f"disconnect {link[0]} → "
                                                              f"{link[1]}"))
        elif ctrl and event.key() == Qt.Key.Key_C and chosen:
            self.copy_requested.emit(chosen)
        elif ctrl and event.key() == Qt.Key.Key_V:
            self.paste_requested.emit()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton:  # pan with the middle button
            self._pan_from = event.position()
            return
        if self.itemAt(event.position().toPoint()) is None:
            # empty canvas: nothing is selected any more, and the inspector says so
            self.select_link(None)
            if event.button() == Qt.MouseButton.LeftButton:
                self.block_selected.emit("")
        self._in_mouse_event = True
        try:
            super().mousePressEvent(event)
        finally:
            self._in_mouse_event = False

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        start = getattr(self, "_pan_from", None)
        if start is not None:
            delta = event.position() - start
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(int(self.horizontalScrollBar().value() - delta.x()))
            self.verticalScrollBar().setValue(int(self.verticalScrollBar().value() - delta.y()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = None
            return
        self._in_mouse_event = True
        try:
            super().mouseReleaseEvent(event)
        finally:
            self._in_mouse_event = False

    def wheelEvent(self, event) -> None:  # noqa: N802
        factor = 1.15 ** (event.angleDelta().y() / 120)
        self.user_zoomed = True
        self.scale(factor, factor)
        self._place(None)

    # ------------------------------------------------------------------------- frames
    def update_snapshot(self, snap) -> None:
        self._snap = snap
        if self.overlay is not None and self.overlay.paint(snap):
            return
        self.blocks.paint_tiles(snap)
        self.edge_painter.paint_weights(snap)

    def set_overlay(self, overlay) -> None:
        """Show `overlay`'s painting of units and edges (None: back to maps and weights)."""
        if overlay is self.overlay:
            return
        if self.overlay is not None:
            self.overlay.clear()
        self.overlay = overlay
        if self._snap is not None:
            self.update_snapshot(self._snap)

    def edge_tip(self, item) -> str | None:
        return self.overlay.edge_tip(item) if self.overlay is not None else None

    def clear_run(self) -> None:
        """No run to show: every unit blank (an older run's maps must not stay on screen)."""
        self._snap = None
        if self.overlay is not None:
            self.overlay.clear()
        for item in self.neurons.values():
            blank = QPixmap(max(1, int(item.size)), max(1, int(item.size)))
            blank.fill(QColor("#eceff1"))
            item.set_map(blank)

    def weight(self, node: str, row: int, col: int) -> float | None:
        return self.edge_painter.weight(self._snap, node, row, col)

    def has_bias(self, node: str) -> bool:
        return self._snap is not None and node in self._snap.biases

    def on_neuron_hover(self, item, screen_pos) -> None:
        maps = self._snap.neurons.get(item.node) if self._snap is not None else None
        if maps is not None and item.unit < len(maps):  # a block just widened has no map yet
            self.neuron_hovered.emit(item.node, item.unit)
        image = self.blocks.unit_image(item.node, item.unit)
        if image is not None:  # image data: the unit's weight image, large
            self.blocks.show_zoom(item, weight_pixmap(image, self.example.shape[0]))
        tip = self.overlay.unit_tip(item) if self.overlay is not None else None
        b = self.weight(item.node, item.unit, -1)
        if tip:
            QToolTip.showText(screen_pos, tip)
        elif b is not None:
            QToolTip.showText(screen_pos, f"{item.node} unit {item.unit + 1}: bias {b:.3f} "
                              "(double-click to edit)")

    def on_neuron_left(self) -> None:
        self.neuron_hovered.emit("", -1)
        self.blocks.hide_zoom()

    def label_items(self) -> list:
        """Every text item on the canvas (tests measure them)."""
        from PySide6.QtWidgets import QGraphicsSimpleTextItem

        return [i for i in self.scene().items() if isinstance(i, QGraphicsSimpleTextItem)
                and i.isVisible()]

    def on_screen(self, item) -> QRectF:
        """An item's rectangle in viewport pixels."""
        return QRectF(self.mapFromScene(item.sceneBoundingRect()).boundingRect())


__all__ = ["BLOCK_MIME", "NetworkView"]
