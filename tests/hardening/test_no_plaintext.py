"""No plaintext anywhere: canary strings and bytes go in through every path (attachment, paste, message, note,
case, import, search, thumbnail previews), an archive is exported, the vault is locked; then the vault's folder
(backups included), the temp directory and shopexit's config, cache and data folders are scanned. The canary may
appear only inside the exported PDF. A positive control proves the scan would see it: the vault decrypted with
an independent SQLCipher 4 reader holds every canary.

Also: files are created private (0600 in 0700 folders), and nothing writes a log with record contents.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopexit.core import evidence, paths, thumbnails
from shopexit.core.vault import ShopProfile, Vault, list_backups
from tests.conftest import PASSPHRASE
from tests.hardening.importing import import_into, write_orders_csv
from tests.helpers import sqlcipher4

CANARY = "CANARY-9d41b7-keep-me-secret"
CANARY_BYTES = b"\x00CANARY-BYTES-\xfe\x01\x7f-e3c2\x00"


def forms(text: str) -> list[bytes]:
    """How a string may sit in a file: UTF-8 (SQLite, JSON, logs) and UTF-16 (Qt, Windows)."""
    return [text.encode("utf-8"), text.encode("utf-16-le")]


def scan(roots: list[Path], needles: list[bytes], allowed: set[Path]) -> list[str]:
    found = []
    for root in roots:
        if not root.exists():
            continue
        for path in [root] if root.is_file() else root.rglob("*"):
            if not path.is_file() or path.is_symlink() or path.resolve() in allowed:
                continue
            data = path.read_bytes()
            found += [f"{path}: {needle[:24]!r}" for needle in needles if needle in data]
    return found


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """TMPDIR pointed at a folder of our own, for this process and its children."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert tempfile.gettempdir() == str(folder)
    yield folder
    tempfile.tempdir = None


def canary_png() -> bytes:
    """A real 64×64 PNG with the canary in a text chunk: previews are made from it."""
    import io

    from PIL import Image, PngImagePlugin

    image = Image.new("RGB", (64, 64), (200, 30, 90))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", CANARY)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_canaries_through_every_path_leave_no_plaintext(tmp_path: Path, private_tmp: Path) -> None:
    from shopexit.core.records import cases, manual

    home = tmp_path / "vaults"
    vault_path = home / "vault.shopexit"
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    pdf = out_dir / "archive.pdf"
    secret_file = tmp_path / "inputs" / f"{CANARY}.txt"
    secret_file.parent.mkdir()
    secret_file.write_bytes(CANARY.encode() + CANARY_BYTES * 50)
    needles = [*forms(CANARY), CANARY_BYTES]

    with Vault.create(vault_path, PASSPHRASE, ShopProfile(f"Creator {CANARY}", f"Shop {CANARY}")) as vault:
        evidence.attach_file(vault, secret_file, caption=f"caption {CANARY}", links=[("step", 10)])
        evidence.attach_bytes(vault, CANARY_BYTES * 10 + CANARY.encode(), f"pasted-{CANARY}.bin", origin="paste")
        picture = evidence.attach_bytes(vault, canary_png(), f"photo-{CANARY}.png", origin="drop")
        preview = thumbnails.ensure_thumbnail(vault, picture.id)
        assert preview is not None
        needles.append(preview[-200:-12])  # the preview's own pixels (end of its IDAT) are secret too
        thread = manual.new_thread(vault, "email", f"Buyer {CANARY}", subject=f"subject {CANARY}")
        manual.add_message(vault, thread, body=f"message body {CANARY}")
        manual.add_note(vault, "thread", thread, f"note {CANARY}")
        cases.open_case(vault, "dispute", title=f"case {CANARY}", thread_id=thread, description=f"why {CANARY}")
        import_into(vault, write_orders_csv(tmp_path / "inputs" / "orders.csv", 3, text=CANARY))
        from shopexit.core.search import search

        assert search(vault.conn, "9d41b7").total >= 5  # the search index holds it (inside the vault)
        vault.backup()
        vault.backup_if_due(keep=3)
        # while the vault is open, its -wal and -shm files are scanned too
        assert scan([home, private_tmp], needles, set()) == []
        from shopexit.core.archive import export_archive

        export_archive(vault, pdf)
        assert scan([home, private_tmp], needles, set()) == []
    # locked: the whole picture
    roots = [home, private_tmp, paths.config_dir(), paths.cache_dir(), paths.data_dir(), out_dir]
    assert scan(roots, needles, allowed={pdf.resolve()}) == []
    if shutil.which("pdftotext"):  # the one allowed place really holds the records
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=120).stdout
        assert CANARY in text.replace("\n", "")
    # positive control: the same scan finds every canary in the decrypted vault, so a leak would not be missed
    decrypted = sqlcipher4.decrypt(vault_path.read_bytes(), PASSPHRASE)
    for needle in (CANARY.encode(), CANARY_BYTES, preview[-200:-12]):
        assert needle in decrypted
    # and the audit log, which explains every change, never repeats record contents
    import sqlite3

    plain = tmp_path / "plain.sqlite"
    plain.write_bytes(decrypted)
    details = " ".join(r[0] for r in sqlite3.connect(plain).execute("SELECT detail FROM audit_log"))
    assert CANARY not in details
    assert list_backups(vault_path)


def test_the_command_line_leaves_no_plaintext_and_writes_no_logs(tmp_path: Path, private_tmp: Path) -> None:
    env = {**os.environ, "SHOPEXIT_PASSPHRASE": PASSPHRASE, "TMPDIR": str(private_tmp)}
    vault_path = tmp_path / "vaults" / "vault.shopexit"
    secret = tmp_path / "receipt.txt"
    secret.write_text(f"receipt {CANARY}")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "shopexit", *args, "--vault", str(vault_path)], env=env,
                                capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
        assert result.returncode == 0, result.stderr
        return result

    run("init", "--creator", "A", "--shop", "B")
    run("attach", str(secret), "--note", f"note {CANARY}", "--to", "step:3")
    run("status")
    run("doctor")
    run("backup")
    run("import", str(write_orders_csv(tmp_path / "orders.csv", 3, text=CANARY)))
    roots = [vault_path.parent, private_tmp, paths.config_dir(), paths.cache_dir(), paths.data_dir()]
    assert scan(roots, forms(CANARY), set()) == []
    logs = [p for root in roots if root.exists() for p in root.rglob("*") if p.suffix in (".log", ".txt")]
    assert logs == []


def test_vault_and_backups_are_private(tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("POSIX modes")
    old = os.umask(0o022)  # a typical, permissive umask must not leak into the vault's files
    try:
        vault_path = tmp_path / "fresh" / "deeper" / "vault.shopexit"
        with Vault.create(vault_path, PASSPHRASE, ShopProfile("A", "B")) as vault:
            evidence.attach_bytes(vault, b"x", "x.txt")
            vault.backup()
            vault.backup_if_due(keep=3)
            vault.rekey("another strong passphrase 99")
            sides = [p for p in vault_path.parent.iterdir() if p.name.startswith(vault_path.name)]
        files = [vault_path, *list_backups(vault_path)] + [p for p in sides if p.is_file()]
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        for folder in (vault_path.parent, vault_path.parent / "vault.shopexit.backups"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    finally:
        os.umask(old)
