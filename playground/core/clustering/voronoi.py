"""Voronoi cells of a few centres as exact polygons clipped to a box.

Each cell is the box cut by the half-plane of every other centre's perpendicular bisector
(points nearer to this centre), so its edges are straight lines, not the staircase of a raster.
With K at most a few dozen, K² clips cost nothing, and degenerate cases (one or two centres,
centres on a line, two centres in one place) need no special handling, unlike a Delaunay-based
construction.
"""

from __future__ import annotations

import numpy as np


def _clip(polygon: np.ndarray, normal: np.ndarray, offset: float) -> np.ndarray:
    """The part of a convex polygon where normal·p <= offset (Sutherland-Hodgman, one edge)."""
    if len(polygon) == 0:
        return polygon
    side = polygon @ normal - offset
    out = []
    for k in range(len(polygon)):
        p, q = polygon[k], polygon[(k + 1) % len(polygon)]
        sp, sq = side[k], side[(k + 1) % len(polygon)]
        if sp <= 0:
            out.append(p)
        if (sp < 0 < sq) or (sq < 0 < sp):
            out.append(p + (q - p) * (sp / (sp - sq)))
    return np.array(out, dtype=np.float64).reshape(-1, 2)


def voronoi_cells(centres: np.ndarray, box: tuple[float, float, float, float]
                  ) -> list[np.ndarray]:
    """For each centre, the (m, 2) corners of the region nearer to it than to any other centre,
    inside box = (x0, x1, y0, y1), counter-clockwise. A centre that repeats an earlier one gets
    an empty cell (the earlier one owns the region, as `argmin` assigns the points)."""
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    x0, x1, y0, y1 = box
    frame = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    cells = []
    for i, c in enumerate(centres):
        cell = frame
        for j, other in enumerate(centres):
            if j == i:
                continue
            normal = other - c
            if not normal.any():
                if j < i:
                    cell = cell[:0]
                continue
            cell = _clip(cell, normal, float(normal @ (c + other) / 2))
        cells.append(cell)
    return cells
