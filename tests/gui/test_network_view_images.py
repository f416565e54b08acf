"""Image data (the 8×8 digits) shows images: the input image, each first-layer unit's weight
image, and the test images with the network's predictions beside a confusion matrix."""

import numpy as np
import pytest
import torch

from playground.core.graph import mlp
from playground.gui.network.items import NeuronItem

from .conftest import snap


def digits(window):
    exp = window.experiment.copy()
    exp.data.generator = "digits"
    exp.network = mlp([12], "relu", output_activation="softmax", loss="softmax_ce",
                      init="he_normal")
    exp.training.optimizer, exp.training.learning_rate = "adam", 0.01
    exp.training.batch_size = 32
    window.apply_experiment(exp)


def model_predictions(window) -> np.ndarray:
    t = window.worker.trainer
    with torch.inference_mode():
        t.model.eval()
        return t.head.predict_class(t.head.output(t.model(t.x_test))).cpu().numpy()


def pixels(item: NeuronItem) -> np.ndarray:
    image = item.pixmap().toImage().convertToFormat(item.pixmap().toImage().Format.Format_RGB888)
    return np.array(image.constBits(), np.uint8).reshape(image.height(), -1)[:, :3 * image.width()]


def test_digits_show_input_weight_and_test_images_with_the_models_predictions(qtbot, window):
    digits(window)
    qtbot.waitUntil(lambda: snap(window).n_classes == 10 and snap(window).predicted is not None,
                    timeout=20000)
    for epoch in range(1, 4):
        window.step_epoch()
        qtbot.waitUntil(lambda e=epoch: snap(window).epoch == e, timeout=20000)
    view = window.network_view
    # The 64 inputs are one 8×8 image: the example the output view offers, dark ink on white.
    assert [k for k in view.neurons if k[0] == "input"] == [("input", 0)]
    assert view.titles["input"].text() == "8×8"  # over "image"
    first = window.output_view.images.grid.images[0]
    shown = pixels(view.neurons[("input", 0)])[:, ::3]
    assert shown.shape == (8, 8)
    assert np.allclose(shown, np.clip(255 * (1 - first), 0, 255), atol=1.5)
    # Each first-layer unit is its 8×8 weight image, and units differ.
    tiles = [pixels(view.neurons[("dense1", u)]) for u in range(7)]
    assert all(t.shape == (8, 24) for t in tiles)
    assert len({t.tobytes() for t in tiles}) == 7
    assert min(view.on_screen(view.neurons[("dense1", 0)]).width(), 99) >= 40
    # The grid: each test image with the class the model gives it, mistakes outlined.
    grid = window.output_view.images.grid
    assert window.output_view.pages.currentWidget() is window.output_view.images
    drawn = grid.shown()
    assert len(drawn) >= 12
    predicted = model_predictions(window)
    assert [p for _, p, _ in drawn] == [int(predicted[i]) for i, _, _ in drawn]
    assert [t for _, _, t in drawn] == [int(y) for y in window.worker.trainer.y_test[
        :len(drawn)].cpu().numpy()]
    counts = window.output_view.images.confusion.counts
    assert counts.shape == (10, 10) and counts.sum() == len(predicted)
    assert np.trace(counts) / counts.sum() == pytest.approx(snap(window).metrics["test_accuracy"])


def test_hovering_a_first_layer_unit_shows_its_weight_image_large(qtbot, window):
    digits(window)
    qtbot.waitUntil(lambda: snap(window).predicted is not None, timeout=20000)
    view = window.network_view

    def hover_shows_zoom():  # off, then on: hover again until the event is delivered
        qtbot.mouseMove(view.viewport(), pos=view.viewport().rect().bottomRight())
        qtbot.wait(50)
        item = view.neurons[("dense1", 2)]  # looked up each time: a redraw may replace it
        try:
            centre = view.mapFromScene(item.sceneBoundingRect().center())
        except RuntimeError:  # replaced between the lookup and now: try again
            return False
        qtbot.mouseMove(view.viewport(), centre)
        qtbot.wait(100)
        return view.blocks.zoom is not None and view.blocks.zoom.isVisible()

    qtbot.waitUntil(hover_shows_zoom, timeout=15000)
    assert view.blocks.zoom.pixmap().width() >= 160
    assert view.viewport().rect().intersects(view.on_screen(view.blocks.zoom).toRect())
    qtbot.mouseMove(view.viewport(), pos=view.viewport().rect().bottomRight())
    qtbot.waitUntil(lambda: not view.blocks.zoom.isVisible(), timeout=5000)


def test_digits_training_keeps_the_canvas_items_and_the_window_on_screen(qtbot, window):
    """Frames only repaint tiles: the same items from frame to frame (the output view's long
    caption widened the window past 1280 px, and every re-layout replaced every item)."""
    digits(window)
    qtbot.waitUntil(lambda: snap(window).predicted is not None, timeout=20000)
    qtbot.wait(100)
    view = window.network_view
    before = (dict(view.neurons), dict(view.frames), dict(view.links),
              {k: list(v) for k, v in view.edges.items()})
    first = snap(window).epoch
    window.toggle_play()
    qtbot.waitUntil(lambda: snap(window).epoch >= first + 15, timeout=30000)
    window.toggle_play()
    assert window.width() <= 1280
    assert all(view.neurons[k] is item for k, item in before[0].items())
    assert all(view.frames[k] is item for k, item in before[1].items())
    assert all(view.links[k] is item for k, item in before[2].items())
    assert all(a is b for k, items in before[3].items() for a, b in zip(view.edges[k], items,
                                                                         strict=True))
