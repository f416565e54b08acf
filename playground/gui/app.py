"""QApplication set-up and `main()` for the window."""

from __future__ import annotations

import sys
import time
import traceback

_showing: list[str] = []  # the message of the error dialog on screen, if one is
_shown_at: dict[str, float] = {}  # when each message was last shown


def _excepthook(exc_type, exc, tb) -> None:
    # An unexpected error in a slot must not kill the lesson: report it and carry on. One
    # dialog at a time: an error raised on every frame once opened a dialog after every OK,
    # and the app had to be killed.
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    sys.stderr.write(text)
    from PySide6.QtWidgets import QApplication, QMessageBox

    message = str(exc) or exc_type.__name__
    now = time.monotonic()
    if QApplication.instance() is None or _showing or now - _shown_at.get(message, -60) < 60:
        return  # the same error again within a minute: the terminal has it
    _shown_at[message] = now
    _showing.append(message)
    try:
        QMessageBox.critical(None, "playground: unexpected error",
                             f"{message}\n\nThe details are in the terminal. Save your work "
                             "under a new name if the window misbehaves.")
    finally:
        _showing.clear()


# The X libraries Qt's xcb platform plugin loads (a bare Debian or Ubuntu lacks some): without
# them Qt aborts with a long message that does not say what to install.
XCB_LIBRARIES = {"xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4",
                 "xcb-keysyms": "libxcb-keysyms1", "xcb-xinerama": "libxcb-xinerama0",
                 "xcb-render-util": "libxcb-render-util0", "xcb-image": "libxcb-image0",
                 "xcb-shape": "libxcb-shape0", "xkbcommon-x11": "libxkbcommon-x11-0"}


def missing_x_packages() -> list[str]:
    """Debian/Ubuntu packages Qt needs on X that are not installed (none elsewhere)."""
    import ctypes.util
    import os

    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if sys.platform != "linux" or platform not in ("", "xcb") or not os.environ.get("DISPLAY"):
        return []
    return [pkg for lib, pkg in XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None]


def settle_heap() -> None:
    """Once the window is built, move every object so far out of the garbage collector's
    reach. The window's ~330,000 long-lived objects (Qt wrappers, pyqtgraph items, torch,
    numba) made each full collection take ~200 ms on the GUI thread, and one every few
    minutes at full speed stalled a click by as much (benchmarks/gui_speed.py --long); what
    is made later is still collected. Collect first, so nothing already garbage stays."""
    import gc

    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> int:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    argv = list(argv or [])
    missing = missing_x_packages()
    if missing and QApplication.instance() is None:
        sys.stderr.write("playground: Qt needs these X libraries to open a window; install "
                         f"them with\n  sudo apt install {' '.join(missing)}\n")
        return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("playground")
    app.setOrganizationName("playground")
    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    sys.excepthook = _excepthook
    window = MainWindow()
    window.show_first()
    settle_heap()
    if argv:
        window.load_path(argv[0])
    elif not window.offer_recovery():
        from .lessons.browser import offer_on_first_start

        if offer_on_first_start(window.settings):  # a first start: here is what it teaches
            window.show_lessons()
    return app.exec()
