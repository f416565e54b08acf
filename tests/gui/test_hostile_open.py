"""Opening files from strangers in the window (issue #17): a title is only text, and a
failure while showing a checked file leaves the window as it was."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from playground.core.spec import Experiment


def test_a_title_with_markup_is_shown_as_text(qtbot, window, tmp_path):
    path = tmp_path / "img.json"
    path.write_text(Experiment(title='<img src="/dev/zero">', description="<b>x</b>").dumps())
    assert window.load_path(str(path))
    assert window.lesson.textFormat() == Qt.TextFormat.PlainText
    assert '<img src="/dev/zero">' in window.lesson.text()


def test_an_error_while_showing_a_file_leaves_the_window_as_it_was(qtbot, window, tmp_path,
                                                                  monkeypatch):
    before = window.experiment.copy()
    path = tmp_path / "other.json"
    path.write_text(Experiment(title="other").dumps())
    messages = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: messages.append(text))
    real = type(window)._show_experiment

    def fails_on_the_new_file(self, *args, **kwargs):
        if self.experiment.title == "other":
            raise RuntimeError("a widget refused the file")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(window), "_show_experiment", fails_on_the_new_file)
    assert not window.load_path(str(path))
    assert len(messages) == 1 and "a widget refused the file" in messages[0]
    assert window.experiment.to_json() == before.to_json() and window.path != str(path)
