"""Overrides: field path -> value changes that turn an experiment into a lesson's twin, or that a
guided step makes. Data only, never code.

Two kinds of check, made at different times. Opening a file checks each override on its own:
the path names a field of the experiment (or a block parameter, `network.<block>.<param>`),
and the value is one that field can hold. Whether the override still applies to this
experiment (the block it names exists, the parameters fit) is checked when it is applied:
a student may delete the block a twin names, and the file they save must open again; running
the lesson's comparison then says which override no longer applies.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from . import fields as F
from .errors import SpecError
from .limits import MAX_NAME

# An entry name and the parameters that belong to it: switching the entry drops parameters
# the new entry does not take (a twin "with plain SGD" of a momentum run has no momentum).
ENTRY_PARAMS = {"training.optimizer": "training.optimizer_params",
                "training.schedule": "training.schedule_params",
                "training.regularization": "training.regularization_params"}


def check_override(key: str, value: Any, place: str) -> None:
    """SpecError naming `place` when `key` names no field or `value` cannot be that field's."""
    from .spec import Experiment

    parts = key.split(".")
    if parts[0] == "network":
        if not (len(parts) == 3 or (len(parts) == 2 and value == "removed")) \
                or not all(0 < len(p) <= MAX_NAME for p in parts):
            raise SpecError(place, "names no block; use network.<block id>.<parameter> "
                            "or network.hidden.<parameter>")
        return
    cls: Any = Experiment
    for i, part in enumerate(parts):
        known = {f.name: f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) \
            else {}
        fld = known.get(part)
        if fld is None:
            raise SpecError(place, "is not a field of the experiment")
        kind = fld.metadata.get("kind")
        last = i == len(parts) - 1
        if kind == "params" and i == len(parts) - 2:  # an entry's parameter: a number or name
            F._coerce(place, "params", {parts[-1]: value})
            return
        if last:
            coerced = F._coerce(place, kind, value)
            check = fld.metadata.get("check")
            problem = check(coerced) if check and not dataclasses.is_dataclass(coerced) \
                else None
            if problem:
                raise SpecError(place, problem)
            return
        cls = kind


def with_changes(experiment, changes: dict, where: str = ""):
    """A copy of `experiment` with each field path set to its value (`network.<block>.<param>`
    sets a block's parameter; `network.hidden.<param>` every Dense block's; `network.<block>`:
    "removed" takes a one-input block out and joins its neighbours), validated whole.
    SpecError names `where` and the path."""
    from .spec import Experiment

    doc = experiment.to_json()
    doc["outcome"].update(twin={}, relation="")
    doc["lesson"]["steps"] = []
    doc["lesson"].pop("progress", None)  # a student's place names steps the copy has not
    place = where
    for key, value in changes.items():
        place = f"{where}.{key}" if where else key
        parts = key.split(".")
        if parts[0] == "network":
            _change_network(doc["network"], parts, value, place)
            continue
        target = doc
        for part in parts[:-1]:
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict) or parts[-1] not in target:
            raise SpecError(place, "is not a field of the experiment")
        target[parts[-1]] = value
        if key in ENTRY_PARAMS and ENTRY_PARAMS[key] not in changes:
            _keep_params_of(doc, key, value)
    try:
        return Experiment.from_json(doc)
    except SpecError as exc:
        raise SpecError(place if len(changes) == 1 else where,
                        f"{exc.path}: {exc.message}" if exc.path else exc.message) from exc


def _keep_params_of(doc: dict, key: str, name: Any) -> None:
    section, field = ENTRY_PARAMS[key].split(".")
    doc[section][field] = params_taken(key, name, doc[section].get(field))


def params_taken(key: str, name: Any, params: Any) -> Any:
    """Of `params`, those that entry `name` of the table behind `key` (an ENTRY_PARAMS key)
    takes; `params` unchanged when `name` is no entry (its own check names the problem)."""
    from .catalog import SCHEDULES, WEIGHT_PENALTIES
    from .optim import OPTIMIZERS

    table = {"training.optimizer": OPTIMIZERS, "training.schedule": SCHEDULES,
             "training.regularization": WEIGHT_PENALTIES}[key]
    entry = table.get(name) if isinstance(name, str) else None
    if entry is None or not isinstance(params, dict):
        return params
    taken = {p.name for p in entry.params}
    return {k: v for k, v in params.items() if k in taken}


def _change_network(network: dict, parts: list[str], value: Any, place: str) -> None:
    if len(parts) == 2 and value == "removed":
        _remove_block(network, parts[1], place)
        return
    nodes = network["nodes"]
    chosen = [] if len(parts) != 3 else \
        [n for n in nodes if n["type"] == "dense"] if parts[1] == "hidden" \
        else [n for n in nodes if n["id"] == parts[1]]
    if not chosen:
        raise SpecError(place, "names no block; use network.<block id>.<parameter> "
                        "or network.hidden.<parameter>")
    for node in chosen:
        node.setdefault("params", {})[parts[2]] = value


def _remove_block(network: dict, block: str, place: str) -> None:
    ins = [s for s, d in network["edges"] if d == block]
    outs = [d for s, d in network["edges"] if s == block]
    if len(ins) != 1 or not any(n["id"] == block for n in network["nodes"]):
        raise SpecError(place, f"no block {block!r} with one input to remove")
    network["nodes"] = [n for n in network["nodes"] if n["id"] != block]
    network["edges"] = [[s, d] for s, d in network["edges"] if block not in (s, d)]
    network["edges"] += [[ins[0], d] for d in outs]
