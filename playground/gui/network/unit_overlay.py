"""What overlays of the network view share (gradient flow, one example): flat-coloured tiles,
numbers on or beside the tiles, and a legend line in the view's corner. An overlay draws over
the canvas's own items and removes only what it added."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsSimpleTextItem, QLabel

from .items import label_font

LABEL_Z = 30  # above edges, tiles and frames


MIN_LABELLED = 26.0  # px: smaller tiles get colours only (numbers in tooltips and tables)
MIN_FONT = 8.5  # px: numbers smaller than this are not drawn


class UnitOverlay:
    """`legend`: a label beside the view that says what the colours mean (hidden when off)."""

    def __init__(self, view, legend: QLabel):
        self.view = view
        self.legend = legend
        self._labels: dict[tuple[str, int], tuple[object, QGraphicsRectItem]] = {}
        self._seen: set[tuple[str, int]] = set()

    def labelled(self) -> bool:
        """Whether the tiles are large enough to carry numbers."""
        return self.view.plan is not None and self.view.plan.neuron >= MIN_LABELLED

    # ------------------------------------------------------------------------ tiles
    @staticmethod
    def fill(item, rgb: tuple[int, int, int]) -> None:
        pixmap = QPixmap(1, 1)
        pixmap.fill(QColor(*rgb))
        item.set_map(pixmap)

    def begin(self) -> None:
        """Start a repaint: labels not set again before `end` are removed."""
        self._seen = set()

    def label(self, item, text: str, strong: bool = False) -> None:
        """Numbers on a unit's tile, in the largest type that fits it (up to the view's label
        size); none when even small type would not fit (tooltips and tables have them)."""
        key = (item.node, item.unit)
        size = item.size
        lines = text.split("\n")
        probe = QFontMetricsF(label_font(10.0, bold=strong))
        wide = max(probe.horizontalAdvance(line) for line in lines) + 4
        tall = probe.height() * len(lines) + 2
        px = min(self.view.style_.label - 1.0, 10.0 * (size - 2) / wide, 10.0 * (size - 2) / tall)
        if px < MIN_FONT:
            return
        self._seen.add(key)
        known = self._labels.get(key)
        if known is None or known[0] is not item or known[1].scene() is None:
            if known is not None:
                self._remove(known[1])
            box = QGraphicsRectItem(item.parentItem())
            box.setZValue(LABEL_Z)
            box.setPen(QPen(Qt.PenStyle.NoPen))
            box.setBrush(QBrush(QColor(255, 255, 255, 205)))
            box.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            words = QGraphicsSimpleTextItem(box)
            words.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            known = (item, box)
            self._labels[key] = known
        box = known[1]
        words = box.childItems()[0]
        words.setFont(label_font(px, bold=strong))
        words.setText(text)
        r = words.boundingRect()
        w, h = r.width() + 2, r.height()
        box.setRect(0, 0, w, h)
        box.setPos(item.pos().x() + (size - w) / 2, item.pos().y() + (size - h) / 2)
        words.setPos(1, 0)

    def end(self) -> None:
        for key in [k for k in self._labels if k not in self._seen]:
            self._remove(self._labels.pop(key)[1])

    def _remove(self, box) -> None:
        if box.scene() is not None:
            box.scene().removeItem(box)

    def show_legend(self, text: str, tip: str = "") -> None:
        self.legend.setText(text)
        self.legend.setToolTip(tip)
        self.legend.show()

    def clear(self) -> None:
        """Remove what the overlay added (the view repaints tiles and edges itself)."""
        for _, box in self._labels.values():
            self._remove(box)
        self._labels.clear()
        self.legend.hide()

    # -------------------------------------------------------------- default hover texts
    def edge_tip(self, item) -> str | None:
        return None

    def unit_tip(self, item) -> str | None:
        return None
