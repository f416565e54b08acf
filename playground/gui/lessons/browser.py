"""The lesson browser (File > Lessons, and on first start): cards grouped by topic.

Each card shows a thumbnail of the lesson's data, its title, the one-line goal, the topic and
the section of the notes it comes from. Opening a lesson hands over an untitled copy (its path
is empty), so Save asks for a new name and the shipped file is never overwritten.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core import files
from ...core.datasets import build_dataset
from ...core.errors import PlaygroundError
from ...core.lessons import source_in_words
from ...core.spec import CLUSTER_METRICS, LESSON_TOPICS, Experiment
from .. import colors

LESSONS_FOLDER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))), "examples")
THUMB = 96
COLUMNS = 3
OFFERED_KEY = "lessons/offered_on_first_start"


def offer_on_first_start(settings: QSettings) -> bool:
    """True the first time the app starts with these settings (show the browser then), and
    never again: the window calls this once at start-up."""
    if settings.value(OFFERED_KEY, False, type=bool):
        return False
    settings.setValue(OFFERED_KEY, True)
    settings.sync()
    return True


def find_lessons(folder: str = LESSONS_FOLDER) -> tuple[list[tuple[str, Experiment]], list[str]]:
    """Every lesson file in `folder`, in file-name order, and a note for each that would not
    load (a broken file is listed, never a reason to refuse the others)."""
    found, problems = [], []
    names = sorted(n for n in os.listdir(folder) if n.endswith(".json")) \
        if os.path.isdir(folder) else []
    for name in names:
        path = os.path.join(folder, name)
        try:
            found.append((path, files.load_experiment(path).experiment))
        except PlaygroundError as exc:
            problems.append(f"{name}: {exc}")
    return found, problems


def thumbnail(experiment: Experiment, size: int = THUMB) -> QPixmap:
    """The lesson's points drawn small, coloured by class or value (a digit for images)."""
    img = np.full((size, size, 4), 255, np.uint8)
    try:
        ds = build_dataset(experiment.data)
    except PlaygroundError:
        return _pixmap(img)
    if not ds.is_2d:
        digit = ds.x[0].reshape(ds.image_shape or (8, 8))
        grey = (255 - np.clip(digit, 0, 1) * 255).astype(np.uint8)
        cell = size // grey.shape[0]
        img[: cell * grey.shape[0], : cell * grey.shape[1], :3] = np.kron(
            grey, np.ones((cell, cell), np.uint8))[..., None]
        return _pixmap(img)
    x0, x1, y0, y1 = ds.domain
    px = np.clip(((ds.x[:, 0] - x0) / (x1 - x0) * (size - 3)).astype(int), 0, size - 3)
    py = np.clip(((y1 - ds.x[:, 1]) / (y1 - y0) * (size - 3)).astype(int), 0, size - 3)
    if ds.problem == "regression":
        rgba = colors.map_values(ds.y[None, :])[0]
    else:
        rgb = colors.CLASS_COLORS[ds.y % len(colors.CLASS_COLORS)].astype(np.uint8)
        rgba = np.concatenate([rgb, np.full((len(ds.y), 1), 255, np.uint8)], axis=1)
    dot = 6 if len(ds.x) < 50 else 2
    for dy in range(dot):
        for dx in range(dot):
            img[py + dy, px + dx] = rgba
    return _pixmap(img)


def _pixmap(rgba: np.ndarray) -> QPixmap:
    rgba = np.ascontiguousarray(rgba)
    h, w = rgba.shape[:2]
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(image.copy())  # copy: the array dies with this frame


class LessonCard(QFrame):
    """One lesson: thumbnail, title, goal, topic and source, and an Open button."""

    def __init__(self, key: str, experiment: Experiment, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"lesson.card={key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        meta = experiment.lesson
        picture = QLabel()
        picture.setPixmap(thumbnail(experiment))
        picture.setFixedSize(THUMB, THUMB)
        title = QLabel(f"<b>{_html(experiment.title)}</b>"
                       + (" · guided" if meta.steps else ""))
        goal = QLabel(_html(meta.goal or experiment.description.split(". ")[0]))
        where = QLabel(f"<small>{_html(meta.topic or 'Other')} · "
                       f"{_html(source_in_words(meta.source) if meta.source else 'no source named')}</small>")
        for label in (title, goal, where):
            label.setWordWrap(True)
        where.setStyleSheet("color: #666")
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName(f"lesson.open={key}")
        self.open_button.setToolTip(experiment.description)
        grid = QGridLayout(self)
        grid.addWidget(picture, 0, 0, 4, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(title, 0, 1)
        grid.addWidget(goal, 1, 1)
        grid.addWidget(where, 2, 1)
        grid.addWidget(self.open_button, 3, 1, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class LessonBrowser(QDialog):
    """Pick a lesson; `lesson_chosen` carries an untitled `files.LoadedExperiment`."""

    lesson_chosen = Signal(object)
    path_chosen = Signal(str)  # the shipped file picked (the window opens it as a copy)

    def __init__(self, folder: str = LESSONS_FOLDER, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lesson.browser")
        self.setWindowTitle("Lessons")
        self.resize(1000, 700)
        self.folder = folder
        self.chosen: files.LoadedExperiment | None = None
        self.cards: dict[str, LessonCard] = {}
        lessons, problems = find_lessons(folder)
        body = QWidget()
        column = QVBoxLayout(body)
        order = {t: i for i, t in enumerate(LESSON_TOPICS)}
        topics = sorted({e.lesson.topic for _, e in lessons},
                        key=lambda t: order.get(t, len(order)))
        # (topic, heading, grid, [(card, the words a search looks in)])
        self._sections: list[tuple[str, QLabel, QGridLayout, list]] = []
        for topic in topics:
            heading = QLabel(f"<h3>{_html(topic or 'Other')}</h3>")
            heading.setObjectName(f"lesson.topic={topic or 'Other'}")
            column.addWidget(heading)
            grid = QGridLayout()
            members = []
            for path, exp in ((p, e) for p, e in lessons if e.lesson.topic == topic):
                key = os.path.splitext(os.path.basename(path))[0]
                card = LessonCard(key, exp)
                card.open_button.clicked.connect(
                    lambda _=False, p=path: self.open_lesson(p))
                self.cards[key] = card
                words = " ".join([key, exp.title, exp.lesson.goal, exp.description,
                                  topic or "Other", source_in_words(exp.lesson.source)
                                  if exp.lesson.source else "", exp.clustering.algorithm
                                  if exp.outcome.metric in CLUSTER_METRICS else ""]).lower()
                members.append((card, words))
            for c in range(COLUMNS):  # equal columns, however many cards a topic has
                grid.setColumnStretch(c, 1)
            column.addLayout(grid)
            self._sections.append((topic, heading, grid, members))
        if problems:
            note = QLabel("Not shown:\n" + "\n".join(problems))
            note.setObjectName("lesson.problems")
            note.setWordWrap(True)
            column.addWidget(note)
        if not lessons:
            column.addWidget(QLabel(f"No lessons found in {folder}."))
        column.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        # Finding a lesson among 50+: words to look for (title, goal, text, topic and the
        # notes' section named on the card), and a jump to a topic (reaching
        # the DBSCAN cards took a new user ~50 wheel clicks and a scrollbar drag).
        self.search = QLineEdit()
        self.search.setObjectName("lesson.search")
        self.search.setPlaceholderText("Find a lesson: words of its title, goal or topic "
                                       "(e.g. dbscan, overfitting, adam)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._place_cards)
        self.topic = QComboBox()
        self.topic.setObjectName("lesson.jump")
        self.topic.addItem("Go to topic…", "")
        for topic in topics:
            self.topic.addItem(topic or "Other", topic or "Other")
        self.topic.activated.connect(self._jump)
        self.count = QLabel()
        self.count.setObjectName("lesson.count")
        finder = QHBoxLayout()
        finder.addWidget(self.search, 1)
        finder.addWidget(self.topic)
        finder.addWidget(self.count)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(finder)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self._place_cards("")
        self.search.setFocus()

    @Slot(str)
    def _place_cards(self, text: str) -> None:
        """The cards whose words hold every word typed, each topic's packed in its grid (a
        topic without any hides its heading)."""
        wanted = text.lower().split()
        shown = 0
        for _topic, heading, grid, members in self._sections:
            for card, _ in members:
                grid.removeWidget(card)
                card.hide()
            matching = [card for card, words in members if all(w in words for w in wanted)]
            for i, card in enumerate(matching):
                grid.addWidget(card, i // COLUMNS, i % COLUMNS)
                card.show()
            heading.setVisible(bool(matching))
            shown += len(matching)
        total = sum(len(m) for *_, m in self._sections)
        self.count.setText(f"{shown} of {total}" if wanted else f"{total} lessons")

    @Slot(int)
    def _jump(self, index: int) -> None:
        """Scroll the topic's heading to the top (the search is cleared: it may hide it)."""
        topic = self.topic.itemData(index)
        self.topic.setCurrentIndex(0)
        if not topic:
            return
        if self.search.text():
            self.search.clear()
        heading = self.findChild(QLabel, f"lesson.topic={topic}")
        if heading is not None:
            self.scroll.widget().layout().activate()
            self.scroll.verticalScrollBar().setValue(heading.y())

    @Slot(str)
    def open_lesson(self, path: str) -> files.LoadedExperiment:
        """Load the lesson as an untitled copy, announce it and close the dialog."""
        self.path_chosen.emit(path)
        loaded = files.load_experiment(path)
        self.chosen = files.LoadedExperiment(loaded.experiment, loaded.state, path="")
        self.lesson_chosen.emit(self.chosen)
        self.accept()
        return self.chosen
