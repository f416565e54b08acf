"""The window under load (issue: main window): frames per second of the full view and epochs per
second of training, both at once, and how long a click waits while training runs.

Six hidden tanh layers of 8 on the spiral; the output and all 48 neuron maps at 100x100.
Runs offscreen unless a display is set, in a Qt event loop as the app runs (a loop of
processEvents and sleeps measured the loop more than the window). The long mode runs at
"as fast as possible" for minutes and prints a row per minute: frames/s, epochs/s, click
latency, RSS (goals: >= 30 frames/s throughout, clicks < 50 ms worst, RSS growth < 10% after
the first minute).

    python benchmarks/gui_speed.py [--seconds 6]
    python benchmarks/gui_speed.py --long [--minutes 10]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--long", action="store_true", help="minutes at full speed")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the long mode")
    args = parser.parse_args()

    from PySide6.QtCore import QEvent, QEventLoop, QPoint, QPointF, QSettings, Qt, QTimer
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from playground.core import fastpath
    from playground.core.graph import mlp
    from playground.core.spec import Experiment
    from playground.gui.main_window import MainWindow

    exp = Experiment()
    exp.data.generator = "spiral"
    exp.network = mlp([8] * 6, "tanh")
    fastpath.warm_up(exp)  # measure the steady state, not a first-start compile
    settings = QSettings(os.devnull, QSettings.Format.IniFormat)
    window = MainWindow(exp, settings=settings)
    window.resize(1600, 900)
    window.show()
    from playground.gui.app import settle_heap

    settle_heap()  # as the app does once its window is up

    def spin(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)

    spin(1.0)
    painted = []
    original_draw = window._draw

    def counting_draw(snap):
        painted.append(time.perf_counter())
        original_draw(snap)

    window._draw = counting_draw
    speed = window.training_bar.speed  # as fast as possible, picked as a user picks it
    speed.setCurrentIndex(speed.findData(0))
    speed.activated.emit(speed.currentIndex())
    window.toggle_play()
    spin(1.0)  # reach steady state
    load0 = os.getloadavg()[0]
    c0 = time.process_time()
    e0, t0, p0 = window.latest.snapshot.epoch, time.perf_counter(), len(painted)
    length = args.minutes * 60 if args.long else args.seconds
    rows, mark = [], (t0, e0, p0, 0)
    if args.long:
        print(f"6x8 tanh on spiral, full view at 100x100, as fast as possible, "
              f"{args.minutes:g} min; load average {load0:.2f}")
        print(f"{'minute':>6} {'frames/s':>9} {'epochs/s':>9} {'epoch':>10} {'click med':>10} "
              f"{'worst':>7} {'RSS MB':>8}", flush=True)

    # The window runs in an event loop (not a processEvents loop), as it does for a user. Clicks while
    # training: every 0.25 s a real mouse press/release is posted on the "Show test data" box;
    # a click is answered when its toggled handler has run (after the window's own handlers).
    latencies = []
    box = window.show_test
    pending: list[float] = []  # when the click being waited for was sent

    def answered(_checked) -> None:
        if pending:
            latencies.append((time.perf_counter() - pending.pop()) * 1000)

    box.toggled.connect(answered)

    def click() -> None:
        if pending:  # still unanswered: counted when it is
            return
        centre = QPointF(box.rect().center())
        glob = QPointF(box.mapToGlobal(QPoint(int(centre.x()), int(centre.y()))))
        pending.append(time.perf_counter())
        for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
            app.postEvent(box, QMouseEvent(kind, centre, glob, Qt.MouseButton.LeftButton,
                                           Qt.MouseButton.LeftButton,
                                           Qt.KeyboardModifier.NoModifier))

    def minute() -> None:
        nonlocal mark
        now, epoch, frames = time.perf_counter(), window.latest.snapshot.epoch, len(painted)
        this = latencies[mark[3]:] or [float("nan")]
        rows.append(rss_mb())
        print(f"{len(rows):>6} {(frames - mark[2]) / (now - mark[0]):>9.1f} "
              f"{(epoch - mark[1]) / (now - mark[0]):>9.0f} {epoch:>10,} "
              f"{statistics.median(this):>8.1f}ms {max(this):>5.1f}ms {rows[-1]:>8.0f}",
              flush=True)
        mark = (now, epoch, frames, len(latencies))

    clicker = QTimer()
    clicker.timeout.connect(click)
    clicker.start(250)
    minutes = QTimer()
    minutes.timeout.connect(minute)
    if args.long:
        minutes.start(60_000)
    loop = QEventLoop()  # (app.quit would also close the window, asking about unsaved work)
    QTimer.singleShot(int(length * 1000), loop.quit)
    loop.exec()
    clicker.stop()
    minutes.stop()
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    epochs = window.latest.snapshot.epoch - e0
    frames = len(painted) - p0
    window.toggle_play()
    spin(0.3)
    path = window.latest.path
    window.session.mark_clean()  # nothing to keep: close without the unsaved-changes question
    window.close()
    print(f"6x8 tanh on spiral, full view at 100x100, {elapsed:.1f} s, {path} path")
    print(f"  view refresh: {frames / elapsed:6.1f} frames/s   (goal >= 30)")
    print(f"  training:     {epochs / elapsed:6.1f} epochs/s   (goal >= 60); "
          f"{epochs / cpu:.1f} epochs per CPU-second of the whole process")
    if latencies:
        print(f"  click answered in: median {statistics.median(latencies):.1f} ms, "
              f"worst {max(latencies):.1f} ms over {len(latencies)} clicks   (goal < 50 ms)")
    if len(rows) >= 2:
        print(f"  RSS after minute 1: {rows[0]:.0f} MB, at the end {rows[-1]:.0f} MB "
              f"({100 * (rows[-1] / rows[0] - 1):+.1f}%, goal < +10%); peak "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"  load average: {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")


def rss_mb() -> float:
    """Resident memory now (Linux), in MB."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
