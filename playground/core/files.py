"""Experiment files: one JSON document, saved atomically, loaded without executing code.

A file holds the experiment and, once trained, a `state` section with everything needed to
resume exactly: weights, optimizer state, history, position in the epoch and the random
generators. Arrays are stored as base64 of little-endian bytes with their dtype and shape and
are checked against the freshly built network before anything is used.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import math
import os
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .errors import SpecError
from .spec import Experiment

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ARRAY_ELEMENTS = 20_000_000
_DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "uint8": np.uint8}


@dataclass
class LoadedExperiment:
    experiment: Experiment
    state: dict | None  # the raw `state` section, validated when a trainer is resumed from it
    path: str = ""


# ------------------------------------------------------------------------------ writing

def atomic_write_text(path: str, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it over; the old file survives a
    failure (disk full, permission) and the error says why."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise SpecError("", f"cannot save in {folder}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SpecError("", f"cannot save {path}: {exc.strerror}") from exc


def encode_array(a: np.ndarray | torch.Tensor) -> dict:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    a = np.ascontiguousarray(a)
    dtype = a.dtype.name
    if dtype not in _DTYPES:
        raise TypeError(f"cannot store arrays of {dtype}")
    return {"dtype": dtype, "shape": list(a.shape),
            "data": base64.b64encode(a.astype(a.dtype.newbyteorder("<")).tobytes()).decode()}


def decode_array(raw: Any, path: str, shape: tuple[int, ...] | None = None,
                 finite: bool = True) -> np.ndarray:
    """An array from its stored form; SpecError names the path on anything unexpected."""
    if not isinstance(raw, dict) or set(raw) != {"dtype", "shape", "data"}:
        raise SpecError(path, "must be an array record {dtype, shape, data}")
    dtype = _DTYPES.get(raw["dtype"])
    if dtype is None:
        raise SpecError(path, f"unsupported dtype {raw['dtype']!r}")
    dims = raw["shape"]
    if not (isinstance(dims, list) and len(dims) <= 4 and all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims)):
        raise SpecError(path, f"bad shape {dims!r}")
    count = math.prod(dims)
    if count > MAX_ARRAY_ELEMENTS:
        raise SpecError(path, f"array of {count} values is larger than a playground network")
    if shape is not None and tuple(dims) != tuple(shape):
        raise SpecError(path, f"shape {tuple(dims)} does not match the network's {tuple(shape)}")
    if not isinstance(raw["data"], str):
        raise SpecError(path, "data must be base64 text")
    try:
        buf = base64.b64decode(raw["data"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SpecError(path, "data is not valid base64") from exc
    if len(buf) != count * np.dtype(dtype).itemsize:
        raise SpecError(path, f"data holds {len(buf)} bytes; shape {tuple(dims)} needs "
                        f"{count * np.dtype(dtype).itemsize}")
    arr = np.frombuffer(buf, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype).reshape(dims)
    if finite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise SpecError(path, "holds NaN or infinite values")
    return arr


def trainer_state(trainer) -> dict:
    """Everything needed to resume the trainer exactly (see `restore_state`)."""
    opt = trainer.optimizer
    names = [n for n, _ in trainer.model.named_parameters()]
    state = {
        "epoch": trainer.epoch, "batch_in_epoch": trainer.batch_in_epoch,
        "status": trainer.status, "message": trainer.message, "wall_time": trainer.wall_time,
        "order": encode_array(trainer.order.to(torch.int64)),
        "model": {k: encode_array(v) for k, v in trainer.model.state_dict().items()},
        "optimizer": {"t": opt.t, "state": [{k: encode_array(v) for k, v in s.items()}
                                             for s in opt.state], "params": names},
        "history": trainer.history.to_json(),
        "rng": {"shuffle": encode_array(trainer.shuffle_gen.get_state()),
                "noise": encode_array(trainer.noise_gen.get_state().cpu()),
                "dropout": encode_array(trainer.model.dropout_gen.get_state())},
        "best": None,
    }
    if trainer.best is not None:
        loss, epoch, saved = trainer.best
        state["best"] = {"loss": loss, "epoch": epoch,
                         "model": {k: encode_array(v) for k, v in saved["model"].items()},
                         "optimizer": [{k: encode_array(v) for k, v in s.items()}
                                       for s in saved["optimizer"]], "t": saved["t"]}
    return state


def document(experiment: Experiment, trainer=None) -> dict:
    doc = experiment.to_json()
    if trainer is not None:
        doc["state"] = trainer_state(trainer)
    return doc


def dumps(experiment: Experiment, trainer=None) -> str:
    return json.dumps(document(experiment, trainer), indent=1, ensure_ascii=False,
                      allow_nan=False) + "\n"


def save_experiment(path: str, experiment: Experiment, trainer=None) -> None:
    atomic_write_text(path, dumps(experiment, trainer))


# ------------------------------------------------------------------------------ reading

def loads(text: str, path: str = "") -> LoadedExperiment:
    try:
        doc = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise SpecError("", f"not a valid experiment file: broken JSON at line {exc.lineno}, "
                        f"column {exc.colno} ({exc.msg})") from exc
    except RecursionError as exc:
        raise SpecError("", "not a valid experiment file: nested too deeply") from exc
    if isinstance(doc, dict) and "state" in doc:
        doc = dict(doc)
        state = doc.pop("state")
        if state is not None and not isinstance(state, dict):
            raise SpecError("state", "must be an object")
    else:
        state = None
    return LoadedExperiment(Experiment.from_json(doc), state, path)


def _no_constants(name: str) -> float:
    raise SpecError("", f"not a valid experiment file: {name} is not allowed in JSON")


def load_experiment(path: str) -> LoadedExperiment:
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise SpecError("", f"{size // 2**20} MiB is larger than any experiment file "
                            f"(limit {MAX_FILE_BYTES // 2**20} MiB)")
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise SpecError("", f"cannot open {path}: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError("", "not a valid experiment file: it is not UTF-8 text") from exc
    return loads(text, path)


def resume_trainer(loaded: LoadedExperiment, device: str | None = None,
                   compile_fast: bool = True):
    """A trainer for the loaded experiment, put back where the file left it (`compile_fast`:
    as Trainer's; False never waits for the fused kernel to compile)."""
    from .trainer import Trainer

    trainer = Trainer(loaded.experiment, device=device, compile_fast=compile_fast)
    if loaded.state is not None:
        restore_state(trainer, loaded.state)
    return trainer


def _get(state: dict, key: str, kind: type | tuple, path: str) -> Any:
    value = state.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise SpecError(f"{path}.{key}", "is missing or has the wrong type")
    return value


def _decode_model(raw: Any, trainer, path: str) -> dict[str, torch.Tensor]:
    expected = trainer.model.state_dict()
    if not isinstance(raw, dict) or set(raw) != set(expected):
        raise SpecError(path, "the stored weights do not belong to this network")
    return {k: torch.as_tensor(decode_array(raw[k], f"{path}.{k}", tuple(v.shape)),
                               dtype=v.dtype) for k, v in expected.items()}


def _decode_opt(raw: Any, trainer, path: str) -> list[dict[str, torch.Tensor]]:
    if not isinstance(raw, list) or len(raw) != len(trainer.params):
        raise SpecError(path, "the optimizer state does not belong to this network")
    out = []
    for i, (s, p) in enumerate(zip(raw, trainer.params, strict=True)):
        if not isinstance(s, dict) or not all(k in ("v", "a") for k in s):
            raise SpecError(f"{path}[{i}]", "unknown optimizer state")
        out.append({k: torch.as_tensor(decode_array(v, f"{path}[{i}].{k}", tuple(p.shape)),
                                       dtype=p.dtype, device=p.device) for k, v in s.items()})
    return out


def _decode_history(raw: Any, path: str) -> dict[str, list[float]]:
    from .trainer import History

    keys = set(History().to_json())
    if not isinstance(raw, dict) or set(raw) != keys:
        raise SpecError(path, f"must hold {', '.join(sorted(keys))}")
    lengths = {len(v) if isinstance(v, list) else -1 for v in raw.values()}
    if len(lengths) != 1 or -1 in lengths:
        raise SpecError(path, "columns must be lists of equal length")
    for key, values in raw.items():
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise SpecError(f"{path}.{key}", "must hold numbers")
    return raw


def restore_state(trainer, state: dict, path: str = "state") -> None:
    """Validate the whole `state` section first, then apply it; on error nothing changes."""
    from .trainer import History

    epoch = _get(state, "epoch", int, path)
    batch = _get(state, "batch_in_epoch", int, path)
    if epoch < 0 or not 0 <= batch < max(trainer.batches_per_epoch, 1):
        raise SpecError(f"{path}.batch_in_epoch", "is outside the epoch")
    status = _get(state, "status", str, path)
    if status not in ("ready", "running", "diverged", "stopped", "finished"):
        raise SpecError(f"{path}.status", f"unknown status {status!r}")
    message = _get(state, "message", str, path)
    wall = _get(state, "wall_time", int | float, path)
    order = decode_array(state.get("order"), f"{path}.order", (trainer.n_train,))
    if sorted(order.tolist()) != list(range(trainer.n_train)):
        raise SpecError(f"{path}.order", "is not an ordering of the training points")
    model = _decode_model(state.get("model"), trainer, f"{path}.model")
    opt = _get(state, "optimizer", dict, path)
    opt_t = _get(opt, "t", int, f"{path}.optimizer")
    opt_state = _decode_opt(opt.get("state"), trainer, f"{path}.optimizer.state")
    history = _decode_history(state.get("history"), f"{path}.history")
    rng = _get(state, "rng", dict, path)
    gens = {}
    for name, gen in (("shuffle", trainer.shuffle_gen), ("noise", trainer.noise_gen),
                      ("dropout", trainer.model.dropout_gen)):
        arr = decode_array(rng.get(name), f"{path}.rng.{name}", tuple(gen.get_state().shape))
        gens[name] = (gen, torch.as_tensor(arr, dtype=torch.uint8))
    best = state.get("best")
    if best is not None:
        if not isinstance(best, dict):
            raise SpecError(f"{path}.best", "must be an object or null")
        best = (float(_get(best, "loss", int | float, f"{path}.best")),
                _get(best, "epoch", int, f"{path}.best"),
                {"model": _decode_model(best.get("model"), trainer, f"{path}.best.model"),
                 "optimizer": _decode_opt(best.get("optimizer"), trainer,
                                          f"{path}.best.optimizer"),
                 "t": _get(best, "t", int, f"{path}.best")})
    # Everything checked: apply.
    trainer.model.load_state_dict(model)
    trainer.optimizer.state = opt_state
    trainer.optimizer.t = opt_t
    trainer.epoch, trainer.batch_in_epoch = epoch, batch
    trainer.status, trainer.message, trainer.wall_time = status, message, float(wall)
    trainer.order = torch.as_tensor(order, dtype=torch.int64)
    trainer.history = History(**{k: list(v) for k, v in history.items()})
    for gen, st in gens.values():
        try:
            gen.set_state(st)
        except RuntimeError as exc:
            raise SpecError(f"{path}.rng", "random generator state is corrupt") from exc
    trainer.best = best
    trainer._remember_good()
    trainer.last_metrics = trainer.evaluate()
