"""The session: one experiment, one undo stack, change events that say how a change applies."""

import pytest

from playground.core import commands as C
from playground.core.errors import SpecError
from playground.core.session import Session, SetWeight, field_info


def test_a_field_edit_undoes_redoes_and_marks_the_session_unsaved():
    s = Session()
    assert not s.dirty
    assert s.set("training.learning_rate", 0.1)
    assert s.experiment.training.learning_rate == 0.1 and s.dirty
    s.undo()
    assert s.experiment.training.learning_rate == 0.03 and not s.dirty
    s.redo()
    assert s.experiment.training.learning_rate == 0.1 and s.dirty
    s.mark_clean()
    assert not s.dirty


def test_a_refused_value_names_the_field_and_changes_nothing():
    s = Session()
    with pytest.raises(SpecError, match="training.learning_rate"):
        s.set("training.learning_rate", -1.0)
    with pytest.raises(SpecError, match="optimizer_params.momentum"):
        s.set_many({"training.optimizer": "momentum", "training.optimizer_params": {"momentum": 5}})
    assert s.experiment.training.learning_rate == 0.03
    assert s.experiment.training.optimizer == "sgd" and not s.can_undo


def test_changes_say_whether_they_apply_live_or_need_a_rebuild():
    s = Session()
    seen = []
    s.subscribe(seen.append)
    s.set("training.learning_rate", 0.3)
    s.set("training.batch_size", 5)
    s.set("view.show_test_data", True)
    assert [sorted(c.kinds) for c in seen] == [["live"], ["rebuild"], ["view"]]
    assert not seen[0].needs_rebuild and seen[1].needs_rebuild


def test_picking_a_regression_dataset_adapts_the_output_in_the_same_undo_step():
    s = Session()
    s.set("data.generator", "plane")
    out = s.experiment.network.nodes["output"].params
    assert (out["activation"], out["loss"]) == ("linear", "mse")
    s.undo()  # one step brings back the dataset and its network
    assert s.experiment.data.generator == "circle"
    assert s.experiment.network.nodes["output"].params["activation"] == "tanh"


def test_graph_edits_and_weight_edits_share_the_one_stack():
    s = Session()
    dense = s.experiment.network.of_type("dense")[0]
    s.edit_graph(C.SetParams(dense, {"units": 6}))
    s.push(SetWeight(dense, 0, 1, 2.5, -0.1))
    seen = []
    s.subscribe(seen.append)
    s.undo()
    assert seen[-1].paths == {"state"} and seen[-1].command.current(seen[-1].undone) == -0.1
    s.undo()
    assert s.experiment.network.nodes[dense].params["units"] == 4
    assert not s.can_undo and s.can_redo


def test_moving_a_block_is_a_layout_change_not_a_rebuild():
    s = Session()
    seen = []
    s.subscribe(seen.append)
    s.edit_graph(C.Move("output", (900.0, 40.0)))
    assert seen[-1].kinds == {"layout"}


def test_field_metadata_gives_widgets_their_ranges_and_choices():
    lr = field_info("training.learning_rate")
    assert (lr.lo, lr.hi, lr.lo_open, lr.apply) == (0.0, 10.0, True, "live")
    assert "spiral" in field_info("data.generator").choices
    assert field_info("clustering.min_points").hi == 100
    with pytest.raises(SpecError, match="no such setting"):
        field_info("training.nonsense")


def test_a_new_hyperparameter_undoes_to_absent_not_to_a_placeholder():
    s = Session()
    s.set_many({"training.optimizer": "momentum", "training.optimizer_params": {}})
    s.set("training.optimizer_params.momentum", 0.5)
    s.undo()
    assert s.experiment.training.optimizer_params == {}


def test_a_field_of_one_list_item_is_a_path_an_edit_and_an_undo():
    # the optimizer lab's racers: racers[i].<field> names one racer's setting
    from playground.core.field_paths import field_info

    session = Session()
    seen = []
    session.subscribe(seen.append)
    assert field_info("optimizer_lab.racers[2].learning_rate").lo_open
    assert session.set("optimizer_lab.racers[2].learning_rate", 0.05)
    assert seen[-1].touches("optimizer_lab.racers") and seen[-1].kinds == {"lab"}
    assert not seen[-1].needs_rebuild  # a race never restarts the network's run
    with pytest.raises(SpecError, match=r"racers\[2\].learning_rate: must be in \(0, 100\]"):
        session.set("optimizer_lab.racers[2].learning_rate", -1.0)
    with pytest.raises(SpecError, match=r"racers\[9\].learning_rate: no such setting"):
        session.set("optimizer_lab.racers[9].learning_rate", 1.0)
    session.undo()
    assert session.experiment.optimizer_lab.racers[2].learning_rate == 0.01
