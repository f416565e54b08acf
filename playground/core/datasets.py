"""Datasets: TF Playground's generators, scikit-learn's toys, clustering sets, digits, user data.

Every generator is seeded and returns raw inputs and labels; `build_dataset` shuffles once and
splits train/test as TF Playground does. Class labels are indices 0..C-1; TF Playground's -1/+1
become class 0 (orange) and class 1 (blue).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import DataError, SpecError, quote
from .limits import MAX_CLASSES, MAX_COORDINATE, MAX_POINTS

TF_DOMAIN = (-6.0, 6.0, -6.0, 6.0)


@dataclass(frozen=True)
class Dataset:
    """Inputs `x` (N, D) float32, labels `y` (class indices int64, or float32 values)."""

    name: str
    x: np.ndarray
    y: np.ndarray
    problem: str  # "binary" | "multiclass" | "regression"
    n_classes: int  # 1 for regression
    train_idx: np.ndarray
    test_idx: np.ndarray
    domain: tuple[float, float, float, float] | None  # None for images (no 2-D grid)
    image_shape: tuple[int, int] | None = None
    class_names: tuple[str, ...] = ()
    # Held out to choose with (early stopping, sweeps); stored between train and test.
    val_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def is_2d(self) -> bool:
        return self.domain is not None

    @property
    def x_train(self) -> np.ndarray:
        return self.x[self.train_idx]

    @property
    def y_train(self) -> np.ndarray:
        return self.y[self.train_idx]

    @property
    def x_val(self) -> np.ndarray:
        return self.x[self.val_idx]

    @property
    def y_val(self) -> np.ndarray:
        return self.y[self.val_idx]

    def split_of(self, name: str) -> np.ndarray:
        """Indices into `x` of the split "train", "val" or "test"."""
        return {"train": self.train_idx, "val": self.val_idx, "test": self.test_idx}[name]

    @property
    def x_test(self) -> np.ndarray:
        return self.x[self.test_idx]

    @property
    def y_test(self) -> np.ndarray:
        return self.y[self.test_idx]


@dataclass(frozen=True)
class Generator:
    name: str
    label: str
    group: str  # "tf" | "toy" | "clustering" | "image" | "user"
    problem: str  # "binary" | "multiclass" | "regression"
    default_n: int
    fn: Callable[..., tuple[np.ndarray, np.ndarray]]  # (rng, n, noise, n_classes) -> x, y
    doc: str = ""


# ------------------------------------------------------------------ TF Playground's six sets

def _tf_circle(rng, n, noise, k):
    radius = 5.0
    half = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)])
    angle = rng.uniform(0, 2 * math.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    shift = rng.uniform(-radius, radius, (n, 2)) * noise  # noise flips labels, never moves points
    inside = np.hypot(*(x + shift).T) < radius * 0.5
    return x, inside.astype(np.int64)


def _tf_xor(rng, n, noise, k):
    x = rng.uniform(-5, 5, (n, 2))
    x += np.where(x > 0, 0.3, -0.3)  # keep points off the axes
    shifted = x + rng.uniform(-5, 5, (n, 2)) * noise
    return x, (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)


def _tf_gauss(rng, n, noise, k):
    variance = 0.5 + (4.0 - 0.5) * (noise / 0.5)  # noise 0..0.5 maps to variance 0.5..4
    half = n // 2
    centres = np.array([[2.0, 2.0]] * half + [[-2.0, -2.0]] * (n - half))
    x = centres + rng.normal(0.0, math.sqrt(variance), (n, 2))
    y = np.array([1] * half + [0] * (n - half), dtype=np.int64)
    return x, y


def _tf_spiral(rng, n, noise, k):
    per_arm = n // 2
    xs, ys = [], []
    for label, delta in ((1, 0.0), (0, math.pi)):
        i = np.arange(per_arm)
        r = i / per_arm * 5.0
        t = 1.75 * i / per_arm * 2 * math.pi + delta
        px = r * np.sin(t) + rng.uniform(-1, 1, per_arm) * noise
        py = r * np.cos(t) + rng.uniform(-1, 1, per_arm) * noise
        xs.append(np.stack([px, py], axis=1))
        ys.append(np.full(per_arm, label, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def _tf_plane(rng, n, noise, k):
    x = rng.uniform(-6, 6, (n, 2))
    shifted = x + rng.uniform(-6, 6, (n, 2)) * noise
    return x, ((shifted[:, 0] + shifted[:, 1]) / 10.0).astype(np.float32)


_MULTI_GAUSS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                         [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def _tf_multi_gauss(rng, n, noise, k):
    x = rng.uniform(-6, 6, (n, 2))
    shifted = x + rng.uniform(-6, 6, (n, 2)) * noise
    d = np.hypot(shifted[:, None, 0] - _MULTI_GAUSS[:, 0], shifted[:, None, 1] - _MULTI_GAUSS[:, 1])
    values = _MULTI_GAUSS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)  # distance 0 -> 1, 2 -> 0
    pick = np.abs(values).argmax(axis=1)
    return x, values[np.arange(n), pick].astype(np.float32)


# ----------------------------------------------------------------------- scikit-learn's toys

def _standardized(x: np.ndarray, half_width: float = 5.0) -> np.ndarray:
    """Centre and scale (one factor for both axes, so shapes stay) to fit in ±half_width: the
    TF domain, where features like sin x₁ mean the same on every set."""
    x = x - x.mean(axis=0)
    extent = np.abs(x).max()
    return x * (half_width / extent) if extent > 0 else x


def _seed(rng) -> int:
    return int(rng.integers(0, 2**31 - 1))


def _toy_moons(rng, n, noise, k):
    from sklearn.datasets import make_moons

    x, y = make_moons(n, noise=noise, random_state=_seed(rng))
    return _standardized(x), y


def _toy_circles(rng, n, noise, k):
    from sklearn.datasets import make_circles

    x, y = make_circles(n, noise=noise, factor=0.5, random_state=_seed(rng))
    return _standardized(x), y


def _toy_blobs(rng, n, noise, k):
    from sklearn.datasets import make_blobs

    # Centres evenly on a circle: separable at noise 0 for any k, overlapping as noise grows.
    radius = max(5.0, 1.5 * k)
    angles = 2 * math.pi * np.arange(k) / k + rng.uniform(0, 2 * math.pi)
    centres = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    x, y = make_blobs(n, centers=centres, cluster_std=1.0 + 4.0 * noise, random_state=_seed(rng))
    return _standardized(x), y


def _toy_anisotropic(rng, n, noise, k):
    from sklearn.datasets import make_blobs

    x, y = make_blobs(n, centers=k, cluster_std=1.0 + 4.0 * noise, random_state=_seed(rng))
    return _standardized(x @ np.array([[0.6, -0.6], [-0.4, 0.8]])), y


def _toy_varied(rng, n, noise, k):
    from sklearn.datasets import make_blobs

    stds = np.resize([1.0, 2.5, 0.5], k) * (1.0 + 4.0 * noise)
    x, y = make_blobs(n, centers=k, cluster_std=stds, random_state=_seed(rng))
    return _standardized(x), y


def _toy_no_structure(rng, n, noise, k):
    # Labels are coin flips: nothing to learn, so a net that fits them is memorizing.
    return _standardized(rng.uniform(0, 1, (n, 2))), rng.integers(0, 2, n)


def _toy_classification(rng, n, noise, k):
    from sklearn.datasets import make_classification

    x, y = make_classification(n, n_features=2, n_redundant=0, n_informative=2,
                               n_clusters_per_class=1, random_state=_seed(rng))
    x += 2.0 * rng.uniform(0, 1, x.shape) * (0.5 + noise)
    return _standardized(x), y


# --------------------------------------------------------------------------- clustering sets
# Native coordinates of the interactive k-means / DBSCAN demos: about [-10, 10]².

def _disc(rng, n, centre, radius):
    r = radius * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * math.pi, n)
    return np.stack([centre[0] + r * np.cos(a), centre[1] + r * np.sin(a)], axis=1)


def _cl_uniform(rng, n, noise, k):
    return rng.uniform(-10, 10, (n, 2)), np.zeros(n, dtype=np.int64)


def _cl_gaussian_mixture(rng, n, noise, k):
    centres = np.array([[-6.0, -6.0], [6.0, -6.0], [0.0, 6.0]])
    y = np.arange(n) % 3
    return centres[y] + rng.normal(0, 1 + 2 * noise, (n, 2)), y


def _smiley(rng, n):
    n_ring, n_eye = n * 5 // 10, n // 10
    n_mouth = n - n_ring - 2 * n_eye
    r = np.sqrt(rng.uniform(81, 100, n_ring))  # 81 < r² < 100
    a = rng.uniform(0, 2 * math.pi, n_ring)
    ring = np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
    left, right = _disc(rng, n_eye, (-4, 4), 1.0), _disc(rng, n_eye, (4, 4), 1.0)
    mx = rng.uniform(-5, 5, n_mouth)
    mouth = np.stack([mx, 0.15 * mx**2 - 5.0 + rng.uniform(-0.4, 0.4, n_mouth)], axis=1)
    x = np.concatenate([ring, left, right, mouth])
    y = np.repeat([0, 1, 2, 3], [n_ring, n_eye, n_eye, n_mouth])
    return x, y


def _cl_smiley(rng, n, noise, k):
    return _smiley(rng, n)


def _cl_pimpled_smiley(rng, n, noise, k):
    n_noise = n // 11  # 10 % uniform noise on top of the face
    x, y = _smiley(rng, n - n_noise)
    pimples = rng.uniform(-10, 10, (n_noise, 2))
    return np.concatenate([x, pimples]), np.concatenate([y, np.full(n_noise, 4)])


def _cl_density_bars(rng, n, noise, k):
    sizes = [n // 8, n - 2 * (n // 8), n // 8]  # the middle bar holds 6/8 of the points
    xs, ys = [], []
    for i, (size, cx) in enumerate(zip(sizes, (-6.0, 0.0, 6.0), strict=True)):
        xs.append(np.stack([rng.uniform(cx - 1, cx + 1, size), rng.uniform(-8, 8, size)], axis=1))
        ys.append(np.full(size, i))
    return np.concatenate(xs), np.concatenate(ys)


def _cl_packed_circles(rng, n, noise, k):
    centres = [(0.0, 0.0)] + [(6 * math.cos(a), 6 * math.sin(a))
                              for a in np.arange(6) * math.pi / 3]  # hexagonal, touching discs
    y = np.arange(n) % 7
    x = np.concatenate([_disc(rng, int((y == i).sum()), c, 3.0) for i, c in enumerate(centres)])
    return x, np.sort(y)


def _cl_dbscan_rings(rng, n, noise, k):
    # Columns: ring radius 1.25 - 0.25·col; rows: 0..5 members around a centre point. With
    # eps = 1 and minPoints = 4 it shows exactly which centres become core points.
    xs, ys = [], []
    group = 0
    for row in range(6):
        for col in range(5):
            cx, cy = -8.0 + 4.0 * col, 10.0 - 4.0 * row
            radius = 1.25 - 0.25 * col
            a = np.arange(row) * 2 * math.pi / max(row, 1)
            pts = [(cx, cy)] + [(cx + radius * math.cos(t), cy + radius * math.sin(t)) for t in a]
            xs.append(np.array(pts))
            ys.append(np.full(len(pts), group))
            group += 1
    return np.concatenate(xs), np.concatenate(ys)


def _digits(rng, n, noise, k):
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data / 16.0, digits.target


def _no_points(rng, n, noise, k):  # "points" uses the experiment's own table, never this
    raise AssertionError("points datasets are built from data.points")


GENERATORS: dict[str, Generator] = {g.name: g for g in (
    Generator("circle", "Circle", "tf", "binary", 500, _tf_circle),
    Generator("xor", "Exclusive or", "tf", "binary", 500, _tf_xor),
    Generator("gauss", "Gaussian", "tf", "binary", 500, _tf_gauss),
    Generator("spiral", "Spiral", "tf", "binary", 500, _tf_spiral),
    Generator("plane", "Plane", "tf", "regression", 1200, _tf_plane),
    Generator("multi_gauss", "Multi-Gaussian", "tf", "regression", 1200, _tf_multi_gauss),
    Generator("moons", "Moons", "toy", "binary", 500, _toy_moons),
    Generator("circles", "Circles", "toy", "binary", 500, _toy_circles),
    Generator("blobs", "Blobs", "toy", "multiclass", 500, _toy_blobs),
    Generator("anisotropic", "Anisotropic blobs", "toy", "multiclass", 500, _toy_anisotropic),
    Generator("varied", "Varied variance", "toy", "multiclass", 500, _toy_varied),
    Generator("no_structure", "No structure", "toy", "binary", 500, _toy_no_structure),
    Generator("classification", "Classification", "toy", "binary", 500, _toy_classification),
    Generator("uniform", "Uniform", "clustering", "multiclass", 250, _cl_uniform),
    Generator("gaussian_mixture", "Gaussian mixture", "clustering", "multiclass", 250,
              _cl_gaussian_mixture),
    Generator("smiley", "Smiley face", "clustering", "multiclass", 500, _cl_smiley),
    Generator("pimpled_smiley", "Pimpled smiley", "clustering", "multiclass", 550,
              _cl_pimpled_smiley),
    Generator("density_bars", "Density bars", "clustering", "multiclass", 500, _cl_density_bars),
    Generator("packed_circles", "Packed circles", "clustering", "multiclass", 500,
              _cl_packed_circles),
    Generator("dbscan_rings", "DBSCAN rings", "clustering", "multiclass", 105, _cl_dbscan_rings),
    Generator("digits", "Digits (8×8)", "image", "multiclass", 1797, _digits),
    Generator("points", "Your points", "user", "binary", 0, _no_points),
)}


# ------------------------------------------------------------------------------- user points

CSV_FIELD_LIMIT = 1000  # characters in one CSV field: a number needs a few dozen


def points_from_csv(text: str, problem: str = "classification") -> list[list[float]]:
    """Rows `x1, x2, label` (or a regression target); a header line is allowed.

    Raises DataError naming the line of the first malformed row; refuses what the experiment
    could not hold (more than MAX_POINTS rows, values beyond MAX_COORDINATE) here, at import,
    so that a table the app took in is always one it can save and open again.
    """
    if text.startswith("\ufeff"):  # the byte-order mark Excel and Notepad write
        text = text[1:]
    rows: list[list[float]] = []
    reader = csv.reader(io.StringIO(text))
    lineno = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(f"line {reader.line_num}: not a CSV row ({exc})") from exc
        lineno = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if any(len(c) > CSV_FIELD_LIMIT for c in row):
            raise DataError(f"line {lineno}: a field of more than {CSV_FIELD_LIMIT} characters "
                            "is not a number")
        try:
            values = [float(c) for c in row]
        except ValueError:
            if not rows and lineno == 1:
                continue  # a header
            raise DataError(  # noqa: B904  (the row, not the float() error, is the news)
                f"line {lineno}: expected numbers x1, x2, label; got {quote(','.join(row))}")
        if len(values) != 3:
            raise DataError(f"line {lineno}: expected 3 columns (x1, x2, label), got {len(values)}")
        if not all(math.isfinite(v) for v in values):
            raise DataError(f"line {lineno}: values must be finite numbers, got "
                            f"{quote(','.join(row))}")
        if max(abs(v) for v in values) > MAX_COORDINATE:
            raise DataError(f"line {lineno}: values must lie within ±{MAX_COORDINATE:g}, got "
                            f"{quote(','.join(row))}; rescale the data")
        if problem != "regression" and values[2] != int(values[2]):
            raise DataError(f"line {lineno}: a class label must be a whole number, "
                            f"got {row[2].strip()} (choose regression for real-valued targets)")
        if len(rows) == MAX_POINTS:
            raise DataError(f"more than {MAX_POINTS} rows; the limit is {MAX_POINTS} points")
        rows.append(values)
    if len(rows) < 2:
        raise DataError("the file holds fewer than 2 data rows (x1, x2, label)")
    if problem != "regression" and len({r[2] for r in rows}) > MAX_CLASSES:
        raise DataError(f"{len({r[2] for r in rows})} different class labels; the limit is "
                        f"{MAX_CLASSES} classes")
    return rows


def load_csv(path: str, problem: str = "classification") -> list[list[float]]:
    from .files import read_text_file

    try:
        text = read_text_file(path, CSV_BYTES_LIMIT)
    except SpecError as exc:
        raise DataError(exc.message) from exc
    return points_from_csv(text, problem)


CSV_BYTES_LIMIT = 16 * 1024 * 1024  # 100,000 rows of three numbers fit in a few MiB


def _bounds_domain(x: np.ndarray, minimum: float) -> tuple[float, float, float, float]:
    half = max(minimum, float(np.abs(x).max()) * 1.1 if len(x) else minimum)
    half = math.ceil(half)
    return (-half, half, -half, half)


# ---------------------------------------------------------------------------------- building

def build_dataset(data, train_limit: int | None = None) -> Dataset:
    """The dataset an experiment's `data` section describes (a `spec.DataSpec`). With
    `train_limit`, only the first that many training points are kept (a learning curve's
    smaller training sets); validation and test stay the same points."""
    gen = GENERATORS[data.generator]
    rng = np.random.default_rng(data.seed)
    if gen.name == "points":
        if not data.points:
            raise SpecError("data.points", "the table is empty; draw or import some points")
        table = np.asarray(data.points, dtype=np.float64)
        x, raw = table[:, :2], table[:, 2]
    else:
        n = data.n_points or gen.default_n
        share = getattr(data, "positive_share", 0.0)
        if share and gen.problem == "binary":
            x, raw = _with_positive_share(gen, rng, n, data, share)
        else:
            x, raw = gen.fn(rng, n, data.noise, data.n_classes)
    problem = _problem(gen, data.problem, raw)
    class_names: tuple[str, ...] = ()
    if problem == "regression":
        y = np.asarray(raw, dtype=np.float32)
        n_classes = 1
    else:
        values, y = np.unique(np.asarray(raw), return_inverse=True)
        y = y.astype(np.int64)
        n_classes = len(values)
        class_names = tuple(f"{v:g}" for v in values.astype(float))
        if gen.group == "tf":
            class_names = ("-1", "+1")
        # One class (uniform, drawn in one colour) is still a classification set: the trainer
        # refuses it with a message, the clustering lab uses it as it is.
        problem = "multiclass" if n_classes > 2 else "binary"
    order = rng.permutation(len(x))  # shuffled once, then split, as TF Playground does
    n_train, n_val = split_sizes(len(x), data.train_fraction,
                                 getattr(data, "validation_fraction", 0.0))
    if gen.group in ("tf", "toy"):
        domain = TF_DOMAIN
    elif gen.group == "image":
        domain = None
    else:
        domain = _bounds_domain(x, 6.0 if gen.group == "user" else 10.0)
    if getattr(data, "domain_half_width", 0.0) and domain is not None:  # a lesson's zoom
        h = data.domain_half_width
        domain = (-h, h, -h, h)
    # Stored in the shuffled order, training points first: batches in "fixed order" then
    # follow TF Playground's one shuffle.
    return Dataset(
        name=gen.name, x=np.ascontiguousarray(x[order], dtype=np.float32), y=y[order],
        problem=problem, n_classes=n_classes,
        train_idx=np.arange(n_train if train_limit is None else min(n_train, train_limit)),
        test_idx=np.arange(n_train + n_val, len(x)), domain=domain,
        image_shape=(8, 8) if gen.group == "image" else None, class_names=class_names,
        val_idx=np.arange(n_train, n_train + n_val))


def split_sizes(n: int, train_fraction: float, validation_fraction: float) -> tuple[int, int]:
    """Training and validation points out of `n` (the rest is test data): at least one
    training and one test point, and one validation point whenever validation is asked for.
    Without validation this is TF Playground's split."""
    n_train = max(1, min(n - 1, round(n * train_fraction)))
    if validation_fraction <= 0:
        return n_train, 0
    n_val = max(1, round(n * validation_fraction))
    n_val = min(n_val, n - n_train - 1)
    if n_val < 1 and n_train > 1:  # too few points for three splits: one from training
        n_train, n_val = n_train - 1, 1
    return n_train, max(n_val, 0)


def _with_positive_share(gen: Generator, rng, n: int, data,
                         share: float) -> tuple[np.ndarray, np.ndarray]:
    """`n` points of a two-class generator with `share` of them in class +1: drawn from a
    larger sample of the generator's own points, each class subsampled at random (so a
    spiral keeps its whole arm, only thinner)."""
    n_pos = min(n - 1, max(1, round(n * share)))
    n_neg = n - n_pos
    m = n
    for _ in range(8):  # each round doubles the sample; a 1:99 mix of a 50:50 set needs ~2n
        x, raw = gen.fn(rng, m, data.noise, data.n_classes)
        labels = np.unique(raw)
        if len(labels) == 2:
            pos, neg = np.flatnonzero(raw == labels[1]), np.flatnonzero(raw == labels[0])
            if len(pos) >= n_pos and len(neg) >= n_neg:
                keep = np.concatenate([rng.choice(pos, n_pos, replace=False),
                                       rng.choice(neg, n_neg, replace=False)])
                keep.sort()
                return x[keep], raw[keep]
        m *= 2
    raise SpecError("data.positive_share", f"{gen.label!r} does not give enough points of "
                    f"both classes for a share of {share:g}; choose 0 (its own mix)")


def _problem(gen: Generator, asked: str, raw: np.ndarray) -> str:
    if asked == "regression":
        return "regression"
    if asked == "classification":
        if gen.problem == "regression":
            raise SpecError("data.problem", f"{gen.label!r} has real-valued targets; "
                            "choose regression or another dataset")
        return "classification"
    return "regression" if gen.problem == "regression" else "classification"
