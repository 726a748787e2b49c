"""How long shopexit takes from launch to its first window on screen, measured from outside the app.

    .venv/bin/python packaging/startup_time.py                       # the bundle: dist/shopexit/shopexit
    .venv/bin/python packaging/startup_time.py --runs 7 --screenshot /tmp/first.png -- .venv/bin/shopexit

It starts a private Xvfb display, launches the command there with empty settings (so the first window is the
unlock window a new user sees), and polls with `xdotool search --onlyvisible --pid` until one of the process's
windows is mapped. Measuring from outside needs no hook in the app and counts everything a user waits for:
the bootloader unpacking nothing (one-folder build), Python starting, Qt loading its plugins, the window built.
Needs Xvfb and xdotool (apt-get install xvfb xdotool); the screenshot needs ImageMagick's `import`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POLL_SECONDS = 0.025  # each poll runs xdotool: polling faster would load the machine being measured


@contextmanager
def xvfb(size: str = "1280x800x24") -> Iterator[str]:
    """A private X display; yields its name. A high, random number keeps clear of the :0 and :99 that other
    tools (and their clean-ups) assume."""
    for _ in range(20):
        number = random.randint(200, 2000)
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            break
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", size, "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Xvfb :{number} did not start")
            time.sleep(0.05)
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def visible_window(display: str, pid: int) -> str | None:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)], capture_output=True,
                           text=True, env={**os.environ, "DISPLAY": display}, check=False)
    ids = found.stdout.split()
    return ids[0] if ids else None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process (all its threads) has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def launch_once(command: Sequence[str], display: str, home: Path, timeout: float,
                screenshot: Path | None = None) -> tuple[float, float]:
    """Wall-clock seconds from exec to the first visible window of the launched process, and the CPU seconds
    it had used by then (the second figure hardly depends on what else the machine is doing)."""
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache")}
    env.pop("SHOPEXIT_VAULT", None)
    started = time.perf_counter()
    app = subprocess.Popen(list(command), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while visible_window(display, app.pid) is None:
            if app.poll() is not None:
                err = app.stderr.read().decode(errors="replace") if app.stderr else ""
                raise SystemExit(f"the app exited ({app.returncode}) before showing a window:\n{err}")
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"no window after {timeout:.0f} s")
            time.sleep(POLL_SECONDS)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(app.pid)
        if screenshot:
            time.sleep(1.5)  # let it paint
            subprocess.run(["import", "-display", display, "-window", "root", str(screenshot)], check=True)
        return elapsed, cpu
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="launches to time (default 5)")
    parser.add_argument("--timeout", type=float, default=30.0, help="give up after this many seconds")
    parser.add_argument("--screenshot", type=Path, help="save the screen after the last launch (PNG)")
    parser.add_argument("command", nargs="*", default=[str(REPO / "dist" / "shopexit" / "shopexit")])
    args = parser.parse_args(argv)
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed: apt-get install xvfb xdotool")
    times, cpus = [], []
    with xvfb() as display, tempfile.TemporaryDirectory(prefix="shopexit-startup-") as home:
        for run in range(args.runs):
            last = run == args.runs - 1
            seconds, cpu = launch_once(args.command, display, Path(home), args.timeout,
                                       args.screenshot if last else None)
            times.append(seconds)
            cpus.append(cpu)
            print(f"run {run + 1}: {seconds:.2f} s to the first window ({cpu:.2f} s of CPU)", flush=True)
    load = os.getloadavg()[0]
    print(f"{' '.join(args.command)}: median {statistics.median(times):.2f} s to the first window "
          f"(first {times[0]:.2f} s, max {max(times):.2f} s), median CPU {statistics.median(cpus):.2f} s, "
          f"over {len(times)} launches; load average {load:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
