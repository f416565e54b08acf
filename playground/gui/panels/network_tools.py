"""Network editing tools around the network view: TF Playground's quick controls (hidden layers
and neurons, + and -), templates, undo/redo, and an inspector for the selected block that shows
each choice's formula. Every edit is a command on the graph model (core/commands.py)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from ...core import commands as C
from ...core.catalog import ACTIVATIONS, HIDDEN_ACTIVATIONS, INITS, LOSSES
from ...core.graph import BLOCKS, MAX_UNITS, Graph
from ...core.session import template_graph
from ..input_guard import guard
from .flow_layout import FlowLayout


class Palette(QListWidget):
    """The blocks to drag onto the canvas (or double-click: placed at the right end)."""

    add_block = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setDragEnabled(True)
        self.setSpacing(2)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip("drag a block onto the network")
        for name, kind in BLOCKS.items():
            item = QListWidgetItem(kind.label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.addItem(item)
        self._fit_to_font()
        self.itemDoubleClicked.connect(
            lambda item: self.add_block.emit(item.data(Qt.ItemDataRole.UserRole)))

    def _fit_to_font(self) -> None:
        """As wide as the longest block name in the current font (presentation mode's large
        type clipped "BatchNorm" in a fixed 92 px)."""
        metrics = QFontMetrics(self.font())
        text = max(metrics.horizontalAdvance(self.item(i).text()) for i in range(self.count()))
        row = QSize(text + 16, metrics.height() + 8)
        for i in range(self.count()):
            self.item(i).setSizeHint(row)
        self.setFixedWidth(row.width() + 2 * self.frameWidth() + 2 * self.spacing() + 4)

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_to_font()

    def mimeData(self, items) -> QMimeData:
        from ..views.network_view import BLOCK_MIME

        data = QMimeData()
        data.setData(BLOCK_MIME, items[0].data(Qt.ItemDataRole.UserRole).encode())
        return data


MAX_HIDDEN_LAYERS = 12  # the header's + stops here


def layers_text(count: int | None) -> str:
    """The header's count of hidden layers (None: a network that is no plain chain)."""
    if count is None:
        return "custom network"
    return f"{count} hidden layer{'' if count == 1 else 's'}"


class LayerCount(QLabel):
    """The count between the header's − and +, always as wide as its widest text: a count
    that grew ("9" to "10", or "custom network") pushed the + from under the pointer, and the
    user's next click landed on the templates."""

    def sizeHint(self) -> QSize:  # noqa: N802
        metrics = QFontMetrics(self.font())
        widest = max(metrics.horizontalAdvance(layers_text(n))
                     for n in (None, *range(MAX_HIDDEN_LAYERS + 1)))
        hint = super().sizeHint()
        margins = self.contentsMargins()
        return QSize(widest + margins.left() + margins.right() + 2 * self.margin() + 4,
                     hint.height())

    minimumSizeHint = sizeHint  # noqa: N815


class NetworkHeader(QWidget):
    command = Signal(object)  # a Command to apply
    undo = Signal()
    redo = Signal()
    auto_layout = Signal()
    fit = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = FlowLayout(self)  # wraps in presentation type rather than widen the window
        row.setContentsMargins(2, 0, 2, 0)
        self.less = QToolButton(text="−")
        self.more = QToolButton(text="+")
        self.layers = LayerCount(layers_text(2))
        self.layers.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.less.setToolTip("remove the last hidden layer")
        self.more.setToolTip("add a hidden layer (a copy of the last)")
        self.template = QComboBox()
        self.template.addItem("Templates…", "")
        for key, (label, _) in C.TEMPLATES.items():
            self.template.addItem(label, key)
        self.template.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.template.setMinimumContentsLength(10)
        self.undo_button = QToolButton(text="↶")
        self.redo_button = QToolButton(text="↷")
        self.undo_button.setToolTip("Undo (Ctrl+Z)")
        self.redo_button.setToolTip("Redo (Ctrl+Shift+Z or Ctrl+Y)")
        self.layout_button = QToolButton(text="Layout")
        self.layout_button.setToolTip("lay the blocks out left to right")
        self.fit_button = QToolButton(text="Fit")
        for group in ((self.less, self.layers, self.more), (self.template,),
                      (self.undo_button, self.redo_button, self.layout_button, self.fit_button)):
            holder = QWidget()
            line = QHBoxLayout(holder)
            line.setContentsMargins(0, 0, 0, 0)
            for w in group:
                line.addWidget(w)
            row.addWidget(holder)
        self.layout_button.clicked.connect(self.auto_layout)
        self.fit_button.clicked.connect(self.fit)
        self._graph = Graph()
        self.problem = "binary"  # the data's kind of problem: templates get its output
        self.less.clicked.connect(lambda: self._layers(-1))
        self.more.clicked.connect(lambda: self._layers(+1))
        self.template.activated.connect(self._template)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)

    def set_graph(self, graph: Graph, can_undo: bool, can_redo: bool) -> None:
        self._graph = graph
        chain = graph.dense_chain()
        plain = chain is not None
        self.less.setEnabled(plain and bool(chain))
        self.more.setEnabled(plain and len(chain or []) < MAX_HIDDEN_LAYERS)
        self.layers.setText(layers_text(len(chain) if plain else None))
        self.undo_button.setEnabled(can_undo)
        self.redo_button.setEnabled(can_redo)

    def _layers(self, delta: int) -> None:
        count = len(self._graph.dense_chain() or []) + delta
        new = C.with_hidden_layers(self._graph, count)
        self.command.emit(C.Replace(new.to_json(), label=f"{count} hidden layers"))

    def _template(self, index: int) -> None:
        key = self.template.itemData(index)
        self.template.setCurrentIndex(0)
        if key:
            label, make = C.TEMPLATES[key]
            graph = template_graph(make(), self.problem)  # no tanh output on a regression
            self.command.emit(C.Replace(graph.to_json(), label=label, template=True))


class Inspector(QGroupBox):
    """The parameters of the selected block, each with the formula it stands for."""

    command = Signal(object)
    weights_requested = Signal(str)  # the block whose weight table to open

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Block", parent)
        self.form = QFormLayout(self)
        self.node_id: str | None = None
        self.show_node(None, None)

    def _clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)

    def show_node(self, graph: Graph | None, node_id: str | None) -> None:
        self._clear()
        self.node_id = node_id
        if graph is None or node_id not in graph.nodes:
            self.setTitle("Block")
            self.form.addRow(QLabel("Click a block's title to inspect it."))
            return
        node = graph.nodes[node_id]
        self.setTitle(f"{BLOCKS[node.type].label}: {node_id}")
        if node.type == "dense":
            units = QSpinBox()
            units.setRange(1, MAX_UNITS)
            units.setValue(int(node.param("units")))
            units.editingFinished.connect(lambda: self._set({"units": units.value()}))
            self.form.addRow("Units", guard(units))
        if node.type in ("dense", "activation", "output"):
            names = list(ACTIVATIONS) if node.type == "output" else HIDDEN_ACTIVATIONS
            self._choice("Activation", "activation", names, ACTIVATIONS, node.param("activation"))
            entry = ACTIVATIONS[node.param("activation")]
            for p in entry.params:
                self._number(p.name, node.params.get(p.name, p.default), p.lo, p.hi, p.doc,
                             p.integer)
        if node.type == "output":
            self._choice("Loss", "loss", list(LOSSES), LOSSES, node.param("loss"))
        if node.type in ("dense", "output"):
            self._choice("Init", "init", list(INITS), INITS, node.param("init"))
            for p in INITS[node.param("init")].params:  # σ of the chosen-scale normal
                self._number(p.name, node.params.get(p.name, p.default), p.lo, p.hi, p.doc,
                             p.integer)
            bias = QCheckBox("bias")
            bias.setChecked(bool(node.param("bias")))
            bias.toggled.connect(lambda on: self._set({"bias": on}))
            weights = QPushButton("Weights and biases…")
            weights.setObjectName("inspector.weights")
            weights.setToolTip("see and edit every weight of this block (a double-click on "
                               "an edge or a unit edits one)")
            weights.clicked.connect(lambda: self.weights_requested.emit(node_id))
            self.form.addRow(bias, weights)
        if node.type == "dropout":
            self._number("keep_prob", node.param("keep_prob"), 0.05, 1.0,
                         "keep each unit with probability p (×1/p in training)")
        if node.type == "batchnorm":
            self._number("momentum", node.param("momentum"), 0.0, 1.0, "of the running averages")

    def _choice(self, label: str, key: str, names: list[str], table: dict, current: str) -> None:
        combo = QComboBox()
        for name in names:
            combo.addItem(table[name].label, name)
        combo.setCurrentIndex(combo.findData(current))
        formula = QLabel(table[current].formula)
        formula.setStyleSheet("color: #555;")
        formula.setWordWrap(True)
        combo.activated.connect(lambda i: self._set({key: combo.itemData(i)}))
        self.form.addRow(label, guard(combo))
        self.form.addRow("", formula)

    def _number(self, key: str, value: float, lo, hi, doc: str, integer: bool = False) -> None:
        box = QSpinBox() if integer else QDoubleSpinBox()
        box.setRange(int(lo) if integer else lo, int(hi) if integer else hi)
        if not integer:
            box.setDecimals(3)
            box.setSingleStep(0.01)
        box.setValue(int(value) if integer else float(value))
        box.setToolTip(doc)
        box.editingFinished.connect(lambda: self._set({key: box.value()}))
        self.form.addRow(key, guard(box))

    def _set(self, params: dict) -> None:
        if self.node_id is not None:
            self.command.emit(C.SetParams(self.node_id, params, label=f"change {self.node_id}"))
