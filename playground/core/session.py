"""The session: the one Experiment the window edits, its one undo stack and its change events.

Every edit, of a field (`set("training.learning_rate", 0.1)`), of the network graph (a
`commands.Command`) or of the trained weights, is a command on one stack, so any edit undoes,
and "unsaved changes" means the stack is not at its clean index. Listeners (the window's panels,
the worker's adapter) receive a `Change` naming the field paths touched and how each applies:

- ``live``: the running trainer takes it without a reset (learning rate, schedule, limits);
- ``rebuild``: the trainer must be rebuilt (data, features, network structure, most training);
- ``view``, ``clustering``, ``layout``, ``meta``, ``lab``: redraw only, or the clustering,
  optimizer or graph lab's own run;
- ``state``: a hand edit of the trained weights (the trainer applies it, nothing is rebuilt).

No Qt here: the GUI's thin adapter (gui/session_qt.py) turns changes into a signal.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .commands import Replace
from .errors import GraphError, PlaygroundError, SpecError
from .field_paths import (
    _ABSENT,
    REBUILD,
    FieldInfo,
    _coerce,
    _set_path,
    _validate_around,
    apply_kind,
    field_info,
    get_path,
)
from .graph import OUTPUT_DEFAULTS, Graph, adapt_output
from .spec import Experiment

# ---------------------------------------------------------------------------------- commands

class Command:
    """One undoable edit of the session's experiment. `do` and `undo` return the paths touched."""

    label = "edit"

    def do(self, exp: Experiment) -> set[str]:
        raise NotImplementedError

    def undo(self, exp: Experiment) -> set[str]:
        raise NotImplementedError


@dataclass
class SetFields(Command):
    """Set field paths to values (checked as the file loader checks them; refused whole)."""

    values: dict[str, Any]
    label: str = "change a setting"
    old: dict[str, Any] = dataclasses.field(default_factory=dict)

    def do(self, exp: Experiment) -> set[str]:
        self.old = {}
        for path, value in self.values.items():
            try:
                current = get_path(exp, path)
            except KeyError:  # a parameter not given yet: undo takes it away again
                current = _ABSENT
            except (IndexError, AttributeError) as exc:
                raise SpecError(path, "no such setting") from exc
            self.old[path] = current if current is _ABSENT else copy.deepcopy(current)
            _set_path(exp, path, copy.deepcopy(value))
        try:
            for path in self.values:
                _validate_around(exp, path)
        except PlaygroundError:
            self.undo(exp)
            raise
        return set(self.values)

    def undo(self, exp: Experiment) -> set[str]:
        for path in reversed(list(self.old)):
            old = self.old[path]
            _set_path(exp, path, old if old is _ABSENT else copy.deepcopy(old))
        return set(self.old)


@dataclass
class GraphEdit(Command):
    """A network edit (core/commands.py) as a session command."""

    command: Any
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or getattr(self.command, "label", "edit the network")

    def _paths(self, exp: Experiment, before: dict) -> set[str]:
        after = exp.network.structure()
        return {"network" if after != before else "network.layout"}

    def do(self, exp: Experiment) -> set[str]:
        before = exp.network.structure()
        self.command.do(exp.network)
        return self._paths(exp, before)

    def undo(self, exp: Experiment) -> set[str]:
        before = exp.network.structure()
        self.command.undo(exp.network)
        return self._paths(exp, before)


@dataclass
class SetWeight(Command):
    """A hand edit of one trained weight (or a bias when `col` is None). The weights live in
    the trainer, so the session only records the edit; the worker applies `value` (or `old`)."""

    node: str
    row: int
    col: int | None
    value: float
    old: float
    label: str = "edit a weight"

    def do(self, exp: Experiment) -> set[str]:
        return {"state"}

    def undo(self, exp: Experiment) -> set[str]:
        return {"state"}

    def current(self, undone: bool) -> float:
        return self.old if undone else self.value


@dataclass
class Compound(Command):
    """Several commands done as one (a field edit and the network fix-up it needs)."""

    parts: list[Command]
    label: str = "edit"

    def do(self, exp: Experiment) -> set[str]:
        touched: set[str] = set()
        done: list[Command] = []
        try:
            for part in self.parts:
                touched |= part.do(exp)
                done.append(part)
        except PlaygroundError:
            for part in reversed(done):
                part.undo(exp)
            raise
        return touched

    def undo(self, exp: Experiment) -> set[str]:
        touched: set[str] = set()
        for part in reversed(self.parts):
            touched |= part.undo(exp)
        return touched


# -------------------------------------------------------------------------------- the session

@dataclass(frozen=True)
class Change:
    """What one do, undo, redo or load changed; `applies` maps each path to how it applies."""

    paths: frozenset[str]
    command: Command | None
    undone: bool = False
    loaded: bool = False

    @property
    def kinds(self) -> set[str]:
        return {apply_kind(p) for p in self.paths}

    @property
    def needs_rebuild(self) -> bool:
        return self.loaded or REBUILD in self.kinds

    def touches(self, prefix: str) -> bool:
        """Whether a path equal to `prefix` or inside it (or containing it) changed."""
        return self.loaded or any(_within(p, prefix) or _within(prefix, p) for p in self.paths)


Fixup = Callable[[Experiment, Experiment, set[str], Command], list[Command]]


class Session:
    """Owns the one Experiment. Read it freely; change it only through `set`, `edit_graph`,
    `push` and `load`, so that every change is undoable and every listener hears of it."""

    def __init__(self, experiment: Experiment | None = None,
                 fixups: Iterable[Fixup] = ()) -> None:
        self._exp = (experiment or Experiment()).copy()
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self._clean: int | None = 0
        self._listeners: list[Callable[[Change], None]] = []
        self.fixups: list[Fixup] = list(fixups) or [adapt_output_fixup]

    # ------------------------------------------------------------------------- reading
    @property
    def experiment(self) -> Experiment:
        """The live experiment. Treat it as read-only; edit through the session."""
        return self._exp

    def get(self, path: str) -> Any:
        return get_path(self._exp, path)

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_label(self) -> str:
        return self._done[-1].label if self._done else ""

    @property
    def redo_label(self) -> str:
        return self._undone[-1].label if self._undone else ""

    @property
    def position(self) -> int:
        """How many edits are done (a marker to come back to with `undo_to`)."""
        return len(self._done)

    def undo_to(self, position: int) -> None:
        """Undo until `position` edits are done (a guided lesson's Back)."""
        while len(self._done) > position and self.undo() is not None:
            pass

    @property
    def dirty(self) -> bool:
        return self._clean != len(self._done)

    def mark_clean(self) -> None:
        self._clean = len(self._done)
        self._notify(Change(frozenset(), None))

    def mark_dirty(self) -> None:
        """Unsaved although the stack did not move (training advanced the weights)."""
        if not self.dirty:
            self._clean = None
            self._notify(Change(frozenset(), None))

    # ------------------------------------------------------------------------- editing
    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def set(self, path: str, value: Any, label: str | None = None) -> bool:
        """Set one field; False when it already had that value. SpecError when refused."""
        return self.set_many({path: value}, label)

    def set_many(self, values: dict[str, Any], label: str | None = None) -> bool:
        values = {p: _coerce(p, v) for p, v in values.items()}
        if all(_equal(self.get_or_absent(p), v) for p, v in values.items()):
            return False
        name = label or _label_for(values)
        return self.push(SetFields(values, label=name))

    def look(self, path: str, value: Any) -> bool:
        """Navigation, not an edit: a field of what the window shows (which panel is open) set
        without a step on the undo stack and without marking the file unsaved; a lesson file
        still opens on the panel it names. False when it already had that value."""
        value = _coerce(path, value)
        if _equal(self.get_or_absent(path), value):
            return False
        SetFields({path: value}).do(self._exp)
        self._notify(Change(frozenset({path}), None))
        return True

    def get_or_absent(self, path: str) -> Any:
        try:
            return self.get(path)
        except (KeyError, IndexError, AttributeError):
            return _ABSENT

    def edit_graph(self, command: Any, label: str | None = None) -> bool:
        """A network edit; GraphError (with the reason) when refused, nothing recorded."""
        return self.push(GraphEdit(command, label or ""))

    def push(self, command: Command) -> bool:
        before = self._exp.copy()
        touched = command.do(self._exp)  # raises before anything is recorded when refused
        extra: list[Command] = []
        try:
            for fixup in self.fixups:
                for fix in fixup(before, self._exp, touched, command):
                    touched |= fix.do(self._exp)
                    extra.append(fix)
        except PlaygroundError:
            for fix in reversed(extra):
                fix.undo(self._exp)
            command.undo(self._exp)
            raise
        if extra:
            command = Compound([command, *extra], label=command.label)
        self._done.append(command)
        self._undone.clear()
        if self._clean is not None and self._clean > len(self._done) - 1:
            self._clean = None  # the clean state was on the redo branch: unreachable now
        self._notify(Change(frozenset(touched), command))
        return True

    def undo(self) -> Command | None:
        if not self._done:
            return None
        command = self._done.pop()
        touched = command.undo(self._exp)
        self._undone.append(command)
        self._notify(Change(frozenset(touched), command, undone=True))
        return command

    def redo(self) -> Command | None:
        if not self._undone:
            return None
        command = self._undone.pop()
        touched = command.do(self._exp)
        self._done.append(command)
        self._notify(Change(frozenset(touched), command))
        return command

    def load(self, experiment: Experiment, clean: bool = True) -> None:
        """Start over on another experiment (a file opened, a new one): the stack is cleared."""
        self._exp = experiment.copy()
        self._done.clear()
        self._undone.clear()
        self._clean = 0 if clean else None
        self._notify(Change(frozenset(), None, loaded=True))

    def _notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)


def _within(path: str, outer: str) -> bool:
    """Whether `path` is `outer` or a field inside it (``racers[0].learning_rate`` is inside
    ``racers``)."""
    return path == outer or path.startswith(outer + ".") or path.startswith(outer + "[")


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # noqa: BLE001 - arrays or odd values: treat as different
        return False


def _label_for(values: dict[str, Any]) -> str:
    from .field_words import change_in_words, path_in_words

    if len(values) == 1:
        return change_in_words(*next(iter(values.items())))
    return "change " + ", ".join(path_in_words(p) for p in values)


# -------------------------------------------------------------------------------- fix-ups

def _problem(exp: Experiment) -> str | None:
    from .datasets import build_dataset

    try:
        return build_dataset(exp.data).problem
    except PlaygroundError:
        return None


def adapt_output_fixup(before: Experiment, after: Experiment, touched: set[str],
                       command: Command) -> list[Command]:
    """When the data's kind of problem changes, the network no longer fits it, or a template
    replaced the network, give the Output block that problem's defaults, as part of the same
    undoable edit (a template never keeps a tanh output on a regression problem)."""
    data_changed = any(p == "data" or p.startswith("data.") for p in touched)
    if not data_changed and "network" not in touched:
        return []
    problem = _problem(after)
    if problem is None:
        return []
    previous = _problem(before) if data_changed else problem
    trial = Graph.from_json(after.network.to_json())
    if getattr(getattr(command, "command", None), "template", False):
        template_graph(trial, problem)
        if trial.to_json() == after.network.to_json():
            return []
    elif not adapt_output(trial, problem, previous):
        return []
    return [GraphEdit(Replace(trial.to_json(), label="adapt the output to the problem"))]


def template_graph(graph: Graph, problem: str) -> Graph:
    """A template's network with the Output block set for `problem` (a template never puts a
    tanh output on a regression problem)."""
    activation, loss = OUTPUT_DEFAULTS[problem]
    for out in graph.of_type("output"):
        graph.set_params(out, activation=activation, loss=loss)
    return graph


__all__ = ["Change", "Command", "Compound", "FieldInfo", "field_info", "GraphEdit", "GraphError", "Session",
           "SetFields", "SetWeight", "adapt_output_fixup", "apply_kind", "field_info", "get_path",
           "template_graph"]
