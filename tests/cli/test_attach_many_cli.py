"""`shopexit attach a b c …`: many files in one run (batched transactions), a line per file, and the first
refused file stopping the run with one line while the files before it stay kept."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from shopexit.core.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.cli import run


@pytest.fixture
def vault_file(tmp_path: Path) -> Path:
    path = tmp_path / "many.shopexit"
    run("init", "--vault", str(path), "--creator", "Mara Quill", "--shop", "Harbor Goods Co")
    return path


def _photos(folder: Path, count: int) -> list[Path]:
    rng = random.Random(8)
    folder.mkdir()
    paths = []
    for n in range(count):
        path = folder / f"IMG_{n:04d}.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + rng.randbytes(30_000))
        paths.append(path)
    return paths


def test_attach_many_files_in_one_run(vault_file: Path, tmp_path: Path) -> None:
    photos = _photos(tmp_path / "photos", 40)
    out = run("attach", *map(str, photos), "--to", "step:7", "--vault", str(vault_file)).stdout.splitlines()
    assert len(out) == 40
    for line, photo in zip(out, photos, strict=True):
        assert line.startswith(f"{photo}: added as #") and "image/jpeg" in line
        assert hashlib.sha256(photo.read_bytes()).hexdigest() in line
    assert json.loads(run("status", "--json", "--vault", str(vault_file)).stdout)["attachments"] == 40
    with Vault.open(vault_file, PASSPHRASE) as vault:
        held = {str(n): hashlib.sha256(bytes(d)).hexdigest()
                for n, d in vault.conn.execute("SELECT original_name, data FROM attachments")}
        linked = vault.conn.execute("SELECT count(*) FROM attachment_links WHERE target_kind = 'step' AND "
                                    "target_id = 7").fetchone()[0]
    assert held == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in photos} and linked == 40


def test_a_refused_file_stops_the_run_and_keeps_the_ones_before(vault_file: Path, tmp_path: Path) -> None:
    photos = _photos(tmp_path / "photos", 4)
    empty = tmp_path / "photos" / "blank.png"
    empty.write_bytes(b"")
    result = run("attach", str(photos[0]), str(photos[1]), str(empty), str(photos[2]), "--vault", str(vault_file),
                 check=1)
    assert result.stderr.count("\n") == 1 and "blank.png: is empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [str(photos[0]), str(photos[1])]
    assert json.loads(run("status", "--json", "--vault", str(vault_file)).stdout)["attachments"] == 2
