"""The real export layouts end to end: import every sample, attach the sample evidence, export, verify — and the
ledger's totals on the page are `status`'s and EXPECTED.json's."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from shopexit.core.archive import export_archive, verify_archive
from shopexit.core.money import format_display
from shopexit.core.status import status
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE
from tests.core.archive.pdfread import attachments, page_text


def test_samples_import_export_and_verify(shared_samples: Path, tmp_path: Path) -> None:
    importers = pytest.importorskip("shopexit.core.importers")
    from shopexit.core import evidence

    vault = Vault.create(tmp_path / "samples.shopexit", PASSPHRASE, ShopProfile("Mara Quill", "Harbor Goods Co"))
    try:
        sources = sorted(p for p in shared_samples.iterdir() if p.suffix in (".csv", ".xlsx", ".zip"))
        for path in sources:
            importers.import_file(vault, path)
        for path in sorted((shared_samples / "attachments").iterdir()):
            evidence.attach_file(vault, path)
        facts = status(vault.conn)
        result = export_archive(vault, tmp_path / "samples.pdf")
    finally:
        vault.lock()
    report = verify_archive(result.path)
    assert report.ok, report.problems

    expected = json.loads((shared_samples / "EXPECTED.json").read_text())
    usd = facts["funds"]["USD"]
    assert usd["settled"] == expected["settled_usd"]
    text = page_text(result.path)
    block = text[text.index("Ledger totals"):]
    row = re.search(r"USD\s+(\d+)\s+([\d,.]+ USD)\s+([\d,.]+ USD)\s+([\d,.]+ USD)\s+([\d,.]+ USD)\s+([\d,.]+ USD)",
                    block)
    assert row, block[:400]

    def shown(amount: str) -> str:
        return format_display(int(Decimal(amount) * 100), "USD")

    assert int(row.group(1)) == facts["orders"]["total"] == expected["orders"]["orders_total"]
    assert row.group(2) == shown(expected["orders"]["order_amount_sum"])
    assert row.group(3) == shown(usd["settled"]) == shown(expected["settled_usd"])
    assert row.group(4) == shown(usd["on_hold"]) == shown(expected["on_hold_usd"])
    assert row.group(5) == shown(usd["withdrawn"]) == shown(expected["withdrawn_usd_succeeded"])
    assert row.group(6) == shown(facts["commissions"]["USD"]["earned"]) == shown(expected["affiliate"]["earned_usd"])

    files = attachments(result.path)
    assert sum(1 for n in files if n.startswith("sources/")) == len(sources)
    assert sum(1 for n in files if n.startswith("evidence/")) == 3
    messages = json.loads(files["data/messages.json"])
    assert len(messages) == facts["messages"] == sum(expected["messages"].values())
