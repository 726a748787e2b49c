"""Kill a real `shopexit` process with SIGKILL at a random moment, then prove the vault survived.

Each operation (attach, rekey, backup, restore, import) is a `CrashCase`: it prepares a work folder from a
template vault, names the command line, says which file events mark "now writing" and "committed", and checks
the vault afterwards. The harness runs the operation once to the end (the reference: how long it takes, when it
starts writing and commits, what the vault holds afterwards), then kills copies of it, aiming in turn at a
uniform moment over the whole run, a moment inside the writing window, and the commit point ±100 ms. After every
kill the vault must open, pass `doctor`, and hold either everything the operation adds or none of it ("before"
or "after", never in between).

Used by tests/hardening/test_crash.py (a few kills, or 20+ per operation with --slow) and by bench/crash_kill.py.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopexit.core.doctor import examine
from shopexit.core.errors import WrongPassphrase
from shopexit.core.evidence import attach_bytes, iter_bytes
from shopexit.core.vault import REKEY_SUFFIX, RESTORE_SUFFIX, ShopProfile, Vault, backups_dir, list_backups
from tests.hardening.vaultdump import dump

OLD = "crash test passphrase number one"
NEW = "crash test passphrase number two"
VAULT_NAME = "vault.shopexit"
Counts = dict[str, int]


def counts(conn: Any) -> Counts:
    return {table: rows for table, (rows, _) in dump(conn).items()}


def make_template(folder: Path, megabytes: int, seed: int = 7) -> Path:
    """A vault holding `megabytes` of evidence (1 MB items) and a conversation, at the current format."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / VAULT_NAME
    with Vault.create(path, OLD, ShopProfile("Crash Test", "Kill Shop")) as vault:
        for n in range(megabytes):
            attach_bytes(vault, rng.randbytes(1 << 20), f"item-{n}.bin", caption=f"item {n}")
        with vault.transaction() as tx:
            tx.execute("INSERT INTO threads(thread_key, channel, counterpart) VALUES ('t1', 'shop', 'buyer')")
            tx.executemany("INSERT INTO messages(thread_id, natural_key, direction, body) VALUES (1, ?, 'in', ?)",
                           [(f"m{n}", f"message {n}") for n in range(200)])
    shutil.rmtree(backups_dir(path), ignore_errors=True)
    return path


def random_file(path: Path, megabytes: int, seed: int = 11) -> Path:
    rng = random.Random(seed)
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(rng.randbytes(1 << 20))
    return path


def shopexit_env(passphrase: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPEXIT_")}
    env.update({"SHOPEXIT_PASSPHRASE": passphrase, **extra})
    return env


@dataclass
class Work:
    """One run's folder: the vault and whatever the operation reads."""

    folder: Path
    vault: Path
    inputs: dict[str, Path] = field(default_factory=dict)
    inode: int = 0
    size: int = 0

    def __post_init__(self) -> None:
        stat = self.vault.stat()
        self.inode, self.size = stat.st_ino, stat.st_size

    def wal_size(self) -> int:
        try:  # the process under test may remove it at any moment (a bulk write folds the WAL in first)
            return self.vault.with_name(self.vault.name + "-wal").stat().st_size
        except FileNotFoundError:
            return 0

    def changing(self) -> bool:
        """The vault's files show a write under way: frames in its WAL, or (a bulk write, `core.bulkwrite`) a
        rollback journal beside it or pages added to it."""
        if self.wal_size() > 0 or self.vault.with_name(self.vault.name + "-journal").exists():
            return True
        try:
            return self.vault.stat().st_size != self.size
        except FileNotFoundError:
            return False


class CrashCase:
    name = "operation"

    def __init__(self, template: Path, scratch: Path) -> None:
        self.template = template
        self.scratch = scratch
        self.before: Counts = {}
        self.after: Counts = {}

    # -- to override ----------------------------------------------------------------------------------------------
    def prepare(self, folder: Path) -> Work:
        folder.mkdir(parents=True)
        vault = folder / VAULT_NAME
        shutil.copy(self.template, vault)
        return Work(folder, vault)

    def argv(self, work: Work) -> list[str]:
        raise NotImplementedError

    def env(self, work: Work) -> dict[str, str]:
        return shopexit_env(OLD)

    def writing(self, work: Work) -> bool:
        """True once the operation has started to change files (the window worth killing in)."""
        return work.changing()

    def committed(self, work: Work) -> bool:
        """True once the commit point has passed, when it can be seen from outside: whole-file operations
        rename a new file over the vault, so its inode changes."""
        try:
            return work.vault.stat().st_ino != work.inode
        except FileNotFoundError:
            return False

    def open_after(self, work: Work) -> tuple[Vault, str]:
        return Vault.open(work.vault, OLD), OLD

    def extra_checks(self, work: Work, vault: Vault, state: str, passphrase: str) -> None:
        """Operation-specific proof that 'after' is whole (e.g. the attachment's bytes hash right)."""

    # -- the shared part ------------------------------------------------------------------------------------------
    def verify(self, work: Work) -> str:
        """Open, doctor, all-or-nothing; returns 'before' or 'after'."""
        vault, passphrase = self.open_after(work)
        try:
            report = examine(vault.conn)
            assert report.ok, f"{self.name}: doctor found {report.problems[:3]}"
            now = counts(vault.conn)
            if now == self.before:
                state = "before"
            elif now == self.after:
                state = "after"
            else:
                diff = {t: (self.before.get(t), now.get(t), self.after.get(t))
                        for t in set(now) | set(self.before) if now.get(t) != self.before.get(t)}
                raise AssertionError(f"{self.name}: half-done after a kill (before, now, after): {diff}")
            self.extra_checks(work, vault, state, passphrase)
        finally:
            vault.lock()
        for leftover in (REKEY_SUFFIX, RESTORE_SUFFIX):  # the open above clears what a crash left
            assert not list(work.folder.glob(f"{work.vault.name}{leftover}*")), f"{leftover} left behind"
        return state


@dataclass
class Timeline:
    """What one run did when: seconds from its start until writing began and until the commit point."""

    total: float = 0.0
    writing: float | None = None
    committed: float | None = None


def _run(argv: list[str], env: dict[str, str], cwd: Path, *, kill_at: float | None,
         writing: Callable[[], bool], committed: Callable[[], bool],
         after_writing: bool = False) -> tuple[bool, Timeline]:
    """Start shopexit and watch its files; SIGKILL it `kill_at` seconds after its start (or after it began
    writing, with `after_writing`). `kill_at=None` lets it finish (the reference run).

    Returns (killed while it was running, its timeline)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "shopexit", *argv], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = Timeline()
    killed = False
    while proc.poll() is None:
        now = time.perf_counter() - started
        if line.writing is None and writing():
            line.writing = now
        if line.committed is None and committed():
            line.committed = now
        if kill_at is not None:
            base = line.writing if after_writing else 0.0
            if base is not None and now >= base + kill_at:
                proc.send_signal(signal.SIGKILL)
                killed = True
                break
        time.sleep(0.001)
    _, err = proc.communicate(timeout=300)
    line.total = time.perf_counter() - started
    if kill_at is None and proc.returncode != 0:
        raise AssertionError(f"reference run failed: {err.decode(errors='replace')}")
    return killed, line


@dataclass
class KillReport:
    operation: str
    kills: int = 0
    killed_running: int = 0
    killed_while_writing: int = 0
    killed_near_commit: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    reference_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "kills": self.kills, "killed_running": self.killed_running,
                "killed_while_writing": self.killed_while_writing, "killed_near_commit": self.killed_near_commit,
                "outcomes": self.outcomes, "reference_seconds": round(self.reference_seconds, 2)}


def run_kills(case: CrashCase, kills: int, rng: random.Random, *, in_window_only: bool = False) -> KillReport:
    """The reference run, then `kills` killed runs, each verified; raises AssertionError on the first failure.

    Kills cycle through three aims: a uniform moment over the whole run; a uniform moment inside the writing
    window; and (for operations whose commit point is visible from outside, a rename) ±100 ms around the
    commit. `in_window_only` skips the first kind (the quick profile)."""
    report = KillReport(case.name)
    work = case.prepare(case.scratch / f"{case.name}-reference")
    vault, _ = case.open_after(work)
    with vault:
        case.before = counts(vault.conn)
    _, ref = _run(case.argv(work), case.env(work), work.folder, kill_at=None,
                  writing=lambda: case.writing(work), committed=lambda: case.committed(work))
    report.reference_seconds = ref.total
    vault, _ = case.open_after(work)
    with vault:
        case.after = counts(vault.conn)
    assert case.after != case.before or isinstance(case, BackupCase), f"{case.name}: the reference changed nothing"
    assert case.verify(work) == "after", f"{case.name}: the reference run does not check out"
    shutil.rmtree(work.folder, ignore_errors=True)
    window = max(0.05, ref.total - (ref.writing or 0.0))
    aims = ["window", "commit"] if in_window_only else ["whole", "window", "commit"]
    for n in range(kills):
        work = case.prepare(case.scratch / f"{case.name}-{n}")
        aim = aims[n % len(aims)]
        if aim == "commit" and (ref.committed is None or ref.writing is None):
            aim = "window"
        if aim == "whole":
            kill_at, after_writing = rng.uniform(0.0, ref.total * 1.05), False
        elif aim == "window":
            kill_at, after_writing = rng.uniform(0.0, 0.9 * window), True
        else:
            assert ref.committed is not None and ref.writing is not None
            kill_at, after_writing = max(0.0, ref.committed - ref.writing + rng.uniform(-0.1, 0.1)), True
        killed, line = _run(case.argv(work), case.env(work), work.folder, kill_at=kill_at,
                            after_writing=after_writing, writing=lambda w=work: case.writing(w),
                            committed=lambda w=work: case.committed(w))
        state = case.verify(work)
        report.kills += 1
        report.killed_running += int(killed)
        report.killed_while_writing += int(killed and line.writing is not None)
        report.killed_near_commit += int(killed and aim == "commit")
        report.outcomes[state] = report.outcomes.get(state, 0) + 1
        shutil.rmtree(work.folder, ignore_errors=True)
    return report


# -- the operations ---------------------------------------------------------------------------------------------------
class AttachCase(CrashCase):
    name = "attach"

    def __init__(self, template: Path, scratch: Path, payload: Path) -> None:
        super().__init__(template, scratch)
        self.payload = payload
        import hashlib

        digest = hashlib.sha256()
        with payload.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        self.sha256 = digest.hexdigest()

    def argv(self, work: Work) -> list[str]:
        return ["attach", str(self.payload), "--to", "step:10", "--note", "big evidence", "--vault", str(work.vault)]

    def extra_checks(self, work: Work, vault: Vault, state: str, passphrase: str) -> None:
        conn = vault.conn
        assert conn.execute("SELECT count(*) FROM attachments WHERE sha256 LIKE 'pending:%'").fetchone()[0] == 0
        row = conn.execute("SELECT id, size FROM attachments WHERE sha256 = ?", (self.sha256,)).fetchone()
        if state == "before":
            assert row is None
            return
        assert row is not None and row[1] == self.payload.stat().st_size
        import hashlib

        digest = hashlib.sha256()
        for chunk in iter_bytes(conn, row[0]):
            digest.update(chunk)
        assert digest.hexdigest() == self.sha256, "stored bytes differ from the file"


class RekeyCase(CrashCase):
    name = "rekey"

    def argv(self, work: Work) -> list[str]:
        return ["rekey", "--vault", str(work.vault)]

    def env(self, work: Work) -> dict[str, str]:
        return shopexit_env(OLD, SHOPEXIT_NEW_PASSPHRASE=NEW)

    def writing(self, work: Work) -> bool:
        return work.vault.with_name(work.vault.name + REKEY_SUFFIX).exists()

    def open_after(self, work: Work) -> tuple[Vault, str]:
        opened: list[tuple[Vault, str]] = []
        for passphrase in (OLD, NEW):
            try:
                opened.append((Vault.open(work.vault, passphrase), passphrase))
            except WrongPassphrase:
                continue
            opened[-1][0].lock()
        assert len(opened) == 1, f"rekey: {len(opened)} of the old and new passphrases open the vault"
        passphrase = opened[0][1]
        return Vault.open(work.vault, passphrase), passphrase

    def extra_checks(self, work: Work, vault: Vault, state: str, passphrase: str) -> None:
        last = vault.conn.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
        assert (last == "rekey") == (state == "after"), "the audit log disagrees with the state"
        assert (passphrase == NEW) == (state == "after"), "the new passphrase opens a vault without its rekey"


class BackupCase(CrashCase):
    """A manual backup: afterwards a complete backup that opens, or none (never a half file under its name)."""

    name = "backup"

    def argv(self, work: Work) -> list[str]:
        return ["backup", "--vault", str(work.vault)]

    def writing(self, work: Work) -> bool:
        folder = backups_dir(work.vault)
        return folder.is_dir() and any(folder.iterdir())

    def committed(self, work: Work) -> bool:
        return any("manual" in p.name for p in list_backups(work.vault))

    def verify(self, work: Work) -> str:
        super().verify(work)
        backups = [b for b in list_backups(work.vault) if "manual" in b.name]
        for backup in backups:
            with Vault.open(backup, OLD) as copy:
                assert examine(copy.conn).ok and counts(copy.conn) == self.before
        return "after" if backups else "before"


class RestoreCase(CrashCase):
    """Restore an older backup over a vault that has grown since: afterwards the vault is the current one or
    the restored one, and the vault as it was is never lost."""

    name = "restore"

    def prepare(self, folder: Path) -> Work:
        work = super().prepare(folder)
        backup = folder / "older.shopexit"
        shutil.copy(self.template, backup)
        with Vault.open(work.vault, OLD) as vault:  # the vault moves on after the backup was taken
            attach_bytes(vault, b"made after the backup " * 1000, "later.txt")
            attach_bytes(vault, random.Random(3).randbytes(3 << 20), "later.bin")
        shutil.rmtree(backups_dir(work.vault), ignore_errors=True)
        work.inputs["backup"] = backup
        work.inode = work.vault.stat().st_ino
        return work

    def argv(self, work: Work) -> list[str]:
        return ["restore", str(work.inputs["backup"]), "--vault", str(work.vault)]

    def writing(self, work: Work) -> bool:
        return work.vault.with_name(work.vault.name + RESTORE_SUFFIX).exists()

    def extra_checks(self, work: Work, vault: Vault, state: str, passphrase: str) -> None:
        if state == "after":  # the grown vault must be kept aside, whole
            asides = [p for p in list_backups(work.vault) if "before-restore" in p.name]
            assert len(asides) == 1
            with Vault.open(asides[0], OLD) as aside:
                assert examine(aside.conn).ok
                assert aside.conn.execute("SELECT count(*) FROM attachments WHERE original_name = 'later.bin'"
                                          ).fetchone()[0] == 1


class ImportCase(CrashCase):
    """`shopexit import FILE`: all rows of the file, or none."""

    name = "import"

    def __init__(self, template: Path, scratch: Path, source: Path, extra_args: tuple[str, ...] = ()) -> None:
        super().__init__(template, scratch)
        self.source = source
        self.extra_args = extra_args

    def argv(self, work: Work) -> list[str]:
        return ["import", str(self.source), *self.extra_args, "--vault", str(work.vault)]


def summary(reports: list[KillReport]) -> str:
    return json.dumps([r.as_dict() for r in reports], indent=2)
