"""The gradient history: per layer, mean |dL/dW| and the saturated or dead share, by epoch.

A fixed number of preallocated columns (`COLUMNS`), each holding a run of `stride` epochs: the
mean of log10 |dL/dW| (a geometric mean) and of the shares over the measured epochs in it.
While the run is shorter than COLUMNS every epoch has its own column; then neighbouring
columns merge and the stride doubles, so the memory, the heat strip's cost and the file's size
stay the same at epoch 1,000 and epoch 10,000,000. Epochs trained while nothing was measured
(the gradient view was off on the fused path) leave their columns empty (NaN).
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass

import numpy as np

from .errors import SpecError

COLUMNS = 1024  # columns of the heat strip: about a wide plot's pixel columns
FLOOR = 1e-30  # |dL/dW| below this (an exactly zero gradient) is drawn as this
MAX_STRIDE = 1 << 40


@dataclass(frozen=True)
class GradientLogView:
    """What the heat strips draw: fresh arrays, one column per run of `stride` epochs."""

    layers: tuple[str, ...]
    share_blocks: tuple[str, ...]
    share_kinds: tuple[str, ...]
    first_epoch: np.ndarray  # (columns,) first epoch of each column (1-based)
    stride: int
    log_mean_abs: np.ndarray  # (columns, layers) mean of log10 |dL/dW|; NaN: not measured
    shares: np.ndarray  # (columns, share blocks)


class GradientLog:
    """Columns of epochs (see the module docstring); `add` one measured epoch at a time."""

    def __init__(self, layers, share_blocks, share_kinds) -> None:
        self.layers = tuple(layers)
        self.share_blocks = tuple(share_blocks)
        self.share_kinds = tuple(share_kinds)
        self.stride = 1
        self.used = 0  # columns holding at least one epoch's slot
        self.log_sum = np.zeros((COLUMNS, len(self.layers)))
        self.share_sum = np.zeros((COLUMNS, len(self.share_blocks)))
        self.count = np.zeros(COLUMNS, np.int64)

    def add(self, epoch: int, mean_abs: np.ndarray, shares: np.ndarray) -> None:
        """Record epoch `epoch` (1-based)."""
        while (epoch - 1) // self.stride >= COLUMNS:
            self._halve()
        col = (epoch - 1) // self.stride
        self.log_sum[col] += np.log10(np.maximum(np.asarray(mean_abs, np.float64), FLOOR))
        self.share_sum[col] += shares
        self.count[col] += 1
        self.used = max(self.used, col + 1)

    def _halve(self) -> None:
        """Merge neighbouring columns: twice the epochs per column, half the columns."""
        for store in (self.log_sum, self.share_sum, self.count):
            merged = store[0::2] + store[1::2]
            store[:len(merged)] = merged
            store[len(merged):] = 0
        self.used = -(-self.used // 2)
        self.stride *= 2

    def view(self) -> GradientLogView:
        k = self.used
        n = np.maximum(self.count[:k], 1)[:, None]
        empty = (self.count[:k] == 0)[:, None]
        with np.errstate(invalid="ignore"):
            logs = np.where(empty, np.nan, self.log_sum[:k] / n).astype(np.float32)
            shares = np.where(empty, np.nan, self.share_sum[:k] / n).astype(np.float32)
        return GradientLogView(self.layers, self.share_blocks, self.share_kinds,
                               1 + self.stride * np.arange(k, dtype=np.int64), self.stride,
                               logs, shares)

    def rows(self) -> dict[str, np.ndarray]:
        """The measured columns only: their first epoch, mean |dL/dW| and shares."""
        v = self.view()
        kept = self.count[:self.used] > 0
        return {"epoch": v.first_epoch[kept], "mean_abs": 10.0 ** v.log_mean_abs[kept],
                "shares": v.shares[kept]}

    # ------------------------------------------------------------------------ files
    def to_record(self) -> dict:
        """The used columns' means (float32: what the strips draw) and epoch counts, as
        zlib-compressed little-endian bytes in base64."""
        k = self.used
        n = np.maximum(self.count[:k], 1)[:, None]
        return {"stride": self.stride, "columns": k,
                "layers": list(self.layers), "share_blocks": list(self.share_blocks),
                "log_mean": _pack(self.log_sum[:k] / n), "share_mean": _pack(self.share_sum[:k] / n),
                "count": _pack(self.count[:k])}

    @classmethod
    def from_record(cls, raw: object, path: str, layers, share_blocks,
                    share_kinds) -> GradientLog:
        """A log from `to_record`'s form for a network with these layers and share blocks;
        SpecError names the part that does not fit."""
        log = cls(layers, share_blocks, share_kinds)
        if not isinstance(raw, dict) or set(raw) != {"stride", "columns", "layers",
                                                     "share_blocks", "log_mean", "share_mean",
                                                     "count"}:
            raise SpecError(path, "must hold stride, columns, layers, share_blocks, log_mean, "
                            "share_mean and count")
        if raw["layers"] != list(log.layers) or raw["share_blocks"] != list(log.share_blocks):
            raise SpecError(f"{path}.layers", "the gradient history does not belong to this "
                            "network")
        stride, k = raw["stride"], raw["columns"]
        for name, value, hi in (("stride", stride, MAX_STRIDE), ("columns", k, COLUMNS)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= hi:
                raise SpecError(f"{path}.{name}", f"must be a whole number from 0 to {hi}")
        if stride < 1 or stride & (stride - 1):
            raise SpecError(f"{path}.stride", "must be a power of two")
        count = _unpack(raw["count"], f"{path}.count", (k,), "<i8")
        if (count < 0).any() or (count > stride).any():
            raise SpecError(f"{path}.count", f"must hold whole numbers from 0 to {stride}")
        log_mean = _unpack(raw["log_mean"], f"{path}.log_mean", (k, len(log.layers)))
        share_mean = _unpack(raw["share_mean"], f"{path}.share_mean", (k, len(log.share_blocks)))
        log.stride, log.used = stride, k
        log.count[:k] = count
        log.log_sum[:k] = log_mean * count[:, None]
        log.share_sum[:k] = share_mean * count[:, None]
        return log


def _pack(a: np.ndarray) -> str:
    dtype = "<i8" if a.dtype.kind == "i" else "<f4"
    data = np.ascontiguousarray(a, dtype=dtype).tobytes()
    return base64.b64encode(zlib.compress(data, 1)).decode()


def _unpack(raw: object, path: str, shape: tuple[int, ...], dtype: str = "<f4") -> np.ndarray:
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    if not isinstance(raw, str):
        raise SpecError(path, "must be base64 text of compressed numbers")
    try:
        unpacker = zlib.decompressobj()
        data = unpacker.decompress(base64.b64decode(raw, validate=True), size + 1)
    except (binascii.Error, ValueError, zlib.error) as exc:
        raise SpecError(path, "is not valid compressed data") from exc
    if len(data) != size or unpacker.unconsumed_tail:
        raise SpecError(path, f"holds the wrong number of values; {shape} expected")
    values = np.frombuffer(data, dtype=dtype).reshape(shape)
    values = values.astype(np.int64 if dtype == "<i8" else np.float64)
    if not np.isfinite(values).all():
        raise SpecError(path, "holds NaN or infinite values")
    return values
