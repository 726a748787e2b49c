"""A whole-vault archive: it verifies (ours and poppler's), any change after signing fails, the attached files are
the vault's bytes, names in any script are on the pages, and the ledger's totals are `status`'s."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from shopexit.core.archive import verify_archive
from shopexit.core.archive.embed import MANIFEST_NAME
from shopexit.core.money import format_display
from shopexit.core.status import status
from tests.core.archive.conftest import Made
from tests.core.archive.fill import FORMULA_NOTE, HANGUL_EMOJI_NOTE, THAI_NOTE
from tests.core.archive.pdfread import attachments, page_text, poppler_text

pdfsig = shutil.which("pdfsig") or ""


def copy(made: Made, tmp_path: Path) -> Path:
    target = tmp_path / "copy.pdf"
    shutil.copyfile(made.path, target)
    return target


def test_the_archive_verifies(made: Made) -> None:
    report = verify_archive(made.path)
    assert report.ok, report.problems
    assert report.whole_document
    assert report.trusted is None
    assert report.signer == "Harbor Goods Co archive signer"
    assert report.root_fingerprint == made.result.root_fingerprint
    assert report.files_checked == made.result.embedded_files - 1  # every file but the manifest itself
    assert report.signing_time is not None
    assert made.result.sha256 == hashlib.sha256(made.path.read_bytes()).hexdigest()


def test_verify_with_the_vault_root_trusts_it(made: Made, tmp_path: Path) -> None:
    assert verify_archive(made.path, made.root_pem).trusted is True
    other = tmp_path / "other-root.pem"
    from datetime import UTC, datetime

    from shopexit.core.archive.keys import _make

    other.write_text(_make("Someone Else", datetime.now(UTC)).root_cert_pem)
    report = verify_archive(made.path, other)
    assert not report.ok
    assert report.trusted is False
    assert any("trusted root" in p for p in report.problems)


@pytest.mark.skipif(not pdfsig, reason="poppler's pdfsig is not installed")
def test_pdfsig_agrees(made: Made) -> None:
    out = subprocess.run([pdfsig, str(made.path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in out
    assert "Total document signed" in out
    assert "ETSI.CAdES.detached" in out


@pytest.mark.parametrize("where", ["pages", "evidence", "tail"])
def test_one_flipped_byte_fails(made: Made, tmp_path: Path, where: str) -> None:
    target = copy(made, tmp_path)
    data = bytearray(target.read_bytes())
    if where == "pages":
        at = data.index(b"stream\n", 2000) + 40  # inside an early content stream
    elif where == "evidence":
        at = data.index(b"\x89PNG\r\n\x1a\n") + 100  # inside the attached screenshot
    else:
        at = len(data) - 30  # the last trailer, after the signature
    data[at] ^= 0x01
    target.write_bytes(bytes(data))
    report = verify_archive(target)
    assert not report.ok
    assert report.problems


@pytest.mark.parametrize("where", ["signature value", "root certificate"])
def test_a_changed_signature_fails(made: Made, tmp_path: Path, where: str) -> None:
    target = copy(made, tmp_path)
    data = bytearray(target.read_bytes())
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    der_end = start + len(bytes(data[start:end]).rstrip(b"0"))  # the CMS blob, then zero padding
    # the ECDSA signature value ends the blob; the root certificate sits early in it
    at = der_end - 20 if where == "signature value" else start + 300
    data[at] = ord("0") if data[at] != ord("0") else ord("1")
    target.write_bytes(bytes(data))
    report = verify_archive(target)
    assert not report.ok
    assert report.problems


def test_an_appended_incremental_update_fails(made: Made, tmp_path: Path) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    target = copy(made, tmp_path)
    with target.open("r+b") as handle:
        writer = IncrementalPdfFileWriter(handle)
        writer.root["/Lang"] = generic.pdf_string("de")
        writer.update_root()
        writer.write_in_place()
    report = verify_archive(target)
    assert not report.ok
    assert not report.whole_document
    assert any("whole file" in p for p in report.problems)
    if pdfsig:
        out = subprocess.run([pdfsig, str(target)], capture_output=True, text=True).stdout
        assert "Not total document signed" in out  # poppler alone would still call it valid


def test_an_attachment_smuggled_in_after_signing_fails(made: Made, tmp_path: Path) -> None:
    from pypdf import PdfWriter

    target = copy(made, tmp_path)
    writer = PdfWriter(str(target), incremental=True)
    writer.add_attachment("evidence/99999-extra.txt", b"added later")
    out = tmp_path / "smuggled.pdf"
    with out.open("wb") as handle:
        writer.write(handle)
    assert out.read_bytes().startswith(target.read_bytes())  # an incremental update: the signed bytes stay
    target = out
    report = verify_archive(target)
    assert not report.ok
    assert not report.whole_document


def test_attached_files_are_the_vaults_bytes(made: Made) -> None:
    files = attachments(made.path)
    vault = made.filled.vault
    manifest = json.loads(files[MANIFEST_NAME])
    by_name = {e["name"]: e for e in manifest["files"]}
    for name, attachment_id in made.filled.evidence.items():
        sha, data = vault.conn.execute("SELECT sha256, data FROM attachments WHERE id = ?",
                                       (attachment_id,)).fetchone()
        [embedded] = [n for n in files if n.startswith(f"evidence/{attachment_id:05d}-")]
        assert hashlib.sha256(files[embedded]).hexdigest() == sha
        assert files[embedded] == bytes(data)
        assert by_name[embedded]["sha256"] == sha
        assert by_name[embedded]["original_name"] == name
    source = [n for n in files if n.startswith("sources/")]
    assert len(source) == 1
    assert hashlib.sha256(files[source[0]]).hexdigest() == vault.conn.execute(
        "SELECT sha256 FROM attachments WHERE id = ?", (made.filled.source_id,)).fetchone()[0]
    # everything attached is in the manifest and matches it
    assert set(files) == set(by_name) | {MANIFEST_NAME}
    for name, entry in by_name.items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"]
        assert len(files[name]) == entry["size"]


def test_names_in_any_script_are_on_the_pages(made: Made) -> None:
    text = page_text(made.path)
    assert "山田 花子" in text
    assert "Zoë Ångström" in text
    assert "李伟" in text
    assert "こんにちは、山田花子です" in text
    assert THAI_NOTE in text
    poppler = poppler_text(made.path)
    if poppler is not None:
        assert "山田 花子" in poppler
        assert "Zoë Ångström" in poppler
        assert THAI_NOTE in poppler


def test_korean_and_emoji_are_drawn_and_read_back(made: Made) -> None:
    """A buyer's note in Hangul with emoji beyond U+FFFF comes back from the page text (pypdf and poppler), drawn
    with the embedded Nanum Gothic and Symbola rather than as boxes."""
    from pypdf import PdfReader

    assert HANGUL_EMOJI_NOTE in page_text(made.path).replace("\n", " ")
    poppler = poppler_text(made.path)
    if poppler is not None:
        assert "감사합니다! 잘 받았어요 😍🎁" in poppler
    embedded = set()
    for page in PdfReader(str(made.path)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"NanumGothic", "Symbola"} <= embedded, embedded


def test_every_font_the_archive_uses_is_embedded(made: Made) -> None:
    """A reader without our fonts still shows the archive as written: no page names a font it does not carry
    (reportlab's default Helvetica came in through the first page, bullets and the charts)."""
    from pypdf import PdfReader

    seen = {}
    for page in PdfReader(str(made.path)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen[str(font["/BaseFont"])] = embedded
    assert seen and all(seen.values()), seen
    text = page_text(made.path)
    assert "•" in text  # the bullets of the exit steps, now in the embedded font


def test_the_cover_says_what_and_how_to_check(made: Made) -> None:
    from pypdf import PdfReader

    cover = PdfReader(str(made.path)).pages[0].extract_text()
    assert "Shop records archive" in cover
    assert "Mara Quill" in cover and "Harbor Goods Co" in cover
    assert made.result.root_fingerprint in cover.replace("\n", "")
    assert "shopexit verify" in cover and "pdfsig" in cover
    assert "Total document signed" in cover
    assert "39 orders with 40 order lines" in cover


def test_ledger_totals_match_status(made: Made) -> None:
    facts = status(made.filled.vault.conn)
    text = page_text(made.path)
    block = text[text.index("Ledger totals"):]
    row = re.search(r"USD\s+(\d+)\s+([\d,.]+ USD)\s+([\d,.]+ USD)\s+([\d,.]+ USD)\s+([\d,.]+ USD)\s+([\d,.]+ USD)",
                    block)
    assert row, block[:400]
    funds = facts["funds"]["USD"]
    disp = lambda amount: format_display(int(Decimal(amount) * 100), "USD")  # noqa: E731
    assert int(row.group(1)) == facts["orders"]["total"]
    assert row.group(3) == disp(funds["settled"])
    assert row.group(4) == disp(funds["on_hold"])
    assert row.group(5) == disp(funds["withdrawn"])
    assert row.group(6) == disp(facts["commissions"]["USD"]["earned"])
    # the data files agree too
    files = attachments(made.path)
    orders = list(csv.DictReader(io.StringIO(files["data/orders.csv"].decode("utf-8-sig"))))
    assert len(orders) == facts["orders"]["total"]
    settlements = list(csv.DictReader(io.StringIO(files["data/settlements.csv"].decode("utf-8-sig"))))
    assert sum(Decimal(s["settlement_amount"]) for s in settlements) == Decimal(funds["settled"])


def test_every_step_and_the_closure_are_on_the_pages(made: Made) -> None:
    from shopexit.core.plan import STEP_TITLES

    text = page_text(made.path)
    for title in STEP_TITLES:
        assert title in text
    assert "Closure notice up for 30 days" in text
    assert "Earliest day the shop may close" in text
    closure = status(made.filled.vault.conn)["closure"]
    assert closure["earliest_close_date"] is None and closure["not_before"]  # orders open: the soonest is known
    assert f"Earliest day the shop may close: not before {closure['not_before']}" in text.replace("\n", " ")


def test_csv_cells_that_would_run_are_neutralised(made: Made) -> None:
    files = attachments(made.path)
    rows = list(csv.DictReader(io.StringIO(files["data/orders.csv"].decode("utf-8-sig"))))
    [row] = [r for r in rows if r["order_id"] == "576460752303423002"]
    assert row["buyer_message"] == "'" + FORMULA_NOTE
    fees = [r["fees"] for r in csv.DictReader(io.StringIO(files["data/settlements.csv"].decode("utf-8-sig")))]
    assert "-7.70" in fees  # plain negative numbers stay numbers
    # JSON keeps the exact text
    orders_json = json.loads(files["data/orders.json"])
    assert any(o["buyer_message"] == FORMULA_NOTE for o in orders_json)


def test_the_export_is_recorded_with_its_verdict(made: Made) -> None:
    from shopexit.core.archive import last_export

    last = last_export(made.filled.vault.conn)
    assert last is not None
    assert last["file_name"] == "archive.pdf"
    assert last["sha256"] == made.result.sha256
    assert last["scope"] == "all"
    assert last["verdict"].startswith("valid")
    actions = [r[0] for r in made.filled.vault.conn.execute(
        "SELECT action FROM audit_log WHERE entity = 'archive'")]
    assert "export" in actions


def test_outline_lists_the_sections(made: Made) -> None:
    from pypdf import PdfReader

    titles = [item.title for item in PdfReader(str(made.path)).outline if not isinstance(item, list)]
    for section in ("The exit at a glance", "The ledger", "Messages", "Cases", "Evidence",
                    "Appendix: manifest and audit log"):
        assert section in titles


def test_verify_reports_a_file_that_is_not_a_pdf(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"this is not a pdf at all")
    report = verify_archive(junk)
    assert not report.ok
    assert report.problems
    data = report.as_json()
    assert data["ok"] is False and data["verdict"].startswith("NOT valid") and data["problems"] == report.problems


def test_verify_reports_an_unsigned_pdf(tmp_path: Path) -> None:
    from tests.core.archive.fill import pdf_bytes

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(pdf_bytes("hello"))
    report = verify_archive(plain)
    assert not report.ok
    assert report.problems == ["the file is not signed"]


def test_orders_are_on_wide_pages_one_band_each(made: Made) -> None:
    """The ledger is on landscape pages and the pages turn back upright for the rest; each order's row carries
    its first line and its amount, and its shipping details follow on the line below."""
    from pypdf import PdfReader

    reader = PdfReader(str(made.path))
    wide = [i for i, page in enumerate(reader.pages) if page.mediabox.width > page.mediabox.height]
    assert wide, "no landscape pages"
    assert wide == list(range(wide[0], wide[-1] + 1))  # one run of wide pages
    first = reader.pages[wide[0]].extract_text()
    assert "The ledger" in first and "Orders" in first
    for header in ("Order", "Placed", "Status", "Buyer", "SKU", "Product", "Qty", "Unit price", "Line total",
                   "Amount"):
        assert header in first
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # the cover is upright
    after = reader.pages[wide[-1] + 1]
    assert after.mediabox.width < after.mediabox.height
    assert (after.extract_text() or "").lstrip().startswith("Messages")
    text = "\n".join(reader.pages[i].extract_text() for i in wide)
    assert text.index("Orders") < text.index("Settlements") < text.index("Money on hold") < text.index(
        "Withdrawals") < text.index("Affiliate commissions") < text.index("Ledger totals")
    orders = made.filled.vault.conn.execute(
        "SELECT order_id FROM orders ORDER BY created_at, id").fetchall()
    positions = [text.index(order_id) for (order_id,) in orders]
    assert positions == sorted(positions)  # every order, oldest first
    assert "Ship to:" in text and "Tracking:" in text


def test_page_contents_are_compressed(made: Made) -> None:
    """Pages are compressed as they are made (the export's memory stays flat), and still read back."""
    from pypdf import PdfReader

    reader = PdfReader(str(made.path))
    for page in reader.pages:
        contents = page["/Contents"].get_object()
        streams = contents if isinstance(contents, list) else [contents]
        for stream in streams:
            stream = stream.get_object()
            assert stream.get("/Filter") in ("/FlateDecode", ["/FlateDecode"])
            assert stream.get_data()
