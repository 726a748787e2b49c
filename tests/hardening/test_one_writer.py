"""One writer: a second process or window that tries an open vault gets "open elsewhere" and never damages it.
Two processes racing to attach into the same vault: each either attaches or is turned away; the vault keeps
exactly the successful ones, whole."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopexit.core.doctor import examine
from shopexit.core.errors import VaultInUse
from shopexit.core.vault import ShopProfile, Vault, restore
from tests.conftest import PASSPHRASE
from tests.hardening.vaultdump import dump

ENV = {**os.environ, "SHOPEXIT_PASSPHRASE": PASSPHRASE}


def _attach(vault: Path, payload: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "shopexit", "attach", str(payload), "--vault", str(vault)],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def test_racing_attaches_never_corrupt_the_vault(tmp_path: Path) -> None:
    path = tmp_path / "race.shopexit"
    Vault.create(path, PASSPHRASE, ShopProfile("A", "B")).lock()
    payloads = []
    for n in range(8):
        payload = tmp_path / f"payload-{n}.bin"
        payload.write_bytes(os.urandom(2_000_000 + n))
        payloads.append(payload)
    succeeded: set[str] = set()
    refused = 0
    for first, second in zip(payloads[::2], payloads[1::2], strict=True):
        procs = [(_attach(path, first), first), (_attach(path, second), second)]
        for proc, payload in procs:
            _out, err = proc.communicate(timeout=120)
            if proc.returncode == 0:
                succeeded.add(hashlib.sha256(payload.read_bytes()).hexdigest())
            else:
                assert proc.returncode == 1 and "open in another shopexit" in err and err.count("\n") == 1, err
                refused += 1
    with Vault.open(path, PASSPHRASE) as vault:
        assert examine(vault.conn).ok
        stored = {row[0] for row in vault.conn.execute("SELECT sha256 FROM attachments")}
        for sha, in vault.conn.execute("SELECT sha256 FROM attachments"):
            (data,) = vault.conn.execute("SELECT data FROM attachments WHERE sha256 = ?", (sha,)).fetchone()
            assert hashlib.sha256(bytes(data)).hexdigest() == sha
    assert stored == succeeded and len(succeeded) + refused == len(payloads)
    print(f"{len(succeeded)} attached, {refused} turned away")


HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from shopexit.core.vault import Vault
    from shopexit.core.evidence import attach_bytes
    vault = Vault.open(Path(sys.argv[1]), sys.argv[2])
    attach_bytes(vault, b"held open by another process", "held.txt")
    print("open", flush=True)
    sys.stdin.readline()
""")


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    path = tmp_path / "held.shopexit"
    Vault.create(path, PASSPHRASE, ShopProfile("A", "B")).lock()
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), PASSPHRASE], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    yield path, proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_every_door_is_closed_while_another_process_holds_the_vault(
    held: tuple[Path, subprocess.Popen[str]], tmp_path: Path
) -> None:
    path, proc = held
    wal_before = Path(str(path) + "-wal").read_bytes()
    main_before = path.read_bytes()
    with pytest.raises(VaultInUse, match="open in another"):
        Vault.open(path, PASSPHRASE)
    backup = tmp_path / "b.shopexit"
    backup.write_bytes(main_before)
    with pytest.raises(VaultInUse):
        restore(path, backup, PASSPHRASE)
    for args in (["status"], ["doctor"], ["backup"], ["rekey"]):
        result = subprocess.run([sys.executable, "-m", "shopexit", *args, "--vault", str(path)], capture_output=True,
                                text=True, env={**ENV, "SHOPEXIT_NEW_PASSPHRASE": "another passphrase long"},
                                timeout=60, stdin=subprocess.DEVNULL)
        assert result.returncode == 1 and "open in another shopexit" in result.stderr, (args, result.stderr)
    # the holder's files were not touched by any of the attempts
    assert path.read_bytes() == main_before and Path(str(path) + "-wal").read_bytes() == wal_before
    proc.communicate("\n", timeout=30)
    with Vault.open(path, PASSPHRASE) as vault:
        assert examine(vault.conn).ok
        assert vault.conn.execute("SELECT original_name FROM attachments").fetchall() == [("held.txt",)]


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_killed_holder_frees_the_vault_and_loses_nothing_committed(
    held: tuple[Path, subprocess.Popen[str]],
) -> None:
    path, proc = held
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Vault.open(path, PASSPHRASE) as vault:  # the OS dropped the lock with the process
        assert examine(vault.conn).ok
        assert vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1


def test_a_second_window_in_the_same_process(vault: Vault) -> None:
    before = dump(vault.conn)
    for _ in range(3):
        with pytest.raises(VaultInUse):
            Vault.open(vault.path, PASSPHRASE)
    assert dump(vault.conn) == before and examine(vault.conn).ok


def test_another_program_holding_the_file_is_named_not_mistaken_for_damage(vault_path: Path) -> None:
    """A SQLCipher browser with the vault open in exclusive mode: "in use by another program", not "damaged"."""
    from sqlcipher3 import dbapi2 as sqlcipher

    Vault.create(vault_path, PASSPHRASE, ShopProfile("A", "B")).lock()
    other = sqlcipher.connect(str(vault_path), isolation_level=None)
    other.execute(f"PRAGMA key = '{PASSPHRASE}'")
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO meta(key, value) VALUES ('browser', 'was here')")
    try:
        with pytest.raises(VaultInUse, match="another program"):
            Vault.open(vault_path, PASSPHRASE)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with Vault.open(vault_path, PASSPHRASE) as vault:
        assert examine(vault.conn).ok
