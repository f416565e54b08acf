"""File handling of the main window: open, save, recent files, unsaved changes, autosave and
recovery, exports. A mixin of MainWindow (it uses its worker, experiment and views).

Loading validates the whole file, trained state included, before anything in the window
changes; saving goes through the worker, which owns the trainer whose state the file keeps.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QEventLoop, QStandardPaths, QTimer, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..core.errors import PlaygroundError
from ..core.spec import Experiment
from .worker import Write

MAX_RECENT = 8
AUTOSAVE_MS = 3 * 60 * 1000


def default_recovery_path() -> str:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return os.path.join(folder or os.path.expanduser("~"), "recovery.json")


LESSONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples")


def is_template(path: str) -> bool:
    """A shipped lesson, or a file this user may not write: it opens as an untitled copy, so
    Save asks where and the original is never overwritten."""
    real = os.path.realpath(path)
    in_lessons = os.path.commonpath([real, os.path.realpath(LESSONS_DIR)]) == os.path.realpath(
        LESSONS_DIR)
    read_only = not os.access(real, os.W_OK) or not os.stat(real).st_mode & 0o222
    return in_lessons or read_only


class FileActions:
    def _init_files(self, recovery_path: str | None) -> None:
        self.path = ""
        self.opened_from = ""  # a lesson or read-only file this untitled copy came from
        self._saved_epoch = 0
        self.recovery_path = recovery_path or default_recovery_path()
        self._pending: dict[str, str] = {}  # path -> error, filled when the worker answers
        self.worker.written.connect(self.on_written)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start(AUTOSAVE_MS)

    # ------------------------------------------------------------------ the menu
    def _build_file_menu(self, action) -> None:
        menu = self.menuBar().addMenu("&File")
        action(menu, "&New", self.new_file, "Ctrl+N", "file.new")
        action(menu, "&Open…", self.open_file, "Ctrl+O")
        action(menu, "&Lessons…", self.show_lessons, "Ctrl+L", "file.lessons")
        self.recent_menu = menu.addMenu("Open &Recent")
        action(menu, "&Save", self.save_file, "Ctrl+S")
        action(menu, "Save &As…", self.save_file_as, "Ctrl+Shift+S")
        action(menu, "Import &CSV…", self.import_csv)
        export = menu.addMenu("&Export")
        action(export, "Window as PNG…", lambda: self.export_png(self))
        action(export, "Output view as PNG…", lambda: self.export_png(self.output_view))
        action(export, "Network view as PNG…", lambda: self.export_png(self.network_view))
        action(export, "Trace plots as PNG…", lambda: self.export_png(self.trace))
        action(export, "Training history as CSV…", lambda: self.export_file("history_csv"))
        action(export, "Network as PyTorch script…", lambda: self.export_file("pytorch"))
        menu.addSeparator()
        action(menu, "&Quit", self.close, "Ctrl+Q")
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _remember(self, path: str) -> None:
        recent = [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent", [path, *recent][:MAX_RECENT])
        self._refresh_recent()

    # --------------------------------------------------------------- unsaved changes
    @property
    def dirty(self) -> bool:
        """Unsaved: the session's stack is not where it was saved (or training moved on)."""
        return self.session.dirty

    def mark_dirty(self) -> None:
        self.session.mark_dirty()

    def _update_title(self) -> None:
        name = os.path.basename(self.path) if self.path else "untitled"
        if not self.path and self.opened_from:
            name += f" (a copy of {os.path.basename(self.opened_from)})"
        title = self.experiment.title
        self.setWindowTitle(f"{'*' if self.dirty else ''}{name} - "
                            f"{title + ' - ' if title else ''}playground")

    def keep_changes_or_proceed(self) -> bool:
        """Ask about unsaved work; True when it is fine to go on (saved or discarded)."""
        if not self.dirty:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", "Save the changes to this experiment first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            return self.save_file(wait=True)
        return True

    # -------------------------------------------------------------------------- open
    def open_file(self) -> None:
        if not self.keep_changes_or_proceed():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open experiment", os.path.dirname(self.path),
                                              "Experiments (*.json)")
        if path:
            self.load_path(path)

    def show_lessons(self) -> None:
        """The lesson browser; the lesson picked opens as an untitled copy."""
        from .lessons.browser import LessonBrowser

        browser = LessonBrowser(parent=self)
        browser.setObjectName("lessons.browser")
        # Unsaved work is asked about when a lesson is picked, not before the list is shown.
        browser.path_chosen.connect(self.open_path)
        browser.open()
        self._browser = browser

    def new_file(self) -> None:
        """Start again on the default experiment, untitled."""
        if not self.keep_changes_or_proceed():
            return
        self.path, self.opened_from, self._saved_epoch = "", "", 0
        self.session.load(Experiment())
        self._update_title()

    def open_path(self, path: str) -> None:
        if self.keep_changes_or_proceed():
            self.load_path(path)

    def load_path(self, path: str, remember: bool = True) -> bool:
        """Open a file; on any problem one message and the window as it was."""
        from ..core.checks import check_openable
        from ..core.files import load_experiment

        try:
            loaded = load_experiment(path)
            # What the window could have written itself opens (a network still being built
            # included; the window says why it cannot train), the trained state is checked,
            # without building a trainer or compiling on this thread (the worker builds it).
            check_openable(loaded.experiment, loaded.state)
        except PlaygroundError as exc:
            QMessageBox.warning(self, "Cannot open", f"{path}:\n{exc}")
            return False
        except Exception as exc:  # a hostile file must never take the app down
            QMessageBox.warning(self, "Cannot open", f"{path}:\nnot a valid experiment file "
                                f"({type(exc).__name__}: {str(exc)[:200]})")
            return False
        before = (self.experiment.copy(), self.path, self.opened_from, self._saved_epoch)
        try:
            self._show_loaded(loaded, path, remember)
        except Exception as exc:  # put the window back as it was, then say why
            self.path, self.opened_from, self._saved_epoch = before[1:]
            self.session.load(before[0], clean=False)
            self._update_title()
            QMessageBox.warning(self, "Cannot open", f"{path}:\ncannot be shown "
                                f"({type(exc).__name__}: {str(exc)[:200]})")
            return False
        return True

    def _show_loaded(self, loaded, path: str, remember: bool) -> None:
        template = is_template(path)
        self.path = path if remember and not template else ""
        self.opened_from = path if template else ""
        self._saved_epoch = self._epoch_in_file(loaded)
        self._pending_state = loaded.state
        self.session.load(loaded.experiment)  # edits of another file do not carry over
        if getattr(self, "show_error", None) is not None:
            raise self.show_error
        if remember:
            self._remember(path)
        self._update_title()
        exp = loaded.experiment
        if self.clustering_lab.is_lesson_of(exp):  # (lessons 26, 27, 30 opened elsewhere)
            self.tabs.setCurrentWidget(self.clustering_lab)
        elif exp.outcome.metric.startswith("race_"):  # an optimizer-lab lesson
            self.tabs.setCurrentWidget(self.optimizer_lab)
        elif exp.outcome.metric.startswith("sweep_"):  # a capacity lesson: its curves
            self.tabs.setCurrentWidget(self.sweep_lab)
        elif exp.outcome.metric.startswith("graph_"):  # a graph-lab lesson
            self.tabs.setCurrentWidget(self.graph_lab)
        elif exp.title:  # a network lesson, opened from another lab's tab: its own tab
            self.tabs.setCurrentIndex(0)

    @staticmethod
    def _epoch_in_file(loaded) -> int:
        return int(loaded.state["epoch"]) if loaded.state else 0

    # -------------------------------------------------------------------------- save
    def save_file(self, wait: bool = False) -> bool:
        if not self.path:
            return self.save_file_as(wait)
        return self._write(self.path, "experiment", wait)

    def save_file_as(self, wait: bool = False) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save experiment", self._suggested_path(),
                                              "Experiments (*.json)")
        if not path:
            return False
        self.path = path
        return self._write(path, "experiment", wait)

    def _suggested_path(self) -> str:
        """Where Save As starts: the file's own place, else the user's documents folder with
        the lesson's name (a lesson copy is never suggested back into examples/)."""
        if self.path:
            return self.path
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        if not folder or not os.path.isdir(folder):  # the dialog fell back to the cwd (a repo)
            folder = os.path.expanduser("~")
        name = os.path.basename(self.opened_from) if self.opened_from else "experiment.json"
        return os.path.join(folder, name)

    def export_file(self, kind: str) -> None:
        suffix = {"history_csv": ("history.csv", "CSV (*.csv)"),
                  "pytorch": ("model.py", "Python (*.py)")}[kind]
        path, _ = QFileDialog.getSaveFileName(self, "Export", suffix[0], suffix[1])
        if path:
            self._write(path, kind, wait=False)

    def export_png(self, widget) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Export PNG", "view.png", "PNG (*.png)")
        return bool(path) and self.save_png(widget, path)

    def save_png(self, widget, path: str) -> bool:
        if widget.grab().save(path, "PNG"):
            self.statusBar().showMessage(f"exported {path}", 4000)
            return True
        QMessageBox.warning(self, "Cannot export", f"could not write {path}")
        return False

    def _write(self, path: str, kind: str, wait: bool) -> bool:
        self._pending.pop(path, None)
        if not wait:
            self.worker.post(Write(path, kind, self.experiment.copy(), self._token))
            return True
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        # Connected before the write is posted: a fast write used to answer before anyone
        # listened, and Quit -> Save then sat in this loop for the whole timeout.
        self.worker.written.connect(loop.quit)
        try:
            self.worker.post(Write(path, kind, self.experiment.copy(), self._token))
            timer.start(30000)
            while path not in self._pending and timer.isActive():
                loop.exec()
        finally:
            self.worker.written.disconnect(loop.quit)
        if path not in self._pending:
            QMessageBox.warning(self, "Not saved yet", f"Saving {path} did not finish in 30 s; "
                                "the window stays open so that nothing is lost.")
        return self._pending.get(path) == ""

    @Slot(str, str, str)
    def on_written(self, path: str, kind: str, error: str) -> None:
        self._pending[path] = error
        if path == self.recovery_path:  # no dialog for a background save, but never silent
            if error:
                self.statusBar().showMessage(f"Autosave failed: {error}", 15000)
            return
        if error:
            QMessageBox.warning(self, "Cannot save", error)
            return
        if kind == "experiment":
            self.session.mark_clean()
            self.opened_from = ""
            self._saved_epoch = self._drawn.snapshot.epoch if self._drawn else 0
            self._remember(path)
            self._update_title()
        self.statusBar().showMessage(f"saved {path}", 4000)

    # ---------------------------------------------------------------- autosave
    def autosave(self) -> None:
        if not self.dirty:
            return
        try:
            os.makedirs(os.path.dirname(self.recovery_path), exist_ok=True)
        except OSError as exc:
            self.on_written(self.recovery_path, "experiment", f"cannot create "
                            f"{os.path.dirname(self.recovery_path)}: {exc.strerror}")
            return
        self._write(self.recovery_path, "experiment", wait=False)

    def recovery_available(self) -> bool:
        return os.path.exists(self.recovery_path)

    def offer_recovery(self) -> bool:
        """After a crash: offer the autosaved experiment (called by the app at start)."""
        if not self.recovery_available():
            return False
        answer = QMessageBox.question(self, "Recover", "playground did not close normally last "
                                      "time. Open the autosaved experiment?")
        restored = answer == QMessageBox.StandardButton.Yes and self.load_path(
            self.recovery_path, remember=False)
        if restored:
            self.mark_dirty()
        return restored

    def discard_recovery(self) -> None:
        if os.path.exists(self.recovery_path):
            os.remove(self.recovery_path)

    # ---------------------------------------------------------------- import
    def import_csv(self) -> None:
        from ..core.datasets import load_csv

        path, _ = QFileDialog.getOpenFileName(self, "Import CSV", "", "CSV (*.csv *.txt)")
        if not path:
            return
        problem = "regression" if self.experiment.data.problem == "regression" else "classification"
        try:
            points = load_csv(path, problem)
        except PlaygroundError as exc:
            QMessageBox.warning(self, "Cannot import", f"{path}:\n{exc}")
            return
        self.qs.set_many({"data.points": points, "data.generator": "points"},
                         f"import {os.path.basename(path)}")
