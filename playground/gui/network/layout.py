"""Where the canvas puts things: a plan that scales the graph's positions and sizes the neuron
maps so the drawing fills the view, with readable labels and comfortable click targets.

Qt-free arithmetic. Scene coordinates are view pixels at the fitted zoom: a block at graph
position (x, y) is drawn at (x·kx, y·ky), its units are `neuron` px squares, and labels are
`label` px high, so what the plan says is what the screen shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNITS_SHOWN = 8  # a wider block shows its first 7 units and an "n more" tile
SMALLEST = 6.0  # px: the least a unit's tile may shrink to before the view scales down
# Too long for the width, tiles stop shrinking here: smaller ones hardly shorten the drawing
# but make every map a speck (the view scales down to readable labels, then scrolls).
SMALLEST_FOR_WIDTH = 16.0


@dataclass(frozen=True)
class Style:
    """Screen sizes in px: normal or presentation (the back row of a lecture hall)."""

    label: int = 13
    handle: int = 18
    port: int = 16
    max_neuron: int = 100
    min_neuron: int = 24
    edge_scale: float = 1.0

    @property
    def header(self) -> float:  # the title above a block's units, in up to two lines
        return 2 * (self.label + 3) + 7

    @property
    def handle_row(self) -> float:  # the ± handles above a Dense block's title
        return self.handle + 4


NORMAL = Style()
PRESENTATION = Style(label=20, handle=26, port=22, max_neuron=150, min_neuron=32,
                     edge_scale=1.6)


@dataclass(frozen=True)
class BlockBox:
    """What the plan needs to know of a block: its graph position and what it shows."""

    x: float
    y: float
    units: int  # tiles drawn in its column (units, or 7 + the "more" tile)
    title: float  # width of its title in px
    left: float = 0.0  # px of labels left of the column (input feature names)
    handles: bool = False
    # Tiles the column is placed for: its top (title, ± handles) stays where a column of this
    # many tiles centred on y would start, and units added or removed grow or shrink it
    # downward, so the handles never move under the pointer (0: as many as it shows).
    reserved: int = 0


@dataclass(frozen=True)
class Plan:
    neuron: float
    kx: float
    ky: float
    style: Style

    @property
    def gap(self) -> float:
        return max(2.0, round(self.neuron * 0.22))

    def column_height(self, units: int) -> float:
        return max(units, 1) * (self.neuron + self.gap) - self.gap

    def to_scene(self, x: float, y: float) -> tuple[float, float]:
        return x * self.kx, y * self.ky

    def to_graph(self, sx: float, sy: float) -> tuple[float, float]:
        return sx / self.kx, sy / self.ky

    def column_top(self, box: BlockBox) -> float:
        """Px from the block's position up to the top of its column."""
        return self.column_height(box.reserved or box.units) / 2

    def above(self, box: BlockBox) -> float:
        """Px from the block's position up to the top of its drawing (title, handles)."""
        s = self.style
        return self.column_top(box) + s.header + (s.handle_row if box.handles else 0.0)

    def below(self, box: BlockBox) -> float:
        """Px from the block's position down to the bottom of its column."""
        return self.column_height(box.units) - self.column_top(box) + 4

    def extent(self, box: BlockBox) -> tuple[float, float, float, float]:
        """The block's rectangle (left, top, right, bottom) in scene px, labels included."""
        sx, sy = self.to_scene(box.x, box.y)
        n, s = self.neuron, self.style
        spill = max(0.0, (box.title - n) / 2)
        left = sx - max(spill, s.port / 2 + 4, box.left + 6)
        right = sx + n + max(spill, s.port / 2 + 4)
        return left, sy - self.above(box), right, sy + self.below(box)

    def bounds(self, boxes: list[BlockBox]) -> tuple[float, float, float, float]:
        rects = [self.extent(b) for b in boxes] or [(0.0, 0.0, 1.0, 1.0)]
        return (min(r[0] for r in rects), min(r[1] for r in rects),
                max(r[2] for r in rects), max(r[3] for r in rects))

    def fits(self, boxes: list[BlockBox], width: float, height: float) -> bool:
        x0, y0, x1, y1 = self.bounds(boxes)
        return x1 - x0 <= width and y1 - y0 <= height and not self.overlapping(boxes)

    def overlapping(self, boxes: list[BlockBox]) -> bool:
        rects = [self.extent(b) for b in boxes]
        return any(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                   for i, a in enumerate(rects) for b in rects[i + 1:])


def _horizontal_scale(boxes: list[BlockBox], neuron: float, style: Style) -> float:
    """The least horizontal scale at which no two blocks collide: a pair at different x must
    be far enough apart for the links between them and for their titles, unless (at the same
    scale vertically) one lies wholly above the other. A block dropped or dragged a little
    to the side of another, well below it, does not squeeze every column together."""
    x = np.array([b.x for b in boxes])
    y = np.array([b.y for b in boxes])
    title = np.array([b.title for b in boxes])
    plan = Plan(neuron, 1.0, 1.0, style)
    above = np.array([plan.above(b) for b in boxes])
    below = np.array([plan.below(b) for b in boxes])
    dx = x[None, :] - x[:, None]  # [i, j]: j right of i when positive
    dy = y[None, :] - y[:, None]  # j below i when positive
    across = np.maximum(neuron + style.port + 28.0, (title[:, None] + title[None, :]) / 2 + 10)
    with np.errstate(divide="ignore", invalid="ignore"):
        side = np.where(dx > 1e-6, across / dx, 0.0)
        # i above j: j's title and handles clear i's column; j above i: the other way
        gap = np.where(dy > 0, below[:, None] + above[None, :],
                       above[:, None] + below[None, :]) + 12.0
        stack = np.where(np.abs(dy) > 1e-6, gap / np.abs(dy), np.inf)
    need = np.where(dx > 1e-6, np.minimum(side, stack), 0.0)
    return float(need.max()) if need.size else 1.0


def _scales(boxes: list[BlockBox], neuron: float, style: Style, width: float) -> tuple[float, float]:
    """Horizontal scale: blocks far enough apart for the links between them and for their
    titles, spread to fill the width (at most 4 neurons apart). Vertical: as horizontal,
    more where blocks that share a column would overlap."""
    xs = sorted({b.x for b in boxes})
    steps = [(a, b) for a, b in zip(xs, xs[1:], strict=False) if b - a > 1e-6]
    if not steps:
        return 1.0, 1.0
    kx = max(_horizontal_scale(boxes, neuron, style), 1e-9)
    x0, _, x1, _ = Plan(neuron, 1e-9, 1.0, style).bounds(boxes)
    fill = (width - (x1 - x0)) / (xs[-1] - xs[0])
    kx = max(kx, min(fill, 4.0 * neuron / min(b - a for a, b in steps)))
    ky = kx
    probe = Plan(neuron, kx, 1.0, style)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            ra, rb = probe.extent(a), probe.extent(b)
            dy = abs(a.y - b.y)
            if ra[0] < rb[2] and rb[0] < ra[2] and dy > 1e-6:
                need = (ra[3] - ra[1] + rb[3] - rb[1]) / 2 + 12
                ky = max(ky, min(need / dy, 6.0 * kx))
    return kx, ky


def plan_layout(boxes: list[BlockBox], width: float, height: float,
                style: Style = NORMAL) -> tuple[Plan, bool]:
    """The largest neuron size at which the drawing fits width × height px; also whether it
    fits at all (when not, the view scales the smallest plan down)."""
    neuron = float(style.max_neuron)
    while True:
        kx, ky = _scales(boxes, neuron, style, width)
        plan = Plan(neuron, kx, ky, style)
        x0, y0, x1, y1 = plan.bounds(boxes)
        if x1 - x0 <= width and y1 - y0 <= height:
            return plan, True
        if neuron <= SMALLEST or (x1 - x0 > width and neuron <= SMALLEST_FOR_WIDTH):
            return plan, False
        # Below the style's comfortable minimum, tiles shrink (a 64-unit column still shows
        # its maps) while labels keep their size; only past that is the whole view scaled.
        neuron = max(SMALLEST, neuron - (2.0 if neuron > style.min_neuron else 1.0))
