"""What goes in: a case file holds its case only; a date range its dates; a redacted archive names no buyer
anywhere — pages, strings, streams, attachments."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from shopexit.core.archive import ExportOptions, export_archive, verify_archive
from shopexit.core.archive.collect import Redactor
from shopexit.core.archive.embed import MANIFEST_NAME
from tests.core.archive.fill import BUYERS, Filled
from tests.core.archive.pdfread import attachments, occurrences, page_text

ALL_ORDER_IDS = [f"5764607523034230{i:02d}" for i in range(1, 40)]


def buyer_identifiers() -> list[str]:
    out = []
    for b in BUYERS.values():
        out += [b["username"], b["recipient"], b["phone"], b["address"]]
    return [*out, "山田花子", "ZOË ÅNGSTRÖM"]


def test_a_case_file_holds_only_its_case(filled: Filled, tmp_path: Path) -> None:
    case_id = filled.cases["mug"]
    result = export_archive(filled.vault, tmp_path / "case.pdf", ExportOptions(case_id=case_id))
    assert verify_archive(result.path).ok
    text = page_text(result.path)
    files = attachments(result.path)
    everything = text + "".join(d.decode("utf-8", "ignore") for d in files.values())
    assert "576460752303423001" in text
    others = [o for o in ALL_ORDER_IDS if o != "576460752303423001" and o in everything]
    assert others == []
    assert "Bowl not received" not in everything  # the other case
    assert "Harbor Supplies" not in everything  # a thread not linked to the case
    assert "マグカップが割れて届きました" in text  # the linked thread's messages are in
    assert "The exit at a glance" not in text  # the shop's status is not part of a case file
    from pypdf import PdfReader

    for page in PdfReader(str(result.path)).pages:  # no page is left blank between sections
        content = [line for line in (page.extract_text() or "").splitlines()
                   if not line.startswith(("Made ", "Harbor Goods Co", "Signed records archive", "Page "))]
        assert len(content) >= 2, content
    names = set(files)
    assert not any(n.startswith("sources/") for n in names)  # the import file holds every other order too
    evidence = sorted(n for n in names if n.startswith("evidence/"))
    assert evidence == [f"evidence/{filled.evidence['chat-screenshot.png']:05d}-chat-screenshot.png",
                        f"evidence/{filled.evidence['usps-receipt.pdf']:05d}-usps-receipt.pdf"]
    manifest = json.loads(files[MANIFEST_NAME])
    assert manifest["scope"]["case_id"] == case_id
    assert manifest["records"]["orders"] == 1
    assert manifest["records"]["cases"] == 1
    settlements = list(csv.DictReader(io.StringIO(files["data/settlements.csv"].decode("utf-8-sig"))))
    assert [s["order_id"] for s in settlements] == ["576460752303423001"]


def test_a_date_range_holds_its_dates(filled: Filled, tmp_path: Path) -> None:
    result = export_archive(filled.vault, tmp_path / "may.pdf",
                            ExportOptions(date_from=date(2026, 5, 1), date_to=date(2026, 5, 31)))
    assert verify_archive(result.path).ok
    files = attachments(result.path)
    orders = list(csv.DictReader(io.StringIO(files["data/orders.csv"].decode("utf-8-sig"))))
    assert orders
    assert all(o["created_at"].startswith("2026-05") for o in orders)
    messages = list(csv.DictReader(io.StringIO(files["data/messages.csv"].decode("utf-8-sig"))))
    assert {m["sent_at"][:7] for m in messages} == {"2026-05"}
    manifest = json.loads(files[MANIFEST_NAME])
    assert manifest["scope"]["period"] == ["2026-05-01", "2026-05-31"]
    assert "The exit at a glance" in page_text(result.path)


def test_redaction_leaves_no_buyer_anywhere(filled: Filled, tmp_path: Path) -> None:
    result = export_archive(filled.vault, tmp_path / "redacted.pdf", ExportOptions(redact_buyers=True))
    assert verify_archive(result.path).ok
    assert occurrences(result.path, buyer_identifiers()) == []
    text = page_text(result.path)
    assert "Buyer 1" in text and "Buyer 2" in text and "Buyer 3" in text
    files = attachments(result.path)
    assert not any(n.startswith(("evidence/", "sources/")) for n in files)  # listed, not attached
    evidence_rows = list(csv.DictReader(io.StringIO(files["data/evidence.csv"].decode("utf-8-sig"))))
    assert len(evidence_rows) == 3 and all(r["embedded_as"] == "" for r in evidence_rows)
    assert "buyers redacted" in text
    # the buyer who wrote their own name in a message is a pseudonym there too, whatever the case
    messages = list(csv.DictReader(io.StringIO(files["data/messages.csv"].decode("utf-8-sig"))))
    assert any("It's Buyer" in m["body"] for m in messages)
    assert any("こんにちは、Buyer" in m["body"] for m in messages)


def test_redaction_control_the_same_search_finds_names_in_a_plain_archive(filled: Filled, tmp_path: Path) -> None:
    """The search that finds nothing above does find every name when nothing is redacted."""
    result = export_archive(filled.vault, tmp_path / "plain.pdf")
    assert set(occurrences(result.path, buyer_identifiers())) == set(buyer_identifiers())


def test_redacted_with_images_attaches_evidence(filled: Filled, tmp_path: Path) -> None:
    result = export_archive(filled.vault, tmp_path / "redacted-images.pdf",
                            ExportOptions(redact_buyers=True, include_images=True))
    files = attachments(result.path)
    assert sum(1 for n in files if n.startswith("evidence/")) == 3
    assert not any(n.startswith("sources/") for n in files)
    assert verify_archive(result.path).ok


def test_redactor_matches_whole_names_not_pieces() -> None:
    red = Redactor()
    red.add_buyer("a", ["Anna Berg", "anna_b"])
    red.add_buyer("b", ["山田 花子"])
    assert red.text("Hi ANNA BERG, and anna_b!") == "Hi Buyer 1, and Buyer 1!"
    assert red.text("Annabelle Bergman wrote") == "Annabelle Bergman wrote"
    assert red.text("山田花子です") == "Buyer 2です"
    assert red.text("nothing here") == "nothing here"
    assert red.match_whole("anna_b") == "Buyer 1"
    assert red.match_whole("Anna") is None
