"""One example, forward then backward: the panel that steps through it (Next / Back, the
step's formula and a table of its numbers) and the overlay that shows the same step on the
network view (each unit's numbers, the edges that take part). The numbers come from the worker
(core/one_example.py) with every frame, so they follow the network while it trains."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import colors
from .. import gradient_colors as gc
from .example_steps import Step, caption, steps_of, table
from .unit_overlay import UnitOverlay

GREY_TILE = (236, 239, 241)


def _rgb(value: float) -> tuple[int, int, int]:
    """TF Playground's diverging colour of a value in [−1, 1] (clipped)."""
    r, g, b, _ = colors.map_values(np.array([value]))[0]
    return int(r), int(g), int(b)


class OneExamplePanel(QWidget):
    """Next / Back through the steps of one training example; `index_chosen` asks for another
    example (None: close)."""

    index_chosen = Signal(object)
    step_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("example.panel")
        self.trace = None
        self.steps: list[Step] = []
        self.step = 0
        self.labels: list[str] = []
        self.title = QLabel("<b>One example</b>")
        self.index = QSpinBox()
        self.index.setObjectName("example.index")
        self.index.setPrefix("training example ")
        self.index.setToolTip("which training example to follow (or click a training point in "
                              "the output view)")
        self.index.setRange(1, 1)
        self.index.setKeyboardTracking(False)
        self.back = QToolButton(text="◀ Back")
        self.back.setObjectName("example.back")
        self.next = QToolButton(text="Next ▶")
        self.next.setObjectName("example.next")
        self.where = QLabel()
        self.where.setObjectName("example.step")
        self.where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.close_button = QToolButton(text="✕ Close")
        self.close_button.setObjectName("example.close")
        self.close_button.setToolTip("back to the network's maps and weights")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.title, self.index):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.close_button)
        steps = QHBoxLayout()
        steps.setContentsMargins(0, 0, 0, 0)
        steps.addWidget(self.back)
        steps.addWidget(self.where, 1)
        steps.addWidget(self.next)
        self.caption = QLabel()
        self.caption.setObjectName("example.caption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.numbers = QTableWidget()
        self.numbers.setObjectName("example.table")
        self.numbers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.numbers.verticalHeader().hide()
        self.numbers.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addLayout(steps)
        layout.addWidget(self.caption)
        layout.addWidget(self.numbers, 1)
        self.back.clicked.connect(lambda: self.go(self.step - 1))
        self.next.clicked.connect(lambda: self.go(self.step + 1))
        self.close_button.clicked.connect(lambda: self.index_chosen.emit(None))
        self.index.valueChanged.connect(lambda v: self.index_chosen.emit(v - 1))

    def set_training_size(self, n: int) -> None:
        self.index.blockSignals(True)
        self.index.setRange(1, max(n, 1))
        self.index.blockSignals(False)

    def show_index(self, index: int) -> None:
        self.index.blockSignals(True)
        self.index.setValue(index + 1)
        self.index.blockSignals(False)

    def set_trace(self, trace, labels: list[str]) -> None:
        """The example's numbers now (a new frame); the step stays where the user put it."""
        self.trace, self.labels = trace, labels
        self.steps = steps_of(trace) if trace is not None else []
        self.step = min(self.step, max(len(self.steps) - 1, 0))
        if trace is not None:
            self.show_index(trace.index)
        self._show()

    def go(self, step: int) -> None:
        if self.steps:
            self.step = int(np.clip(step, 0, len(self.steps) - 1))
            self._show()
            self.step_changed.emit()

    def current(self) -> Step | None:
        return self.steps[self.step] if self.steps else None

    def _show(self) -> None:
        step = self.current()
        self.back.setEnabled(step is not None and self.step > 0)
        self.next.setEnabled(step is not None and self.step < len(self.steps) - 1)
        if step is None:
            self.where.setText("")
            self.caption.setText("Click a training point in the output view.")
            self.numbers.setRowCount(0)
            return
        self.where.setText(f"{self.step + 1}/{len(self.steps)}  {step.title}")
        self.caption.setText(caption(self.trace, step, self.labels))
        head, rows = table(self.trace, step, self.labels)
        self.numbers.setColumnCount(len(head))
        self.numbers.setHorizontalHeaderLabels(head)
        self.numbers.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                item = self.numbers.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                    self.numbers.setItem(r, c, item)
                item.setText(text)


class ExampleOverlay(UnitOverlay):
    """The panel's current step on the network view."""

    def __init__(self, view, legend, panel: OneExamplePanel):
        super().__init__(view, legend)
        self.panel = panel

    def paint(self, snap) -> bool:
        trace, step = self.panel.trace, self.panel.current()
        if trace is None or step is None or self.view._graph is None:
            self.clear()
            return False
        v = self.view
        order = [b.node for b in trace.blocks]
        input_id = v._graph.of_type("input")[0] if v._graph.of_type("input") else ""
        if step.phase == "input":
            shown = {input_id}
        elif step.phase == "forward":
            shown = {input_id, *order[:order.index(step.node) + 1]}
        elif step.phase == "loss":
            shown = {input_id, *order}
        elif step.phase == "backward":
            shown = set(order[order.index(step.node):])
        else:
            shown = {step.node}
        if v.is_image_input(input_id):
            v.blocks.paint_tiles(snap)  # the image and the units' weight images underneath
        self._paint_edges(trace, step, order)
        self.begin()
        top = max((float(np.abs(b.grad_post if b.grad_post is not None else b.grad_pre).max())
                   for b in trace.blocks if b.grad_post is not None or b.grad_pre is not None),
                  default=1.0) or 1.0
        for (node, unit), item in v.neurons.items():
            if node == input_id:
                if not v.is_image_input(node) and unit < len(trace.features):
                    value = float(trace.features[unit])
                    self.fill(item, _rgb(value / 6.0))  # the plane's ±6
                    if node in shown and self.labelled():
                        self.label(item, f"x {gc.tiny(value)}")
                continue
            block = next((b for b in trace.blocks if b.node == node), None)
            if block is None or unit >= len(block.post):
                continue
            text, value, scale = self._unit(block, unit, step, node in shown)
            if step.phase == "backward":
                scale = top  # gradients on one scale across the network
            self.fill(item, GREY_TILE if value is None else _rgb(value / scale))
            if text and self.labelled():
                self.label(item, text, strong=node == step.node)
        self.end()
        legend = {"backward": "\n∂a: ∂ℓ/∂a\nf′: f′(z)\n∂z: ∂ℓ/∂z",
                  "update": "\ntiles: bias\nold → new"}.get(step.phase, "")
        self.show_legend(f"{step.title}{legend}",
                         "Each unit shows its numbers for this step (when the tiles are large "
                         "enough; hover a unit or an edge for all of them). Forward: edges show "
                         "the weights. Backward: edges show ∂ℓ/∂w (width ∝ size), tiles ∂ℓ/∂a "
                         "(blue +, orange −). Update: edges show each weight's step.")
        return True

    def _unit(self, b, j: int, step: Step, shown: bool):
        """(label text, value for the tile's colour, the colour's scale) of unit j."""
        if not shown:
            return "", None, 0.0
        if step.phase in ("forward", "loss", "input"):
            a = float(b.post[j])
            if b.pre is not None and len(b.pre) == len(b.post):
                top = "o" if b.kind == "output" else "a"
                return f"z {gc.tiny(float(b.pre[j]))}\n{top} {gc.tiny(a)}", a, 1.0
            return f"a {gc.tiny(a)}", a, 1.0
        if step.phase == "backward":
            if b.grad_post is None:
                g = float(b.grad_pre[j])
                return f"∂z {gc.tiny(g)}", g, 1.0
            g = float(b.grad_post[j])
            local = f"\nf′ {gc.tiny(float(b.local[j]))}" if b.local is not None else ""
            return f"∂a {gc.tiny(g)}{local}", g, 1.0
        if b.bias is None:
            return "", None, 0.0
        old, new = float(b.bias[j]), float(b.new_bias[j])
        return f"b {gc.tiny(old)}\n→ {gc.tiny(new)}", new - old, max(
            float(np.abs(b.new_bias - b.bias).max()), 1e-30)

    def _paint_edges(self, trace, step: Step, order: list[str]) -> None:
        scale = self.view.style_.edge_scale
        blocks = {b.node: b for b in trace.blocks}
        if step.phase == "forward":
            def edge(item):
                b = blocks.get(item.node)
                if item.node != step.node or b is None or b.weight is None:
                    return None
                w = self._entry(b.weight, b.bias, item)
                return None if w is None else (w > 0, scale * (1 + 9 * min(abs(w), 5.0) / 5.0))
        elif step.phase == "backward":
            reached = set(order[order.index(step.node):])
            top = max((float(np.abs(b.grad_weight).max()) for b in trace.blocks
                       if b.grad_weight is not None and b.grad_weight.size), default=0.0)

            def edge(item):
                b = blocks.get(item.node)
                if item.node not in reached or b is None or b.grad_weight is None:
                    return None
                g = self._entry(b.grad_weight, b.grad_bias, item)
                return None if g is None else (g > 0, scale * (1 + 9 * abs(g) / (top or 1.0)))
        elif step.phase == "update":
            b = blocks[step.node]
            moved = b.new_weight - b.weight
            top = float(np.abs(moved).max()) if moved.size else 0.0

            def edge(item):
                if item.node != step.node:
                    return None
                d = self._entry(moved, b.new_bias - b.bias if b.bias is not None else moved[:, 0],
                                item)
                return None if d is None else (d > 0, scale * (1 + 9 * abs(d) / (top or 1.0)))
        else:
            def edge(item):
                return None
        self.view.edge_painter.paint_by(edge)

    def _entry(self, w, b, item) -> float | None:
        return self.view.edge_painter.entry(w, b if b is not None else w[:, 0], item.node,
                                            item.row, item.col)

    # ---------------------------------------------------------------------- hover texts
    def edge_tip(self, item) -> str | None:
        trace = self.panel.trace
        b = next((x for x in trace.blocks if x.node == item.node), None) if trace else None
        if b is None or b.weight is None or item.col >= b.weight.shape[1]:
            return None
        w, x = self._entry(b.weight, b.bias, item), float(b.inputs[item.col])
        g = self._entry(b.grad_weight, b.grad_bias, item)
        new = self._entry(b.new_weight, b.new_bias, item)
        up = float(b.grad_pre[item.row]) if b.grad_pre is not None and \
            item.row < len(b.grad_pre) else None
        lines = [f"weight {item.row + 1}←{item.col + 1} of {item.node}: w = {w:.5g}",
                 f"its input x = {x:.5g}, so it adds w·x = {w * x:.5g} to z"]
        if up is not None:
            lines.append(f"∂ℓ/∂w = ∂ℓ/∂z × x = {up:.5g} × {x:.5g} = {g:.5g}")
        lines.append(f"update: {w:.5g} → {new:.5g} (step {new - w:.4g})")
        return "\n".join(lines)

    def unit_tip(self, item) -> str | None:
        trace = self.panel.trace
        b = next((x for x in trace.blocks if x.node == item.node), None) if trace else None
        if b is None or item.unit >= len(b.post):
            return None
        j = item.unit
        parts = [f"{item.node} unit {j + 1}"]
        if b.pre is not None and len(b.pre) == len(b.post):
            parts.append(f"z = {b.pre[j]:.5g}")
        parts.append(f"a = {b.post[j]:.5g}")
        if b.grad_post is not None:
            parts.append(f"∂ℓ/∂a = {b.grad_post[j]:.5g}")
        if b.local is not None:
            parts.append(f"f′(z) = {b.local[j]:.5g}")
        if b.grad_pre is not None:
            parts.append(f"∂ℓ/∂z = {b.grad_pre[j]:.5g}")
        if b.bias is not None and j < len(b.bias):
            parts.append(f"bias {b.bias[j]:.5g} → {b.new_bias[j]:.5g}")
        return "\n".join(parts)
