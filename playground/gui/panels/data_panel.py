"""Data panel: the dataset gallery, noise, split, classes, problem type and input features."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.datasets import GENERATORS, TF_DOMAIN, build_dataset
from ...core.errors import PlaygroundError
from ...core.features import FEATURES, transform
from ...core.snapshot import grid_points
from ...core.spec import DataSpec, Experiment
from .. import colors

THUMB = 56


def _pixmap(rgba: np.ndarray) -> QPixmap:
    rgba = np.ascontiguousarray(rgba)
    h, w = rgba.shape[:2]
    return QPixmap.fromImage(QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy())


def dataset_thumbnail(data: DataSpec, size: int = THUMB) -> QPixmap:
    """The dataset's points (or first digit) drawn small, coloured by class or value."""
    ds = build_dataset(data)
    img = np.full((size, size, 4), 255, np.uint8)
    if not ds.is_2d:
        digit = ds.x[0].reshape(8, 8)
        grey = (255 - digit * 255).astype(np.uint8)
        img[..., :3] = np.kron(grey, np.ones((size // 8 + 1, size // 8 + 1)))[:size, :size, None]
        return _pixmap(img)
    x0, x1, y0, y1 = ds.domain
    px = np.clip(((ds.x[:, 0] - x0) / (x1 - x0) * (size - 2)).astype(int), 0, size - 2)
    py = np.clip(((y1 - ds.x[:, 1]) / (y1 - y0) * (size - 2)).astype(int), 0, size - 2)
    if ds.problem == "regression":
        rgba = colors.map_values(ds.y[None, :])[0]
    else:
        rgba = np.concatenate([colors.class_brushes(ds.y), np.full((len(ds.y), 1), 255)],
                              axis=1).astype(np.uint8)
    for dy in (0, 1):
        for dx in (0, 1):
            img[py + dy, px + dx] = rgba
    return _pixmap(img)


def feature_pixmap(name: str, size: int = 40) -> QPixmap:
    values = transform(grid_points(TF_DOMAIN, size), [name])[:, 0].reshape(size, size)
    scale = float(np.abs(values).max()) or 1.0
    return _pixmap(colors.map_values(np.flipud(values) / scale))


class DataPanel(QWidget):
    """Edits the data section and the features of an experiment; emits the edited copy."""

    changed = Signal(object)  # a new Experiment (the window rebuilds from it)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._exp = Experiment()
        self._updating = False
        layout = QVBoxLayout(self)
        gallery_box = self.gallery_box = QGroupBox("Data")
        self.gallery = QGridLayout(gallery_box)
        self.gallery.setSpacing(3)
        self.dataset_buttons: dict[str, QToolButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        names = [n for n in GENERATORS if n != "points"]
        for i, name in enumerate(names):
            button = QToolButton()
            button.setCheckable(True)
            button.setToolTip(GENERATORS[name].label)
            button.setIconSize(QSize(THUMB, THUMB))
            button.setAccessibleName(name)
            button.clicked.connect(lambda _=False, n=name: self._pick(n))
            self._group.addButton(button)
            self.gallery.addWidget(button, i // 4, i % 4)
            self.dataset_buttons[name] = button
        layout.addWidget(gallery_box)

        form_box = QGroupBox("Settings")
        form = self.form = QFormLayout(form_box)
        self.noise = QSlider(Qt.Orientation.Horizontal)
        self.noise.setRange(0, 50)
        self.noise.setSingleStep(5)
        self.noise.setPageStep(5)
        self.noise_label = QLabel()
        self.ratio = QSlider(Qt.Orientation.Horizontal)
        self.ratio.setRange(1, 9)
        self.ratio_label = QLabel()
        self.classes = QSpinBox()
        self.classes.setRange(2, 8)
        self.problem = QComboBox()
        self.problem.addItems(["auto", "classification", "regression"])
        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setToolTip("new random data (new seed); the network is kept")
        form.addRow(self.noise_label, self.noise)
        form.addRow(self.ratio_label, self.ratio)
        form.addRow("Classes", self.classes)
        form.addRow("Problem", self.problem)
        form.addRow(self.regenerate)
        layout.addWidget(form_box)

        features_box = self.features_box = QGroupBox("Features")
        grid = QGridLayout(features_box)
        self.feature_buttons: dict[str, QToolButton] = {}
        for i, (name, feat) in enumerate(FEATURES.items()):
            button = QToolButton()
            button.setCheckable(True)
            button.setIcon(QIcon(feature_pixmap(name)))
            button.setIconSize(QSize(36, 36))
            button.setText(feat.label.split(" =")[0])  # "r", "θ": the formula is the tooltip
            button.setToolTip(feat.label)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.toggled.connect(self._features_changed)
            grid.addWidget(button, i // 4, i % 4)
            self.feature_buttons[name] = button
        layout.addWidget(features_box)
        layout.addStretch(1)

        self.noise.valueChanged.connect(self._settings_changed)
        self.ratio.valueChanged.connect(self._settings_changed)
        self.classes.valueChanged.connect(self._settings_changed)
        self.problem.currentTextChanged.connect(self._settings_changed)
        self.regenerate.clicked.connect(self._regenerate)

    # --------------------------------------------------------------------- model -> view
    def set_experiment(self, exp: Experiment) -> None:
        self._updating = True
        try:
            self._exp = exp.copy()
            d = exp.data
            if d.generator in self.dataset_buttons:
                self.dataset_buttons[d.generator].setChecked(True)
            self.noise.setValue(round(d.noise * 100))
            self.ratio.setValue(round(d.train_fraction * 10))
            self.classes.setValue(d.n_classes)
            self.problem.setCurrentText(d.problem)
            self._labels()
            image = GENERATORS[d.generator].group == "image"
            for name, button in self.feature_buttons.items():
                button.setChecked(name in exp.features)
                button.setEnabled(not image)
            self.refresh_thumbnails()
        finally:
            self._updating = False

    def refresh_thumbnails(self) -> None:
        """Thumbnails follow the current noise, class count and seed ("live")."""
        d = self._exp.data
        for name, button in self.dataset_buttons.items():
            spec = DataSpec(generator=name, noise=d.noise, seed=d.seed, n_classes=d.n_classes)
            try:
                button.setIcon(QIcon(dataset_thumbnail(spec)))
            except PlaygroundError:
                button.setEnabled(False)

    def _labels(self) -> None:
        self.noise_label.setText(f"Noise {self.noise.value()}")
        self.ratio_label.setText(f"Training data {self.ratio.value() * 10}%")

    # --------------------------------------------------------------------- view -> model
    def _emit(self, exp: Experiment) -> None:
        self._exp = exp
        self.changed.emit(exp.copy())

    def _pick(self, name: str) -> None:
        exp = self._exp.copy()
        exp.data.generator = name
        exp.data.problem = "auto"
        self._updating = True
        self.problem.setCurrentText("auto")
        self._updating = False
        self._emit(exp)

    def _settings_changed(self, *_) -> None:
        self._labels()
        if self._updating:
            return
        exp = self._exp.copy()
        before = (exp.data.noise, exp.data.n_classes)
        exp.data.noise = self.noise.value() / 100.0
        exp.data.train_fraction = self.ratio.value() / 10.0
        exp.data.n_classes = self.classes.value()
        exp.data.problem = self.problem.currentText()
        self._emit(exp)
        if before != (exp.data.noise, exp.data.n_classes):
            self.refresh_thumbnails()

    def _features_changed(self, *_) -> None:
        if self._updating:
            return
        chosen = [n for n, b in self.feature_buttons.items() if b.isChecked()]
        if not chosen:  # at least one input: undo the last untick
            self._updating = True
            self.feature_buttons[self._exp.features[0]].setChecked(True)
            self._updating = False
            return
        exp = self._exp.copy()
        exp.features = chosen
        self._emit(exp)

    def _regenerate(self) -> None:
        exp = self._exp.copy()
        exp.data.seed = int(np.random.default_rng().integers(0, 2**31 - 1))
        self._emit(exp)
        self.refresh_thumbnails()
