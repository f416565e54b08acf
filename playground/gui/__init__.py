"""The window: PySide6 + pyqtgraph on top of playground.core (which never imports this)."""
