"""Many files at once (`evidence.attach_files`, behind a drop, the file dialog and `shopexit attach a b c`): batched
transactions of bounded size on a real vault, each file whole or absent, progress per file, Cancel keeping what
is in, and a killed process leaving only whole files from committed batches."""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from shopexit.core import evidence, thumbnails
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE


def _files(folder: Path, count: int, size: int = 20_000, seed: int = 5) -> list[Path]:
    """Distinct binary files (random bytes after a JPEG-like magic, so the sniffed type is known)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"scan-{n:03d}.bin"
        path.write_bytes(b"%PDF-1.4\n" + rng.randbytes(size))
        paths.append(path)
    return paths


def _jpeg(width: int, height: int, colour: tuple[int, int, int] = (200, 90, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def _commits(vault: Vault) -> list[str]:
    """Every statement the connection runs from now on (to count the transactions a batch really commits)."""
    seen: list[str] = []
    vault.conn.set_trace_callback(seen.append)
    return seen


def _held(vault: Vault) -> dict[str, str]:
    """original name → SHA-256 of the bytes the vault really holds."""
    return {str(name): hashlib.sha256(bytes(data)).hexdigest()
            for name, data in vault.conn.execute("SELECT original_name, data FROM attachments")}


def test_a_batch_keeps_every_file_whole_in_few_commits_with_progress(vault: Vault, tmp_path: Path) -> None:
    paths = _files(tmp_path / "in", 20)
    seen = _commits(vault)
    reported: list[tuple[int, int, str]] = []
    outcome = evidence.attach_files(vault, paths, links=[("step", 10)], batch_files=8,
                                    progress=lambda done, total, name: reported.append((done, total, name)))
    vault.conn.set_trace_callback(None)
    assert not outcome.refused and not outcome.cancelled and len(outcome.added) == 20
    assert reported == [(n, 20, p.name) for n, p in enumerate(paths)]
    # 20 files in batches of 8: three commits, not twenty
    assert sum(1 for s in seen if s.strip().upper() == "COMMIT") == 3
    assert _held(vault) == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    assert all(a.new and a.media_type == "application/pdf" and a.size == 20_009 for a in outcome.added)
    assert [a.sha256 for a in outcome.added] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    linked = evidence.items_for(vault.conn, "step", 10)
    assert [i.original_name for i in linked] == [p.name for p in paths]
    audited = vault.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'add' AND entity = 'attachment'")
    assert audited.fetchone()[0] == 20
    assert not vault.conn.in_transaction
    # the checkpoint setting the batch raised is back to what it was
    assert vault.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


def test_a_batch_commits_before_it_grows_past_its_byte_bound(vault: Vault, tmp_path: Path) -> None:
    paths = _files(tmp_path / "in", 6, size=40_000)
    seen = _commits(vault)
    outcome = evidence.attach_files(vault, paths, batch_bytes=100_000, batch_files=32)
    vault.conn.set_trace_callback(None)
    assert len(outcome.added) == 6
    # 40 kB files under a 100 kB bound: two per batch
    assert sum(1 for s in seen if s.strip().upper() == "COMMIT") == 3


def test_duplicates_in_one_batch_are_stored_once_and_linked(vault: Vault, tmp_path: Path) -> None:
    (a, b) = _files(tmp_path / "in", 2)
    copy = tmp_path / "in" / "same-as-first.bin"
    copy.write_bytes(a.read_bytes())
    outcome = evidence.attach_files(vault, [a, b, copy], links=[("order", 7)])
    assert [x.new for x in outcome.added] == [True, True, False]
    assert outcome.added[2].id == outcome.added[0].id
    assert vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 2


def test_refused_files_leave_no_trace_and_the_rest_is_kept(vault: Vault, tmp_path: Path) -> None:
    good = _files(tmp_path / "in", 3)
    empty = tmp_path / "in" / "empty.png"
    empty.write_bytes(b"")
    big = tmp_path / "in" / "video.mp4"
    big.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 30_000)
    missing = tmp_path / "in" / "gone.jpg"
    order = [good[0], empty, good[1], missing, big, good[2]]
    outcome = evidence.attach_files(vault, order, max_size=25_000, batch_files=2)
    assert [a.original_name for a in outcome.added] == [p.name for p in good]
    assert len(outcome.refused) == 3
    assert "empty.png: is empty" in outcome.refused[0] and "no such file" in outcome.refused[1]
    assert "video.mp4" in outcome.refused[2] and "size limit" in outcome.refused[2]
    assert set(_held(vault)) == {p.name for p in good}


def test_keep_going_false_stops_at_the_first_refusal_keeping_those_before(vault: Vault, tmp_path: Path) -> None:
    paths = _files(tmp_path / "in", 4)
    order = [paths[0], paths[1], tmp_path / "in" / "missing.jpg", paths[2], paths[3]]
    outcome = evidence.attach_files(vault, order, keep_going=False)
    assert [a.original_name for a in outcome.added] == [paths[0].name, paths[1].name]
    assert len(outcome.refused) == 1 and "no such file" in outcome.refused[0]
    assert set(_held(vault)) == {paths[0].name, paths[1].name}
    assert not vault.conn.in_transaction


def test_cancel_keeps_what_is_in_and_stops(vault: Vault, tmp_path: Path) -> None:
    paths = _files(tmp_path / "in", 12)
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > 5  # the user presses Stop while the sixth file is due (mid-batch: batches of 4)

    outcome = evidence.attach_files(vault, paths, batch_files=4, cancelled=cancelled)
    assert outcome.cancelled and len(outcome.added) == 5
    assert set(_held(vault)) == {p.name for p in paths[:5]}
    assert not vault.conn.in_transaction


def test_big_files_stream_inside_a_batch(vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above `WHOLE_FILE_MAX` a file streams through the blob handle (two passes) instead of being read whole."""
    monkeypatch.setattr(evidence, "WHOLE_FILE_MAX", 10_000)
    small = _files(tmp_path / "small", 2, size=1000)
    large = _files(tmp_path / "large", 2, size=3 * 1024 * 1024 + 17, seed=9)
    outcome = evidence.attach_files(vault, [small[0], large[0], small[1], large[1]], batch_files=3)
    assert len(outcome.added) == 4 and not outcome.refused
    expected = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in small + large}
    assert _held(vault) == {**expected, large[0].name: expected[large[0].name]}
    out = b"".join(evidence.iter_bytes(vault.conn, outcome.added[1].id))
    assert out == large[0].read_bytes()


def test_a_batch_with_thumbnails_makes_them_from_memory(vault: Vault, tmp_path: Path) -> None:
    photo = tmp_path / "parcel.jpg"
    photo.write_bytes(_jpeg(4000, 3000))
    wide = tmp_path / "label.jpg"
    wide.write_bytes(_jpeg(1200, 800, (10, 120, 200)))
    text = tmp_path / "note.txt"
    text.write_text("tracking 9400 1000 0000\n")
    outcome = evidence.attach_files(vault, [photo, wide, text], thumbnails=8)
    ids = [a.id for a in outcome.added]
    sizes = []
    for item_id in ids[:2]:
        png = thumbnails.thumbnail(vault.conn, item_id)
        assert png is not None and png.startswith(b"\x89PNG")
        with Image.open(io.BytesIO(png)) as thumb:
            sizes.append(thumb.size)
    assert sizes == [(256, 192), (256, 171)]
    assert thumbnails.thumbnail(vault.conn, ids[2]) is None
    # the same bytes again: linked, no second thumbnail made or needed
    again = evidence.attach_files(vault, [photo], thumbnails=8)
    assert not again.added[0].new and vault.conn.execute("SELECT count(*) FROM attachment_thumbs").fetchone()[0] == 2


def test_previews_are_made_on_the_way_in_for_the_first_images_only(vault: Vault, tmp_path: Path) -> None:
    """A drop of many photos stores at the disk's pace: the first previews are made as they go in, the others
    when a strip shows them."""
    text = tmp_path / "note.txt"
    text.write_text("not an image, not counted\n")
    photos = []
    for n in range(5):
        photo = tmp_path / f"photo-{n}.jpg"
        photo.write_bytes(_jpeg(640, 480, (n * 40, 90, 40)))
        photos.append(photo)
    ids = [a.id for a in evidence.attach_files(vault, [text, *photos], thumbnails=2).added]
    made = [thumbnails.thumbnail(vault.conn, i) is not None for i in ids]
    assert made == [False, True, True, False, False, False]
    assert thumbnails.ensure_thumbnail(vault, ids[-1]) is not None  # made when shown


def test_a_batch_inside_a_callers_transaction_is_part_of_it(vault: Vault, tmp_path: Path) -> None:
    paths = _files(tmp_path / "in", 5)
    with pytest.raises(RuntimeError), vault.transaction():
        evidence.attach_files(vault, paths, batch_files=2)
        raise RuntimeError("the caller's change fails after the files went in")
    assert vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_a_killed_batch_leaves_whole_files_from_committed_batches_only(tmp_path: Path) -> None:
    """A real process attaching in batches of 4 is killed with SIGKILL while the third batch is half written (two
    files stored, not committed): the reopened vault opens and holds exactly the eight files of the first two
    batches, each byte for byte."""
    paths = _files(tmp_path / "in", 12, size=200_000)
    vault_path = tmp_path / "killed.shopexit"
    Vault.create(vault_path, PASSPHRASE, ShopProfile("A", "B")).lock()
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from shopexit.core import evidence
        from shopexit.core.vault import ShopProfile, Vault
        vault = Vault.open(Path({str(vault_path)!r}), {PASSPHRASE!r})
        paths = [Path(p) for p in {[str(p) for p in paths]!r}]

        def progress(done, total, name):
            if done == 10:  # files 8 and 9 are stored in the open third batch
                print("ready", flush=True)
                time.sleep(60)

        evidence.attach_files(vault, paths, batch_files=4, progress=progress)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    with Vault.open(vault_path, PASSPHRASE) as vault:
        assert _held(vault) == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths[:8]}
        assert vault.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_render_thumbnail_decodes_a_big_jpeg_at_reduced_scale() -> None:
    """A 4:3 photo asks the decoder for a 4:3 size, so it decodes at 1/8 here rather than at 1/2."""
    from PIL import Image as PILImage

    data = _jpeg(4096, 3072)
    with PILImage.open(io.BytesIO(data)) as probe:
        probe.draft("RGB", (256, 192))
        assert probe.size == (512, 384)  # what the decoder is asked for: 1/8 scale
    png = thumbnails.render_thumbnail(data)
    assert png is not None
    with PILImage.open(io.BytesIO(png)) as thumb:
        assert thumb.size == (256, 192)
