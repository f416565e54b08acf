"""Fuzzing real saved experiments field by field (issue #17): every mutated file is either
refused with a PlaygroundError that names a field or block, or accepted and round-tripped;
never another exception. Bounded to about 30 s: examples are cheap (no trainer is built)."""

import contextlib
import glob
import json
import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core import files
from playground.core.checks import check_runnable
from playground.core.errors import GraphError, PlaygroundError, SpecError

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(HERE)


def _saved_experiments() -> list[str]:
    paths = sorted(glob.glob(os.path.join(ROOT, "examples", "*.json")))
    paths.append(os.path.join(HERE, "fixtures", "v1_trained.json"))  # with a `state` section
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            texts.append(fh.read())
    return texts


SAVED = _saved_experiments()


def _paths(value, prefix=()):
    """Every place in a document a value sits (base64 blobs count as one value)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:8]):  # the first rows of a long table stand for all
            yield from _paths(item, (*prefix, i))


PATHS = [[p for p in _paths(json.loads(text)) if p] for text in SAVED]

# Values a stranger might put anywhere: wrong types, extremes, huge and odd text. Numbers a
# float cannot hold are written into the text as tokens (json.dumps cannot write them).
TOKENS = ["1e400", "-1e400", "9" * 400, "-" + "9" * 5000, "1e-400", "NaN", "Infinity"]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 1, 2**31, 10**18, 1e308, -1e308, 5e-324]),
    st.text(max_size=20), st.sampled_from(["", "x" * 300_000, "\x1b[2J", "\ud800", "dense",
                                           "input", "output", "../../etc/passwd"]),
    st.lists(st.integers(-3, 3), max_size=4), st.sampled_from([[], {}, [[]], {"": None},
                                                               [[0, 0, 0]] * 3]),
    st.sampled_from([f"@token{i}" for i in range(len(TOKENS))]),
)


def _set(doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value == "@delete":
        if isinstance(target, dict):
            del target[path[-1]]
        else:
            target.pop(path[-1])
    else:
        target[path[-1]] = value


def _text(doc) -> str:
    text = json.dumps(doc, ensure_ascii=False)
    for i, token in enumerate(TOKENS):
        text = text.replace(f'"@token{i}"', token)
    return text


def _names_a_place(err: PlaygroundError) -> bool:
    if isinstance(err, SpecError):
        return bool(err.path) or "file" in err.message or "JSON" in err.message
    if isinstance(err, GraphError):
        return bool(err.node or err.edge) or "network" in str(err)
    return "line" in str(err) or "data" in str(err)


@settings(max_examples=800, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_mutated_files_are_refused_naming_a_field_or_round_trip(data):
    which = data.draw(st.integers(0, len(SAVED) - 1), label="file")
    doc = json.loads(SAVED[which])
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = data.draw(st.sampled_from(PATHS[which]), label="path")
        value = data.draw(st.one_of(VALUES, st.just("@delete")), label="value")
        with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
            _set(doc, path, value)  # (an earlier mutation may have removed the place)
    text = _text(doc)
    start = time.process_time()
    try:
        loaded = files.loads(text)
        check_runnable(loaded.experiment, loaded.state)
    except PlaygroundError as err:
        message = str(err)
        assert message and len(message) < 600, message[:1000]
        assert _names_a_place(err), message
    else:
        saved = files.dumps(loaded.experiment)
        again = files.loads(saved)
        assert files.dumps(again.experiment) == saved
    assert time.process_time() - start < 5.0  # a hang guard in CPU seconds, not a benchmark
