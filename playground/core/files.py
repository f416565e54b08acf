"""Experiment files: one JSON document, saved atomically, loaded without executing code.

A file holds the experiment and, once trained, a `state` section with everything needed to
resume exactly: weights, optimizer state, history, position in the epoch and the random
generators. Arrays are stored as base64 of little-endian bytes with their dtype and shape and
are checked against the freshly built network before anything is used.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import stat
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from . import limits
from .errors import SpecError, quote
from .limits import MAX_FILE_BYTES
from .saving import atomic_write_text, remove_leftovers
from .spec import Experiment

MAX_ARRAY_ELEMENTS = 4 * limits.MAX_PARAMETERS  # the largest array a file may hold
_DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "uint8": np.uint8}


@dataclass
class LoadedExperiment:
    experiment: Experiment
    state: dict | None  # the raw `state` section, validated when a trainer is resumed from it
    path: str = ""


# ------------------------------------------------------------------------------ writing

def encode_array(a: np.ndarray | torch.Tensor) -> dict:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    a = np.asarray(a, order="C")  # not ascontiguousarray: it turns a 0-d array into shape [1]
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
    dtype = _DTYPES.get(raw["dtype"]) if isinstance(raw["dtype"], str) else None
    if dtype is None:
        raise SpecError(path, f"unsupported dtype {quote(raw['dtype'])}")
    dims = raw["shape"]
    if not (isinstance(dims, list) and len(dims) <= 4 and all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims)):
        raise SpecError(path, f"bad shape {quote(dims)}")
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
        "history": trainer.history.to_record(),
        "gradients": trainer.gradients.log.to_record(),
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
    # Python's cycle collector would walk the growing document again and again while it is
    # built (70% of the time for the largest allowed points table); parsing makes no cycles.
    with limits.collector_paused():
        return _loads(text, path)


def _loads(text: str, path: str) -> LoadedExperiment:
    if text.startswith("\ufeff"):  # the byte-order mark Notepad writes
        text = text[1:]
    limits.check_document_size(text)
    try:
        doc = limits.parse_json(text, _no_constants)
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


def read_text_file(path: str, limit: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file of at most `limit` bytes. Devices (/dev/zero, also behind a
    symlink), FIFOs and folders are refused before a byte is read; a file that grows while it
    is read is still read only up to the limit. SpecError says which and why."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not hang
    except OSError as exc:
        raise SpecError("", f"cannot open {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SpecError("", f"cannot open {path}: it is not a regular file")
        if info.st_size > limit:
            raise SpecError("", f"{path} holds {info.st_size // 2**20} MiB; the limit is "
                            f"{limit // 2**20} MiB")
        try:
            raw = fh.read(limit + 1)
        except OSError as exc:
            raise SpecError("", f"cannot read {path}: {exc.strerror}") from exc
    if len(raw) > limit:
        raise SpecError("", f"{path} is larger than the limit of {limit // 2**20} MiB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError("", f"{path} is not UTF-8 text") from exc


def load_experiment(path: str) -> LoadedExperiment:
    remove_leftovers(os.path.dirname(os.path.realpath(path)))  # a killed save's temporaries
    return loads(read_text_file(path), path)


def resume_trainer(loaded: LoadedExperiment, device: str | None = None,
                   compile_fast: bool = True):
    """A trainer for the loaded experiment, put back where the file left it. Runs the checks
    `playground validate` runs first (all but the lesson's comparison), so the two never
    disagree (`compile_fast`: as Trainer's; False never waits for the fused kernel to
    compile)."""
    from .checks import check_run
    from .trainer import Trainer

    check_run(loaded.experiment, loaded.state)
    trainer = Trainer(loaded.experiment, device=device, compile_fast=compile_fast)
    if loaded.state is not None:
        restore_state(trainer, loaded.state)
    return trainer


def _get(state: dict, key: str, kind: type | tuple, path: str) -> Any:
    value = state.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise SpecError(f"{path}.{key}", "is missing or has the wrong type")
    return value


@dataclass(frozen=True)
class StateLayout:
    """What a `state` section must fit: the network's tensors, the size of the training set
    and the random generators. Taken from a trainer, or from a freshly built network alone so
    that `validate` checks a file without building a trainer."""

    model: dict[str, tuple[tuple[int, ...], torch.dtype]]
    params: list[tuple[tuple[int, ...], torch.dtype]]
    n_train: int
    batch_size: int
    generators: dict[str, tuple[int, ...]]
    gradient_rows: tuple = ((), (), ())  # layers, share blocks, share kinds (gradients.py)

    @property
    def batches_per_epoch(self) -> int:
        return math.ceil(self.n_train / self.batch_size)

    @classmethod
    def of_network(cls, model, params: list, n_train: int, batch_size: int,
                   generators: dict[str, torch.Generator]) -> StateLayout:
        from .gradients import share_blocks, weight_layers

        shares = share_blocks(model)
        return cls({k: (tuple(v.shape), v.dtype) for k, v in model.state_dict().items()},
                   [(tuple(p.shape), p.dtype) for p in params], n_train, batch_size,
                   {k: tuple(g.get_state().shape) for k, g in generators.items()},
                   (tuple(weight_layers(model)), tuple(n for n, _ in shares),
                    tuple(k for _, k in shares)))

    @classmethod
    def of_trainer(cls, trainer) -> StateLayout:
        return cls.of_network(trainer.model, trainer.params, trainer.n_train,
                              trainer.experiment.training.batch_size,
                              {"shuffle": trainer.shuffle_gen, "noise": trainer.noise_gen,
                               "dropout": trainer.model.dropout_gen})


def _decode_model(raw: Any, layout: StateLayout, path: str) -> dict[str, torch.Tensor]:
    if not isinstance(raw, dict) or set(raw) != set(layout.model):
        raise SpecError(path, "the stored weights do not belong to this network")
    return {k: torch.as_tensor(decode_array(raw[k], f"{path}.{k}", shape), dtype=dtype)
            for k, (shape, dtype) in layout.model.items()}


def _decode_opt(raw: Any, layout: StateLayout, path: str) -> list[dict[str, torch.Tensor]]:
    if not isinstance(raw, list) or len(raw) != len(layout.params):
        raise SpecError(path, "the optimizer state does not belong to this network")
    out = []
    for i, (s, (shape, dtype)) in enumerate(zip(raw, layout.params, strict=True)):
        if not isinstance(s, dict) or not all(k in ("v", "a") for k in s):
            raise SpecError(f"{path}[{i}]", "unknown optimizer state")
        out.append({k: torch.as_tensor(decode_array(v, f"{path}[{i}].{k}", shape), dtype=dtype)
                    for k, v in s.items()})
    return out


def decode_state(state: dict, layout: StateLayout, path: str = "state") -> dict:
    """The whole `state` section checked against `layout` and decoded; SpecError names the
    first field that does not fit. Nothing is applied."""
    from .gradient_log import GradientLog
    from .history import History

    epoch = _get(state, "epoch", int, path)
    batch = _get(state, "batch_in_epoch", int, path)
    if epoch < 0 or not 0 <= batch < max(layout.batches_per_epoch, 1):
        raise SpecError(f"{path}.batch_in_epoch", "is outside the epoch")
    status = _get(state, "status", str, path)
    if status not in ("ready", "running", "diverged", "stopped", "finished"):
        raise SpecError(f"{path}.status", f"unknown status {quote(status)}")
    message = _get(state, "message", str, path)
    limits.check_text(f"{path}.message", message)
    wall = _get(state, "wall_time", int | float, path)
    order = decode_array(state.get("order"), f"{path}.order", (layout.n_train,))
    if not np.array_equal(np.sort(order), np.arange(layout.n_train)):
        raise SpecError(f"{path}.order", "is not an ordering of the training points")
    decoded = {"epoch": epoch, "batch_in_epoch": batch, "status": status, "message": message,
               "wall_time": float(wall), "order": order,
               "model": _decode_model(state.get("model"), layout, f"{path}.model")}
    opt = _get(state, "optimizer", dict, path)
    decoded["t"] = _get(opt, "t", int, f"{path}.optimizer")
    decoded["optimizer"] = _decode_opt(opt.get("state"), layout, f"{path}.optimizer.state")
    decoded["history"] = History.from_record(state.get("history"), f"{path}.history")
    # Files from before the gradient history have none: it starts empty.
    decoded["gradients"] = GradientLog.from_record(state["gradients"], f"{path}.gradients",
                                                   *layout.gradient_rows) \
        if state.get("gradients") is not None else GradientLog(*layout.gradient_rows)
    rng = _get(state, "rng", dict, path)
    decoded["rng"] = {name: torch.as_tensor(decode_array(rng.get(name), f"{path}.rng.{name}",
                                                         shape), dtype=torch.uint8)
                      for name, shape in layout.generators.items()}
    best = state.get("best")
    if best is not None:
        if not isinstance(best, dict):
            raise SpecError(f"{path}.best", "must be an object or null")
        best = (float(_get(best, "loss", int | float, f"{path}.best")),
                _get(best, "epoch", int, f"{path}.best"),
                {"model": _decode_model(best.get("model"), layout, f"{path}.best.model"),
                 "optimizer": _decode_opt(best.get("optimizer"), layout,
                                          f"{path}.best.optimizer"),
                 "t": _get(best, "t", int, f"{path}.best")})
    decoded["best"] = best
    return decoded


def restore_state(trainer, state: dict, path: str = "state") -> None:
    """Validate the whole `state` section first, then apply it; on error nothing changes."""
    decoded = decode_state(state, StateLayout.of_trainer(trainer), path)
    gens = {"shuffle": trainer.shuffle_gen, "noise": trainer.noise_gen,
            "dropout": trainer.model.dropout_gen}
    for name, gen in gens.items():  # a corrupt generator state is only found by trying it
        saved = gen.get_state()
        try:
            gen.set_state(decoded["rng"][name])
        except RuntimeError as exc:
            raise SpecError(f"{path}.rng.{name}", "random generator state is corrupt") from exc
        finally:
            gen.set_state(saved)
    # Everything checked: apply.
    devices = [p.device for p in trainer.params]
    trainer.model.load_state_dict(decoded["model"])
    trainer.optimizer.state = [{k: v.to(dev) for k, v in s.items()}
                               for s, dev in zip(decoded["optimizer"], devices, strict=True)]
    trainer.optimizer.t = decoded["t"]
    trainer.epoch, trainer.batch_in_epoch = decoded["epoch"], decoded["batch_in_epoch"]
    trainer.status, trainer.message = decoded["status"], decoded["message"]
    trainer.wall_time = decoded["wall_time"]
    trainer.order = torch.as_tensor(decoded["order"], dtype=torch.int64)
    trainer.history = decoded["history"]
    trainer.gradients.log = decoded["gradients"]
    trainer.gradients.last_order = None
    trainer.gradients.forget()
    for name, gen in gens.items():
        gen.set_state(decoded["rng"][name])
    best = decoded["best"]
    if best is not None:
        best[2]["optimizer"] = [{k: v.to(dev) for k, v in s.items()}
                                for s, dev in zip(best[2]["optimizer"], devices, strict=True)]
    trainer.best = best
    trainer._remember_good()
    trainer.last_metrics = trainer.evaluate()
