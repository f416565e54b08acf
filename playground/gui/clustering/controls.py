"""The clustering lab's controls, each bound to its field path on the session (the control's
objectName is the path; range, choices and tooltip come from the field's metadata)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.clustering.hierarchical import LINKAGES
from ...core.clustering.kmeans import INITS
from ...core.clustering.meanshift import KERNELS
from ...core.datasets import GENERATORS
from ..session_qt import QtSession, bind_combo, bind_spin

ALGORITHMS = [("k-means", "kmeans"), ("Mean shift", "meanshift"),
              ("Hierarchical", "hierarchical"), ("DBSCAN", "dbscan")]
INIT_LABELS = {"manual": "click to place", "random_points": "random data points",
               "random_positions": "random positions", "random_assignment": "random assignment",
               "farthest": "farthest point", "kmeans++": "k-means++"}
EPS_STEP = 0.02  # the eps slider's step, as in the DBSCAN demo
EPS_SLIDER_MAX = 5.0  # the slider's reach; the spin box takes any eps the file allows
STATUS_LINES = 3  # the explanation's fixed room: the longest one-step texts take three lines


class ControlColumn(QScrollArea):
    """The left column. It scrolls rather than squeezing its groups (a squeezed group clips
    its hints) and asks for the width its widest control needs at the current font, so
    presentation mode's large type widens it instead of clipping button texts."""

    def __init__(self, content: QWidget):
        super().__init__()
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # a new font: the splitter gives the new width
        return False

    def _width(self, inner: int) -> int:
        return inner + self.verticalScrollBar().sizeHint().width()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self._width(self.widget().minimumSizeHint().width()), 120)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = self.widget().sizeHint()
        return QSize(self._width(hint.width()), hint.height())


class SettingsPages(QStackedWidget):
    """One page of settings per algorithm, always as tall as the tallest page at the width
    given (Qt's own stack asks only the shown page when one wraps text): switching the
    algorithm never moves the controls below."""

    def _pages(self) -> list[QWidget]:
        return [self.widget(i) for i in range(self.count())]

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return max((p.heightForWidth(width) if p.hasHeightForWidth() else p.sizeHint().height()
                    for p in self._pages()), default=0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = super().sizeHint().width()
        return QSize(width, self.heightForWidth(width))


class StatusText(QScrollArea):
    """The step's explanation in a room of fixed height (STATUS_LINES lines of the current
    font): a longer or shorter text never moves the controls around it, and a rare longer
    one (an error) scrolls inside it."""

    def __init__(self, lines: int = STATUS_LINES):
        super().__init__()
        self.lines = lines
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote a file's text
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setAutoFillBackground(False)  # text on the group's own background
        self.label.setAutoFillBackground(False)
        self._fit()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    def _fit(self) -> None:
        margins = self.label.contentsMargins()
        self.setFixedHeight(self.label.fontMetrics().lineSpacing() * self.lines
                            + margins.top() + margins.bottom() + 2)


def build_controls(lab, qs: QtSession) -> ControlColumn:
    """The left column: data, algorithm and its settings, steps, painting."""
    column = QVBoxLayout()
    box = QGroupBox("Algorithm")
    form = QFormLayout(box)
    lab.dataset = bind_combo(qs, QComboBox(), "data.generator",
                             [(g.label, name) for name, g in GENERATORS.items()
                              if g.group != "image"], also=lambda _: {"data.problem": "auto"})
    lab.algorithm = bind_combo(qs, QComboBox(), "clustering.algorithm", ALGORITHMS)
    lab.k = bind_spin(qs, QSpinBox(), "clustering.k")
    lab.k_label = QLabel("K")
    # Mean shift and DBSCAN find their number of clusters: the row says so instead of
    # vanishing, so that the controls below stay where they were clicked.
    lab.k_note = QLabel("found by the run")
    lab.k_note.setStyleSheet("color: #555;")
    lab.k_row = SettingsPages()
    lab.k_row.addWidget(lab.k)
    lab.k_row.addWidget(lab.k_note)
    form.addRow("Data", lab.dataset)
    form.addRow("Algorithm", lab.algorithm)
    form.addRow(lab.k_label, lab.k_row)
    lab.params = SettingsPages()
    for page in (_kmeans(lab, qs), _meanshift(lab, qs), _hierarchical(lab), _dbscan(lab, qs)):
        lab.params.addWidget(page)
    form.addRow(lab.params)
    column.addWidget(box)
    column.addWidget(_steps(lab))
    paint_box = QGroupBox("Draw data")
    paint_layout = QVBoxLayout(paint_box)
    paint_layout.addWidget(lab.paint_bar)
    lab.paint_note = _hint("")
    paint_layout.addWidget(lab.paint_note)
    column.addWidget(paint_box)
    column.addStretch(1)
    left = QWidget()
    left.setLayout(column)
    return ControlColumn(left)


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


def _kmeans(lab, qs) -> QWidget:
    page = QWidget()
    form = QFormLayout(page)
    lab.init = bind_combo(qs, QComboBox(), "clustering.init", [(INIT_LABELS[n], n) for n in INITS])
    lab.seed = bind_spin(qs, QSpinBox(), "clustering.seed")
    lab.elbow_button = QPushButton("Elbow and silhouette (K = 1..10)")
    lab.elbow_button.clicked.connect(lab.show_elbow)
    form.addRow("Start", lab.init)
    form.addRow("Seed", lab.seed)
    form.addRow(lab.elbow_button)
    form.addRow(_hint("On the plot: click adds a centre, right-click removes one, drag moves "
                      "it; Back undoes."))
    return page


def _meanshift(lab, qs) -> QWidget:
    page = QWidget()
    form = QFormLayout(page)
    lab.kernel = bind_combo(qs, QComboBox(), "clustering.kernel", [(k, k) for k in KERNELS])
    lab.bandwidth = bind_spin(qs, QDoubleSpinBox(), "clustering.bandwidth", decimals=2)
    estimate = QPushButton("Estimate")
    estimate.setToolTip("scikit-learn's estimate: mean distance to the 30 % nearest neighbour")
    estimate.clicked.connect(lab.estimate_bandwidth)
    row = QHBoxLayout()
    row.addWidget(lab.bandwidth)
    row.addWidget(estimate)
    form.addRow("Kernel", lab.kernel)
    form.addRow("Bandwidth", row)
    return page


def _hierarchical(lab) -> QWidget:
    page = QWidget()
    form = QFormLayout(page)
    lab.linkage = bind_combo(lab.qs, QComboBox(), "clustering.linkage",
                             [(k, k) for k in LINKAGES])
    form.addRow("Linkage", lab.linkage)
    form.addRow(_hint("Run to the end, then drag the cut on the dendrogram or set the "
                      "clusters above."))
    return page


def _dbscan(lab, qs) -> QWidget:
    page = QWidget()
    form = QFormLayout(page)
    lab.eps = bind_spin(qs, QDoubleSpinBox(), "clustering.eps", decimals=2)
    lab.eps.setSingleStep(EPS_STEP)
    lab.eps_slider = QSlider(Qt.Orientation.Horizontal)
    lab.eps_slider.setObjectName("clustering.eps slider")
    lab.eps_slider.setRange(1, round(EPS_SLIDER_MAX / EPS_STEP))
    lab.eps_slider.setToolTip("drag: the core points follow live; release to run")
    lab.eps_slider.valueChanged.connect(lab.eps_slider_moved)
    lab.eps_slider.sliderReleased.connect(
        lambda: qs.set("clustering.eps", round(lab.eps_slider.value() * EPS_STEP, 6)))

    def follow_eps() -> None:
        with QSignalBlocker(lab.eps_slider):
            lab.eps_slider.setValue(round(qs.get("clustering.eps") / EPS_STEP))

    qs.follow("clustering.eps", follow_eps, lab.eps_slider)
    lab.min_points = bind_spin(qs, QSpinBox(), "clustering.min_points")
    form.addRow("eps", lab.eps)
    form.addRow(lab.eps_slider)
    form.addRow("minPoints", lab.min_points)
    form.addRow(_hint("Dark: core, grey: border, white: noise; live as eps and minPoints "
                      "move."))
    return page


def _steps(lab) -> QGroupBox:
    box = QGroupBox("Steps")
    run = QVBoxLayout(box)
    row = QHBoxLayout()
    lab.back_button = QPushButton("◀ Back")
    lab.step_button = QPushButton("Step ▶")
    lab.play_button = QPushButton("▶ Play")
    for b in (lab.back_button, lab.step_button, lab.play_button):
        row.addWidget(b)
    run.addLayout(row)
    row2 = QHBoxLayout()
    lab.restart_button = QPushButton("⟲ Restart")
    lab.end_button = QPushButton("To the end")
    row2.addWidget(lab.restart_button)
    row2.addWidget(lab.end_button)
    run.addLayout(row2)
    lab.speed = QSlider(Qt.Orientation.Horizontal)
    lab.speed.setRange(1, 60)
    lab.speed.setValue(10)
    lab.speed.setToolTip("steps per second")
    speed_row = QHBoxLayout()
    speed_row.addWidget(QLabel("Speed"))
    speed_row.addWidget(lab.speed, 1)
    run.addLayout(speed_row)
    lab.animate = QCheckBox("Animate moves")
    lab.animate.setChecked(True)
    lab.animate.setToolTip("centres and windows glide to their new place (off above 4 steps "
                           "per second; a click skips)")
    lab.counter = QLabel("step 0")
    lab.counter.setStyleSheet("font-weight: bold;")  # its size follows the window's type
    status_row = QHBoxLayout()
    status_row.addWidget(lab.counter, 1)
    status_row.addWidget(lab.animate)
    run.addLayout(status_row)
    lab.status_box = StatusText()
    lab.explanation = lab.status_box.label
    run.addWidget(lab.status_box)
    lab.step_button.clicked.connect(lambda: lab.run_command("forward"))
    lab.back_button.clicked.connect(lab.back)
    lab.play_button.clicked.connect(lab.toggle_play)
    lab.restart_button.clicked.connect(lab.restart)
    lab.end_button.clicked.connect(lambda: lab.run_command("run_to_end"))
    lab.speed.valueChanged.connect(lambda v: lab.worker.post("interval", 1.0 / v))
    return box
