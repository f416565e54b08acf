"""What a unit's tile shows, as pixmaps: a neuron's map over the plane (2-D data), or for
image data the input image and each unit's weight image (what the unit looks for)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPixmap

from .. import colors


def rgba_pixmap(rgba: np.ndarray) -> QPixmap:
    rgba = np.ascontiguousarray(rgba)
    h, w = rgba.shape[:2]
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(image)  # fromImage copies: rgba may go


def heat_pixmap(values: np.ndarray, size: float) -> QPixmap:
    """A (res, res) map (row 0 = bottom) in the diverging colours, about size px across
    (no more pixels than the screen shows)."""
    step = max(1, values.shape[0] // max(int(size), 1))
    return rgba_pixmap(colors.map_values(np.flipud(values[::step, ::step])))


def image_pixmap(pixels: np.ndarray, side: int) -> QPixmap:
    """An input image (values 0..1, row 0 = top) in grey, dark ink on white as written."""
    grey = np.clip(255.0 * (1.0 - pixels.reshape(side, side)), 0, 255).astype(np.uint8)
    rgba = np.empty((side, side, 4), np.uint8)
    rgba[..., :3] = grey[..., None]
    rgba[..., 3] = 255
    return rgba_pixmap(rgba)


def weight_pixmap(weights: np.ndarray, side: int) -> QPixmap:
    """A unit's weights on the pixels as an image: blue where ink raises it, orange where
    ink lowers it, scaled to the unit's largest weight."""
    w = weights.reshape(side, side)
    scale = float(np.abs(w).max()) or 1.0
    return rgba_pixmap(colors.map_values(w / scale))


def effective_weights(graph, weights: dict[str, np.ndarray], pieces: dict[str, int],
                      input_id: str) -> dict[str, np.ndarray]:
    """Each unit's weights on the input pixels: W for the first layer, the product of the
    layers' weights for deeper ones (the linear part of what a unit responds to).
    Blocks that mix inputs (Add, Concat) end the chain."""
    found: dict[str, np.ndarray] = {}
    for n in graph.topological_order():
        ins = graph.inputs_of(n)
        if len(ins) != 1:
            continue
        src = ins[0]
        upstream = None if src == input_id else found.get(src)
        kind = graph.nodes[n].type
        if kind in ("dense", "output") and n in weights:
            w = weights[n]
            k = pieces.get(n, 1)
            if k > 1:  # maxout: a unit's k pieces, averaged
                w = w.reshape(-1, k, w.shape[1]).mean(axis=1)
            if src == input_id:
                found[n] = w
            elif upstream is not None and upstream.shape[0] == w.shape[1]:
                found[n] = w @ upstream
        elif kind in ("activation", "dropout", "batchnorm") and upstream is not None:
            found[n] = upstream
    return found
