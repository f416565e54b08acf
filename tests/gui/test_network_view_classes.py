"""Class colours for any number of classes: the palette, the blend, and sets with many classes
training in the window."""

import numpy as np

from playground.gui import colors

from .conftest import snap


def distinct(rgb: np.ndarray) -> float:
    lab = colors._lab(np.asarray(rgb, dtype=np.float64))
    d = np.linalg.norm(lab[:, None] - lab[None], axis=-1) + np.eye(len(lab)) * 1e9
    return float(d.min())


def test_forty_classes_get_colours_an_eye_tells_apart_and_the_first_ten_stay():
    palette = colors.class_colors(40)
    assert len({tuple(c) for c in palette.astype(int)}) == 40
    assert distinct(palette) > 20.0  # CIE ΔE: > 20 reads as different colours at a glance
    assert tuple(palette[0].astype(int)) == colors.ORANGE
    assert tuple(palette[1].astype(int)) == colors.BLUE
    assert colors.class_colors(100).shape == (100, 3)


def test_blending_works_for_any_class_count():
    for c in (2, 10, 12, 30, 64):
        probs = np.zeros((4, 4, c), np.float32)
        probs[..., c - 1] = 1.0  # certain of the last class: its own colour, full strength
        rgba = colors.blend_classes(probs)
        assert np.allclose(rgba[0, 0, :3], colors.class_colors(c)[c - 1], atol=1)


def shown_point_colours(window) -> set:
    view = window.output_view
    brushes = [b.color().getRgb()[:3] for b in view.train_points.data["brush"]]
    return set(brushes)


def train_for_a_while(qtbot, window, epochs=5):
    qtbot.waitUntil(lambda: window.training_bar.play_button.isEnabled(), timeout=20000)
    window.toggle_play()
    qtbot.waitUntil(lambda: snap(window).epoch >= epochs, timeout=30000)
    qtbot.wait(1500)  # several more seconds of frames: each paints the class blend
    window.toggle_play()
    assert window.run_status.kind != "error"
    assert snap(window).status != "diverged"


def test_thirty_groups_train_in_the_window_in_thirty_colours(qtbot, window):
    exp = window.experiment.copy()
    exp.data.generator = "dbscan_rings"
    exp.data.train_fraction = 0.9
    window.apply_experiment(exp)
    qtbot.waitUntil(lambda: snap(window).n_classes == 30, timeout=20000)
    assert len(shown_point_colours(window)) == 30
    train_for_a_while(qtbot, window)
    assert window.output_view.pixels().shape[-1] == 4  # the 30-class blend drew


def test_a_table_with_twelve_labels_trains_in_the_window(qtbot, window):
    rng = np.random.default_rng(0)
    centres = rng.uniform(-5, 5, (12, 2))
    points = [[*(centres[k] + rng.normal(0, 0.3, 2)), float(k)] for k in range(12)
              for _ in range(10)]
    exp = window.experiment.copy()
    exp.data.generator = "points"
    exp.data.points = points
    window.apply_experiment(exp)
    qtbot.waitUntil(lambda: snap(window).n_classes == 12, timeout=20000)
    assert len(shown_point_colours(window)) >= 11  # the test split may miss one class
    train_for_a_while(qtbot, window)
