"""Passphrase strength at init and rekey, and the optional key file as a second factor: documented derivation,
refused without it, opened by an independent SQLCipher 4 reader with `passphrase:sha256(key file)`."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core.errors import KeyFileError, WeakPassphrase, WrongPassphrase
from shopexit.core.passphrase import assess, effective_passphrase, require_strong, write_new_key_file
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE
from tests.helpers import sqlcipher4

PROFILE = ShopProfile("Zoë Ångström", "Harbor Goods Co")


def shopexit(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("SHOPEXIT_")}
    full.update({"SHOPEXIT_PASSPHRASE": PASSPHRASE, **env})
    return subprocess.run([sys.executable, "-m", "shopexit", *args], capture_output=True, text=True, env=full,
                          stdin=subprocess.DEVNULL, timeout=120)


# -- strength -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("weak", ["password1", "qwerty123", "harborgoods", "Zoe2026!", "aaaaaaaaaaaaaaa"])
def test_weak_passphrases_are_refused_with_a_reason(weak: str) -> None:
    verdict = assess(weak, ("Zoë Ångström", "harborgoods"))
    assert not verdict.acceptable and verdict.reason and "16+" in verdict.reason
    with pytest.raises(WeakPassphrase, match="too weak"):
        require_strong(weak, ("harborgoods",))


@pytest.mark.parametrize("strong", ["correct horse battery staple 42", "Tr0ub4dor&3-violet-kettle",
                                    "aaaaaaaaaaaaaaaa"])
def test_strong_or_long_passphrases_pass(strong: str) -> None:
    verdict = assess(strong)
    assert verdict.acceptable  # score >= 3, or >= 16 characters (the last one: long, though zxcvbn scores it 0)
    assert verdict.score >= 3 or len(strong) >= 16


def test_the_shop_and_creator_names_count_against_a_passphrase() -> None:
    assert assess("HarborGoodsCo").score > assess("HarborGoodsCo", ("Harbor Goods Co", "HarborGoodsCo")).score


def test_rekey_refuses_a_weak_passphrase_and_keeps_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "v.shopexit"
    assert shopexit("init", "--vault", str(path), "--creator", "A", "--shop", "B").returncode == 0
    result = shopexit("rekey", "--vault", str(path), SHOPEXIT_NEW_PASSPHRASE="password1")
    assert result.returncode == 1 and "too weak" in result.stderr and result.stderr.count("\n") == 1
    Vault.open(path, PASSPHRASE).lock()


# -- key files ------------------------------------------------------------------------------------------------------
@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    (tmp_path / "keys").mkdir()
    return write_new_key_file(tmp_path / "keys" / "shopexit.key")


def test_a_new_key_file_is_private_random_and_never_overwritten(key_file: Path) -> None:
    assert key_file.stat().st_size == 64 and oct(key_file.stat().st_mode & 0o777) == "0o600"
    before = key_file.read_bytes()
    with pytest.raises(KeyFileError, match="already exists"):
        write_new_key_file(key_file)
    assert key_file.read_bytes() == before


def test_the_key_file_is_a_second_factor(vault_path: Path, key_file: Path, tmp_path: Path) -> None:
    Vault.create(vault_path, PASSPHRASE, PROFILE, key_file=key_file).lock()
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, PASSPHRASE)  # passphrase alone
    other = tmp_path / "other.key"
    other.write_bytes(key_file.read_bytes()[:-1] + b"\x00")
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, PASSPHRASE, key_file=other)  # a near-identical key file
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, "wrong passphrase entirely", key_file=key_file)
    with Vault.open(vault_path, PASSPHRASE, key_file=key_file) as vault:
        assert vault.profile() == PROFILE and vault.key_file == key_file


def test_the_documented_derivation_opens_it_in_other_sqlcipher_tools(vault_path: Path, key_file: Path,
                                                                    tmp_path: Path) -> None:
    """SECURITY.md: the SQLCipher passphrase is `passphrase:` + sha256sum of the key file, in lowercase hex."""
    Vault.create(vault_path, PASSPHRASE, PROFILE, key_file=key_file).lock()
    typed = f"{PASSPHRASE}:{hashlib.sha256(key_file.read_bytes()).hexdigest()}"
    assert effective_passphrase(PASSPHRASE, key_file) == typed
    plain = tmp_path / "plain.sqlite"  # an independent SQLCipher 4 reader written from the specification
    plain.write_bytes(sqlcipher4.decrypt(vault_path.read_bytes(), typed))
    assert sqlite3.connect(plain).execute("SELECT shop_name FROM shop").fetchone() == ("Harbor Goods Co",)
    conn = sqlcipher.connect(str(vault_path))  # and SQLCipher itself, keyed as a user would type it
    conn.execute("PRAGMA key = '" + typed.replace("'", "''") + "'")
    assert conn.execute("SELECT creator FROM shop").fetchone() == ("Zoë Ångström",)
    conn.close()


def test_a_vault_without_a_key_file_still_opens_with_the_passphrase_alone(vault_path: Path, tmp_path: Path) -> None:
    Vault.create(vault_path, PASSPHRASE, PROFILE).lock()
    plain = tmp_path / "plain.sqlite"
    plain.write_bytes(sqlcipher4.decrypt(vault_path.read_bytes(), PASSPHRASE))
    assert sqlite3.connect(plain).execute("SELECT shop_name FROM shop").fetchone() == ("Harbor Goods Co",)


def test_bad_key_files_are_refused_before_anything_is_written(vault_path: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.key"
    empty.write_bytes(b"")
    for bad, message in ((empty, "is empty"), (tmp_path, "is a folder"), (tmp_path / "nope.key", "no such file")):
        with pytest.raises(KeyFileError, match=message):
            Vault.create(vault_path, PASSPHRASE, PROFILE, key_file=bad)
        assert not vault_path.exists()


def test_rekey_adds_changes_and_removes_the_key_file(vault_path: Path, key_file: Path, tmp_path: Path) -> None:
    second = write_new_key_file(tmp_path / "second.key")
    with Vault.create(vault_path, PASSPHRASE, PROFILE) as vault:
        vault.rekey("new passphrase number two", key_file=key_file)
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, "new passphrase number two")
    with Vault.open(vault_path, "new passphrase number two", key_file=key_file) as vault:
        vault.rekey("new passphrase number three")  # keeps the key file it was opened with
    with Vault.open(vault_path, "new passphrase number three", key_file=key_file) as vault:
        vault.rekey("new passphrase number four", key_file=second)
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, "new passphrase number four", key_file=key_file)
    with Vault.open(vault_path, "new passphrase number four", key_file=second) as vault:
        vault.rekey("new passphrase number five", key_file=None)
    Vault.open(vault_path, "new passphrase number five").lock()


def test_cli_key_file_option_environment_and_keyfile_command(tmp_path: Path) -> None:
    path = tmp_path / "v.shopexit"
    key = tmp_path / "my.key"
    made = shopexit("keyfile", str(key))
    assert made.returncode == 0 and key.stat().st_size == 64
    assert shopexit("keyfile", str(key)).returncode == 1  # never overwritten
    assert shopexit("init", "--vault", str(path), "--creator", "A", "--shop", "B", "--key-file", str(key)
                    ).returncode == 0
    without = shopexit("status", "--vault", str(path))
    assert without.returncode == 1 and "key file" in without.stderr
    assert shopexit("status", "--vault", str(path), "--key-file", str(key)).returncode == 0
    assert shopexit("status", "--vault", str(path), SHOPEXIT_KEY_FILE=str(key)).returncode == 0
    missing = shopexit("status", "--vault", str(path), "--key-file", str(tmp_path / "lost.key"))
    assert missing.returncode == 1 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
    dropped = shopexit("rekey", "--vault", str(path), "--key-file", str(key), "--no-key-file",
                       SHOPEXIT_NEW_PASSPHRASE="another long passphrase here")
    assert dropped.returncode == 0, dropped.stderr
    assert shopexit("status", "--vault", str(path), SHOPEXIT_PASSPHRASE="another long passphrase here"
                    ).returncode == 0


def test_rekey_keeps_every_record_and_the_standard_format(vault_path: Path, tmp_path: Path) -> None:
    """The re-encrypted file holds exactly what the old one did (plus the rekey's audit entry), searches the
    same, and is a standard SQLCipher 4 file under the new passphrase alone."""
    from shopexit.core.doctor import examine
    from shopexit.core.evidence import attach_bytes
    from shopexit.core.search import search
    from tests.hardening.vaultdump import dump

    with Vault.create(vault_path, PASSPHRASE, PROFILE) as vault:
        attach_bytes(vault, os.urandom(300_000), "photo.bin", caption="crushed parcel photo")
        before = dump(vault.conn)
        hits = search(vault.conn, "crushed").total
        vault.rekey("a wholly different passphrase")
        after = dump(vault.conn)
        assert search(vault.conn, "crushed").total == hits == 1
        assert examine(vault.conn).ok
    assert {t: v for t, v in after.items() if t != "audit_log"} == {t: v for t, v in before.items() if t != "audit_log"}
    assert after["audit_log"][0] == before["audit_log"][0] + 1
    plain = tmp_path / "plain.sqlite"
    plain.write_bytes(sqlcipher4.decrypt(vault_path.read_bytes(), "a wholly different passphrase"))
    conn = sqlite3.connect(plain)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x53485058
    assert conn.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == ("rekey",)
