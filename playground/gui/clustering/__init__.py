"""The clustering tab: lab, drawing, side plots, worker and the paint tool."""

from .lab import ClusteringLab
from .paint import PaintBar, PaintOverlay

__all__ = ["ClusteringLab", "PaintBar", "PaintOverlay"]
