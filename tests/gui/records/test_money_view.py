"""Money: a summary per currency above the four tables; a withdrawal entered by hand lands in its table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pytestqt.qtbot import QtBot

from shopexit.core import audit
from shopexit.gui.records.dialogs import WithdrawalDialog, finance_module
from shopexit.gui.records.money import MoneyPage
from tests.gui.records.conftest import MakeCtx, ask, settle
from tests.helpers.records import seed_shop


def test_summary_tables_and_a_withdrawal_by_hand(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ids = make_ctx(seed_shop)
    page = MoneyPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitUntil(lambda: "available ≈" in page.summary.text(), timeout=20_000)
    assert "withdrawn 735.50 USD" in page.summary.text()
    settlements = page.pages["settlement"]
    qtbot.waitUntil(lambda: settlements.model.total == 30, timeout=20_000)
    qtbot.waitUntil(lambda: settlements.current_id is not None, timeout=20_000)
    settle(qtbot, ctx)
    assert settlements.raw.values()["Payment method"] == "Card"  # the export's own columns, kept

    dialog = WithdrawalDialog("USD")
    qtbot.addWidget(dialog)
    dialog.amount.setText("1,250.00")
    dialog.when.setDate(dialog.when.date().fromString("2026-02-01", "yyyy-MM-dd"))
    dialog.accept()
    values = dialog.values()
    assert values["amount"] == Decimal("1250.00") and values["created"] == date(2026, 2, 1)
    bad = WithdrawalDialog("USD")
    qtbot.addWidget(bad)
    bad.amount.setText("lots")
    bad.accept()
    assert "as a number" in bad.error.text() and bad.result() == 0

    if finance_module() is None:
        return
    page.save_withdrawal({**values, "note": "Before the first export"})
    withdrawals = page.pages["withdrawal"]
    qtbot.waitUntil(lambda: withdrawals.model.total == 5, timeout=20_000)
    settle(qtbot, ctx)
    rows = [withdrawals.model.row_data(r) for r in range(withdrawals.model.rowCount())]
    by_hand = [r for r in rows if r is not None and r.values[5]]
    assert len(by_hand) == 1 and by_hand[0].values[4] == 125000 and by_hand[0].values[6] == "Before the first export"
    qtbot.waitUntil(lambda: "withdrawn 1,985.50 USD" in page.summary.text(), timeout=20_000)
    assert ask(qtbot, ctx, lambda v: audit.verify_chain(v.conn).ok)
