"""The Experiment: JSON round trip, field-named validation, versions and migrations."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core import spec as spec_module
from playground.core.errors import SpecError
from playground.core.graph import mlp
from playground.core.spec import Experiment


def _doc(**changes):
    doc = Experiment().to_json()
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        doc[section][key] = value
    return doc


def test_default_round_trip_is_exact():
    exp = Experiment()
    again = Experiment.loads(exp.dumps())
    assert again == exp
    assert again.dumps() == exp.dumps()


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(1e-6, 10.0), noise=st.floats(0.0, 1.0), seed=st.integers(0, 2**31 - 1),
       hidden=st.lists(st.integers(1, 8), max_size=6), batch=st.integers(1, 64),
       title=st.text(max_size=20))
def test_round_trip_is_exact_for_any_valid_values(lr, noise, seed, hidden, batch, title):
    exp = Experiment(title=title)
    exp.training.learning_rate = lr
    exp.training.batch_size = batch
    exp.data.noise = noise
    exp.data.seed = seed
    exp.network = mlp(hidden, "relu")
    again = Experiment.loads(exp.dumps())
    assert again == exp
    assert again.training.learning_rate == lr  # bit-exact floats


@pytest.mark.parametrize("changes,message", [
    ({"training__learning_rate": -1}, "training.learning_rate: must be in (0, 10], got -1"),
    ({"training__batch_size": 0}, "training.batch_size: must be in [1, 4096], got 0"),
    ({"training__optimizer": "adamax"}, "training.optimizer: must be one of sgd,"),
    ({"data__noise": 2}, "data.noise: must be in [0, 1], got 2"),
    ({"data__generator": "moon"}, "data.generator: must be one of circle,"),
    ({"training__batch_size": 2.5}, "training.batch_size: must be a whole number, got 2.5"),
    ({"view__resolution": "high"}, "view.resolution: must be a whole number"),
    ({"training__optimizer_params": {"momentum": 1.5}}, "training.optimizer_params.momentum"),
])
def test_invalid_values_name_field_range_and_value(changes, message):
    with pytest.raises(SpecError) as err:
        Experiment.from_json(_doc(**changes))
    assert message in str(err.value)


def test_unknown_field_is_named():
    doc = _doc()
    doc["training"]["learning_rat"] = 0.1
    with pytest.raises(SpecError, match=r"training\.learning_rat: unknown field"):
        Experiment.from_json(doc)


def test_unknown_feature_is_refused():
    doc = _doc()
    doc["features"] = ["x1", "x3"]
    with pytest.raises(SpecError, match="features: must be one of"):
        Experiment.from_json(doc)


def test_newer_version_is_refused_clearly():
    doc = _doc()
    doc["version"] = spec_module.VERSION + 1
    with pytest.raises(SpecError, match="newer playground"):
        Experiment.from_json(doc)


def test_wrong_format_is_refused():
    with pytest.raises(SpecError, match="not a playground experiment"):
        Experiment.from_json({"format": "tensorflow", "version": 1})


def test_older_version_is_migrated(monkeypatch):
    # Pretend the current format is version 2, which renamed data.noise to data.noise_level...
    # in reverse: a v1 file must come through the registered migration.
    calls = []

    def v1_to_v2(doc):
        calls.append(doc["version"])
        doc["title"] = doc["title"] + " (migrated)"
        return doc

    monkeypatch.setattr(spec_module, "VERSION", 2)
    monkeypatch.setitem(spec_module.MIGRATIONS, 1, v1_to_v2)
    doc = Experiment(title="old").to_json()
    doc["version"] = 1
    exp = Experiment.from_json(doc)
    assert calls == [1]
    assert exp.title == "old (migrated)"


def test_nan_in_json_is_refused():
    text = Experiment().dumps().replace('"noise": 0.0', '"noise": NaN')
    with pytest.raises(SpecError, match="NaN"):
        Experiment.loads(text)


def test_broken_json_names_the_line():
    text = Experiment().dumps()[:200]
    with pytest.raises(SpecError, match="line"):
        Experiment.loads(text)


def test_json_is_readable_with_format_and_version():
    doc = json.loads(Experiment().dumps())
    assert doc["format"] == "playground-experiment"
    assert doc["version"] == spec_module.VERSION
