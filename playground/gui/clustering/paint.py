"""Painting data as Orange's Paint Data does, on any plot: brush (sprays points while dragging),
put (one point a click), select and move (drag a box, then drag the chosen points), jitter
(shake the points under the brush), erase (remove the points under the brush), in the class
chosen from coloured buttons. A stroke is drawn live and becomes one edit of `data.points` on
the session when the mouse is released, so it saves with the experiment and undoes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.datasets import build_dataset
from ...core.errors import PlaygroundError
from .. import colors
from ..session_qt import QtSession
from .drawing import brushes, circles

MODES = {"off": "clicks go to the plot's own tools (centres, panning)",
         "brush": "spray points while dragging", "put": "one point a click",
         "select": "drag a box to select points, then drag them to move",
         "jitter": "shake the points under the brush", "erase": "remove the points under the brush"}
N_CLASSES = 6
SPRAY = 4  # points per spray


def table_of(experiment) -> np.ndarray:
    """The experiment's data as an (n, 3) table [x1, x2, class]: the drawn points themselves,
    or a generated set's points with their class (painting on it turns it into drawn points)."""
    data = experiment.data
    if data.generator == "points":
        return np.asarray(data.points, dtype=np.float64).reshape(-1, 3)
    try:
        ds = build_dataset(data)
    except PlaygroundError:
        return np.zeros((0, 3))
    if not ds.is_2d:
        return np.zeros((0, 3))
    y = ds.y if ds.problem != "regression" else np.zeros(len(ds.x))
    return np.column_stack([ds.x.astype(np.float64), np.asarray(y, np.float64)])


def spray(rng: np.random.Generator, centre: np.ndarray, radius: float, n: int) -> np.ndarray:
    """n points uniform over the disc of `radius` around `centre`."""
    r = radius * np.sqrt(rng.uniform(0, 1, n))
    t = rng.uniform(0, 2 * np.pi, n)
    return centre + np.column_stack([r * np.cos(t), r * np.sin(t)])



STROKE_LABELS = {"brush": "spray points", "put": "put a point", "move": "move points",
                 "jitter": "jitter points", "erase": "erase points"}
PAINT_LABELS = {*STROKE_LABELS.values(), "clear the points"}  # the drawing's own edits

class PaintOverlay(QObject):
    """Paints on `plot` (a pg.PlotItem) through the session `qs`. Drive it with press, move and
    release in data coordinates; mouse events on the plot's scene do the same while a mode other
    than "off" is chosen. `active_changed(on)` says when painting starts or stops showing the
    points by class (the owner may hide its own drawing meanwhile)."""

    active_changed = Signal(bool)

    def __init__(self, qs: QtSession, plot: pg.PlotItem, show_points: bool = True,
                 table: Callable[[], np.ndarray] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.qs = qs
        self.plot = plot
        self.mode = "off"
        self.label = 0
        self.radius = 1.0
        self.show_points = show_points
        self.point_scale = 1.0  # the owner's presentation size
        self._table_of = table or (lambda: table_of(self.qs.session.experiment))
        self.table = np.zeros((0, 3))  # the stroke's working copy
        self.selected = np.zeros(0, bool)
        self._stroke: str | None = None
        self._last = np.zeros(2)
        self._box_start = np.zeros(2)
        self._rng = np.random.default_rng(0)
        self._strokes = 0
        self.scatter = pg.ScatterPlotItem(size=8, pen=pg.mkPen((40, 40, 40), width=0.6))
        self.scatter.setZValue(20)
        self.cursor = pg.PlotDataItem(pen=pg.mkPen((40, 40, 40, 160), width=1,
                                                   style=Qt.PenStyle.DashLine))
        self.box = pg.PlotDataItem(pen=pg.mkPen("#0877bd", width=1.5, style=Qt.PenStyle.DashLine))
        for item in (self.scatter, self.cursor, self.box):
            item.setZValue(20)
            item.hide()
            # A stroke never re-ranges the view: the next move's pixel must mean the same
            # place, or a straight stroke bends as the axes run away from it.
            plot.addItem(item, ignoreBounds=True)
        plot.scene().installEventFilter(self)
        qs.changed.connect(self._on_change)

    # --------------------------------------------------------------------- settings
    def set_mode(self, mode: str) -> None:
        was = self.mode != "off"
        self.mode = mode
        self.selected = np.zeros(0, bool)
        self.box.setData([], [])
        self.cursor.setVisible(mode in ("brush", "jitter", "erase"))
        self.cursor.setData([], [])
        self._refresh()
        if was != (mode != "off"):
            self.active_changed.emit(mode != "off")

    def _on_change(self, change) -> None:
        if self._stroke is None and change.touches("data"):
            self._refresh()

    def _refresh(self) -> None:
        self.table = self._table_of() if self.mode != "off" else np.zeros((0, 3))
        if len(self.selected) != len(self.table):
            self.selected = np.zeros(len(self.table), bool)
        self._draw()

    def _draw(self) -> None:
        on = self.mode != "off" and self.show_points
        self.scatter.setVisible(on)
        if not on:
            return
        t = self.table
        rgb = colors.CLASS_COLORS[t[:, 2].astype(int) % len(colors.CLASS_COLORS)]
        sizes = np.where(self.selected, 12.0, 8.0) if len(self.selected) == len(t) else 8.0
        self.scatter.setData(t[:, 0], t[:, 1], brush=brushes(rgb), size=sizes * self.point_scale)

    # ---------------------------------------------------------------------- strokes
    def press(self, x: float, y: float) -> None:
        if self.mode == "off":
            return
        self.table = self._table_of()
        if len(self.selected) != len(self.table):
            self.selected = np.zeros(len(self.table), bool)
        self._rng = np.random.default_rng(self._strokes)
        self._strokes += 1
        p = np.array([x, y], dtype=np.float64)
        self._last = p
        if self.mode == "select":
            near = self._near(p, max(self.radius * 0.5, 1e-9)) & self.selected
            self._stroke = "move" if near.any() else "box"
            self._box_start = p
            if self._stroke == "box":
                self.selected[:] = False
        else:
            self._stroke = self.mode
            self._apply(p, first=True)
        self._draw()

    def move(self, x: float, y: float) -> None:
        p = np.array([x, y], dtype=np.float64)
        if self.mode in ("brush", "jitter", "erase"):
            self.cursor.setData(*circles(p[None], self.radius))
        if self._stroke is None:
            return
        if self._stroke == "box":
            (x0, y0), (x1, y1) = self._box_start, p
            self.box.setData([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0])
            self.box.show()
        elif self._stroke == "move":
            self.table[self.selected, :2] += p - self._last
            self._last = p
        else:
            self._apply(p, first=False)
        self._draw()

    def release(self) -> None:
        stroke, self._stroke = self._stroke, None
        if stroke is None:
            return
        if stroke == "box":
            lo = np.minimum(self._box_start, self._last_box())
            hi = np.maximum(self._box_start, self._last_box())
            pts = self.table[:, :2]
            self.selected = ((pts >= lo) & (pts <= hi)).all(axis=1)
            self.box.setData([], [])
            self._draw()
            return
        self.commit(self.table, STROKE_LABELS[stroke])

    def _last_box(self) -> np.ndarray:
        xs, ys = self.box.getData()
        return np.array([xs[1], ys[2]]) if xs is not None and len(xs) else self._box_start

    def _apply(self, p: np.ndarray, first: bool) -> None:
        if self._stroke == "put":
            if first:
                self._add(p[None])
        elif self._stroke == "brush":
            if first or np.linalg.norm(p - self._last) >= 0.3 * self.radius:
                self._add(spray(self._rng, p, self.radius, SPRAY))
                self._last = p
        elif self._stroke == "jitter":
            near = self._near(p, self.radius)
            self.table[near, :2] += self._rng.normal(0, 0.15 * self.radius, (int(near.sum()), 2))
        elif self._stroke == "erase":
            keep = ~self._near(p, self.radius)
            self.table, self.selected = self.table[keep], self.selected[keep]

    def _add(self, xy: np.ndarray) -> None:
        rows = np.column_stack([xy, np.full(len(xy), float(self.label))])
        self.table = np.vstack([self.table, rows])
        self.selected = np.concatenate([self.selected, np.zeros(len(rows), bool)])

    def _near(self, p: np.ndarray, radius: float) -> np.ndarray:
        return ((self.table[:, :2] - p) ** 2).sum(axis=1) <= radius**2

    def commit(self, table: np.ndarray, label: str) -> bool:
        """One undoable edit: the data become these drawn points."""
        rows = [[round(float(a), 6), round(float(b), 6), float(c)] for a, b, c in table]
        return self.qs.set_many({"data.generator": "points", "data.points": rows},
                                label=label)

    def clear(self) -> None:
        self.commit(np.zeros((0, 3)), "clear the points")

    # ------------------------------------------------------------------ the mouse
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if self.mode == "off" or kind not in (QEvent.Type.GraphicsSceneMousePress,
                                              QEvent.Type.GraphicsSceneMouseMove,
                                              QEvent.Type.GraphicsSceneMouseRelease):
            return False
        vb = self.plot.getViewBox()
        pos = event.scenePos()
        inside = vb.sceneBoundingRect().contains(pos)
        p = vb.mapSceneToView(QPointF(pos))
        if kind == QEvent.Type.GraphicsSceneMousePress:
            if not inside or event.button() != Qt.MouseButton.LeftButton:
                return False
            self.press(p.x(), p.y())
            return True
        if kind == QEvent.Type.GraphicsSceneMouseMove:
            if inside or self._stroke is not None:
                self.move(p.x(), p.y())
            return self._stroke is not None
        if self._stroke is not None:
            self.release()
            return True
        return False


class PaintBar(QWidget):
    """The controls of a PaintOverlay: tool buttons, coloured class buttons, brush size, undo,
    redo and clear (undo and redo are the session's)."""

    def __init__(self, overlay: PaintOverlay, parent: QWidget | None = None,
                 tools_per_row: int = 3):
        super().__init__(parent)
        self.overlay = overlay
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        tools = QGridLayout()
        self.modes = QButtonGroup(self)
        self.tool_buttons: dict[str, QToolButton] = {}
        for i, (name, tip) in enumerate(MODES.items()):
            b = QToolButton(text=name)
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setObjectName(f"paint={name}")
            self.modes.addButton(b)
            self.tool_buttons[name] = b
            tools.addWidget(b, i // tools_per_row, i % tools_per_row)
            b.toggled.connect(lambda on, n=name: on and overlay.set_mode(n))
        self.tool_buttons["off"].setChecked(True)
        layout.addLayout(tools)
        row = QHBoxLayout()
        row.addWidget(QLabel("class"))
        self.classes = QButtonGroup(self)
        self.class_buttons: list[QToolButton] = []
        for c in range(N_CLASSES):
            r, g, b_ = colors.CLASS_COLORS[c].astype(int)
            b = QToolButton(text=str(c + 1))
            b.setCheckable(True)
            b.setObjectName(f"paint class={c}")
            b.setToolTip(f"paint class {c + 1}")
            b.setStyleSheet(f"QToolButton {{ background: rgb({r},{g},{b_}); color: white; "
                            "font-weight: bold; min-width: 18px; border: 2px solid transparent;"
                            " } QToolButton:checked { border: 2px solid black; }")
            self.classes.addButton(b, c)
            self.class_buttons.append(b)
            row.addWidget(b)
            b.toggled.connect(lambda on, c=c: on and setattr(overlay, "label", c))
        self.class_buttons[0].setChecked(True)
        layout.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("size"))
        self.size = QSlider(Qt.Orientation.Horizontal)
        self.size.setRange(1, 40)  # brush radius in tenths of a data unit
        self.size.setValue(round(overlay.radius * 10))
        self.size.setToolTip("brush radius (data units)")
        self.size.valueChanged.connect(lambda v: setattr(overlay, "radius", v / 10))
        row2.addWidget(self.size, 1)
        layout.addLayout(row2)
        row3 = QHBoxLayout()
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.clear_button = QPushButton("Clear")
        for w in (self.undo_button, self.redo_button, self.clear_button):
            row3.addWidget(w)
        layout.addLayout(row3)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.clear_button.clicked.connect(self.clear)
        overlay.qs.changed.connect(self._enable)
        self._enable()

    def undo(self) -> None:
        self.overlay.qs.session.undo()

    def redo(self) -> None:
        self.overlay.qs.session.redo()

    def clear(self) -> None:
        self.overlay.clear()

    def _enable(self, *_) -> None:
        """Undo and redo here step through drawing only (Ctrl+Z undoes any edit): the
        button undid an eps change, a click away from the eps box (new-user trial)."""
        session = self.overlay.qs.session
        self.undo_button.setEnabled(session.can_undo and session.undo_label in PAINT_LABELS)
        self.redo_button.setEnabled(session.can_redo and session.redo_label in PAINT_LABELS)
        self.undo_button.setToolTip(f"undo {session.undo_label}" if session.can_undo else "")
        self.redo_button.setToolTip(f"redo {session.redo_label}" if session.can_redo else "")
