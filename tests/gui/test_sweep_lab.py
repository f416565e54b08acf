"""The Sweeps tab as a teacher uses it: set a setting and values, run the sweep in worker
processes (progress, cancel), read the curves, open one run's network, keep the results in
the file."""

import multiprocessing
import os

import numpy as np
import pytest
from PySide6.QtWidgets import QLineEdit

from playground.core import files
from playground.core import sweep as S
from playground.core.graph import mlp

from .conftest import choose, control, dispose

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples")


def small(window, values=(2, 8), seeds=1, epochs=20, validation=0.3):
    exp = window.experiment.copy()
    exp.data.noise, exp.data.train_fraction = 0.3, 0.3
    exp.data.validation_fraction = validation
    exp.network = mlp([4, 4], "tanh")
    exp.sweep = S.SweepSpec("hidden_width", list(values), seeds, epochs, "error")
    window.apply_experiment(exp)
    window.tabs.setCurrentWidget(window.sweep_lab)
    return window.sweep_lab


def run_to_the_end(qtbot, lab):
    lab.run_button.click()
    assert lab.runner is not None
    qtbot.waitUntil(lambda: lab.runner is None, timeout=120_000)


def test_the_setting_and_values_are_bound_and_undoable(qtbot, window):
    lab = small(window)
    choose(control(window, "sweep.setting"), "l2_rate")
    assert window.experiment.sweep.setting == "l2_rate"
    assert window.experiment.sweep.values == S.SETTINGS["l2_rate"][2]
    values = control(window, "sweep.values")
    assert isinstance(values, QLineEdit)
    values.setText("0, 0.01 0.1")
    values.editingFinished.emit()
    assert window.experiment.sweep.values == [0.0, 0.01, 0.1]
    values.setText("0, lots")
    values.editingFinished.emit()
    assert window.experiment.sweep.values == [0.0, 0.01, 0.1]
    assert "'lots' is not a number" in window.statusBar().currentMessage()
    assert values.text() == "0, 0.01, 0.1"
    window.undo_edit()
    assert window.experiment.sweep.values == S.SETTINGS["l2_rate"][2]
    lab.learning_curve.click()
    assert window.experiment.sweep.setting == "train_points"
    assert window.experiment.sweep.values == [15, 38, 75, 150]  # of 150 training points


def test_a_sweep_runs_in_worker_processes_and_its_results_are_saved(qtbot, window, tmp_path):
    lab = small(window)
    run_to_the_end(qtbot, lab)
    rows = window.experiment.sweep.results
    assert [r["value"] for r in rows] == [2, 8] and lab.progress.value() == 2
    assert "finished: 2 of 2 runs" in lab.status.text()
    x, y = lab.plot.lines["val"].getData()
    assert list(x) == [0, 1] and np.allclose(y, [r["val_error"] for r in rows])
    # the workers stay up for the next sweep (starting them costs seconds), which they run
    pids = sorted(p.pid for p in multiprocessing.active_children())
    assert len(pids) == lab.workers.processes
    run_to_the_end(qtbot, lab)
    assert sorted(p.pid for p in multiprocessing.active_children()) == pids
    assert window.experiment.sweep.results == rows  # the same numbers again
    # saved with the experiment, shown again on opening, marked stale when the data changes
    path = str(tmp_path / "swept.json")
    files.save_experiment(path, window.experiment)
    loaded = files.load_experiment(path).experiment
    assert loaded.sweep.results == rows
    window.qs.set("data.noise", 0.1)
    lab.set_experiment()
    assert "another set-up" in lab.status.text()
    window.undo_edit()  # the noise back
    lab.set_experiment()
    assert "2 runs, saved" in lab.status.text()
    window.undo_edit()  # the second sweep's results (equal to the first's), as one step
    window.undo_edit()  # the first's
    assert window.experiment.sweep.results == []


def test_a_sweep_without_validation_says_where_to_set_it(qtbot, window):
    lab = small(window, validation=0.0)
    lab.run_button.click()
    assert lab.runner is None
    assert "data.validation_fraction" in lab.status.text()
    assert "validation split" in lab.status.text()
    # Trial 3: the default experiment has no validation split, and the user met only a red
    # refusal. One click holds 20 % out (an undoable edit) and runs.
    fix = control(window, "sweep.add_validation")
    assert fix.isVisible()
    fix.click()
    assert window.experiment.data.validation_fraction == pytest.approx(0.2)
    assert lab.runner is not None and not fix.isVisible()
    assert "validation" in window.undo_action.text()  # an edit Ctrl+Z takes back
    qtbot.waitUntil(lambda: lab.runner is None, timeout=120_000)
    assert window.experiment.sweep.results


def test_cancel_stops_the_workers_and_gives_the_controls_back(qtbot, window):
    lab = small(window, values=(64,), seeds=2, epochs=100_000)
    lab.run_button.click()
    assert not lab.run_button.isEnabled() and not control(window, "sweep.values").isEnabled()
    qtbot.wait(300)
    lab.cancel_button.click()
    assert lab.runner is None and lab.run_button.isEnabled()
    assert control(window, "sweep.values").isEnabled()
    assert not multiprocessing.active_children()
    assert "cancelled" in lab.status.text()


def test_a_clicked_run_shows_its_map_and_opens_in_the_network_tab(qtbot, window):
    lab = small(window, values=(1, 8), seeds=2, epochs=30)
    run_to_the_end(qtbot, lab)
    rows = lab.plot.shown_rows
    k = next(i for i, r in enumerate(rows) if r["value"] == 8 and r["seed"] == 1)
    lab.plot.click_run(k)
    assert "hidden width 8, seed 1" in lab.preview.caption.text()
    assert lab.preview.image.image is not None and lab.preview.image.image.shape[:2] == (32, 32)
    lab.open_button.click()
    exp = window.experiment
    assert window.tabs.currentIndex() == 0
    assert [exp.network.nodes[n].param("units") for n in exp.network.dense_chain()] == [8, 8]
    assert exp.training.seed == 1 and exp.sweep.results == rows
    window.undo_edit()
    assert window.experiment.training.seed == 0


@pytest.fixture
def closing_window(qtbot, settings, recovery):
    from playground.gui.main_window import MainWindow

    w = MainWindow(settings=settings, recovery_path=recovery)
    qtbot.addWidget(w)
    w.show()
    yield w
    dispose(w)


def test_closing_the_window_stops_a_running_sweep(qtbot, closing_window):
    lab = small(closing_window, values=(64,), seeds=2, epochs=100_000)
    lab.run_button.click()
    qtbot.wait(200)
    closing_window.session.mark_clean()
    closing_window.close()
    assert lab.runner is None and not multiprocessing.active_children()


def test_a_capacity_lesson_opens_on_its_stored_u_curve(qtbot, window):
    path = os.path.join(EXAMPLES, "56_capacity_u_curve.json")
    assert window.load_path(path, remember=False)
    lab = window.sweep_lab
    assert window.tabs.currentWidget() is lab
    x, y = lab.plot.lines["val"].getData()
    assert list(x) == [0, 1, 2, 3, 4]
    best = int(np.argmin(y))
    assert 0 < best < 4 and lab.plot.best.value() == best  # the dip, marked
    assert "10 runs, saved with the experiment" in lab.status.text()  # not stale


def test_worker_processes_start_when_the_tab_is_first_shown_not_before(qtbot, window):
    assert not multiprocessing.active_children() and window.sweep_lab.workers is None
    window.tabs.setCurrentWidget(window.sweep_lab)
    qtbot.waitUntil(lambda: len(multiprocessing.active_children()) ==
                    window.sweep_lab.workers.processes, timeout=5000)


# Methods Qt calls on a widget from C++ (PySide looks each up on the Python object first).
QT_VIRTUALS = {"metric", "devType", "paintEngine", "sizeHint", "minimumSizeHint",
               "heightForWidth", "hasHeightForWidth", "setVisible", "event", "eventFilter",
               "initPainter", "redirected", "sharedPainter", "inputMethodQuery",
               "focusNextPrevChild", "nativeEvent", "changeEvent", "childEvent", "timerEvent",
               "customEvent", "connectNotify", "disconnectNotify"}


def test_no_widget_attribute_hides_a_method_qt_calls(window):
    """The Sweeps tab once held its metric combo as `self.metric`: Qt's QWidget::metric()
    then found a combo box, and leaving presentation mode crashed the app."""
    from PySide6.QtCore import QObject

    def qt_base(o):
        return next(c for c in type(o).__mro__ if c.__module__.startswith("PySide6"))

    hidden = [(type(o).__name__, name) for o in [window] + window.findChildren(QObject)
              for name in getattr(o, "__dict__", {})
              if name in QT_VIRTUALS or (name.endswith("Event") and hasattr(qt_base(o), name))]
    assert not hidden
    window.toggle_presentation()
    window.toggle_presentation()  # restyling every widget twice: no crash
    assert not window.experiment.view.presentation


def test_a_lesson_can_hide_the_sweeps_tab(window):
    window.hide_actions["sweeps"].setChecked(True)
    assert window.experiment.view.hidden_controls == ["sweeps"]
    assert not window.tabs.isTabVisible(window.tabs.indexOf(window.sweep_lab))
    window.undo_edit()
    assert window.tabs.isTabVisible(window.tabs.indexOf(window.sweep_lab))
