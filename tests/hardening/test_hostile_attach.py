"""Hostile files through the evidence doors: attach (CLI and the core call behind "Add files"), drop (the same
call with origin "drop") and paste (`attach_bytes`). A regular file is kept byte for byte under the type its
content really has and is never decoded or unpacked; anything else (empty, a folder, a symlink, a pipe, over the
size limit) is refused with one line and the vault is left exactly as it was."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shopexit.core import evidence
from shopexit.core.errors import EvidenceRefused
from shopexit.core.vault import Vault
from tests.conftest import PASSPHRASE
from tests.hardening.hostile import HOSTILE, bomb_png, sparse_file
from tests.hardening.vaultdump import dump

REFUSED = {"empty": "is empty", "symlink": "symbolic link", "folder": "is a folder", "fifo": "not a regular file"}
TRUE_TYPE = {
    "pdf_named_csv": "application/pdf",
    "png_named_xlsx": "image/png",
    "bomb_png": "image/png",
    "random_bytes": "application/octet-stream",
    "xlsx_zip_bomb": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "nested_json": "application/json",
}


# Big inputs matter at the import door (they must not be parsed whole); at the evidence door they are plain
# bytes like any other, so they are not repeated here. "drop" is the same call with another origin: a few suffice.
BIG = {"huge_json", "csv_10mb_field"}
DROPPED = {"empty", "folder", "bomb_png", "pdf_named_csv"}


@pytest.mark.parametrize(("name", "origin"), [(n, "file") for n in sorted(set(HOSTILE) - BIG)]
                         + [(n, "drop") for n in sorted(DROPPED)])
def test_hostile_file_through_attach(vault: Vault, tmp_path: Path, name: str, origin: str) -> None:
    if name == "fifo" and os.name == "nt":
        pytest.skip("no FIFOs on Windows")
    path = HOSTILE[name](tmp_path)
    before = dump(vault.conn)
    if name in REFUSED:
        with pytest.raises(EvidenceRefused, match=REFUSED[name]) as err:
            evidence.attach_file(vault, path, origin=origin)
        assert "\n" not in str(err.value)
        assert dump(vault.conn) == before
        return
    data = path.read_bytes()
    item = evidence.attach_file(vault, path, origin=origin)
    assert item.sha256 == hashlib.sha256(data).hexdigest() and item.size == len(data)
    assert evidence.read_bytes(vault.conn, item.id) == data
    if name in TRUE_TYPE:
        assert item.media_type == TRUE_TYPE[name]
    stored = evidence.get_item(vault.conn, item.id)
    if name == "bomb_png":
        assert not stored.previewable


@pytest.mark.parametrize("name", ["empty", "random_bytes", "bomb_png", "pdf_named_csv"])
def test_hostile_bytes_through_paste(vault: Vault, tmp_path: Path, name: str) -> None:
    data = HOSTILE[name](tmp_path).read_bytes()
    before = dump(vault.conn)
    if not data:
        with pytest.raises(EvidenceRefused, match="is empty"):
            evidence.attach_bytes(vault, data, "pasted.png")
        assert dump(vault.conn) == before
        return
    item = evidence.attach_bytes(vault, data, "pasted.png")
    assert evidence.read_bytes(vault.conn, item.id) == data


def test_over_the_size_limit_is_refused_before_reading(vault: Vault, tmp_path: Path) -> None:
    before = dump(vault.conn)
    huge = sparse_file(tmp_path / "video.mp4", evidence.DEFAULT_MAX_SIZE + 1)
    with pytest.raises(EvidenceRefused, match="over the evidence size limit"):
        evidence.attach_file(vault, huge)
    with pytest.raises(EvidenceRefused, match="over the evidence size limit"):
        evidence.attach_bytes(vault, b"x" * 2048, "clip.bin", max_size=1024)
    assert dump(vault.conn) == before


def test_a_decompression_bomb_is_stored_without_decoding_or_big_memory(tmp_path: Path) -> None:
    """In a fresh process, so the peak resident memory is this job's: attach + thumbnail of a PNG declaring
    40,000 × 40,000 pixels (4.8 GB decoded) must stay far below that."""
    if os.name == "nt":
        pytest.skip("resource is POSIX")
    bomb = tmp_path / "screenshot.png"
    bomb.write_bytes(bomb_png(40_000, 40_000))
    vault_path = tmp_path / "v.shopexit"
    script = textwrap.dedent(f"""
        import resource
        from pathlib import Path
        from shopexit.core import evidence, thumbnails
        from shopexit.core.vault import ShopProfile, Vault
        vault = Vault.create(Path({str(vault_path)!r}), {PASSPHRASE!r}, ShopProfile("A", "B"))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        item = evidence.attach_file(vault, Path({str(bomb)!r}))
        thumb = thumbnails.ensure_thumbnail(vault, item.id)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        row = vault.conn.execute("SELECT previewable, width, height FROM attachments WHERE id = ?", (item.id,))
        print(item.media_type, thumb is None, tuple(row.fetchone()), (after - before) // 1024)
        vault.lock()
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    media_type, no_thumb, rest = out.stdout.split(" ", 2)
    dims, grown_mb = rest.rsplit(" ", 1)
    assert media_type == "image/png" and no_thumb == "True"
    assert dims.startswith("(0,")  # never previewable
    assert int(grown_mb) < 50, f"memory grew by {grown_mb} MB"


def test_cli_attach_refusals_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "v.shopexit"
    env = {**os.environ, "SHOPEXIT_PASSPHRASE": PASSPHRASE}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "shopexit", *args, "--vault", str(path)], capture_output=True,
                              text=True, env=env, stdin=subprocess.DEVNULL, timeout=120)

    assert run("init", "--creator", "A", "--shop", "B").returncode == 0
    for name in ("empty", "symlink", "folder", "fifo"):
        (tmp_path / name).mkdir()
        bad = HOSTILE[name](tmp_path / name)
        result = run("attach", str(bad))
        assert result.returncode == 1 and result.stderr.count("\n") == 1, (name, result.stderr)
        assert REFUSED[name] in result.stderr and "Traceback" not in result.stderr
    assert '"attachments": 0' in run("status", "--json").stdout
