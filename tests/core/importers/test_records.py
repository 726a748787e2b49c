"""Records written by hand (withdrawals in step 3) and the generator itself."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.importers import import_file
from shopexit.core.records.finance import WithdrawalRefused, add_withdrawal
from shopexit.core.status import status
from shopexit.core.vault import Vault


def test_add_withdrawal_by_hand(vault: Vault) -> None:
    with vault.transaction() as tx:
        first = add_withdrawal(tx, amount=Decimal("1250.00"), currency="usd", created=date(2026, 9, 1),
                               status="SUCCESS", withdrawal_id="", note="to the bank")
        add_withdrawal(tx, amount="99.50", currency="USD", created=datetime(2026, 10, 2, 9, 0),
                       status="PROCESSING", withdrawal_id="W-1")
    row = vault.conn.execute("SELECT withdrawal_id, amount, currency, created_at, entered_by_hand, note"
                             " FROM withdrawals WHERE id = ?", (first,)).fetchone()
    assert row[0].startswith("manual:") and row[1:] == (125000, "USD", "2026-09-01T12:00:00Z", 1, "to the bank")
    assert status(vault.conn)["funds"]["USD"]["withdrawn"] == "1250.00"
    actions = vault.conn.execute("SELECT action, entity, detail FROM audit_log WHERE entity = 'withdrawal'").fetchall()
    assert len(actions) == 2 and "bank" not in str(actions)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"amount": "0", "currency": "USD"}, "more than zero"),
    ({"amount": "abc", "currency": "USD"}, "not an amount"),
    ({"amount": "5", "currency": "dollars"}, "currency code"),
    ({"amount": "5 THB", "currency": "USD"}, "says THB"),
    ({"amount": "5", "currency": "USD", "status": "MAYBE"}, "status"),
    ({"amount": "5", "currency": "USD", "created": "last week"}, "not a date"),
])
def test_add_withdrawal_refusals(vault: Vault, kwargs: dict[str, str], words: str) -> None:
    with pytest.raises(WithdrawalRefused, match=words), vault.transaction() as tx:
        add_withdrawal(tx, **kwargs)


def test_a_later_export_replaces_the_hand_entered_copy(vault: Vault, exports: dict[str, Path],
                                                      shop: se.Shop) -> None:
    paid = next(w for w in shop.withdrawals if w.status == "SUCCESS")
    with vault.transaction() as tx:
        add_withdrawal(tx, amount=paid.amount, currency="USD", withdrawal_id=paid.ident)
    summary = import_file(vault, exports["withdrawals"])
    assert summary.updated == 1
    assert vault.conn.execute("SELECT entered_by_hand FROM withdrawals WHERE withdrawal_id = ?",
                              (paid.ident,)).fetchone() == (0,)


def test_generator_is_deterministic(tmp_path: Path) -> None:
    a = se.write_exports(tmp_path / "a", seed=5, orders=20, today=date(2026, 11, 1))
    b = se.write_exports(tmp_path / "b", seed=5, orders=20, today=date(2026, 11, 1))
    assert set(a) == set(se.KINDS)
    for kind in ("orders", "commissions", "withdrawals"):
        assert a[kind].read_bytes() == b[kind].read_bytes()
    c = se.write_exports(tmp_path / "c", seed=6, orders=20, today=date(2026, 11, 1))
    assert c["orders"].read_bytes() != a["orders"].read_bytes()


def test_generator_layouts_match_the_real_samples(tmp_path: Path, shared_samples: Path) -> None:
    """Same header as each real sample file, byte for byte (where the generator writes that layout)."""
    import openpyxl

    paths = se.write_exports(tmp_path, seed=5, orders=20, today=date(2026, 11, 1))
    for kind, sample in (("orders", "orders_us.csv"), ("commissions", "affiliate_creator_orders.csv"),
                         ("withdrawals", "withdrawals.csv")):
        ours = paths[kind].read_bytes().split(b"\n", 1)[0]
        theirs = (shared_samples / sample).read_bytes().split(b"\n", 1)[0]
        assert ours == theirs, kind
    ours_desc = paths["orders"].read_bytes().split(b"\r\n")[1]
    assert ours_desc == (shared_samples / "orders_us.csv").read_bytes().split(b"\r\n")[1]
    for kind, sample in (("settlements", "income_order_details.xlsx"),
                         ("on_hold", "Onhold-unsettled-orders-2026_10_01-2026_10_31(UTC-7).xlsx")):
        rows = []
        for path in (paths[kind], shared_samples / sample):
            book = openpyxl.load_workbook(path)
            sheet = book.worksheets[0]
            rows.append((sheet.title, [c.value for c in next(sheet.iter_rows(min_row=1 if kind == "settlements"
                                                                              else 4, max_row=4))]))
        assert rows[0] == rows[1], kind


def test_big_orders_file_has_the_lines_asked_for(tmp_path: Path) -> None:
    path = se.write_orders_file(tmp_path / "o.csv", lines=500)
    assert len(path.read_text(encoding="utf-8-sig").splitlines()) == 502
