"""Files from strangers (issue #17): what the app writes it reads back; every hostile file is
refused with a PlaygroundError naming the field, in bounded time and memory."""

import json
import os
import stat
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest

from playground.core import files, limits
from playground.core.checks import check_runnable
from playground.core.datasets import DataError, points_from_csv
from playground.core.errors import PlaygroundError, SpecError
from playground.core.graph import Graph, mlp
from playground.core.spec import Experiment
from playground.core.trainer import Trainer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def doc_of(exp: Experiment) -> dict:
    return json.loads(exp.dumps())


def refusal(text: str) -> SpecError:
    with pytest.raises(PlaygroundError) as err:
        loaded = files.loads(text)
        check_runnable(loaded.experiment, loaded.state)
    return err.value


def small(exp: Experiment | None = None) -> Experiment:
    exp = exp or Experiment()
    exp.training.fast_path = False  # these tests are about files, not the fused kernel
    exp.data.n_points = 40
    return exp


# ------------------------------------------------------------------ the app's own work


@pytest.mark.parametrize("block", ["prelu", "batchnorm"])
def test_networks_with_prelu_or_batchnorm_open_again_after_saving(tmp_path, block):
    exp = small()
    if block == "prelu":
        exp.network = mlp([4], "prelu")
    else:
        graph = mlp([4], "tanh")
        graph.add_node("batchnorm", node_id="norm")
        graph.disconnect("dense1", "output")
        graph.connect("dense1", "norm")
        graph.connect("norm", "output")
        exp.network = graph
    trainer = Trainer(exp)
    trainer.run(2)
    path = str(tmp_path / "net.json")
    files.save_experiment(path, exp, trainer)
    resumed = files.resume_trainer(files.load_experiment(path))  # 0-d tensors stay 0-d
    assert resumed.epoch == 2
    with open(path) as fh:
        assert files.dumps(exp, resumed) == fh.read()


def test_numbers_beyond_float_are_refused_naming_the_field_not_accepted_as_infinity():
    text = json.dumps(doc_of(Experiment())).replace('"at_least": -1000000000.0',
                                                    '"at_least": -1e400')
    err = refusal(text)
    assert err.path == "outcome.at_least" and "1e400" in str(err)
    exp = Experiment()
    with pytest.raises(SpecError, match="outcome.at_most: must be a finite number"):
        Experiment.from_json({**doc_of(exp), "outcome": {"at_most": float("inf")}})


@pytest.mark.parametrize("number", ["1e400", "1" + "0" * 400, "9" * 5000])
def test_huge_numbers_in_whole_number_fields_are_refused_naming_the_field(number):
    text = json.dumps(doc_of(Experiment())).replace('"seed": 0', f'"seed": {number}', 1)
    err = refusal(text)
    assert err.path == "data.seed" and len(str(err)) < 200


def test_placed_centres_beyond_ten_open_again(tmp_path):
    exp = Experiment()
    exp.clustering.init = "manual"
    exp.clustering.centres = [[float(i), 0.0, 0.0] for i in range(12)]
    exp.clustering.k = 12  # what placing them does
    path = str(tmp_path / "centres.json")
    files.save_experiment(path, exp)
    assert files.load_experiment(path).experiment.clustering.centres == exp.clustering.centres
    exp.clustering.centres = [[0.0, 0.0, 0.0]] * (limits.MAX_CENTRES + 1)
    with pytest.raises(SpecError, match=f"clustering.centres: {limits.MAX_CENTRES + 1} rows"):
        Experiment.from_json(doc_of(exp))


def test_a_csv_beyond_the_row_limit_is_refused_at_import_not_when_reopened():
    rows = "\n".join(f"{i % 7},{i % 11},{i % 2}" for i in range(limits.MAX_POINTS + 1))
    with pytest.raises(DataError, match=f"the limit is {limits.MAX_POINTS} points"):
        points_from_csv(rows)
    table = points_from_csv("\n".join(rows.split("\n")[: limits.MAX_POINTS]))
    exp = Experiment()
    exp.data.generator, exp.data.points = "points", table
    assert len(files.loads(files.dumps(exp)).experiment.data.points) == limits.MAX_POINTS


def test_a_csv_with_a_byte_order_mark_keeps_its_first_row():
    assert points_from_csv("\ufeff1,2,0\n3,4,1\n") == [[1, 2, 0], [3, 4, 1]]
    assert len(points_from_csv("\ufeffx1,x2,label\n1,2,0\n3,4,1\n")) == 2


def test_an_experiment_file_with_a_byte_order_mark_opens(tmp_path):
    path = tmp_path / "notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + Experiment(title="BOM").dumps().encode())
    assert files.load_experiment(str(path)).experiment.title == "BOM"


def test_csv_fields_beyond_the_parser_limit_and_points_beyond_float32_get_a_message():
    with pytest.raises(DataError, match="line 2"):
        points_from_csv("1,2,0\n" + "1" * 200_000 + ",2,1\n")
    with pytest.raises(DataError, match="line 2: values must lie within"):
        points_from_csv("1,2,0\n1e39,2,1\n")
    exp = Experiment()
    exp.data.generator, exp.data.points = "points", [[0, 0, 0], [1e39, 0, 1]]
    with pytest.raises(SpecError, match=r"data.points\[1\]: values must lie within"):
        Experiment.from_json(doc_of(exp))


def test_saving_keeps_the_mode_and_writes_through_a_symlink(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("{}")
    os.chmod(target, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    files.save_experiment(str(link), Experiment(title="through"))
    assert link.is_symlink()
    assert json.loads(target.read_text())["title"] == "through"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_a_new_file_gets_the_usual_mode_not_0600(tmp_path):
    umask = os.umask(0o022)
    try:
        files.save_experiment(str(tmp_path / "new.json"), Experiment())
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o644


# A save that stops for good just before its rename (os.replace never returns): the process is
# then killed as a power cut or kill -9 would, its temporary file written and still there.
KILLED_SAVE = """
import os, sys, time
from playground.core import saving

def stop_here(src, dst):
    print("writing", flush=True)
    time.sleep(600)

os.replace = stop_here
saving.atomic_write_text(sys.argv[1], '{"title": "half saved"}')
"""


def killed_save(path) -> subprocess.Popen:
    """A real process saving `path`, stopped in the middle of its save (still running)."""
    child = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path)],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout.readline().strip() == "writing"
    return child


def kill(child: subprocess.Popen) -> None:
    child.kill()
    child.wait()
    child.stdout.close()


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_save_killed_midway_leaves_nothing_once_the_folder_is_saved_into(tmp_path):
    child = killed_save(tmp_path / "exp.json")
    try:
        assert len(leftovers(tmp_path)) == 1  # the half-written file, under a marked name
        # A save in progress is never taken for a leftover: another save beside it keeps it.
        files.save_experiment(str(tmp_path / "other.json"), Experiment())
        assert len(leftovers(tmp_path)) == 1
    finally:
        kill(child)
    # Killed: the next save into the folder, of any file, removes what it left.
    files.save_experiment(str(tmp_path / "other.json"), Experiment())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json"]


def test_a_save_killed_midway_leaves_nothing_once_a_file_is_opened_there(tmp_path):
    path = tmp_path / "exp.json"
    files.save_experiment(str(path), Experiment(title="whole"))
    kill(killed_save(path))
    assert len(leftovers(tmp_path)) == 1
    assert files.load_experiment(str(path)).experiment.title == "whole"  # the old file stands
    assert leftovers(tmp_path) == []


def test_only_the_apps_own_temporary_files_are_removed(tmp_path):
    mine = tmp_path / ".notes.txt.tmp"  # someone else's temporary file, not a save's
    mine.write_text("keep me")
    files.save_experiment(str(tmp_path / "exp.json"), Experiment())
    assert mine.read_text() == "keep me"


def test_a_lone_surrogate_is_refused_on_reading_and_saving_leaves_nothing_behind(tmp_path):
    text = Experiment(title="x").dumps().replace('"title": "x"', '"title": "a \\ud800"')
    assert refusal(text).path == "title"
    path = tmp_path / "s.json"
    with pytest.raises(SpecError, match="cannot save"):
        files.save_experiment(str(path), Experiment(title="a \ud800"))
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ bounded time and memory


def refused_within_bounds(text: str, words: str) -> None:
    """Refused with `words` in the message, in under a second of CPU, using < 200 MB (memory
    measured in a second pass: tracing allocations slows Python down several times)."""
    start = time.process_time()
    err = refusal(text)
    cpu = time.process_time() - start
    tracemalloc.start()
    try:
        refusal(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert words in str(err)
    assert cpu < 1.0 and peak < 200 * 2**20, (cpu, peak)


def chain_doc(n_dense: int, units: int, **params) -> dict:
    doc = doc_of(Experiment())
    nodes = [{"id": "input", "type": "input"}]
    nodes += [{"id": f"d{i}", "type": "dense", "params": {"units": units, **params}}
              for i in range(n_dense)]
    nodes.append({"id": "output", "type": "output"})
    ids = [n["id"] for n in nodes]
    doc["network"] = {"nodes": nodes, "edges": [list(e) for e in zip(ids, ids[1:], strict=False)]}
    return doc


def test_a_file_asking_for_a_billion_parameters_is_refused_quickly():
    doc = chain_doc(500, 512, activation="maxout", k=8)  # 500 x 512 x 512 x 8 = 1e9
    refused_within_bounds(json.dumps(doc), f"the limit is {limits.MAX_PARAMETERS}")


def test_a_file_asking_for_a_hundred_thousand_classes_is_refused_quickly():
    doc = doc_of(Experiment())
    doc["data"].update(generator="points",
                       points=[[i % 300, i // 300, i] for i in range(limits.MAX_POINTS)])
    refused_within_bounds(json.dumps(doc), f"classes; the limit is {limits.MAX_CLASSES}")


def test_a_file_asking_for_ten_million_clustering_points_is_refused_quickly():
    doc = doc_of(Experiment())
    doc["data"].update(generator="uniform", n_points=10_000_000)
    refused_within_bounds(json.dumps(doc), "data.n_points")
    doc["data"]["n_points"] = 20_000  # allowed for k-means, not for an n x n matrix
    doc["clustering"]["algorithm"] = "hierarchical"
    refused_within_bounds(json.dumps(doc), f"the limit is {limits.MAX_HIERARCHICAL_POINTS}")


def test_a_file_of_millions_of_tiny_lists_is_refused_before_parsing():
    doc = doc_of(Experiment())
    doc["description"] = 0
    text = json.dumps(doc).replace('"description": 0', '"description": ' + "[[]," * 2_000_000
                                   + "[]" + "]" * 2_000_000, 1)
    refused_within_bounds(text, "lists and objects in the file")


class CountingEdges(list):
    passes = 0

    def __iter__(self):
        CountingEdges.passes += 1
        return super().__iter__()


def test_graph_validation_reads_the_connections_a_fixed_number_of_times():
    # Cubic validation (every block scanning every connection, per block) froze the window
    # on a 2,000-block file: the number of passes must not grow with the graph.
    passes = []
    for n in (10, 200):
        graph = Graph.from_json(chain_doc(n, 1)["network"])
        graph.edges = CountingEdges(graph.edges)
        CountingEdges.passes = 0
        assert graph.validate(2, 1) == []
        passes.append(CountingEdges.passes)
    assert passes[0] == passes[1] < 10


def test_two_thousand_blocks_validate():
    doc = chain_doc(limits.MAX_BLOCKS - 2, 1)
    check_runnable(files.loads(json.dumps(doc)).experiment)


# ------------------------------------------------------------------ messages, not tracebacks


@pytest.mark.parametrize("change,field", [
    (lambda d: d["network"]["nodes"][1].update(type=["dense"]), "network.nodes[1]"),
    (lambda d: d["network"]["edges"].__setitem__(0, [["input"], "dense1"]), "network.edges[0]"),
    (lambda d: d["network"]["nodes"][1].update(colour="red"), "network.nodes[1].colour"),
    (lambda d: d["network"]["nodes"][1].update(id="d" * 10_000), "network.nodes[1].id"),
    (lambda d: d["data"].update(generator="x" * 1_000_000), "data.generator"),
    (lambda d: d.update(features=[["x1"]]), "features"),
    (lambda d: d["training"].update(optimizer_params={"beta1": [1]}),
     "training.optimizer_params.beta1"),
])
def test_hostile_values_get_a_short_message_naming_the_field(change, field):
    doc = doc_of(Experiment())
    change(doc)
    err = refusal(json.dumps(doc))
    assert err.path.startswith(field) and len(str(err)) < 400


def test_a_dense_block_with_two_inputs_is_refused_not_half_used():
    doc = doc_of(Experiment())
    doc["network"]["edges"].append(["input", "dense2"])
    assert 'block "dense2": Dense takes one input, has 2' in str(refusal(json.dumps(doc)))


def test_an_unknown_key_inside_a_block_is_refused_not_dropped():
    doc = doc_of(Experiment())
    doc["network"]["nodes"][1]["params"]["untis"] = 8  # a typo would otherwise go unnoticed
    err = refusal(json.dumps(doc))
    assert "dense1" in str(err) and "unknown parameter 'untis'" in str(err)


def test_a_clustering_lesson_that_cannot_run_is_refused_by_the_checks_validate_runs():
    doc = doc_of(Experiment())
    doc["outcome"].update(metric="clusters", at_least=1, at_most=5)
    doc["clustering"].update(init="manual", centres=[])
    assert refusal(json.dumps(doc)).path == "clustering.centres"
    from playground.core.clustering.kmeans import initial_centres

    with pytest.raises(SpecError):  # core raises PlaygroundErrors, not bare ValueErrors
        initial_centres(np.zeros((3, 2)), 5, "random_points")


def test_a_one_point_regression_set_is_refused_with_a_message():
    doc = doc_of(Experiment())
    doc["data"].update(generator="points", problem="regression", points=[[0.5, 0.5, 0.3]])
    assert refusal(json.dumps(doc)).path == "data.points"


def test_the_saved_state_is_checked_without_building_a_trainer(monkeypatch):
    exp = small()
    trainer = Trainer(exp)
    trainer.run(1)
    doc = files.document(exp, trainer)
    key = "blocks.dense1.linear.weight"
    doc["state"]["model"][key] = files.encode_array(np.full((4, 2), np.nan, np.float32))
    import playground.core.trainer as trainer_module

    def no_trainer(*args, **kwargs):
        raise AssertionError("validation built a trainer")

    monkeypatch.setattr(trainer_module, "Trainer", no_trainer)
    assert refusal(json.dumps(doc)).path == f"state.model.{key}"


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_only_regular_files_are_read(tmp_path, kind):
    path = tmp_path / "special.json"
    if kind == "fifo":
        os.mkfifo(path)  # opening for reading would wait for a writer forever
    else:
        path.symlink_to("/dev/zero")  # reading would never end
    with pytest.raises(SpecError, match="not a regular file"):
        files.load_experiment(str(path))


def test_a_read_only_file_is_not_overwritten_without_a_word(tmp_path):
    path = tmp_path / "lesson.json"
    path.write_text(Experiment(title="the teacher's").dumps())
    os.chmod(path, 0o444)
    with pytest.raises(SpecError, match="read-only"):
        files.save_experiment(str(path), Experiment(title="mine"))
    assert "the teacher's" in path.read_text()


@pytest.mark.parametrize("where", [("optimizer_lab", "racers", 2, "start"),
                                   ("optimizer_lab", "surface"), ("sweep", "values", 0),
                                   ("training", "optimizer_params"), ("view", "hidden_controls")])
def test_a_huge_bad_value_is_quoted_short_in_the_refusal(where):
    """The refusal of a racer's start echoed the whole value: a 30,000-character string
    made a 30,000-character message (found by the fuzz test)."""
    doc = Experiment().to_json()
    place = doc
    for key in where[:-1]:
        place = place[key]
    place[where[-1]] = ["x" * 30_000] if where[-1] == "start" else "x" * 30_000
    with pytest.raises(PlaygroundError) as refused:
        loaded = files.loads(json.dumps(doc))
        check_runnable(loaded.experiment, loaded.state)
    message = str(refused.value)
    assert len(message) < 600, message[:200]
    assert str(where[0]) in message
