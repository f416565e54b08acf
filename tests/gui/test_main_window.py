"""The main window, driven as a user would: play, pause, step, reset, change things, close."""

import numpy as np
from PySide6.QtCore import Qt, QThread

from .conftest import choose, control, dispose, free_deleted_widgets, snap, wait_epoch


def test_opens_on_the_default_experiment(window):
    s = snap(window)
    assert window.experiment.data.generator == "circle"
    assert s.epoch == 0 and s.output.shape == (100, 100)
    assert window.data_panel.dataset_buttons["circle"].isChecked()
    assert "device: cpu" in window.status_device.text()


def test_play_trains_and_loss_falls_pause_stops_the_counter(qtbot, window):
    start = snap(window).metrics["train_loss"]
    choose(window.training_bar.speed, 20)  # 20 epochs a frame
    window.toggle_play()
    wait_epoch(qtbot, window, 120)
    window.toggle_play()
    qtbot.waitUntil(lambda: not window.latest.playing, timeout=5000)
    qtbot.wait(200)
    paused_at = snap(window).epoch
    qtbot.wait(500)
    assert snap(window).epoch == paused_at
    assert snap(window).metrics["train_loss"] < start
    assert window.training_bar.epoch_label.text() == f"Epoch {paused_at:,}"


def test_step_advances_exactly_one_epoch_and_reset_returns_to_zero(qtbot, window):
    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    window.step_epoch()
    wait_epoch(qtbot, window, 2)
    qtbot.wait(200)
    assert snap(window).epoch == 2
    window.reset()
    qtbot.waitUntil(lambda: snap(window).epoch == 0 and not len(snap(window).history["epoch"]))


def test_keyboard_space_plays_and_pauses(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.latest.playing, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.latest.playing, timeout=5000)


def test_step_batch_moves_within_the_epoch(qtbot, window):
    window.step_batch()
    qtbot.waitUntil(lambda: snap(window).batch == 1, timeout=5000)
    assert snap(window).epoch == 0


def test_changing_the_dataset_resets_and_redraws(qtbot, window):
    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    before = window.output_view.pixels().copy()
    window.data_panel.dataset_buttons["xor"].click()
    qtbot.waitUntil(lambda: window.experiment.data.generator == "xor" and snap(window).epoch == 0
                    and window.latest.run_id >= 2, timeout=10000)
    window.paint()
    assert not np.array_equal(window.output_view.pixels(), before)
    x, _ = window.output_view.train_points.getData()
    assert len(x) == 250


def test_changing_the_learning_rate_does_not_reset(qtbot, window):
    for _ in range(3):
        window.step_epoch()
    wait_epoch(qtbot, window, 3)
    run = window.latest.run_id
    choose(window.training_bar.learning_rate, 0.1)
    qtbot.waitUntil(lambda: abs(snap(window).learning_rate - 0.1) < 1e-12, timeout=5000)
    assert snap(window).epoch == 3 and window.latest.run_id == run


def test_multiclass_shows_one_colour_per_class(qtbot, window):
    window.data_panel.classes.setValue(4)
    window.data_panel.dataset_buttons["blobs"].click()
    qtbot.waitUntil(lambda: snap(window).problem == "multiclass", timeout=10000)
    out = window.experiment.network.nodes["output"]
    assert out.param("loss") == "softmax_ce" and out.param("activation") == "softmax"
    exp = window.experiment.copy()  # a net that can grow confident about every class
    exp.network.set_params("dense2", units=8)
    exp.training.optimizer = "adam"
    exp.training.learning_rate = 0.03
    window.apply_experiment(exp)
    choose(window.training_bar.speed, 20)
    qtbot.waitUntil(lambda: snap(window).problem == "multiclass" and snap(window).epoch == 0)
    window.toggle_play()
    qtbot.waitUntil(lambda: snap(window).output.max(axis=(0, 1)).min() > 0.9
                    and snap(window).metrics["test_accuracy"] > 0.9, timeout=30000)
    window.toggle_play()
    qtbot.waitUntil(lambda: not window.latest.playing, timeout=5000)
    window.paint()
    from playground.gui.colors import CLASS_COLORS

    probs = snap(window).output  # (res, res, 4)
    assert len(np.unique(probs.argmax(axis=2))) == 4  # every class owns part of the map
    pixels = window.output_view.pixels()[..., :3].astype(float)
    for c in range(4):  # where the net is surest of class c, the map shows class c's colour
        row, col = np.unravel_index(probs[..., c].argmax(), probs.shape[:2])
        distance = ((CLASS_COLORS[:4] - pixels[row, col]) ** 2).sum(axis=1)
        assert distance.argmin() == c


def test_regression_shows_a_value_map(qtbot, window):
    window.data_panel.dataset_buttons["plane"].click()
    qtbot.waitUntil(lambda: snap(window).problem == "regression", timeout=10000)
    for _ in range(10):
        window.step_epoch()
    wait_epoch(qtbot, window, 10)
    window.paint()
    s = snap(window)
    assert s.output.ndim == 2 and "R²" in window.trace.acc.getAxis("left").labelText
    # The value grows along x + y: bottom-left corner orange (negative), top-right blue.
    assert s.output[0, 0] < -0.5 and s.output[-1, -1] > 0.5
    px = window.output_view.pixels()
    assert px[0, 0, 0] > px[0, 0, 2] and px[-1, -1, 2] > px[-1, -1, 0]


def test_screenshot_is_not_blank(qtbot, window, tmp_path):
    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    qtbot.wait(100)
    image = window.output_view.plot.grab().toImage()
    w, h = image.width(), image.height()
    colours = {image.pixel(x, y) for x in range(0, w, 7) for y in range(0, h, 7)}
    assert len(colours) > 20
    assert window.grab().save(str(tmp_path / "window.png"))


def test_divergence_shows_a_message_and_offers_reset(qtbot, window):
    exp = window.experiment.copy()
    exp.data.generator = "plane"
    exp.training.learning_rate = 10.0
    exp.network.set_params("dense1", activation="relu")
    exp.network.set_params("dense2", activation="relu")
    window.apply_experiment(exp)
    choose(window.training_bar.speed, 20)
    qtbot.waitUntil(lambda: snap(window).problem == "regression", timeout=10000)
    window.toggle_play()
    qtbot.waitUntil(lambda: snap(window).status == "diverged", timeout=20000)
    window.paint()
    assert window.run_status.isVisible() and window.run_status.kind == "warning"
    assert "Diverged at epoch" in window.run_status.text.text()
    assert window.run_status.lower_rate.isVisible()
    assert not window.latest.playing


def test_history_slider_replays_earlier_epochs(qtbot, window):
    for i in range(1, 6):
        window.step_epoch()
        wait_epoch(qtbot, window, i)
        window.paint()
    slider = window.history_slider
    assert slider.maximum() >= 5
    slider.setValue(1)
    assert window.history_label.text() == "epoch 1"
    slider.setValue(slider.maximum())
    assert window.history_label.text() == "live"


def test_hovering_a_neuron_shows_its_map(qtbot, window):
    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    window.paint()
    window.network_view.neuron_hovered.emit("dense1", 0)
    np.testing.assert_array_equal(window.output_view._neuron, snap(window).neurons["dense1"][0])
    assert "dense1" in window.output_view.caption.text()
    window.network_view.neuron_hovered.emit("", -1)
    assert window.output_view._neuron is None


def test_closing_while_training_leaves_no_thread_or_timer(qtbot, window):
    choose(window.training_bar.speed, 0)  # as fast as possible
    window.toggle_play()
    wait_epoch(qtbot, window, 2)
    worker, timer = window.worker, window.timer
    window.close()
    assert not worker.isRunning() and worker.isFinished()
    assert not timer.isActive()
    assert not [t for t in window.findChildren(QThread) if t.isRunning()]


def test_window_remembers_its_size_and_splitters(qtbot, settings):
    from playground.gui.main_window import MainWindow

    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.resize(1200, 760)
    first.show()
    first.main_split.setSizes([200, 500, 400])
    sizes = first.main_split.sizes()
    first.close()
    dispose(first)
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == (1200, 760)
    assert second.main_split.sizes() == sizes
    dispose(second)


def test_usable_at_1280_by_800(window):
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 800
    window.resize(1280, 800)
    assert (window.width(), window.height()) == (1280, 800)


def test_editing_a_weight_from_the_network_view(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getDouble", lambda *a, **k: (1.25, True))
    window.network_view.weight_clicked.emit("dense1", 2, 1)
    qtbot.waitUntil(lambda: abs(snap(window).weights["dense1"][2, 1] - 1.25) < 1e-6, timeout=5000)
    window.network_view.weight_clicked.emit("dense1", 0, -1)  # a bias
    qtbot.waitUntil(lambda: abs(snap(window).biases["dense1"][0] - 1.25) < 1e-6, timeout=5000)
    assert snap(window).epoch == 0  # editing is not training


def test_the_history_slider_spreads_a_long_run_evenly(qtbot, window):
    """Frames arrive all through a long run; the slider keeps MAX_RECORDED of them. Halved by
    count whenever full, they crowded at the end: in a 2,070,961-epoch run the middle of the
    slider showed epoch 1,996,846. Now any point of the slider is about that far into the
    run, and the slider's ends are the run's first recorded and newest frames."""
    import dataclasses

    from playground.gui.main_window import MAX_RECORDED

    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    window.paint()
    base = snap(window)
    window._recorded.clear()  # (no halving yet: every frame is kept so far)
    for i in range(1, 4001):  # a frame every 500 epochs, as at full speed
        window._record(dataclasses.replace(base, epoch=500 * i))
    slider, last = window.history_slider, 500 * 4000
    assert slider.isEnabled() and MAX_RECORDED // 2 <= slider.maximum() + 1 <= MAX_RECORDED
    epochs = np.array([f.epoch for f in window._recorded])
    assert epochs[0] == 500 and epochs[-1] == last
    for where in (0.25, 0.5, 0.75):
        slider.setValue(round(where * slider.maximum()))
        shown = int(window.history_label.text().split()[-1])
        assert abs(shown / last - where) < 0.05, f"{where:.0%} of the slider: epoch {shown:,}"
    gaps = np.diff(epochs)
    assert gaps.max() <= 2.5 * np.median(gaps)


def test_the_history_slider_is_off_until_there_is_something_to_replay(qtbot, window, tmp_path):
    """An opened file brings its last state, not the frames before it: the slider sat at
    the left saying "live" and moved nowhere when dragged. It is off (its tooltip says why)
    until the run trains on and there are frames to go back to."""
    for i in range(1, 4):
        window.step_epoch()
        wait_epoch(qtbot, window, i)
        window.paint()
    assert window.history_slider.isEnabled()
    path = str(tmp_path / "trained.json")
    window.path = path
    assert window.save_file(wait=True)
    window.reset()
    qtbot.waitUntil(lambda: snap(window).epoch == 0, timeout=5000)
    assert window.load_path(path)
    qtbot.waitUntil(lambda: snap(window).epoch == 3, timeout=10000)
    slider = window.history_slider
    assert not slider.isEnabled() and "opened file" in slider.toolTip()
    window.step_epoch()
    wait_epoch(qtbot, window, 4)
    window.paint()
    assert slider.isEnabled() and slider.maximum() == 1
    slider.setValue(0)
    assert window.history_label.text() == "epoch 3"


def test_the_trace_log_scale_is_a_setting_that_undoes_and_saves(qtbot, window, tmp_path):
    """The trace's log scale was a loose checkbox: it came back off when a file was opened.
    It is the experiment's view setting now."""
    for i in range(1, 4):
        window.step_epoch()
        wait_epoch(qtbot, window, i)
        window.paint()
    box = control(window, "view.log_loss")
    axis = window.trace.loss.getAxis("left")
    box.click()
    assert window.experiment.view.log_loss and axis.logMode
    window.session.undo()
    assert not window.experiment.view.log_loss and not box.isChecked() and not axis.logMode
    box.click()
    path = str(tmp_path / "log.json")
    window.path = path
    assert window.save_file(wait=True)
    window.qs.set("view.log_loss", False)
    assert not axis.logMode
    assert window.load_path(path)
    assert box.isChecked() and axis.logMode


def test_a_closed_window_is_deleted_and_collected(qtbot, settings, recovery):
    """A closed window's deletion, once Qt runs it, takes the whole window: nothing (a timer,
    a worker, a module-level list) keeps it alive. The suite relies on it: windows it closed
    but never deleted piled up, and each test's collection walked all of them."""
    import gc
    import weakref

    import shiboken6

    from playground.gui.main_window import MainWindow

    w = MainWindow(settings=settings, recovery_path=recovery)
    w.show()
    w.toggle_play()
    wait_epoch(qtbot, w, 5)
    alive = weakref.ref(w)
    w.close()
    w.deleteLater()
    free_deleted_widgets()
    assert not shiboken6.isValid(w)
    del w
    gc.collect()
    assert alive() is None
