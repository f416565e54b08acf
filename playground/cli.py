"""Headless commands: `playground run FILE`, `playground validate FILE`.

A bad file prints one clear message and exits with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time

from .core.errors import PlaygroundError

EXIT_BAD_INPUT = 2


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, limit: int = 2000) -> str:
    """Text from a file as the terminal may show it: control characters (escape sequences,
    carriage returns, bidirectional overrides) become visible escapes, lone surrogates a
    replacement character, and the length is bounded."""
    text = str(text)
    if len(text) > limit:
        text = text[:limit] + f"... ({len(text)} characters)"
    text = _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)
    return text.encode("utf-8", "replace").decode("utf-8")


def say(text: str, stream=None) -> None:
    print(printable(text), file=stream or sys.stdout)


def _load(path: str):
    from .core.checks import check_runnable
    from .core.files import load_experiment

    loaded = load_experiment(path)
    check_runnable(loaded.experiment, loaded.state)  # run checks again in resume_trainer
    return loaded


def cmd_validate(args: argparse.Namespace) -> int:
    loaded = _load(args.experiment)  # everything run checks, without a trainer or compiling
    say(f"{args.experiment}: valid ({loaded.experiment.title or 'untitled'})")
    return 0


def _progress(done: int, total: int, metrics: dict, width: int = 30) -> None:
    filled = int(width * done / max(total, 1))
    acc = metrics.get("test_accuracy", float("nan"))
    tail = f" test acc {acc:.3f}" if not math.isnan(acc) else ""
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} epochs "
                     f"train loss {metrics['train_loss']:.4f} test loss {metrics['test_loss']:.4f}"
                     f"{tail}")
    sys.stderr.flush()


def _report_outcome(exp, trainer=None) -> None:
    if exp.outcome.metric == "none":
        return
    from .core.lessons import check

    result = check(exp, trainer)
    say(f"outcome: {'PASS' if result.passed else 'FAIL'}: {result.summary}; promised "
        f"[{exp.outcome.at_least:g}, {exp.outcome.at_most:g}]")


def cmd_run(args: argparse.Namespace) -> int:
    from .core.checks import is_clustering_lesson
    from .core.files import resume_trainer

    loaded = _load(args.experiment)
    exp = loaded.experiment
    if exp.title:
        say(f"{exp.title}: {exp.description}")
    if is_clustering_lesson(exp):
        say(f"clustering with {exp.clustering.algorithm}")
        _report_outcome(exp)
        return 0
    if exp.outcome.metric.startswith("sweep_"):  # a capacity lesson: the sweep is the run
        s = exp.sweep
        say(f"sweeping {s.setting} over {len(s.values)} values, {s.seeds} seeds each")
        _report_outcome(exp)
        return 0
    trainer = resume_trainer(loaded, device=args.device)
    total = args.epochs or exp.outcome.epochs or exp.training.epochs or 200
    say(f"training {args.experiment} on {trainer.device} ({trainer.path} path: "
          f"{trainer.path_reason})" + (f"; {trainer.device_note}" if trainer.device_note else ""))
    start, t0 = trainer.epoch, time.perf_counter()
    quiet = args.quiet or not sys.stderr.isatty()
    last_draw = 0.0
    while trainer.epoch - start < total and not trainer.done:
        trainer.train(total - (trainer.epoch - start), seconds=0.1)  # (progress 10x a second)
        now = time.perf_counter()
        if not quiet and now - last_draw > 0.1:
            _progress(trainer.epoch - start, total, trainer.last_metrics)
            last_draw = now
    if not quiet:
        _progress(trainer.epoch - start, total, trainer.last_metrics)
        sys.stderr.write("\n")
    elapsed = time.perf_counter() - t0
    trainer.measure_validation()
    m = trainer.last_metrics
    validation = f", validation loss {m['val_loss']:.4f}" if math.isfinite(
        m.get("val_loss", math.nan)) else ""
    say(f"epoch {trainer.epoch}: train loss {m['train_loss']:.4f}{validation}, test loss "
        f"{m['test_loss']:.4f}"
          + (f", train accuracy {m['train_accuracy']:.3f}, test accuracy {m['test_accuracy']:.3f}"
             if not math.isnan(m["train_accuracy"]) else "")
          + f" ({(trainer.epoch - start) / max(elapsed, 1e-9):.0f} epochs/s)")
    if trainer.message:
        say(trainer.message)
    if not args.epochs:
        _report_outcome(exp, trainer)
    if args.out:
        result = {"experiment": os.path.abspath(args.experiment), "epoch": trainer.epoch,
                  "status": trainer.status, "message": trainer.message,
                  "device": str(trainer.device), "path": trainer.path,
                  "metrics": {k: (v if math.isfinite(v) else None) for k, v in m.items()},
                  "history": _finite(trainer.history.to_json())}
        from .core.files import atomic_write_text

        atomic_write_text(args.out, json.dumps(result, indent=2, allow_nan=False) + "\n")
        say(f"results written to {args.out}")
    return 0


def _finite(value):
    """Strict JSON has no NaN or Infinity: a missing number (regression's accuracy) is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="playground", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="train an experiment file headless")
    run.add_argument("experiment")
    run.add_argument("--epochs", type=int, default=0, help="epochs to train (default: the "
                     "file's epoch limit, else 200)")
    run.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default=None)
    run.add_argument("--out", help="write final metrics and history as JSON here")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(fn=cmd_run)
    val = sub.add_parser("validate", help="check an experiment file")
    val.add_argument("experiment")
    val.set_defaults(fn=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "epochs", 0) and args.epochs < 0:
        print("playground: --epochs must be >= 0", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return args.fn(args)
    except PlaygroundError as exc:
        say(f"playground: {args.experiment}: {exc}", sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
