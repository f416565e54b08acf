"""Data panel: the dataset gallery, noise, split, classes, problem type and input features."""

from __future__ import annotations

import functools

import numpy as np
from PySide6.QtCore import QSignalBlocker, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
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
from ...core.spec import DataSpec
from .. import colors
from ..session_qt import (
    QtSession,
    bind_choice_buttons,
    bind_combo,
    bind_slider,
    bind_spin,
    tooltip,
)

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


@functools.cache
def uses_classes(generator: str) -> bool:
    """Whether the class-count setting changes this generator's data (blobs and friends)."""
    try:
        two, five = (build_dataset(DataSpec(generator=generator, n_classes=n, n_points=60))
                     for n in (2, 5))
    except PlaygroundError:
        return False
    return len(np.unique(two.y)) != len(np.unique(five.y))


class DataPanel(QWidget):
    """The data section and the input features, bound to the session's field paths."""

    def __init__(self, qs: QtSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.qs = qs
        layout = QVBoxLayout(self)
        gallery_box = self.gallery_box = QGroupBox("Data")
        self.gallery = QGridLayout(gallery_box)
        self.gallery.setSpacing(3)
        self.dataset_buttons: dict[str, QToolButton] = {}
        # "points" (drawn or imported) shows, chosen, whenever there are points to choose
        for i, name in enumerate(GENERATORS):
            button = QToolButton()
            button.setToolTip(GENERATORS[name].label)
            button.setIconSize(QSize(THUMB, THUMB))
            button.setAccessibleName(name)
            self.gallery.addWidget(button, i // 4, i % 4)
            self.dataset_buttons[name] = button
        # Picking a dataset asks again which kind of problem it is (its own, by default).
        bind_choice_buttons(qs, self.dataset_buttons, "data.generator",
                            also=lambda _name: {"data.problem": "auto"})
        layout.addWidget(gallery_box)

        form_box = QGroupBox("Settings")
        form = self.form = QFormLayout(form_box)
        self.noise_label, self.ratio_label = QLabel(), QLabel()
        self.noise = bind_slider(qs, QSlider(Qt.Orientation.Horizontal), "data.noise", 0.05,
                                 lambda v: self.noise_label.setText(f"Noise {round(v * 100)}"))
        self.ratio = bind_slider(qs, QSlider(Qt.Orientation.Horizontal), "data.train_fraction",
                                 0.1, lambda v: self.ratio_label.setText(
                                     f"Training data {round(v * 100)}%"))
        self.validation_label = QLabel()
        self.validation = bind_slider(
            qs, QSlider(Qt.Orientation.Horizontal), "data.validation_fraction", 0.05,
            lambda v: self.validation_label.setText(f"Validation {round(v * 100)}%"))
        self.split_caption = QLabel()
        self.split_caption.setStyleSheet("color: #555;")
        self.split_caption.setWordWrap(True)  # never wider than the panel (presentation)
        self.positive_share = bind_spin(qs, QDoubleSpinBox(), "data.positive_share",
                                        decimals=2, special="dataset's own")
        self.positive_share.setSingleStep(0.05)
        self.classes = bind_spin(qs, QSpinBox(), "data.n_classes")
        self.n_points = bind_spin(qs, QSpinBox(), "data.n_points", special="dataset's own")
        self.n_points.setRange(0, 20000)  # 0, or 10 to 20,000 (the field's own check)
        self.n_points.setSingleStep(50)
        self.problem = bind_combo(qs, QComboBox(), "data.problem")
        self.half_width = bind_spin(qs, QDoubleSpinBox(), "data.domain_half_width", decimals=1,
                                    special="dataset's own")
        self.half_width.setSingleStep(0.5)
        self.seed = bind_spin(qs, QSpinBox(), "data.seed")
        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setObjectName("data.regenerate")
        self.regenerate.setToolTip("new random data (a new data.seed); the network is kept")
        form.addRow(self.noise_label, self.noise)
        form.addRow(self.ratio_label, self.ratio)
        form.addRow(self.validation_label, self.validation)
        form.addRow("", self.split_caption)
        form.addRow("Blue share", self.positive_share)
        form.addRow("Classes", self.classes)
        form.addRow("Points", self.n_points)
        form.addRow("Problem", self.problem)
        form.addRow("View ±", self.half_width)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.regenerate)
        form.addRow("Data seed", seed_row)
        layout.addWidget(form_box)

        features_box = self.features_box = QGroupBox("Features")
        grid = QGridLayout(features_box)
        self.feature_buttons: dict[str, QToolButton] = {}
        for i, (name, feat) in enumerate(FEATURES.items()):
            button = QToolButton()
            button.setObjectName(f"features={name}")
            button.setCheckable(True)
            button.setIcon(QIcon(feature_pixmap(name)))
            button.setIconSize(QSize(36, 36))
            button.setText(feat.label.split(" =")[0])  # "r", "θ": the formula is the tooltip
            button.setToolTip(feat.label)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.clicked.connect(lambda on, n=name: self._toggle_feature(n, on))
            grid.addWidget(button, i // 4, i % 4)
            self.feature_buttons[name] = button
        layout.addWidget(features_box)
        layout.addStretch(1)
        self.regenerate.clicked.connect(self._regenerate)
        qs.follow("features", self._show_features, self)
        qs.follow("data", self._data_changed, self)

    # --------------------------------------------------------------------- model -> view
    def _show_features(self) -> None:
        chosen = self.qs.get("features")
        image = GENERATORS[self.qs.get("data.generator")].group == "image"
        for name, button in self.feature_buttons.items():
            with QSignalBlocker(button):
                button.setChecked(name in chosen)
            button.setEnabled(not image)

    def _data_changed(self) -> None:
        self._show_features()
        generator = self.qs.get("data.generator")
        self.classes.setEnabled(uses_classes(generator))
        self.classes.setToolTip("" if self.classes.isEnabled() else
                                f"{GENERATORS[generator].label} has its own classes")
        d = self.qs.get("data")
        two_classes = GENERATORS[generator].problem == "binary" and generator != "points"
        self.positive_share.setEnabled(two_classes)
        self.positive_share.setToolTip(tooltip("data.positive_share") if two_classes else
                                       "only for generated two-class sets")
        test = 1.0 - d.train_fraction - d.validation_fraction
        self.split_caption.setText(f"train {d.train_fraction:.0%} · validation "
                                   f"{d.validation_fraction:.0%} · test {test:.0%}")
        key = (d.noise, d.seed, d.n_classes)
        if key != getattr(self, "_thumbs_for", None):
            self._thumbs_for = key
            self.refresh_thumbnails()
        else:
            self._show_points_thumbnail()

    def refresh_thumbnails(self) -> None:
        """Thumbnails follow the current noise, class count and seed ("live")."""
        d = self.qs.get("data")
        for name, button in self.dataset_buttons.items():
            if name == "points":
                continue  # drawn from the experiment's own table, below
            spec = DataSpec(generator=name, noise=d.noise, seed=d.seed, n_classes=d.n_classes)
            try:
                button.setIcon(QIcon(dataset_thumbnail(spec)))
            except PlaygroundError:
                button.setEnabled(False)
        self._show_points_thumbnail()

    def _show_points_thumbnail(self) -> None:
        """The points drawn (on either tab) or imported, as a choice of their own."""
        points = self.qs.get("data.points")
        button = self.dataset_buttons["points"]
        button.setVisible(bool(points) or self.qs.get("data.generator") == "points")
        if points != getattr(self, "_points_drawn", None):
            self._points_drawn = [list(row) for row in points]
            button.setIcon(QIcon(dataset_thumbnail(DataSpec(generator="points", points=points))
                                 if points else _pixmap(np.full((THUMB, THUMB, 4), 255,
                                                                np.uint8))))

    # --------------------------------------------------------------------- view -> model
    def _toggle_feature(self, name: str, on: bool) -> None:
        current = list(self.qs.get("features"))
        chosen = [n for n in FEATURES if (n in current) != (n == name)] if on != (
            name in current) else current
        if not chosen:
            self.qs.refused.emit("features: choose at least one input feature")
            self._show_features()
            return
        self.qs.set("features", chosen,
                    f"{'add' if on else 'remove'} feature {FEATURES[name].label.split(' =')[0]}")

    def _regenerate(self) -> None:
        self.qs.set("data.seed", int(np.random.default_rng().integers(0, 2**31 - 1)),
                    "regenerate the data")
