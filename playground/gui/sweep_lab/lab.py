"""The Sweeps tab: pick one setting of the network tab's experiment (hidden width, depth, L2
rate, dropout, epochs, feature set, or the number of training points for a learning curve)
and the values to try; the runs train in worker processes, one per core, while the curves
fill in; Cancel stops them. The finished runs are saved with the experiment (one undoable
edit), and a click on a run's dot shows the decision map it learned, which "Open in the
network tab" makes the experiment there."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...core import sweep as S
from ...core.datasets import build_dataset
from ...core.errors import PlaygroundError
from ...core.sweep_runner import SweepRun, basis
from ...core.sweep_workers import Workers
from ..session_qt import QtSession, bind_combo, bind_spin, tooltip
from .plot import RunPreview, SweepPlot, value_text

POLL_MS = 100


class SweepLab(QWidget):
    changed = Signal(object)  # a run to open in the network tab (one undoable edit), trained

    def __init__(self, qs: QtSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.qs = qs
        self.runner: SweepRun | None = None
        self.workers: Workers | None = None
        self.problem = "binary"
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self._build()
        qs.follow("sweep", self._show_spec, self)
        qs.changed.connect(lambda _c: self.isVisible() and self._check_basis())

    # ----------------------------------------------------------------------------- UI
    def _build(self) -> None:
        qs = self.qs
        box = QGroupBox("Sweep one setting")
        form = QFormLayout(box)
        self.setting = bind_combo(qs, QComboBox(), "sweep.setting",
                                  [(label, name) for name, (label, _m, _v) in S.SETTINGS.items()],
                                  also=lambda name: {"sweep.values": list(S.SETTINGS[name][2]),
                                                     "sweep.results": [], "sweep.basis": ""})
        self.values = QLineEdit()
        self.values.setObjectName("sweep.values")
        self.values.setToolTip("the values to try, separated by commas or spaces")
        self.values.editingFinished.connect(self._values_typed)
        self.seeds = bind_spin(qs, QSpinBox(), "sweep.seeds")
        self.epochs = bind_spin(qs, QSpinBox(), "sweep.epochs")
        self.epochs.setSingleStep(50)
        # not `self.metric`: that would hide QWidget.metric(), which Qt calls on restyling
        self.metric_choice = bind_combo(qs, QComboBox(), "sweep.metric")
        self.learning_curve = QPushButton("Learning curve")
        self.learning_curve.setObjectName("sweep.learning_curve")
        self.learning_curve.setToolTip("error against the number of training points: 10%, "
                                       "25%, 50% and all of the training split")
        self.learning_curve.clicked.connect(self._learning_curve)
        form.addRow("Setting", self.setting)
        form.addRow("Values", self.values)
        form.addRow("Seeds per value", self.seeds)
        form.addRow("Epochs per run", self.epochs)
        form.addRow("Plot", self.metric_choice)
        form.addRow("", self.learning_curve)
        self.run_button = QPushButton("▶ Run sweep")
        self.run_button.setObjectName("sweep.run")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("sweep.cancel")
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setObjectName("sweep.progress")
        self.progress.setFormat("%v of %m runs")
        self.status = QLabel("Each value trains a few runs from different seeds on the same "
                             "data. The validation split chooses; the test split is only "
                             "shown.")
        self.status.setWordWrap(True)
        self.status.setObjectName("sweep.status")
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(box)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        # A sweep needs a validation split; the default experiment has none. One click holds
        # some out and runs (the trial's user met only a red refusal).
        self.add_validation = QPushButton("Hold out 20 % for validation and run")
        self.add_validation.setObjectName("sweep.add_validation")
        self.add_validation.setToolTip("sets the data's validation split (one undo step), "
                                       "then runs the sweep")
        self.add_validation.clicked.connect(self._add_validation_and_run)
        self.add_validation.hide()
        column.addWidget(self.add_validation)
        column.addStretch(1)
        left.setMinimumWidth(280)
        left.setMaximumWidth(380)
        self.plot = SweepPlot()
        self.preview = RunPreview()
        self.open_button = QPushButton("Open this run in the network tab")
        self.open_button.setObjectName("sweep.open_run")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_run)
        # Held on self: a widget put into a QSplitter from Python must keep its Python
        # object, or Qt later calls into a freed wrapper (a crash on the next restyle).
        self.preview_box = QWidget()
        preview_column = QVBoxLayout(self.preview_box)
        preview_column.setContentsMargins(0, 0, 0, 0)
        preview_column.addWidget(self.preview, 1)
        preview_column.addWidget(self.open_button)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.plot)
        self.split.addWidget(self.preview_box)
        self.split.setSizes([640, 340])
        row = QHBoxLayout(self)
        row.addWidget(left)
        row.addWidget(self.split, 1)
        self.plot.run_clicked.connect(self._show_run)

    # ---------------------------------------------------------------------- model -> view
    def set_experiment(self, _exp=None) -> None:
        """The tab was opened: the data the runs train on, and whether the results fit."""
        self._data_changed()
        self._show_spec()

    def showEvent(self, event) -> None:  # noqa: N802
        """On show, the worker processes start in the background (each takes seconds to
        import torch and load the kernel), so that Run starts training at once."""
        super().showEvent(event)
        self.set_experiment()  # the data and set-up may have changed while it was hidden
        if self.workers is None:
            self.workers = Workers()
        if self.runner is None:
            self.workers.ensure_started()

    def _data_changed(self) -> None:
        try:
            dataset = build_dataset(self.qs.get("data"))
        except PlaygroundError:
            dataset = None
        self.problem = dataset.problem if dataset is not None else "binary"
        self.n_train = len(dataset.train_idx) if dataset is not None else 0
        self.preview.set_data(dataset)
        self.open_button.setEnabled(False)

    def _show_spec(self) -> None:
        spec = self.qs.get("sweep")
        self.values.setText(", ".join(value_text(v) for v in spec.values))
        self.values.setToolTip(tooltip("sweep.values", S.SETTINGS[spec.setting][1]))
        rows = self.runner.results() if self.runner is not None else spec.results
        self.plot.show_sweep(spec, rows, self.problem)
        self._check_basis()

    def _check_basis(self) -> None:
        if self.runner is not None:
            return
        spec = self.qs.get("sweep")
        if spec.results and spec.basis != basis(self.qs.session.experiment):
            self.status.setText("These results were measured on another set-up: the data, "
                                "network or training changed since. Run the sweep again to "
                                "bring them up to date.")
            self.status.setStyleSheet("color: #b35900;")
        elif spec.results:
            self.status.setText(f"{len(spec.results)} runs, saved with the experiment.")
            self.status.setStyleSheet("")

    # ---------------------------------------------------------------------- view -> model
    def _values_typed(self) -> None:
        spec = self.qs.get("sweep")
        try:
            values = S.parse_values(self.values.text(), spec.setting)
        except PlaygroundError as exc:
            self.qs.refused.emit(str(exc))
            self._show_spec()
            return
        if values == spec.values:
            return
        kept = [r for r in spec.results if r["value"] in values]
        if not self.qs.set_many({"sweep.values": values, "sweep.results": kept},
                                "change the sweep's values"):
            self._show_spec()

    def _learning_curve(self) -> None:
        n = max(self.n_train, 2)
        sizes = sorted({max(2, round(n * f)) for f in (0.1, 0.25, 0.5, 1.0)})
        self.qs.set_many({"sweep.setting": "train_points", "sweep.values": sizes,
                          "sweep.results": [], "sweep.basis": ""}, "set up a learning curve")

    # --------------------------------------------------------------------------- running
    def run(self) -> None:
        if self.runner is not None:
            return
        if self.workers is None:  # started once, kept for the next sweeps
            self.workers = Workers()
        try:
            runner = SweepRun(self.qs.session.experiment.copy(), workers=self.workers)
        except PlaygroundError as exc:
            self.status.setText(f"Cannot run this sweep: {exc}")
            self.status.setStyleSheet("color: #c00;")
            self.add_validation.setVisible(getattr(exc, "path", "") == "data.validation_fraction")
            return
        self.add_validation.hide()
        self.runner = runner
        self._data_changed()
        runner.start()
        self.progress.setRange(0, runner.total)
        self.progress.setValue(0)
        self.status.setText(f"Training {runner.total} runs in {runner.processes} processes…")
        self.status.setStyleSheet("")
        self._running(True)
        self.timer.start()

    def _add_validation_and_run(self) -> None:
        data = self.qs.session.experiment.data
        share = round(min(0.2, 0.95 - data.train_fraction), 2)  # the test split keeps 5 %
        if share > 0 and self.qs.set("data.validation_fraction", share,
                                     f"validation {share:.0%} for the sweep"):
            self.run()

    def _running(self, on: bool) -> None:
        self.run_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        for w in (self.setting, self.values, self.seeds, self.epochs, self.learning_curve):
            w.setEnabled(not on)

    def _poll(self) -> None:
        runner = self.runner
        if runner is None:
            return
        if runner.poll():
            self.plot.show_sweep(self.qs.get("sweep"), runner.results(), self.problem)
        self.progress.setValue(runner.finished)
        seconds = time.perf_counter() - runner.started
        self.status.setText(f"{runner.finished} of {runner.total} runs done in "
                            f"{runner.processes} processes ({seconds:.0f} s)")
        if runner.done:
            self._finish()

    def cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()
            self._finish()

    def _finish(self) -> None:
        runner, self.runner = self.runner, None
        self.timer.stop()
        self._running(False)
        spec = self.qs.get("sweep")
        rows = [r for r in runner.results() if r["value"] in spec.values]
        if rows:
            self.qs.set_many({"sweep.results": rows, "sweep.basis": runner.basis},
                             "sweep results")
        words = "cancelled" if runner.cancelled else "finished"
        problems = f" {len(runner.errors)} failed: {runner.errors[0]}" if runner.errors else ""
        self._show_spec()
        self.status.setText(f"Sweep {words}: {len(rows)} of {runner.total} runs, saved with "
                            f"the experiment.{problems}")
        self.status.setStyleSheet("color: #c00;" if problems else "")

    def shutdown(self) -> None:
        """The window closes: no worker process outlives it."""
        if self.runner is not None:
            self.runner.cancel()
            self.runner = None
            self.timer.stop()
        if self.workers is not None:
            self.workers.terminate()

    # ------------------------------------------------------------------------ a run
    def _show_run(self, k: int) -> None:
        rows = self.plot.shown_rows
        if not 0 <= k < len(rows):
            return
        spec = self.qs.get("sweep")
        self.preview.show_run(rows[k], spec.setting, spec.metric)
        self.open_button.setEnabled(spec.setting != "train_points")
        self.open_button.setToolTip("" if spec.setting != "train_points" else
                                    "a learning-curve run trains on fewer points than the "
                                    "network tab's data")

    def _open_run(self) -> None:
        row, spec = self.preview.row, self.qs.get("sweep")
        if row is None:
            return
        try:
            exp, _ = S.apply_setting(self.qs.session.experiment, spec.setting, row["value"])
            exp.training.seed = row["seed"]
            # The rows keep the map, not the weights (a file of a sweep would be megabytes):
            # the run is trained again, to the epochs the sweep gave it, by the network tab's
            # worker; the epoch limit says so there and stops it where the sweep stopped.
            exp.training.epochs = int(row["value"]) if spec.setting == "epochs" else \
                spec.epochs
        except PlaygroundError as exc:
            self.qs.refused.emit(str(exc))
            return
        self.changed.emit(exp)
