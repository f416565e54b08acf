"""Writing files as a careful editor does: atomically, keeping the file's mode, through a
symlink to its target, and never leaving a temporary file behind for long.

A save writes a temporary file beside the target and renames it over. The temporary file's name
carries a mark (`.<name>.playground-save-XXXXXXXX.tmp`) and the saving process holds an
exclusive lock on it until the rename. A save that was killed (power cut, kill -9) leaves its
temporary file unlocked: the next save into that folder, or the next file opened from it,
recognises it by its name and the missing lock and removes it. A save still in progress in
another process holds its lock and is left alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time

from .errors import SpecError

try:  # POSIX: a lock that dies with its process tells a killed save from a running one
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there, which protects it too
    fcntl = None

MARK = ".playground-save-"
_LEFTOVER = re.compile(r"^\..*" + re.escape(MARK) + r"[A-Za-z0-9_]+\.tmp$")
STALE_TEMP_SECONDS = 600  # without locks: a temporary file this old is a killed save's
_NAME_KEPT = 100  # characters of the target's name in the temporary one (names have a limit)


def atomic_write_text(path: str, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it over; the old file survives a
    failure (disk full, permission) and the error says why. A symlink is written through to
    its target, the file keeps its permission bits, a read-only file is refused, and
    temporary files that killed saves left in the folder are removed."""
    target = os.path.realpath(path)  # write through a symlink, never replace it
    folder, name = os.path.split(target)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SpecError("", f"cannot save {path}: the text holds a character that is not "
                        f"text ({exc.reason})") from exc
    mode = _mode_to_keep(target)
    if os.path.exists(target) and not mode & stat.S_IWUSR:
        raise SpecError("", f"cannot save {path}: the file is read-only; save it under "
                        "another name")
    fd, tmp = _locked_temporary(folder, name, path)
    try:
        with os.fdopen(fd, "wb") as fh:  # closing it (after the rename) drops the lock
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
    except BaseException as exc:  # also Ctrl+C: never leave the temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise SpecError("", f"cannot save {path}: {exc.strerror}") from exc
        raise
    remove_leftovers(folder)


def _locked_temporary(folder: str, name: str, path: str) -> tuple[int, str]:
    """A new temporary file in `folder`, locked, still under its name (a cleaner that met it
    in the instant before the lock may have removed it: then take another)."""
    for _ in range(5):
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{name[:_NAME_KEPT]}{MARK}", suffix=".tmp",
                                       dir=folder)
        except OSError as exc:
            raise SpecError("", f"cannot save in {folder}: {exc.strerror}") from exc
        if fcntl is None:
            return fd, tmp
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _same_file(tmp, fd):
            return fd, tmp
        os.close(fd)
    raise SpecError("", f"cannot save {path}: another program keeps removing its temporary "
                    "file")


def _same_file(path: str, fd: int) -> bool:
    try:
        here, there = os.stat(path, follow_symlinks=False), os.fstat(fd)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _mode_to_keep(target: str) -> int:
    """The permission bits of the file being replaced; for a new file what the umask allows
    (as for any new file, not mkstemp's 0600)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def remove_leftovers(folder: str) -> list[str]:
    """Remove the temporary files that killed saves left in `folder` (never one that a save
    in progress holds); the names removed. Errors are ignored: this only tidies up."""
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder or ".") as entries:
        for entry in entries:
            if _LEFTOVER.match(entry.name) and entry.is_file(follow_symlinks=False) \
                    and _remove_if_abandoned(entry):
                removed.append(entry.name)
    return removed


def _remove_if_abandoned(entry: os.DirEntry) -> bool:
    if fcntl is None:
        try:
            old = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS
            if old:
                os.unlink(entry.path)
            return old
        except OSError:
            return False
    try:
        fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: a save is writing it
        if not _same_file(entry.path, fd):  # renamed over its target meanwhile
            return False
        os.unlink(entry.path)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
