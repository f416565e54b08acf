"""Plot text for the classroom: tick numbers, axis labels and titles at the size the window's
presentation mode asks for (style sheets do not reach pyqtgraph's axes), and axes that count
in whole numbers where the quantity is a count (steps, K, points)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont

TICK_PT = {False: 9, True: 14}  # as the network tab's charts (gui/presentation.py)
TITLE_PT = {False: 11, True: 16}


def title_size(presentation: bool) -> str:
    return f"{TITLE_PT[presentation]}pt"


def set_plot_text(plot: pg.PlotItem, presentation: bool) -> None:
    """Tick numbers and axis labels of `plot` at the mode's size."""
    font = QFont()
    font.setPointSize(TICK_PT[presentation])
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=font)
        axis.label.setFont(font)


class WholeAxis(pg.AxisItem):
    """An axis of a count: ticks only at whole numbers (no step 1.5, no K = 2.5), written
    without decimals, while `whole` is on."""

    def __init__(self, orientation: str, whole: bool = True, **kwargs):
        super().__init__(orientation, **kwargs)
        self.whole = whole
        self.enableAutoSIPrefix(False)  # 5000 points read as 5000, not 5 (x1e3)

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 - pyqtgraph's name
        levels = super().tickSpacing(minVal, maxVal, size)
        if not self.whole:
            return levels
        kept = [(spacing, offset) for spacing, offset in levels
                if spacing >= 1 and float(spacing).is_integer()]
        return kept or [(1.0, 0.0)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        if not self.whole:
            return super().tickStrings(values, scale, spacing)
        return [f"{round(v * scale):d}" for v in values]
