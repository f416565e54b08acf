"""Where the main window finds the clustering lab (it lives in gui/clustering/)."""

from .clustering import ClusteringLab

__all__ = ["ClusteringLab"]
