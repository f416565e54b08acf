"""QApplication set-up and `main()` for the window."""

from __future__ import annotations

import sys
import traceback


def _excepthook(exc_type, exc, tb) -> None:
    # An unexpected error in a slot must not kill the lesson: report it and carry on.
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    sys.stderr.write(text)
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is not None:
        QMessageBox.critical(None, "playground: unexpected error", str(exc) or exc_type.__name__)


def main(argv: list[str] | None = None) -> int:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    argv = list(argv or [])
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("playground")
    app.setOrganizationName("playground")
    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    sys.excepthook = _excepthook
    window = MainWindow()
    window.show()
    if argv:
        window.load_path(argv[0])
    elif not window.offer_recovery():
        from .lessons.browser import offer_on_first_start

        if offer_on_first_start(window.settings):  # a first start: here is what it teaches
            window.show_lessons()
    return app.exec()
