"""The backward pass in the window (issue #18): the Gradient flow toggle, the Gradients and
Histograms tabs with the history slider, and one example stepped through after a click on a
training point."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.gui.gradient_colors import short

from .conftest import control, snap, wait_epoch


def frames_with(qtbot, window, ready, timeout=15000):
    """Paint until the drawn frame satisfies `ready(frame)`."""

    def check():
        window.paint()
        return window._drawn is not None and ready(window._drawn)

    qtbot.waitUntil(check, timeout=timeout)


def weighted_edges(window):
    return [e for items in window.network_view.edges.values() for e in items if e.weighted]


def test_gradient_flow_paints_each_edge_by_its_gradient_and_goes_back(qtbot, window):
    toggle = control(window, "view.gradient_flow")
    toggle.click()
    assert window.experiment.view.gradient_flow
    window.step_epoch()
    frames_with(qtbot, window, lambda f: f.snapshot.gradients is not None
                and f.snapshot.gradients.epoch == 1)
    stats = snap(window).gradients
    view = window.network_view
    edges = weighted_edges(window)
    assert edges
    grads = []
    for edge in edges:
        g = float(stats.weight_grads[edge.node][edge.row, edge.col])
        positive, quarter_px = edge.pen_key
        assert positive == (g > 0)  # colour: the sign of dL/dw
        grads.append((abs(g), quarter_px))
        assert "∂L/∂w" in view.edge_tip(edge)
    grads.sort()
    widths = [w for _, w in grads]
    assert widths == sorted(widths) and widths[-1] > widths[0]  # width grows with |dL/dw|
    assert "∂L/∂w" in control(window, "network.legend").text()
    toggle.click()  # off: the weights again
    assert not window.experiment.view.gradient_flow
    weights = snap(window).weights
    for edge in weighted_edges(window):
        assert edge.pen_key[0] == (weights[edge.node][edge.row, edge.col] > 0)


def test_gradient_tab_fills_its_strips_and_the_history_slider_replays_them(qtbot, window):
    window.backward.tabs.setCurrentWidget(window.backward.gradient_panel)  # asks for gradients
    assert window.experiment.view.panel == "gradients"
    # looking at a tab is not an edit: nothing to undo, nothing unsaved
    assert not window.session.can_undo and not window.dirty
    assert not window.experiment.view.gradient_flow
    for i in range(1, 4):
        window.step_epoch()
        wait_epoch(qtbot, window, i)
        frames_with(qtbot, window, lambda f, i=i: f.snapshot.gradients is not None
                    and f.snapshot.gradients.epoch == i)
    panel = window.backward.gradient_panel
    stats = snap(window).gradients
    assert panel.norm_image.image.shape[:2] == (3, 3)  # layers x epochs
    right = panel.norms.getAxis("right")._tickLevels[0]
    assert [t for _, t in right] == [short(float(v)) for v in stats.mean_abs]
    assert panel.readout.text().startswith("Epoch 3")
    window.history_slider.setValue(1)  # replay: that epoch's numbers, the cursor on it
    replayed = window._recorded[1].snapshot if hasattr(window._recorded[1], "snapshot") \
        else window._recorded[1]
    assert panel.readout.text().startswith(f"Epoch {replayed.epoch}")
    assert panel.cursor.value() == replayed.epoch < 3
    window.history_slider.setValue(window.history_slider.maximum())
    assert panel.readout.text().startswith("Epoch 3")


def test_histograms_show_a_zero_init_as_one_value_and_a_large_one_saturating(qtbot, window):
    zeros = Experiment()
    zeros.network = mlp([8, 8], "tanh", init="zeros")
    zeros.view.panel = "histograms"  # a lesson file opens on the panel it needs
    window.replace_experiment(zeros)
    assert window.backward.tabs.currentWidget() is window.backward.histogram_panel
    frames_with(qtbot, window, lambda f: f.snapshot.histograms is not None
                and "dense2" in f.snapshot.histograms and f.snapshot.epoch == 0
                and f.snapshot.weights["dense1"].shape == (8, 2))
    hist = snap(window).histograms
    for node in ("dense1", "dense2"):
        assert np.count_nonzero(hist[node].act_counts) == 1  # every unit the same value
        assert hist[node].unit_spread == 0
    caption = control(window, "histograms.caption").text()
    assert "dense1 0" in caption and "dense2 0" in caption
    large = Experiment()
    large.network = mlp([16] * 4, "tanh", init="normal")
    large.view.panel = "histograms"
    window.replace_experiment(large)
    frames_with(qtbot, window, lambda f: f.snapshot.histograms is not None
                and "dense4" in f.snapshot.histograms)
    h = snap(window).histograms["dense3"]
    ends = h.act_counts[0] + h.act_counts[-1]
    assert ends > 0.3  # tanh saturates: a third of the outputs at ±1 already at epoch 0


def test_a_click_on_a_training_point_steps_it_forward_backward_and_through_the_update(
        qtbot, window):
    window.step_epoch()
    wait_epoch(qtbot, window, 1)
    window.paint()
    data = window._dataset
    index = 17
    plot = window.output_view.plot
    vb = plot.getViewBox()
    at = plot.mapFromScene(vb.mapViewToScene(QPointF(*map(float, data.x[index]))))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=at)
    panel = window.backward.example_panel
    assert window.backward.left.currentIndex() == 1 and window.backward.example_index == index
    frames_with(qtbot, window, lambda f: f.example is not None and f.example.index == index)
    trace = window._drawn.example
    assert control(window, "example.index").value() == index + 1
    steps = [s.title for s in panel.steps]
    assert steps[:4] == ["Forward: the input", "Forward: dense1", "Forward: dense2",
                         "Forward: output"]
    assert "The loss" in steps and steps[-1] == "Update: output"
    next_button = control(window, "example.next")
    next_button.click()  # dense1 forward: z and a of each unit, the table and the tiles
    table = control(window, "example.table")
    b = trace.block("dense1")
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == \
        [short(float(z)) for z in b.pre]
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == \
        [short(float(a)) for a in b.post]
    labels = window.backward.example_overlay._labels
    assert ("dense1", 0) in labels and ("dense2", 0) not in labels
    while panel.current().phase != "backward":
        next_button.click()
    assert panel.current().node == "output"
    while panel.current().node != "dense1":
        next_button.click()
    b = trace.block("dense1")
    assert [table.item(r, 3).text() for r in range(table.rowCount())] == \
        [short(float(g)) for g in b.grad_pre]
    edge = next(e for e in weighted_edges(window) if e.node == "dense1")
    tip = window.network_view.edge_tip(edge)
    g = float(b.grad_weight[edge.row, edge.col])
    assert f"= {g:.5g}" in tip and "∂ℓ/∂z × x" in tip
    while panel.current().phase != "update":
        next_button.click()
    new = float(trace.block(panel.current().node).new_weight[0, 0])
    assert table.item(0, 4).text() == short(new)
    control(window, "example.back").click()
    assert panel.current().phase == "backward"
    control(window, "example.close").click()
    assert window.backward.left.currentIndex() == 0 and window.network_view.overlay is None


def test_a_lesson_step_sets_a_parameter_of_every_hidden_block_and_back_undoes_it(window):
    """The init and vanishing-gradient lessons switch `network.hidden.init` and
    `network.hidden.activation` (before, the window could only set plain fields)."""
    from playground.core.spec import ActionSpec

    marker = window.marker()
    assert window.perform(ActionSpec("set", "network.hidden.init", "zeros"))
    dense = window.experiment.network.of_type("dense")
    assert dense and all(window.experiment.network.nodes[n].param("init") == "zeros"
                         for n in dense)
    window.undo_to(marker)
    assert all(window.experiment.network.nodes[n].param("init") == "tf_uniform" for n in dense)
