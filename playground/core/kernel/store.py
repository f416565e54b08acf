"""Generated kernels on disk: one module file per combination of entries, in the user's cache
folder, compiled by numba into its disk cache next to it.

numba caches a compiled function by its source file, so a kernel written as a file compiles
once per machine (code built with exec() would compile in every process). A file is named by
the hash of its text, and it is only imported after its bytes were checked against the text the
generator makes now: a stale or altered file is rewritten, never run. `python -m
playground.core.kernel.store PLAN_JSON` compiles a plan's kernel in its own process and leaves
a marker beside it; the app does that in the background while autograd trains, so the window
never waits for a compile nor shares the GIL with one.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import numpy as np

from .generate import Plan, source

ENV_DIR = "PLAYGROUND_KERNEL_DIR"  # overrides the folder (the benchmark's cold compile)


def user_cache_dir() -> Path:
    """The platform's folder for a user's caches."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def kernel_dir() -> Path:
    """Kernels for this numba and Python (a cache from another version would not load)."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override)
    try:
        numba_version = importlib.metadata.version("numba")
    except importlib.metadata.PackageNotFoundError:
        numba_version = "none"
    tag = f"numba{numba_version}-py{sys.version_info[0]}{sys.version_info[1]}"
    return user_cache_dir() / "playground" / "kernels" / tag


class Kernel:
    """One plan's kernel: its source, its file, and (once loaded) its module."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.source = source(plan)
        digest = hashlib.sha256(self.source.encode()).hexdigest()[:20]
        self.name = f"fused_{digest}"
        self.path = kernel_dir() / f"{self.name}.py"
        self.marker = self.path.with_suffix(".compiled")
        self.log = self.path.with_suffix(".log")  # a background compile's errors
        self.lock = self.path.with_suffix(".lock")

    def compiled_on_disk(self) -> bool:
        """Whether a process on this machine compiled it (loading it is then quick)."""
        return self.marker.exists() and self._written()

    def _written(self) -> bool:
        try:
            return self.path.read_text(encoding="utf-8") == self.source
        except OSError:
            return False

    def write(self) -> None:
        """Write the file unless it already holds exactly this text (rewriting it would change
        its time stamp and so throw away numba's cache of it)."""
        if self._written():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp_", suffix=".py")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.source)
        os.replace(tmp, self.path)
        self.marker.unlink(missing_ok=True)

    def load(self) -> ModuleType:
        """The kernel's module, compiled (or loaded from numba's disk cache) for the argument
        types real calls use, so later calls never compile."""
        module = _LOADED.get(self.name)
        if module is not None:
            return module
        self.write()
        if not self._written():  # (someone changed it between our write and now)
            raise OSError(f"the kernel file {self.path} keeps changing; not loading it")
        spec = importlib.util.spec_from_file_location(self.name, self.path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.name] = module
        spec.loader.exec_module(module)
        with compiling_alone(self.lock):
            warm_up(module)
        _LOADED[self.name] = module
        from numba.core import config

        if not config.DISABLE_JIT:  # (run as plain Python, nothing was compiled)
            self.marker.touch()
        return module

    def loaded(self) -> bool:
        return self.name in _LOADED

    def compile_command(self) -> list[str]:
        """A command that compiles this kernel into the disk cache in a process of its own."""
        return [sys.executable, "-m", "playground.core.kernel.store", json.dumps(asdict(self.plan))]


_LOADED: dict[str, ModuleType] = {}


@contextlib.contextmanager
def compiling_alone(lock: Path) -> Iterator[None]:
    """Holds `lock` (a file beside the kernel) while numba compiles or loads the kernel: a
    second process wanting the same kernel at the same time (the app's background compile and
    a second window, or test workers) waits for the first one's disk cache and loads it,
    instead of compiling it again beside it. The lock goes with the process that holds it,
    however it ends; where file locks are not available, each compiles on its own as before."""
    try:
        import fcntl
    except ImportError:  # (Windows: no flock)
        fcntl = None
    with contextlib.ExitStack() as held:
        if fcntl is not None:
            try:
                fh = held.enter_context(open(lock, "a"))
            except OSError:  # (a read-only folder: compile unlocked)
                fh = None
            if fh is not None:
                fcntl.flock(fh, fcntl.LOCK_EX)  # (released when the file closes)
        yield


def warm_up(module: ModuleType) -> None:
    """One call with tiny inputs of the types real calls use: numba compiles every function
    the kernel reaches, or loads them from its disk cache."""
    f32, i64 = np.float32, np.int64
    mat = np.zeros((1, 1), f32)
    layers = np.zeros(1, module.LAYER)
    layers[0]["n_in"], layers[0]["units"], layers[0]["pieces"], layers[0]["b"] = 1, 1, 1, -1
    settings = np.zeros(1, module.SETTINGS)
    settings[0]["chunk"] = 1
    module.run_epochs(np.zeros((2 + len(module.STATE), 1), f32), np.zeros(1, np.bool_), layers,
                      mat, mat, mat, mat, np.zeros(1, i64), np.zeros((1, 0), i64), np.zeros(0, i64),
                      settings,
                      np.zeros((4, 2, 1, 1), f32), np.zeros((2, 1, 1), i64),
                      np.zeros((4, 1), f32), 0, 0, np.zeros(1), 0, False, np.zeros((1, 4)),
                      np.zeros((0, 1), f32), np.zeros(0, i64))
    module.shuffled_into(0, np.zeros(1, i64))


def start_compiling(kernel: Kernel) -> subprocess.Popen | None:
    """Compile `kernel` in a background process (None if one cannot be started); its errors
    go to kernel.log."""
    try:
        kernel.path.parent.mkdir(parents=True, exist_ok=True)
        with open(kernel.log, "w", encoding="utf-8") as log:
            return subprocess.Popen(kernel.compile_command(), stdout=subprocess.DEVNULL,
                                    stderr=log)
    except OSError:
        return None


def main(argv: list[str]) -> int:
    """Compile the kernel of the plan given as JSON (the background compile)."""
    plan = Plan(**{k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(argv[0]).items()})
    Kernel(plan).load()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
