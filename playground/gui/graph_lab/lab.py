"""The Backprop tab: a formula's computational graph, stepped through forward then reverse.

The forward pass fills each operation's value (and its tangent along one chosen input: forward
mode); the reverse pass fills each node's adjoint dL/dξ as the sum over its children (reverse
mode). Next/Back walk one node at a time; the table beside the graph is the notes' table.
The arithmetic lives in core/compgraph.py; this widget only shows it.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QSignalBlocker, Slot
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core import compgraph
from playground.core.errors import PlaygroundError

from ..session_qt import QtSession
from .graph_view import GraphView, number

COLUMNS = ("node", "computed as", "value", "local derivatives", "tangent", "adjoint dL/dξ")


class GraphLab(QWidget):
    """Shows and edits `graph_lab` of the session's experiment (formula, input values, the
    tangent's input): every edit is one undoable step, and an undo shows at once."""

    def __init__(self, qs: QtSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("graph_lab")
        self.qs = qs
        self.graph: compgraph.CompGraph | None = None
        self.position = 0
        self._note = ""  # what an example says about itself, shown once it is on screen
        self._build_ui()
        qs.refused.connect(self._refused)
        qs.follow("graph_lab", self._follow_session, self)

    # ------------------------------------------------------------------------------ layout
    def _build_ui(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("f ="))
        self.expression = self._line("graph_lab.expression", "a formula, e.g. (x + y)*z")
        top.addWidget(self.expression, 3)
        top.addWidget(QLabel("at"))
        self.inputs = self._line("graph_lab.inputs", "x = -2, y = 5, z = -4")
        top.addWidget(self.inputs, 2)
        self.examples = QToolButton(text="Examples")
        self.examples.setObjectName("graph_lab.examples")
        self.examples.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.examples)
        for key, example in compgraph.EXAMPLES.items():
            action = QAction(example.title, self)
            action.setObjectName(f"graph_lab.example={key}")
            action.setToolTip(example.note)
            action.triggered.connect(lambda _=False, k=key: self.choose_example(k))
            menu.addAction(action)
        self.examples.setMenu(menu)
        top.addWidget(self.examples)
        self.message = QLabel(wordWrap=True, objectName="graph_lab.message")

        self.view = GraphView()
        self.table = QTableWidget(0, len(COLUMNS), objectName="graph_lab.table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for col, mode in enumerate(("ResizeToContents", "ResizeToContents", "ResizeToContents",
                                    "Stretch", "ResizeToContents", "Stretch")):
            header.setSectionResizeMode(col, getattr(QHeaderView.ResizeMode, mode))
        self.counts = QLabel(wordWrap=True, objectName="graph_lab.counts")
        self.check = QLabel(wordWrap=True, objectName="graph_lab.check")
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table, 1)
        column.addWidget(self.counts)
        column.addWidget(self.check)
        split = QSplitter()
        split.addWidget(self.view)
        split.addWidget(side)
        split.setSizes([560, 640])

        transport = QHBoxLayout()
        self.start = self._button("graph_lab.start", "|◀ Start", lambda: self.go_to(0))
        self.back = self._button("graph_lab.back", "◀ Back", lambda: self.go_to(self.position - 1))
        self.next = self._button("graph_lab.next", "Next ▶", lambda: self.go_to(self.position + 1))
        self.end = self._button("graph_lab.end", "End ▶|", lambda: self.go_to(self.last_step))
        self.step_text = QLabel(objectName="graph_lab.step")
        # long step texts must not widen the window: they are cut, not laid out
        self.step_text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.wrt = QComboBox(objectName="graph_lab.wrt")
        self.wrt.setToolTip("the input whose forward-mode tangent dξ/d(input) is shown")
        self.wrt.activated.connect(self._wrt_chosen)
        for widget in (self.start, self.back, self.next, self.end):
            transport.addWidget(widget)
        transport.addWidget(self.step_text, 1)
        transport.addWidget(QLabel("tangent along"))
        transport.addWidget(self.wrt)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        layout.addLayout(transport)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        line = QLineEdit(objectName=name, placeholderText=placeholder)
        line.returnPressed.connect(self.apply_typed)
        return line

    def _button(self, name: str, text: str, slot) -> QPushButton:
        button = QPushButton(text, objectName=name)
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------------------------ model
    def _follow_session(self) -> None:
        """Show the session's formula, values and tangent input (after an edit here, an undo,
        a file opened); the walk-through stays where it was when only the tangent changed."""
        lab = self.qs.get("graph_lab")
        shown = self.graph
        if shown is not None and (lab.expression, lab.inputs, lab.wrt) == (
                shown.expression.text, shown.inputs, shown.wrt):
            return
        with QSignalBlocker(self.expression), QSignalBlocker(self.inputs):
            self.expression.setText(lab.expression)
            self.inputs.setText(", ".join(f"{k} = {v:g}" for k, v in lab.inputs.items()))
        graph = compgraph.build(lab.expression, lab.inputs, lab.wrt or None)
        same_formula = shown is not None and (lab.expression, lab.inputs) == (
            shown.expression.text, shown.inputs)
        position = self.position
        self._show(graph, self._note or (self.message.text() if same_formula else ""))
        self._note = ""
        if same_formula:
            self.go_to(position)

    def choose_example(self, key: str) -> None:
        example = compgraph.EXAMPLES[key]
        self._note = f"<b>{example.title}</b>: {example.note}"
        self._edit(example.expression, dict(example.inputs), example.wrt,
                   f"example: {example.title}")

    @Slot()
    def apply_typed(self) -> None:
        """Use the typed formula at the typed values, or say what is wrong."""
        try:
            inputs = compgraph.parse_inputs(self.inputs.text())
        except PlaygroundError as exc:
            self._refuse(str(exc))
            return
        wrt = self.graph.wrt if self.graph and self.graph.wrt in inputs else None
        self._edit(self.expression.text(), inputs, wrt, "type a formula")

    def _edit(self, text: str, inputs: dict, wrt: str | None, label: str) -> None:
        try:  # the formula is checked here first, so the message can say what is wrong
            graph = compgraph.build(text, inputs, wrt)
        except PlaygroundError as exc:
            self._note = ""
            self._refuse(str(exc))
            return
        if not self.qs.set_many({"graph_lab.expression": text, "graph_lab.inputs": inputs,
                                 "graph_lab.wrt": graph.wrt}, label):
            self._follow_session()  # nothing changed: show what the session holds

    @Slot(str)
    def _refused(self, text: str) -> None:
        if text.startswith("graph_lab"):
            self._refuse(text)

    def _refuse(self, text: str) -> None:
        self.message.setStyleSheet("color: #b00020;")
        self.message.setText(html.escape(text, quote=False))  # it quotes what was typed

    @Slot(int)
    def _wrt_chosen(self, index: int) -> None:
        if self.graph is not None:
            self.qs.set("graph_lab.wrt", self.wrt.itemText(index), "choose the tangent's input")

    # ------------------------------------------------------------------------------ show
    def _show(self, graph: compgraph.CompGraph, note: str) -> None:
        self.graph = graph
        self.message.setStyleSheet("")
        self.message.setText(note)
        self.wrt.clear()
        self.wrt.addItems(list(graph.inputs))
        self.wrt.setCurrentText(graph.wrt)
        self.view.set_graph(graph)
        rows = [n for n in graph.nodes if n.op != "number"]
        self.rows = {n.index: r for r, n in enumerate(rows)}
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderItem(4, QTableWidgetItem(f"tangent dξ/d{graph.wrt}"))
        for r, n in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(n.name))
            self.table.setItem(r, 1, QTableWidgetItem(n.definition if n.operands else "input"))
        c = graph.counts
        self.counts.setText(
            f"<b>Cost of the whole gradient</b> ({c.inputs} inputs, N = {c.operations} "
            f"operations, E = {c.products} local-derivative products): forward mode, one sweep "
            f"per input: {c.inputs} × (N + E) = <b>{c.forward_mode}</b>; reverse mode, one "
            f"forward and one backward sweep: N + E = <b>{c.reverse_mode}</b>, whatever the "
            f"number of inputs (it keeps every value for the backward sweep).")
        self.check.setText(self._check_text(graph))
        self.go_to(0)

    @staticmethod
    def _check_text(graph: compgraph.CompGraph) -> str:
        ours = graph.gradient
        if not ours:
            return "The formula has no inputs: nothing to differentiate."
        auto = compgraph.autograd_gradient(graph)
        fd = compgraph.finite_difference_gradient(graph)
        worst = max(abs(ours[k] - auto[k]) for k in ours)
        worst_fd = max(abs(ours[k] - fd[k]) for k in ours)
        return (f"Checked: torch autograd differs by at most {worst:.1e}, central finite "
                f"differences by {worst_fd:.1e}.")

    @property
    def last_step(self) -> int:
        return len(self.graph.steps) if self.graph else 0

    def go_to(self, k: int) -> None:
        """Show the walk-through after its first k steps."""
        g = self.graph
        self.position = k = max(0, min(k, self.last_step))
        values, adjoints = g.filled(k)
        current = g.steps[k - 1] if k else None
        self.view.show_state(values, adjoints, current.node if current else None)
        for n in g.nodes:
            if n.index in self.rows:
                self._fill_row(n, n.index in values, n.index in adjoints, current)
        self.start.setEnabled(k > 0)
        self.back.setEnabled(k > 0)
        self.next.setEnabled(k < self.last_step)
        self.end.setEnabled(k < self.last_step)
        self.step_text.setText(self._describe(current, k))
        self.table.resizeRowsToContents()

    def _fill_row(self, n, has_value: bool, has_adjoint: bool, current) -> None:
        r = self.rows[n.index]
        names = [self.graph.nodes[i].name for i in n.operands]
        local = "; ".join(f"∂/∂{a} = {f} = {number(d)}" for a, f, d in
                          zip(names, n.local_formula, n.local, strict=True) if not math.isnan(d))
        cells = {2: number(n.value) if has_value else "",
                 3: local if has_value else "",
                 4: number(n.tangent) if has_value and n.active else "",
                 5: self._adjoint_text(n) if has_adjoint else ""}
        for col, text in cells.items():
            self.table.setItem(r, col, QTableWidgetItem(text))
        if has_adjoint:
            self.table.item(r, 5).setToolTip(self._adjoint_tip(n))
        now = current is not None and current.node == n.index
        for col in range(len(COLUMNS)):
            item = self.table.item(r, col)
            if item is not None:
                item.setBackground(QColor("#fff3c4") if now else QColor(0, 0, 0, 0))
        if now:
            self.table.scrollToItem(self.table.item(r, 0))

    def _adjoint_text(self, n) -> str:
        if n.index == self.graph.output:
            return "1 (the seed: dL/dL)"
        parts = " + ".join(f"{number(t.child_adjoint)} × {number(t.local)}" for t in n.terms)
        return f"{parts} = {number(n.adjoint)}"

    def _adjoint_tip(self, n) -> str:
        nodes = self.graph.nodes
        terms = [f"dL/d{nodes[t.child].name} · ∂{nodes[t.child].name}/∂{n.name}"
                 for t in n.terms]
        return f"dL/d{n.name} = Σ over children: " + (" + ".join(terms) or "1")

    def _describe(self, step, k: int) -> str:
        total = self.last_step
        if step is None:
            return f"step 0 of {total}: the inputs are known; Next computes the first operation"
        n = self.graph.nodes[step.node]
        if step.phase == "forward":
            return f"step {k} of {total}, forward: {n.definition} = {number(n.value)}"
        return f"step {k} of {total}, reverse: dL/d{n.name} = {number(n.adjoint)}"
