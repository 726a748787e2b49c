"""Writing the file: all or nothing. A cancel, a read-only folder or a full disk leaves no file behind and a
clear message; the signing keys appear on first need; a user's own certificate can sign instead."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from shopexit.core.archive import ExportOptions, export_archive, export_root_certificate, verify_archive
from shopexit.core.archive.errors import ArchiveError
from shopexit.core.errors import Cancelled, NotFound
from tests.core.archive.fill import Filled


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_cancel_leaves_nothing(filled: Filled, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seen: list[str] = []

    def progress(done: int, total: int, text: str) -> None:
        seen.append(text)

    with pytest.raises(Cancelled):
        export_archive(filled.vault, out_dir / "a.pdf", progress=progress,
                       cancelled=lambda: "Laying out the pages" in seen)
    assert _leftovers(out_dir) == []
    assert filled.vault.conn.execute("SELECT count(*) FROM exports").fetchone()[0] == 0


def test_cancel_while_attaching_leaves_nothing(filled: Filled, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seen: list[str] = []
    with pytest.raises(Cancelled):
        export_archive(filled.vault, out_dir / "a.pdf", progress=lambda d, t, s: seen.append(s),
                       cancelled=lambda: "Attaching files and signing" in seen)
    assert _leftovers(out_dir) == []


def test_progress_runs_to_the_end(filled: Filled, tmp_path: Path) -> None:
    reports: list[tuple[int, int, str]] = []
    export_archive(filled.vault, tmp_path / "a.pdf", progress=lambda d, t, s: reports.append((d, t, s)))
    done = [d for d, _, _ in reports]
    assert done == sorted(done)
    assert reports[-1][0] == reports[-1][1]
    assert reports[-1][2] == "Done"


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """A folder even root cannot write in: the immutable flag when we are root, else plain permissions."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)],
                                                            capture_output=True).returncode != 0:
            pytest.skip("cannot make a folder read-only for root here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_read_only_folder_gives_a_clear_error_and_leaves_nothing(filled: Filled, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with _read_only(folder), pytest.raises(ArchiveError, match="cannot be written"):
        export_archive(filled.vault, folder / "a.pdf")
    assert _leftovers(folder) == []


@contextlib.contextmanager
def _tiny_disk(folder: Path, size: str) -> Iterator[None]:
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_full_disk_gives_a_clear_error_and_leaves_nothing(filled: Filled, tmp_path: Path) -> None:
    folder = tmp_path / "small"
    with _tiny_disk(folder, "64k"):
        with pytest.raises(ArchiveError, match="full"):
            export_archive(filled.vault, folder / "a.pdf")
        assert _leftovers(folder) == []


def test_evidence_changed_inside_the_vault_stops_the_export(filled: Filled, tmp_path: Path) -> None:
    """The archive carries only bytes whose SHA-256 is the one recorded when they were added."""
    item = filled.evidence["usps-receipt.pdf"]
    with filled.vault.transaction() as tx:
        size = tx.execute("SELECT size FROM attachments WHERE id = ?", (item,)).fetchone()[0]
        tx.execute("UPDATE attachments SET data = ? WHERE id = ?", (b"X" * size, item))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(ArchiveError, match="no longer matches"):
        export_archive(filled.vault, out_dir / "a.pdf")
    assert _leftovers(out_dir) == []


def test_missing_folder_and_unknown_case(filled: Filled, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="does not exist"):
        export_archive(filled.vault, tmp_path / "nowhere" / "a.pdf")
    with pytest.raises(NotFound, match="case:999"):
        export_archive(filled.vault, tmp_path / "a.pdf", ExportOptions(case_id=999))
    assert _leftovers(tmp_path) == ["vaults"]


def test_an_existing_file_is_replaced_whole(filled: Filled, tmp_path: Path) -> None:
    out = tmp_path / "a.pdf"
    out.write_bytes(b"old")
    (tmp_path / ".a.pdf.k9x2.partial").write_bytes(b"left by a killed export")
    (tmp_path / ".b.pdf.k9x2.partial").write_bytes(b"another archive's: not ours to touch")
    export_archive(filled.vault, out)
    assert verify_archive(out).ok
    assert _leftovers(tmp_path) == [".b.pdf.k9x2.partial", "a.pdf", "vaults"]


def test_new_vaults_have_signing_keys_and_old_ones_get_them_on_first_export(filled: Filled, tmp_path: Path) -> None:
    conn = filled.vault.conn
    rows = dict(conn.execute("SELECT role, cert_pem FROM signing_keys"))
    assert set(rows) == {"root", "signer"}
    root = x509.load_pem_x509_certificate(rows["root"].encode())
    signer = x509.load_pem_x509_certificate(rows["signer"].encode())
    signer.verify_directly_issued_by(root)
    assert isinstance(signer.public_key(), ec.EllipticCurvePublicKey)
    assert signer.public_key().curve.name == "secp256r1"  # type: ignore[union-attr]
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # an older vault, made before signing keys existed
    with filled.vault.transaction() as tx:
        tx.execute("DELETE FROM signing_keys")
    result = export_archive(filled.vault, tmp_path / "a.pdf")
    assert conn.execute("SELECT count(*) FROM signing_keys").fetchone()[0] == 2
    fingerprint = export_root_certificate(conn, tmp_path / "root.pem")
    assert fingerprint == result.root_fingerprint
    assert verify_archive(result.path, tmp_path / "root.pem").trusted is True
    created = conn.execute("SELECT count(*) FROM audit_log WHERE entity = 'signing_keys'").fetchone()[0]
    assert created == 2  # once at creation, once on the first export after they were gone


def _p12(tmp_path: Path, password: bytes) -> tuple[Path, str]:
    """A user's own certificate under their own CA, as a PKCS#12 file; returns it and the CA's fingerprint."""
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    from shopexit.core.archive.keys import fingerprint_der

    now = datetime.now(UTC) - timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Quill Studio CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mara Quill")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2).not_valid_before(now)
            .not_valid_after(now + timedelta(days=365)).sign(ca_key, hashes.SHA256()))
    path = tmp_path / "mine.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"mine", key, cert, [ca], serialization.BestAvailableEncryption(password)))
    return path, fingerprint_der(ca.public_bytes(serialization.Encoding.DER))


def test_signing_with_the_users_own_certificate(filled: Filled, tmp_path: Path) -> None:
    p12, ca_fingerprint = _p12(tmp_path, b"s3cret")
    result = export_archive(filled.vault, tmp_path / "mine.pdf", ExportOptions(p12=p12, p12_password=b"s3cret"))
    report = verify_archive(result.path)
    assert report.ok, report.problems
    assert report.signer == "Mara Quill"
    assert report.root_fingerprint == ca_fingerprint == result.root_fingerprint
    if shutil.which("pdfsig"):
        out = subprocess.run(["pdfsig", str(result.path)], capture_output=True, text=True).stdout
        assert "Signature is Valid" in out and "Total document signed" in out
    with pytest.raises(ArchiveError, match="password is wrong"):
        export_archive(filled.vault, tmp_path / "bad.pdf", ExportOptions(p12=p12, p12_password=b"nope"))
    assert not (tmp_path / "bad.pdf").exists()


def test_huge_texts_flow_across_pages_intact(filled: Filled, tmp_path: Path) -> None:
    """A timeline entry, a description and a message each longer than a page: nothing is cut or lost."""
    from tests.core.archive.pdfread import page_text

    words = " ".join(f"w{n}" for n in range(6000))
    with filled.vault.transaction() as tx:
        tx.execute("INSERT INTO case_events(case_id, at, text) VALUES (?, '2026-03-13T00:00:00Z', ?)",
                   (filled.cases["mug"], words))
        tx.execute("UPDATE cases SET description = ? WHERE id = ?", ("山田花子" * 1500, filled.cases["bowl"]))
        tx.execute("INSERT INTO messages(thread_id, natural_key, direction, sender, sent_at, body)"
                   " VALUES (?, 'huge', 'in', 'x', '2026-03-11T00:00:00Z', ?)",
                   (filled.threads["dm:hanako"], "z" * 20000))
    result = export_archive(filled.vault, tmp_path / "big.pdf")
    assert verify_archive(result.path).ok
    text = page_text(result.path)
    found = [int(w[1:]) for w in text.split() if w.startswith("w") and w[1:].isdigit()]
    assert found == list(range(6000))
    solid = "".join(text.split())
    assert sum(len(run) for run in re.findall(r"z{50,}", solid)) == 20000  # pages break it, nothing is lost
    assert solid.count("山田花子") >= 1490  # a few are cut by page breaks
