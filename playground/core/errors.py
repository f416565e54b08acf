"""Errors meant for people: each names the thing that is wrong and, where it can, the fix."""

from __future__ import annotations


class PlaygroundError(ValueError):
    """Base of every error the app reports to its user as a message, never as a traceback."""


class SpecError(PlaygroundError):
    """An experiment field holds a value outside what it allows.

    `path` is the dotted field name (``training.learning_rate``) so the GUI can point at the
    control and the CLI can print it.
    """

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class DataError(PlaygroundError):
    """A dataset (a CSV file, drawn points) cannot be used; names the line or the field."""


class GraphError(PlaygroundError):
    """A network graph is not a valid network; `node` names the offending block."""

    def __init__(self, node: str | None, message: str, edge: tuple[str, str] | None = None):
        self.node = node
        self.edge = edge
        self.message = message
        where = f'block "{node}"' if node else (f"connection {edge[0]} -> {edge[1]}" if edge else "")
        super().__init__(f"{where}: {message}" if where else message)


QUOTE_LIMIT = 80


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A bad value as a message shows it: its repr, cut to about `limit` characters (a file
    may hold a megabyte where a name belongs)."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"... ({len(value)} characters)"
    if isinstance(value, list | dict) and len(value) > limit // 2:
        return f"a {type(value).__name__} of {len(value)} items"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
