"""One function per figure of the scale benchmark (issue 9); `bench/run.py` calls them and prints the table.

Each `measure_*` returns plain numbers (seconds, MB) for one run, or a list of samples, so run.py can take
medians over several runs. Whatever owns memory or a Qt application of its own runs in a fresh child process
(`python bench/bench_scale.py --child NAME ARGS…`, one JSON line out), so its peak memory (`peak.py`) and
start-up state are its own and a crash cannot take the harness down.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for _p in (str(ROOT / "desktop"), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import bigvault  # noqa: E402  (after the path set-up above)

PASSPHRASE = bigvault.PASSPHRASE
KDF_ITERATIONS = 256_000

SEARCH_QUERIES: tuple[str, ...] = (
    # a buyer, by name or username (rare; diacritics and scripts folded or kept as the index does)
    "marisol", "Marisol Vega", "Ångström", "angstrom", "山田", "สมชาย", "Коваль", "kenji_t",
    # an order id, whole and in part; a tracking number
    "576400000000004242", "5764000000000123", "9400000000000000003131",
    # words of messages, rare and common
    "broken wick", "charged twice", "refund please", "customs duty", "parcel arrived", "melted", "courier",
    "order", "candle",
    # what thousands of orders share
    "completed", "Awaiting shipment", "lavender soy candle", "HG-003", "Daniel Smith", "gift",
    # a typo that matches nothing, and a word in no record
    "lavendr", "zzzyx",
)


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (nearest rank), as a latency goal reads it."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def child(name: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run `--child NAME ARGS` of this file in a fresh interpreter; its last stdout line is JSON."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, __file__, "--child", name, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _as_in_the_app(conn: Any) -> None:
    """Every vault connection gets the app's page cache on open (`core.vault.PAGE_CACHE_KIB`); a connection the
    bench opens by hand gets the same, so its figures are the app's."""
    from shopexit.core.vault import PAGE_CACHE_KIB

    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")


def _peak_mb() -> float:
    from peak import peak_mb

    return peak_mb()


# -- unlock ---------------------------------------------------------------------------------------------------
def measure_unlock(path: Path, runs: int = 5) -> dict[str, list[float]]:
    """Seconds for `Vault.open` (key derivation, keying, the key check, configuration), beside its
    references on the same file: PBKDF2-HMAC-SHA512 × 256,000 alone, through hashlib and through the
    `vault.derive_key` the vault uses (OpenSSL via cryptography), and SQLCipher's own
    `PRAGMA key = 'passphrase'` followed by the first read (bare sqlcipher3, no shopexit)."""
    from sqlcipher3 import dbapi2 as sqlcipher

    from shopexit.core.vault import Vault, derive_key

    with path.open("rb") as handle:
        salt = handle.read(16)
    out: dict[str, list[float]] = {"unlock": [], "kdf": [], "derive_key": [], "bare": [], "unlock_cpu": [],
                                   "derive_key_cpu": []}
    for _ in range(runs):
        start = time.perf_counter()
        hashlib.pbkdf2_hmac("sha512", PASSPHRASE.encode(), salt, KDF_ITERATIONS, 32)
        out["kdf"].append(time.perf_counter() - start)

        start, cpu = time.perf_counter(), time.process_time()
        derive_key(PASSPHRASE, salt)
        out["derive_key"].append(time.perf_counter() - start)
        out["derive_key_cpu"].append(time.process_time() - cpu)

        start = time.perf_counter()
        conn = sqlcipher.connect(str(path))
        conn.execute("PRAGMA key = '" + PASSPHRASE.replace("'", "''") + "'")
        conn.execute("PRAGMA cipher_compatibility = 4")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        out["bare"].append(time.perf_counter() - start)
        conn.close()

        start, cpu = time.perf_counter(), time.process_time()
        vault = Vault.open(path, PASSPHRASE)
        out["unlock"].append(time.perf_counter() - start)
        out["unlock_cpu"].append(time.process_time() - cpu)
        vault.lock()
    return out


# -- cold start -------------------------------------------------------------------------------------------------
def _startup_module() -> ModuleType:
    """packaging/startup_time.py (the packaging engineer's external probe: Xvfb + xdotool, no hook in the app)."""
    spec = importlib.util.spec_from_file_location("startup_time", ROOT / "packaging" / "startup_time.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def startup_command() -> list[str]:
    """The source install's own launcher (what `packaging/dev.sh run` installs)."""
    launcher = ROOT / ".venv" / "bin" / "shopexit"
    return [str(launcher)] if launcher.exists() else [sys.executable, "-m", "shopexit"]


def measure_cold_start(runs: int = 5, warmup: bool = True) -> dict[str, list[float]]:
    """Wall and CPU seconds from exec to the first mapped window (the unlock window of a new user), each launch a
    fresh process with empty settings, on a private Xvfb display."""
    startup = _startup_module()
    walls: list[float] = []
    cpus: list[float] = []
    # As a user's install runs: Python caches bytecode (this machine's sessions set PYTHONDONTWRITEBYTECODE,
    # which would compile every module of ours from source at each start). The cache goes under bench/out, and
    # one launch that is not counted fills it; the OS file cache is warm, as on any second start.
    saved = {k: os.environ.get(k) for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(bigvault.OUT / "pycache")
    try:
        with startup.xvfb() as display, tempfile.TemporaryDirectory(prefix="shopexit-bench-start-") as home:
            first = startup.launch_once(startup_command(), display, Path(home), 60.0)[0] if warmup else 0.0
            for _ in range(runs):
                wall, cpu = startup.launch_once(startup_command(), display, Path(home), 60.0)
                walls.append(wall)
                cpus.append(cpu)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {"wall": walls, "cpu": cpus, "first": [first]}


# -- import (bench/bench_import.py's own file maker, child and reference) ----------------------------------------
def _import_module() -> ModuleType:
    import bench_import

    return bench_import


def import_file_for(lines: int, fmt: str) -> Path:
    """The orders export bench/bench_import.py measures (written once in the real layout, then reused)."""
    return Path(_import_module().ensure_file(lines, fmt))


def sqlite_import(csv_path: Path) -> dict[str, float]:
    """`sqlite3 .import` of the CSV into a new plain database: wall and CPU seconds (the CSV's reference)."""
    return dict(_import_module().sqlite_import(csv_path))


def measure_import(path: Path) -> dict[str, Any]:
    """`import_file` of one export into a new vault, in bench_import's child: wall, cpu, peak_mb, rows…"""
    return dict(_import_module().shopexit_import(path))


# -- attach ---------------------------------------------------------------------------------------------------------
def measure_attach(folder: Path) -> dict[str, Any]:
    """`evidence.attach_files` of every file in `folder` (as `shopexit attach *.jpg` and a drop in the app do:
    batched transactions of ≤ 64 MB / 32 files), into a new vault, in a child: seconds, CPU seconds (user and
    system), MB/s, peak MB; and a plain copy of the same files with an `fsync` each for reference."""
    with tempfile.TemporaryDirectory(prefix="bench-attach-", dir=bigvault.OUT) as tmp:
        result = child("attach", str(folder), str(Path(tmp) / "attach.shopexit"))
        copy_dir = Path(tmp) / "copy"
        copy_dir.mkdir()
        start = time.perf_counter()
        for src in sorted(folder.glob("*.jpg")):
            with src.open("rb") as fin, (copy_dir / src.name).open("wb") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)
                fout.flush()
                os.fsync(fout.fileno())
        result["copy_seconds"] = time.perf_counter() - start
    return result


def _child_attach(folder: Path, vault_path: Path) -> dict[str, Any]:
    from shopexit.core import evidence
    from shopexit.core.vault import ShopProfile, Vault

    files = sorted(folder.glob("*.jpg"))
    total = sum(f.stat().st_size for f in files)
    with Vault.create(vault_path, PASSPHRASE, ShopProfile("Mara Quill", "Harbor Goods Co", "US", "USD")) as vault:
        base = _peak_mb()
        start = time.perf_counter()
        cpu = time.process_time()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        outcome = evidence.attach_files(vault, files, links=[("step", 10)], keep_going=False)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_SELF)
        if outcome.refused:
            raise RuntimeError(outcome.refused[0])
        held = int(vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0])
    return {"seconds": seconds, "cpu": cpu, "cpu_user": after.ru_utime - usage.ru_utime,
            "cpu_system": after.ru_stime - usage.ru_stime, "bytes": total, "files": len(files), "held": held,
            "mb_per_s": total / 1e6 / seconds, "peak_mb": _peak_mb(), "base_mb": base,
            "vault_mb": vault_path.stat().st_size / 1e6}


# -- search ---------------------------------------------------------------------------------------------------------
def measure_search(path: Path, repeats: int = 5,
                   queries: Sequence[str] = SEARCH_QUERIES) -> dict[str, Any]:
    """Latency of `search.search` (every kind, as the search dialog asks) for each query, `repeats` times each
    after one warm-up pass; returns every sample and the slowest queries."""
    from shopexit.core import search
    from shopexit.core.vault import Vault

    samples: list[float] = []
    cpu: list[float] = []
    per_query: dict[str, float] = {}
    with Vault.open(path, PASSPHRASE) as vault:
        conn = vault.conn
        _as_in_the_app(conn)
        hits = {q: search.search(conn, q).total for q in queries}  # warm the page cache, as a session would
        for q in queries:
            mine = []
            for _ in range(repeats):
                start, cpu_start = time.perf_counter(), time.process_time()
                search.search(conn, q)
                mine.append(time.perf_counter() - start)
                cpu.append(time.process_time() - cpu_start)
            samples += mine
            per_query[q] = _median(mine)
    slowest = sorted(per_query.items(), key=lambda kv: -kv[1])[:5]
    return {"samples": samples, "cpu": cpu, "slowest": slowest, "hits": hits}


# -- step facts -----------------------------------------------------------------------------------------------------
def measure_step_facts(path: Path, repeats: int = 5) -> dict[str, list[float]]:
    """Seconds for each step page's facts and the sidebar's `overview`, as the app asks for them
    (`step_facts.page_for` / `overview_for`), on a warm connection, `repeats` times each.

    "overview" and "step N" are a first computation: the vault's facts cache emptied before each call, so every
    aggregate the page needs is read (what a visit right after an import or an edit costs, the worst case).
    "revisit" is the slowest page shown again with nothing changed: served from the cache.
    """
    from shopexit.core import step_facts
    from shopexit.core.vault import Vault

    out: dict[str, list[float]] = {}
    with Vault.open(path, PASSPHRASE) as vault:
        _as_in_the_app(vault.conn)
        calls: list[tuple[str, Callable[[], object]]] = [("overview", lambda: step_facts.overview_for(vault))]
        calls += [(f"step {n}", (lambda n=n: step_facts.page_for(vault, n))) for n in range(1, 11)]  # type: ignore[misc]

        def timed(call: Callable[[], object]) -> tuple[float, float]:
            start, cpu_start = time.perf_counter(), time.process_time()
            call()
            return time.perf_counter() - start, time.process_time() - cpu_start

        for name, call in calls:
            call()  # warm-up: the first read of a page after unlock decrypts it from disk
            out[name] = []
            out[f"{name} cpu"] = []
            for _ in range(repeats):
                step_facts.forget(vault)
                wall, cpu = timed(call)
                out[name].append(wall)
                out[f"{name} cpu"].append(cpu)
        out["revisit"], out["revisit cpu"] = [], []
        for _ in range(repeats):
            step_facts.forget(vault)
            for _name, call in calls:
                call()
            slowest = max((timed(call) for _name, call in calls), key=lambda t: t[0])
            out["revisit"].append(slowest[0])
            out["revisit cpu"].append(slowest[1])
    return out


# -- the Orders view ------------------------------------------------------------------------------------------------
def measure_orders_view(path: Path, timeout: float = 600) -> dict[str, Any]:
    return child("orders_view", str(path), timeout=timeout + 60)


def _child_orders_view(path: Path, timeout: float = 600) -> dict[str, Any]:
    """Offscreen: unlock on the vault thread, show the Orders page, time the first paint with rows in it; then
    hold the scroll bar at the bottom (60 times a second) until every order is loaded, while a 5 ms heartbeat
    timer records the longest time the GUI thread went without running it."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from shopexit.app import build_context
    from shopexit.gui.main import configure
    from shopexit.gui.records.orders import OrdersPage

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    configure(app)
    tmp = Path(tempfile.mkdtemp(prefix="bench-view-"))
    ctx = build_context(path, tmp / "settings.json")
    state: dict[str, Any] = {"unlocked": False}

    def wait(cond: Callable[[], bool], what: str) -> None:
        """Run the real event loop (not a polling loop, whose own work would count as the GUI's) until `cond`."""
        if cond():
            return
        loop = QEventLoop()
        met: list[bool] = []
        check = QTimer()
        check.setInterval(2)
        def poll() -> None:
            if cond():
                met.append(True)
                loop.quit()

        check.timeout.connect(poll)
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(loop.quit)
        check.start()
        deadline.start(int(timeout * 1000))
        loop.exec()
        check.stop()
        if not met:
            raise SystemExit(f"timed out waiting for {what}")

    ctx.vaults.unlocked.connect(lambda _p: state.update(unlocked=True))
    ctx.vaults.unlock(path, PASSPHRASE, on_error=lambda msg: state.update(error=msg))
    wait(lambda: state["unlocked"] or "error" in state, "the unlock")
    if "error" in state:
        raise SystemExit(state["error"])
    ctx.vaults.submit(lambda vault, _p: _as_in_the_app(vault.conn), on_done=lambda _r: state.update(ready=True))
    wait(lambda: "ready" in state, "the page cache")

    page = OrdersPage(ctx)
    page.resize(1280, 800)
    viewport = page.table.viewport()

    class PaintWatch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (event.type() == QEvent.Type.Paint and obj is viewport and page.model.rowCount()
                    and "first_paint" not in state):
                state["first_paint"] = time.perf_counter()
            return False

    watch = PaintWatch()
    viewport.installEventFilter(watch)
    shown = time.perf_counter()
    page.show()
    wait(lambda: "first_paint" in state, "the first paint")
    first_paint = state["first_paint"] - shown
    wait(lambda: page.model.total is not None, "the count")
    total = int(page.model.total or 0)
    from shopexit.gui.main import freeze_long_lived_objects

    freeze_long_lived_objects()  # as the app does once its main window is up

    # Scroll to the end, holding the bar at the bottom as a user dragging it would.
    beats: list[float] = []
    cpu_beats: list[float] = []  # the GUI thread's own CPU time at each beat: what a stall cost, whatever the load
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(5)
    def beat() -> None:
        beats.append(time.perf_counter())
        cpu_beats.append(time.thread_time())

    heartbeat.timeout.connect(beat)
    bar = page.table.verticalScrollBar()
    scroller = QTimer()
    scroller.setInterval(16)
    scroller.timeout.connect(lambda: bar.setValue(bar.maximum()))
    profile_to = os.environ.get("BENCH_PROFILE")  # a file for cProfile stats of the GUI thread while scrolling
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    # the vault thread's own CPU time, read on that thread before and after the scroll: what paging in cost it
    vault_cpu: list[float] = []
    ctx.vaults.submit(lambda _v, _p: time.thread_time(), on_done=vault_cpu.append)
    wait(lambda: len(vault_cpu) == 1, "the vault thread's clock")
    heartbeat.start()
    scroller.start()
    scroll_start = time.perf_counter()
    gui_cpu_start = time.thread_time()
    beats.append(scroll_start)
    cpu_beats.append(gui_cpu_start)
    wait(lambda: page.model.rowCount() >= total and not page.model.loading, "every row")
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(profile_to))
    ctx.vaults.submit(lambda _v, _p: time.thread_time(), on_done=vault_cpu.append)
    wait(lambda: len(vault_cpu) == 2, "the vault thread's clock")
    settle = time.perf_counter() + 0.1  # a few more beats with the view at the end
    wait(lambda: time.perf_counter() > settle, "the last beats")
    scroll_seconds = time.perf_counter() - scroll_start
    gui_cpu = time.thread_time() - gui_cpu_start
    scroller.stop()
    heartbeat.stop()
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    cpu_gaps = [b - a for a, b in itertools.pairwise(cpu_beats)]
    stalls = sorted(gaps, reverse=True)
    rows = page.model.rowCount()
    page.close()
    ctx.vaults.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)
    return {"first_paint": first_paint, "rows": rows, "total": total, "scroll_seconds": scroll_seconds,
            "longest_stall": max(0.0, stalls[0] - 0.005) if stalls else 0.0,
            "stalls_over_50ms": sum(1 for g in gaps if g - 0.005 > 0.050), "beats": len(beats),
            "longest_stall_cpu": max(cpu_gaps, default=0.0), "gui_cpu": gui_cpu,
            # what the longest wall-clock gap cost the GUI thread itself, and how many gaps the GUI thread's own
            # work alone would have made longer than the goal (what an idle machine would see)
            "cpu_in_longest_gap": cpu_gaps[gaps.index(max(gaps))] if gaps else 0.0,
            "cpu_gaps_over_50ms": sum(1 for c in cpu_gaps if c > 0.050),
            "gui_cpu_per_page": gui_cpu / max(1, total / 200),
            "vault_cpu": vault_cpu[1] - vault_cpu[0],
            "vault_cpu_per_page": (vault_cpu[1] - vault_cpu[0]) / max(1, total / 200),
            "worst_gaps": [round(g * 1000, 1) for g in stalls[:5]], "peak_mb": _peak_mb()}


# -- export and verify (bench/bench_export.py's own children) -----------------------------------------------------
def _export_module() -> ModuleType:
    import bench_export

    return bench_export


def measure_export(vault_path: Path, out: Path) -> dict[str, Any]:
    """`export_archive` of the whole vault in bench/bench_export.py's child (seconds, cpu, peak_mb, pages…)."""
    return dict(_export_module()._child("--child-export", str(vault_path), str(out)))


def measure_verify(pdf: Path) -> dict[str, Any]:
    """`verify_archive` in bench/bench_export.py's child (seconds, cpu, peak_mb, ok, files)."""
    return dict(_export_module()._child("--child-verify", str(pdf)))


# -- children --------------------------------------------------------------------------------------------------------
_CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "attach": lambda folder, vault: _child_attach(Path(folder), Path(vault)),
    "orders_view": lambda vault: _child_orders_view(Path(vault)),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", required=True, choices=sorted(_CHILDREN))
    parser.add_argument("args", nargs="*")
    args = parser.parse_args(argv)
    print(json.dumps(_CHILDREN[args.child](*args.args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
