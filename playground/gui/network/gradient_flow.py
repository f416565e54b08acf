"""The network view's gradient flow: edges coloured and thickened by the gradient ∂L/∂w
instead of the weight, units shaded by their mean |∂L/∂a| (core/gradients.py says how both
are measured: the last epoch's batches at its final weights).

Gradients of a deep net differ by orders of magnitude from layer to layer (which is the
lesson), so sizes are drawn on a log scale: the network's largest gradient is the thickest,
darkest edge and anything four decades below it is a hairline, a white tile."""

from __future__ import annotations

import numpy as np

from .. import gradient_colors as gc
from .tiles import heat_pixmap
from .unit_overlay import UnitOverlay

MAX_WIDTH = 6.0  # px at the largest gradient (every edge of a late layer is near it)


class GradientOverlay(UnitOverlay):
    def __init__(self, view, legend):
        super().__init__(view, legend)
        self.stats = None

    def paint(self, snap) -> bool:
        stats = snap.gradients
        self.stats = stats
        if stats is None:  # not measured yet: the usual maps and weights meanwhile
            self.clear()
            return False
        v = self.view
        inputs = v._graph.of_type("input") if v._graph is not None else []
        if inputs and v.is_image_input(inputs[0]):
            v.blocks.paint_tiles(snap)  # the image stays; units are shaded below
        else:  # the input's feature maps stay
            for (node, unit), item in v.neurons.items():
                maps = snap.neurons.get(node)
                if node in inputs and maps is not None and unit < len(maps):
                    item.set_map(heat_pixmap(maps[unit], item.size))
        top_w = max((float(np.abs(g).max()) for g in stats.weight_grads.values() if g.size),
                    default=0.0)
        top_u = max((float(g.max()) for g in stats.unit_grads.values() if g.size), default=0.0)
        scale = v.style_.edge_scale
        # per block, each unit's gradient on its edges and the width it gets, in one go
        shown = {n: self._unit_matrix(n, g) for n, g in stats.weight_grads.items()}
        widths = {n: scale * (1.0 + (MAX_WIDTH - 1.0) * gc.log_position(g, top_w))
                  for n, g in shown.items()}

        def edge(item):
            g = shown.get(item.node)
            if g is None or item.row >= g.shape[0] or not 0 <= item.col < g.shape[1]:
                return None  # a drawing of another shape (the network was just edited)
            return bool(g[item.row, item.col] > 0), float(widths[item.node][item.row, item.col])

        v.edge_painter.paint_by(edge)
        self.begin()
        big = self.labelled() and v.plan.neuron >= 40
        for (node, unit), item in v.neurons.items():
            grads = stats.unit_grads.get(node)
            if grads is None or unit >= len(grads):
                continue
            self.fill(item, gc.rgb_of(float(gc.log_position(grads[unit], top_u))))
            if big:
                self.label(item, gc.tiny(float(grads[unit])) if grads[unit] >= 0.01 else
                           gc.short(float(grads[unit])))
        self.end()
        self.show_legend(f"epoch {stats.epoch}\nedges: ∂L/∂w\nunits: |∂L/∂a|\nlog scale",
                         "Gradient flow: an edge's colour is the sign of ∂L/∂w (blue +, orange "
                         "−) and its width the size, on a log scale (the largest gradient is the "
                         "thickest; four decades below it is a hairline). Units are shaded by "
                         "their mean |∂L/∂a| over the training examples, white to dark red over "
                         "four decades. Measured at the end of each epoch over its batches. "
                         "Hover an edge or a unit for its numbers.")
        return True

    def _unit_matrix(self, node: str, grads: np.ndarray) -> np.ndarray:
        """(units, in) gradients as the edges show them: a maxout unit's pieces averaged."""
        pieces = max(1, grads.shape[0] // max(self.view._widths.get(node, grads.shape[0]), 1))
        if pieces > 1:
            return grads.reshape(-1, pieces, grads.shape[1]).mean(axis=1)
        return grads

    def _edge_grad(self, item) -> float | None:
        stats = self.stats
        if stats is None or item.node not in stats.weight_grads:
            return None
        return self.view.edge_painter.entry(stats.weight_grads[item.node],
                                            stats.bias_grads[item.node], item.node, item.row,
                                            item.col)

    def edge_tip(self, item) -> str | None:
        g = self._edge_grad(item)
        if g is None:
            return None
        w = self.view.weight(item.node, item.row, item.col)
        weight = f"; the weight is {w:.4g}" if w is not None else ""
        return (f"∂L/∂w = {g:.4g}, averaged over the last epoch's batches{weight}. "
                "Gradient descent moves the weight the other way.")

    def unit_tip(self, item) -> str | None:
        stats = self.stats
        grads = stats.unit_grads.get(item.node) if stats is not None else None
        if grads is None or item.unit >= len(grads):
            return None
        what = "|∂L/∂z| (its output before the link)" if item.node in stats.layers and \
            item.node == stats.layers[-1] else "|∂L/∂a|"
        bias = self._bias_grad(item)
        extra = f"; ∂L/∂b = {bias:.4g}" if bias is not None else ""
        return (f"{item.node} unit {item.unit + 1}: mean {what} = {grads[item.unit]:.4g} over "
                f"the training examples{extra}")

    def _bias_grad(self, item) -> float | None:
        stats = self.stats
        if item.node not in stats.bias_grads:
            return None
        return self.view.edge_painter.entry(stats.weight_grads[item.node],
                                            stats.bias_grads[item.node], item.node, item.unit, -1)
