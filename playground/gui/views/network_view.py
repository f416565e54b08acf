"""The network view lives in playground/gui/network/ (canvas, layout, items, tiles); this name
stays for the modules that import it from here."""

from ..network.canvas import BLOCK_MIME, NetworkView
from ..network.tiles import heat_pixmap

__all__ = ["BLOCK_MIME", "NetworkView", "heat_pixmap"]
