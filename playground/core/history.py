"""The training history: one row per finished epoch, in preallocated blocks of NumPy arrays.

Appending a row writes one number per column into the current block (a new block every
65,536 epochs, so growing never copies what is there). A block holds a column beyond the base
ones only once a value arrives in it: validation, AUC and R² are NaN in most runs, and 8 of
15 columns left out halve what a long run's history costs (68 -> 36 bytes an epoch). What
the trace plots need is `view()`: at most `VIEW_BUCKETS` buckets of epochs, each drawn as its
lowest and highest value (min/max decimation), kept up to date from the rows added since the
last call; it costs the same at epoch 1,000 and epoch 10,000,000. Memory does too, past
`CAPACITY` rows: a longer run keeps every other row and then only epochs divisible by a step
that doubles as needed (and always the newest), as TensorBoard samples long runs, so hours at
full speed hold at most ~36 MB; the view folds in every epoch before any is dropped, so a
one-epoch spike still shows. Files store the columns as compressed little-endian bytes (and
the step, once past 1); NaN and infinite values (a regression run's accuracy) are stored as
they are.
"""

from __future__ import annotations

import base64
import binascii
import math
import zlib

import numpy as np

from .errors import SpecError

COLUMNS = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
           "learning_rate", "wall_time",
           # validation: every epoch when the data has the split; AUC (two classes) and R²
           # (regression): measured when a frame is drawn (core/evaluation.py), NaN between
           "val_loss", "val_accuracy", "train_auc", "val_auc", "test_auc",
           "train_r2", "val_r2", "test_r2")
# The columns every stored history has; files from before the others lack them (NaN then).
BASE_COLUMNS = COLUMNS[:7]
OPTIONAL_COLUMNS = COLUMNS[7:]
# Losses and accuracies come from float32 networks; epochs and seconds keep full precision.
DTYPES = {"epoch": np.int64, "wall_time": np.float64}
BLOCK = 1 << 16  # rows per preallocated block
VIEW_BUCKETS = 2048  # buckets of the thinned view: about a wide plot's pixel columns
MAX_ROWS = 50_000_000  # a file claiming more is not a playground history
# Rows kept at most (36 MB of the base columns): past it, every other kept row goes, and from
# then on only epochs divisible by the step (2, 4, ...) are kept, and always the newest; the
# plots' view still folds in every epoch. [4, 2] at full speed gets there in about 10 s.
CAPACITY = 1 << 20


def _dtype(column: str) -> type:
    return DTYPES.get(column, np.float32)


class History:
    """One row per finished epoch; `column(name)` reads one back as a NumPy array."""

    def __init__(self) -> None:
        self._blocks: list[dict[str, np.ndarray]] = []
        self._spare: list[dict[str, np.ndarray]] = []  # emptied by thinning, filled again next
        self._n = 0  # rows kept
        self._seen = 0  # rows ever added (the view's buckets count these)
        self._keep = 1  # rows kept: every epoch while 1, then epochs divisible by this
        self._stride = 1  # rows per bucket of the view
        self._buckets = 0  # buckets in use
        self._folded = 0  # rows already in the buckets
        self._low = {c: np.empty(VIEW_BUCKETS) for c in COLUMNS}
        self._high = {c: np.empty(VIEW_BUCKETS) for c in COLUMNS}

    # ------------------------------------------------------------------------ rows
    def _new_block(self) -> None:
        """One more block: a spare one left by thinning if there is one (so a long run's
        blocks are allocated once, not freed and allocated again as the rows refill)."""
        if self._spare:
            self._blocks.append(self._spare.pop())
        else:
            self._blocks.append({c: np.empty(BLOCK, _dtype(c)) for c in BASE_COLUMNS})

    @staticmethod
    def _optional(block: dict[str, np.ndarray], column: str) -> np.ndarray:
        """A block's array of an optional column, made (all NaN) when a value first arrives."""
        array = block.get(column)
        if array is None:
            array = block[column] = np.full(BLOCK, np.nan, _dtype(column))
        return array

    def append(self, **row: float) -> None:
        """Add one epoch's row; the base columns must be given, any other left out is NaN."""
        if self._keep > 1 or self._n == CAPACITY:
            self.extend(**{c: np.array([v], _dtype(c)) for c, v in row.items()
                           if v is not None})
            return
        at = self._n & (BLOCK - 1)
        if at == 0:
            self._new_block()
        block = self._blocks[-1]
        for column in BASE_COLUMNS:
            block[column][at] = row[column]
        for column in OPTIONAL_COLUMNS:
            value = row.get(column)
            if value is not None and value == value:  # (NaN: nothing to keep)
                self._optional(block, column)[at] = value
            elif column in block:
                block[column][at] = np.nan
        self._n += 1
        self._seen += 1

    def extend(self, **columns: np.ndarray) -> None:
        """Add several epochs' rows at once (equal-length arrays; the base columns must be
        given, any other left out is NaN): what `append` does row by row."""
        n = len(columns["epoch"])
        if not n:
            return
        if self._keep == 1 and self._n + n <= CAPACITY:
            self._store(columns)
            self._seen += n
            return
        # Thinning: every row goes into the view now, as it is seen; only some are kept.
        self._fold()
        self._fold_rows(lambda c: np.asarray(columns[c], _dtype(c)).astype(np.float64)
                        if columns.get(c) is not None else np.full(n, np.nan),
                        self._seen, self._seen + n)  # (at the precision rows are kept at)
        self._seen += n
        epochs = np.asarray(columns["epoch"])
        while True:
            if self._n and self.column("epoch", self._n - 1)[0] % self._keep:
                self._n -= 1  # the newest row is kept only until a newer one arrives
            keep = epochs % self._keep == 0
            keep[-1] = True
            if self._n + int(keep.sum()) <= CAPACITY:
                break
            self._thin()
        self._store({c: np.asarray(v)[keep] for c, v in columns.items() if v is not None})

    def _store(self, columns: dict[str, np.ndarray]) -> None:
        """Write rows after the kept ones, a new block as each fills."""
        n = len(columns["epoch"])
        while len(self._blocks) * BLOCK < self._n + n:
            self._new_block()
        blocks = self._blocks[self._n // BLOCK:(self._n + n - 1) // BLOCK + 1]
        for column in COLUMNS:
            values = columns.get(column)
            if values is not None or any(column in block for block in blocks):
                self._put(column, self._n, values, n)
        self._n += n

    def _put(self, column: str, start: int, values: np.ndarray | None, n: int) -> None:
        """Write n rows of one column from row `start` on, into blocks that exist. An optional
        column gets its array in a block only once a value arrives (None: all NaN)."""
        done = 0
        while done < n:
            b, at = divmod(start + done, BLOCK)
            take = min(n - done, BLOCK - at)
            block = self._blocks[b]
            part = None if values is None else np.asarray(values[done:done + take])
            if part is not None and (column in BASE_COLUMNS or not np.isnan(part).all()):
                self._optional(block, column)[at:at + take] = part
            elif column in block:
                block[column][at:at + take] = np.nan
            done += take

    def _thin(self, newest: bool = False) -> None:
        """Twice as few rows kept: those whose epoch divides by twice the step (and the
        newest if asked), moved down in place block by block (after the view has every row
        folded in); the blocks left empty are kept as spares for the rows to come."""
        self._fold()
        self._keep *= 2
        present, kept = self._present(), 0
        for b in range(-(-self._n // BLOCK)):
            block, rows = self._blocks[b], min(BLOCK, self._n - b * BLOCK)
            keep = block["epoch"][:rows] % self._keep == 0
            if newest and b * BLOCK + rows == self._n:
                keep[-1] = True
            count = int(keep.sum())
            for column in present:  # (rows only move down: what a block still holds is read
                array = block.get(column)  # before anything is written over it)
                self._put(column, kept, None if array is None else array[:rows][keep], count)
            kept += count
        self._n = kept
        used = -(-kept // BLOCK)
        for block in self._blocks[used:]:
            self._spare.append({c: block[c] for c in BASE_COLUMNS})
        del self._blocks[used:]

    def _present(self) -> list[str]:
        """The columns some block holds (the base ones, and optional ones that got values)."""
        return [c for c in COLUMNS if any(c in block for block in self._blocks)]

    def set_last(self, **values: float) -> None:
        """Fill columns of the newest row measured after it was added (AUC, R² at a frame)."""
        if not self._n:
            return
        at, block = (self._n - 1) & (BLOCK - 1), self._blocks[(self._n - 1) // BLOCK]
        for column, value in values.items():
            array = block[column] if column in BASE_COLUMNS else self._optional(block, column)
            array[at] = value
        if self._folded == self._seen:  # fold the row again (min/max keeps both, NaN skipped)
            last = self._n - 1
            self._fold_rows(lambda c: self.column(c, last).astype(np.float64),
                            self._seen - 1, self._seen)

    def __len__(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        """Memory the rows' blocks take (preallocated slack and spare blocks included)."""
        return sum(a.nbytes for block in self._blocks + self._spare for a in block.values())

    def column(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Rows start..stop-1 of one column, as a fresh array."""
        stop = self._n if stop is None else min(stop, self._n)
        parts = []
        for b in range(start // BLOCK, -(-stop // BLOCK)):
            lo, hi = max(start - b * BLOCK, 0), min(stop - b * BLOCK, BLOCK)
            array = self._blocks[b].get(name)
            parts.append(array[lo:hi] if array is not None else np.full(hi - lo, np.nan,
                                                                       _dtype(name)))
        return np.concatenate(parts) if parts else np.zeros(0, _dtype(name))

    def __getattr__(self, name: str) -> list:
        """`history.train_loss` and the like: a plain list, as before histories were arrays
        (for scripts and tests; `column` gives the array)."""
        if name in COLUMNS:
            return self.column(name).tolist()
        raise AttributeError(name)

    def columns(self) -> dict[str, np.ndarray]:
        return {c: self.column(c) for c in COLUMNS}

    def to_json(self) -> dict[str, list]:
        """Plain lists (the CLI's output); files use `to_record`."""
        return {c: self.column(c).tolist() for c in COLUMNS}

    @classmethod
    def from_columns(cls, columns: dict, keep: int = 1) -> History:
        """Rows from equal-length columns; `keep` is the thinning step they were kept at."""
        history = cls()
        n = len(columns["epoch"]) if columns else 0
        if n:  # (a column left out, not measured then, is NaN)
            history._store({c: np.asarray(columns[c], _dtype(c)) for c in COLUMNS if c in columns})
        history._n = history._seen = n
        history._keep = keep
        while history._n > CAPACITY:  # (a file from elsewhere may hold more)
            history._thin(newest=True)
        return history

    # ---------------------------------------------------------------- view for plots
    def view(self) -> dict[str, np.ndarray]:
        """What the trace plots draw, as fresh float64 arrays keyed like the columns: every
        row while they fit in VIEW_BUCKETS, then per bucket of epochs its first and last
        epoch paired with the column's lowest and highest value (NaN skipped)."""
        self._fold()
        k = self._buckets
        if self._stride == 1:
            return {c: self._low[c][:k].copy() for c in COLUMNS}
        out = {}
        for c in COLUMNS:
            pair = np.empty(2 * k)
            pair[0::2], pair[1::2] = self._low[c][:k], self._high[c][:k]
            out[c] = pair
        return out

    def _fold(self) -> None:
        """Bring the buckets up to date with the rows added since the last view (kept rows
        all, while they are folded lazily: thinning folds every row as it arrives)."""
        start, n = self._folded, self._seen
        if start == n:
            return
        first = self._n - (n - start)  # the kept row of the first row not yet folded
        self._fold_rows(lambda c: self.column(c, first).astype(np.float64), start, n)

    def _fold_rows(self, values_of, start: int, stop: int) -> None:
        """Fold rows start..stop-1 (counted as added) into the buckets; values_of(column)
        gives their values as float64. A row folded again keeps its old value's extremes."""
        while -(-stop // self._stride) > VIEW_BUCKETS:
            self._halve()
        s = self._stride
        first = start // s  # the bucket the first row falls in (maybe partly filled)
        cuts = np.arange(first * s, stop, s)
        cuts[0] = start
        cuts -= start
        for c in COLUMNS:
            values = values_of(c)
            low = np.fmin.reduceat(values, cuts)
            high = np.fmax.reduceat(values, cuts)
            if start % s or first < self._buckets:  # a bucket with rows keeps what it had
                low[0] = np.fmin(low[0], self._low[c][first])
                high[0] = np.fmax(high[0], self._high[c][first])
            self._low[c][first:first + len(low)] = low
            self._high[c][first:first + len(high)] = high
        self._buckets = max(self._buckets, -(-stop // s))
        self._folded = max(self._folded, stop)

    def _halve(self) -> None:
        """Merge neighbouring buckets: twice the epochs per bucket, half the buckets."""
        k = self._buckets
        pairs = k // 2
        for store, combine in ((self._low, np.fmin), (self._high, np.fmax)):
            for c in COLUMNS:
                a = store[c]
                merged = combine(a[0:2 * pairs:2], a[1:2 * pairs:2])
                if k % 2:
                    merged = np.append(merged, a[k - 1])
                a[:len(merged)] = merged
        self._buckets = -(-k // 2)
        self._stride *= 2

    # ------------------------------------------------------------------------ files
    def to_record(self) -> dict:
        """The columns as zlib-compressed little-endian bytes in base64, with dtypes."""
        record = {"rows": self._n, "columns": {}}
        if self._keep > 1:  # (only then: files of shorter runs stay as older versions read)
            record["keep"] = self._keep
        for c in COLUMNS:
            data = self.column(c).astype(np.dtype(_dtype(c)).newbyteorder("<")).tobytes()
            record["columns"][c] = {"dtype": np.dtype(_dtype(c)).name,
                                    "zlib": base64.b64encode(zlib.compress(data, 1)).decode()}
        return record

    @classmethod
    def from_record(cls, raw: object, path: str) -> History:
        """A history from `to_record`'s form, or the older form of plain lists; SpecError
        names the part that is wrong."""
        if isinstance(raw, dict) and "rows" in raw:
            keep = raw.get("keep", 1)
            if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1 \
                    or keep & (keep - 1) or keep > MAX_ROWS:
                raise SpecError(f"{path}.keep", "must be a power of two (the epochs kept: "
                                "those it divides), or left out for every epoch")
            return cls.from_columns(_decode_columns(raw, path), keep)
        return cls.from_columns(_decode_lists(raw, path))


def _decode_columns(raw: dict, path: str) -> dict[str, np.ndarray]:
    rows, columns = raw.get("rows"), raw.get("columns")
    if not isinstance(rows, int) or isinstance(rows, bool) or not 0 <= rows <= MAX_ROWS:
        raise SpecError(f"{path}.rows", f"must be a whole number from 0 to {MAX_ROWS:,}")
    if set(raw) - {"keep"} != {"rows", "columns"} or not isinstance(columns, dict) \
            or not set(BASE_COLUMNS) <= set(columns) <= set(COLUMNS):
        raise SpecError(path, f"must hold rows and columns {', '.join(COLUMNS)} (the last "
                        f"{len(COLUMNS) - len(BASE_COLUMNS)} may be left out)")
    out = {c: np.full(rows, np.nan, _dtype(c)) for c in COLUMNS if c not in columns}
    for c in columns:
        where, item, dtype = f"{path}.columns.{c}", columns[c], np.dtype(_dtype(c))
        if not isinstance(item, dict) or item.get("dtype") != dtype.name \
                or not isinstance(item.get("zlib"), str):
            raise SpecError(where, f"must be {{dtype: {dtype.name}, zlib: base64 text}}")
        size = rows * dtype.itemsize
        try:
            packed = base64.b64decode(item["zlib"], validate=True)
            unpacker = zlib.decompressobj()
            data = unpacker.decompress(packed, size + 1)  # never more than the rows need
        except (binascii.Error, ValueError, zlib.error) as exc:
            raise SpecError(where, "is not valid compressed data") from exc
        if len(data) != size or unpacker.unconsumed_tail:
            raise SpecError(where, f"holds the wrong number of values; {rows} rows expected")
        out[c] = np.frombuffer(data, dtype=dtype.newbyteorder("<")).astype(dtype)
    return out


def _decode_lists(raw: object, path: str) -> dict[str, list]:
    """Files from before binary histories: one JSON list of numbers per column."""
    if not isinstance(raw, dict) or not set(BASE_COLUMNS) <= set(raw) <= set(COLUMNS):
        raise SpecError(path, f"must hold {', '.join(sorted(BASE_COLUMNS))}")
    lengths = {len(v) if isinstance(v, list) else -1 for v in raw.values()}
    if len(lengths) != 1 or -1 in lengths:
        raise SpecError(path, "columns must be lists of equal length")
    for key, values in raw.items():
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise SpecError(f"{path}.{key}", "must hold numbers")
    n = lengths.pop()
    return {c: raw[c] if c in raw else [math.nan] * n for c in COLUMNS}
