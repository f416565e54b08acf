"""QApplication set-up and `main()` for the window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv[:1] + list(argv or []))
    label = QLabel("playground: the window is being built")
    label.show()
    return app.exec()
