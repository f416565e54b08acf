"""Field paths of the experiment: what a path such as ``training.learning_rate`` names, how a
change of it reaches a run (live, rebuild, view...), and the metadata a control needs to offer
it (type, range, step, choices, tooltip). Used by the session and by the window's controls."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any

from . import fields as F
from .errors import SpecError
from .graph import Graph
from .spec import Experiment

LIVE, REBUILD, VIEW, CLUSTERING, LAYOUT, META, STATE, LAB = (
    "live", "rebuild", "view", "clustering", "layout", "meta", "state", "lab")


@dataclass(frozen=True)
class FieldInfo:
    """What a control needs to offer one field: its type, range, step, choices and text."""

    path: str
    kind: Any
    default: Any
    doc: str
    apply: str
    lo: float | None
    hi: float | None
    lo_open: bool
    step: float | None
    label: str
    choices: list[str] | None


def parts_of(path: str) -> list[str | int]:
    """The steps of a field path: names, and list indices written ``racers[0]``."""
    out: list[str | int] = []
    for part in path.split("."):
        name, *indices = part.split("[")
        out.append(name)
        for index in indices:
            if not index.endswith("]") or not index[:-1].isdigit():
                raise SpecError(path, "no such setting")
            out.append(int(index[:-1]))
    return out


def _section_field(path: str) -> tuple[type, dataclasses.Field]:
    cls: type = Experiment
    parts = parts_of(path)
    fld = None
    for i, part in enumerate(parts):
        if isinstance(part, int):  # an item of a list of dataclasses
            cls = fld.metadata.get("item") if fld is not None else None
            if cls is None or i == len(parts) - 1:
                raise SpecError(path, "no such setting")
            continue
        known = {f.name: f for f in dataclasses.fields(cls)}
        if part not in known:
            raise SpecError(path, "no such setting")
        fld = known[part]
        kind = fld.metadata.get("kind")
        nxt = parts[i + 1] if i < len(parts) - 1 else None
        if nxt is not None and not isinstance(nxt, int):
            if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
                raise SpecError(path, "no such setting")
            cls = kind
    return cls, fld


def field_info(path: str) -> FieldInfo:
    """The metadata of a field path such as ``training.learning_rate`` (SpecError if unknown)."""
    _, fld = _section_field(path)
    meta = fld.metadata
    lo, hi, lo_open = F.bounds(meta.get("check"))
    choices = meta.get("choices")
    names = (list(choices() if callable(choices) else choices) if choices is not None
             else F.names(meta.get("check")))
    default = (fld.default if fld.default is not dataclasses.MISSING
               else fld.default_factory())  # type: ignore[misc]
    return FieldInfo(path, meta.get("kind"), default, meta.get("doc", ""), apply_kind(path), lo,
                     hi, lo_open, meta.get("step"), meta.get("label", ""), names)


def apply_kind(path: str) -> str:
    """How a change of `path` reaches the run (see the module docstring)."""
    head = path.split(".")[0].split("[")[0]
    if path == "state":
        return STATE
    if path == "network.layout":
        return LAYOUT
    if head in ("view",):
        return VIEW
    if head == "clustering":
        return CLUSTERING
    if head in ("title", "description", "outcome", "sweep", "lesson"):  # a sweep runs on its own
        return META
    if head in ("optimizer_lab", "graph_lab"):
        return LAB  # the labs run on their own: the network's run goes on
    if head == "training":
        name = path.split(".")[1] if "." in path else ""
        try:
            _, fld = _section_field(f"training.{name}")
        except SpecError:
            return REBUILD
        return LIVE if fld.metadata.get("apply") == F.LIVE else REBUILD
    return REBUILD


def _step(obj: Any, part: str | int) -> Any:
    if isinstance(part, int) or isinstance(obj, dict):
        return obj[part]  # KeyError or IndexError: no such place
    return getattr(obj, part)


def get_path(exp: Experiment, path: str) -> Any:
    obj: Any = exp
    for part in parts_of(path):
        obj = _step(obj, part)
    return obj


def _set_path(exp: Experiment, path: str, value: Any) -> None:
    *above, name = parts_of(path)
    parent: Any = exp
    for part in above:
        parent = _step(parent, part)
    if isinstance(parent, dict):
        if value is _ABSENT:
            parent.pop(name, None)
        else:
            parent[name] = value
    elif isinstance(name, int):
        parent[name] = value
    else:
        setattr(parent, name, value)


_ABSENT = object()


def _coerce(path: str, value: Any) -> Any:
    """A widget's value in the field's own type (params entries stay numbers or names)."""
    try:
        _, fld = _section_field(path)
    except SpecError:
        return value  # an entry of a params dict: checked by the section's validate_extra
    kind = fld.metadata["kind"]
    if dataclasses.is_dataclass(value) or isinstance(value, Graph):
        return copy.deepcopy(value)  # a whole section or network, checked after it is set
    return F._coerce(path, kind, copy.deepcopy(value))


def _validate_around(exp: Experiment, path: str) -> None:
    head = str(parts_of(path)[0])
    section = getattr(exp, head)
    if dataclasses.is_dataclass(section):
        F.validate(section, head)
    else:
        F.validate(exp)
