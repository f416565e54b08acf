"""Axis titles that never run past their axis: each axis has forms from longest to shortest
and shows the longest that fits its length in the type it has now, or none (the key or the
caption names the quantity then). A title cut mid-word ("ue-positiv", "accuracy · AUC
dotte") was what a small plot on a projector showed."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem
from shiboken6 import isValid


def cache_axes(plot: pg.PlotWidget) -> None:
    """Paint `plot`'s axes from a pixmap Qt keeps, redrawn only when an axis itself changes
    (its range, ticks, font or size). Otherwise every new map or curve under an axis's
    rectangle (with a grid: the whole plot) replayed its tick labels: ~1.9 ms each, a fifth
    of the window's thread at full training speed."""
    for side in ("left", "bottom", "right", "top"):
        plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def fit_title(axis: pg.AxisItem, forms: tuple[str, ...]) -> None:
    """Show the longest of `forms` that fits `axis` now (none when none does)."""
    vertical = axis.orientation in ("left", "right")
    room = axis.geometry().height() if vertical else axis.geometry().width()
    metrics = QFontMetricsF(axis.label.font())
    margin = 2 * axis.label.document().documentMargin() + metrics.horizontalAdvance(" ")
    fits = [t for t in forms if metrics.horizontalAdvance(t) + margin <= room]
    if fits:
        if axis.labelText != fits[0] or not axis.label.isVisible():
            axis.setLabel(fits[0])
            axis.resizeEvent()  # (pyqtgraph centres a title only on a resize: a longer one
            # ran off the axis's end, "accuracy · A", once a run said it had two classes)
    elif axis.label.isVisible():
        axis.showLabel(False)


class FittedTitles:
    """The titles of one plot's axes, refitted whenever an axis is resized and on `refit`
    (after the type changed: presentation mode)."""

    def __init__(self, plot: pg.PlotWidget, **forms: tuple[str, ...]):
        self.plot = plot
        self.forms = dict(forms)
        for name in self.forms:
            plot.getAxis(name).geometryChanged.connect(lambda n=name: self.refit(n))
        self.refit()

    def set(self, name: str, forms: tuple[str, ...]) -> None:
        self.forms[name] = forms
        self.refit(name)

    def refit(self, name: str | None = None) -> None:
        for n in [name] if name else list(self.forms):
            axis = self.plot.getAxis(n)
            if isValid(axis):  # (a window being deleted resizes axes Qt already deleted)
                fit_title(axis, self.forms[n])
