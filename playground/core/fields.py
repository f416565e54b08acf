"""Declarative fields for the experiment's dataclasses: type, default and the allowed range.

Each field carries its own check, so validation, JSON conversion and the GUI's controls read
one description and cannot disagree. Messages have the form the user sees:
``training.learning_rate: must be > 0, got -1``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from typing import Any

from .errors import SpecError, quote
from .limits import MAX_NAME, MAX_TEXT, check_text

Check = Callable[[Any], str | None]


LIVE, REBUILD = "live", "rebuild"


def field(default: Any, kind: Any, check: Check | None = None, doc: str = "", *,
          apply: str = REBUILD, step: float | None = None, label: str = "",
          choices: Callable[[], Iterable[str]] | Iterable[str] | None = None,
          item: type | None = None) -> Any:
    """A dataclass field with its JSON kind, an optional check returning an error text, and what
    the window needs to offer it: whether a change applies `live` to a running trainer or needs a
    `rebuild`, the widget's step, a label and (for names) the choices. `item`: for a list of
    dataclasses, their class (so `racers[0].learning_rate` names a field)."""
    meta = {"kind": kind, "check": check, "doc": doc, "apply": apply, "step": step,
            "label": label, "choices": choices, "item": item}
    if isinstance(default, list | dict) or dataclasses.is_dataclass(default):
        import copy

        return dataclasses.field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return quote(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Check:
    """A check that also tells widgets its bounds or names (read by `bounds` and `names`)."""

    def __init__(self, fn: Check, **facts: Any):
        self.fn = fn
        self.__dict__.update(facts)

    def __call__(self, value: Any) -> str | None:
        return self.fn(value)


def bounds(check: Check | None) -> tuple[float | None, float | None, bool]:
    """(lo, hi, lo_open) of a `between` check; (None, None, False) for any other."""
    return (getattr(check, "lo", None), getattr(check, "hi", None),
            getattr(check, "lo_open", False))


def names(check: Check | None) -> list[str] | None:
    """The allowed names of a `one_of` check, read now; None for any other check."""
    source = getattr(check, "names", None)
    if source is None:
        return None
    return list(source() if callable(source) else source)


def between(lo: float | None = None, hi: float | None = None, *, lo_open: bool = False) -> Check:
    """Check that a number lies in [lo, hi] ((lo, hi] when lo_open)."""

    def check(value: float) -> str | None:
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be a finite number, got {_fmt(value)}"
        if lo is not None and (value <= lo if lo_open else value < lo):
            op = ">" if lo_open else ">="
            if hi is None:
                return f"must be {op} {_fmt(lo)}, got {_fmt(value)}"
            rng = f"({_fmt(lo)}, {_fmt(hi)}]" if lo_open else f"[{_fmt(lo)}, {_fmt(hi)}]"
            return f"must be in {rng}, got {_fmt(value)}"
        if hi is not None and value > hi:
            if lo is None:
                return f"must be <= {_fmt(hi)}, got {_fmt(value)}"
            rng = f"({_fmt(lo)}, {_fmt(hi)}]" if lo_open else f"[{_fmt(lo)}, {_fmt(hi)}]"
            return f"must be in {rng}, got {_fmt(value)}"
        return None

    return _Check(check, lo=lo, hi=hi, lo_open=lo_open)


def one_of(names: Callable[[], Iterable[str]] | Iterable[str]) -> Check:
    """Check that a string is one of the names (a callable is read lazily, at check time)."""

    def check(value: str) -> str | None:
        allowed = list(names() if callable(names) else names)
        if value not in allowed:
            return f"must be one of {', '.join(allowed)}; got {_fmt(value)}"
        return None

    return _Check(check, names=names)


def each_of(names: Callable[[], Iterable[str]]) -> Check:
    """Check that every item of a list is one of the names."""
    single = one_of(names)

    def check(values: list[str]) -> str | None:
        for value in values:
            problem = single(value)
            if problem:
                return problem
        return None

    return check


# ---------------------------------------------------------------------------- JSON conversion


def _is_number(raw: Any) -> bool:
    return isinstance(raw, int | float) and not isinstance(raw, bool)


def _coerce(path: str, kind: Any, raw: Any) -> Any:
    if dataclasses.is_dataclass(kind):
        return from_dict(kind, raw, path)
    if kind is bool:
        if not isinstance(raw, bool):
            raise SpecError(path, f"must be true or false, got {quote(raw)}")
        return raw
    if kind is int:
        if not _is_number(raw) or isinstance(raw, float) and not raw.is_integer():
            raise SpecError(path, f"must be a whole number, got {quote(raw)}")
        return int(raw)
    if kind is float:
        if not _is_number(raw):
            raise SpecError(path, f"must be a number, got {quote(raw)}")
        try:
            value = float(raw)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise SpecError(path, f"must be a finite number, got {quote(raw)}")
        return value
    if kind is str:
        if not isinstance(raw, str):
            raise SpecError(path, f"must be text, got {quote(raw)}")
        check_text(path, raw, MAX_TEXT)
        return raw
    if kind == "str_list":
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise SpecError(path, f"must be a list of names, got {quote(raw)}")
        for i, name in enumerate(raw):
            check_text(f"{path}[{i}]", name, MAX_NAME)
        return list(raw)
    if kind == "params":
        if not isinstance(raw, dict) or not all(isinstance(k, str) for k in raw):
            raise SpecError(path, f"must be an object of named numbers, got {quote(raw)}")
        out = {}
        for key, value in raw.items():
            check_text(path, key, MAX_NAME)
            if isinstance(value, str):
                check_text(f"{path}.{key}", value, MAX_NAME)
            elif not _is_number(value):
                raise SpecError(f"{path}.{key}", f"must be a number or a name, got {quote(value)}")
            out[key] = value
        return out
    if callable(kind):  # a custom converter, e.g. the network graph or the points table
        return kind(raw, path)
    raise TypeError(f"unknown field kind {kind!r}")  # a programming error, not user input


def from_dict(cls: type, raw: Any, path: str = "") -> Any:
    """Build dataclass `cls` from JSON data, naming the first wrong field in a SpecError."""
    if not isinstance(raw, dict):
        raise SpecError(path, f"must be an object, got {type(raw).__name__}")
    known = {f.name: f for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in known:
            raise SpecError(_join(path, str(key)[:MAX_NAME]),
                            f"unknown field; known fields: {', '.join(known)}")
    values = {}
    for name, fld in known.items():
        if name in raw:
            values[name] = _coerce(_join(path, name), fld.metadata["kind"], raw[name])
    obj = cls(**values)
    validate(obj, path)
    return obj


def to_dict(obj: Any) -> Any:
    """The JSON form of a dataclass built by `from_dict` (custom kinds provide `to_json`)."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if isinstance(obj, list):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def validate(obj: Any, path: str = "") -> None:
    """Run every field's check (and nested dataclasses' own `validate_extra`), raising the first."""
    for fld in dataclasses.fields(obj):
        value = getattr(obj, fld.name)
        sub = _join(path, fld.name)
        if dataclasses.is_dataclass(value):
            validate(value, sub)
            continue
        if isinstance(value, list) and fld.metadata.get("item") is not None:
            for i, entry in enumerate(value):  # an edit may have changed one item's field
                validate(entry, f"{sub}[{i}]")
        check = fld.metadata.get("check")
        problem = check(value) if check else None
        if problem:
            raise SpecError(sub, problem)
    extra = getattr(obj, "validate_extra", None)
    if extra:
        extra(path)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
