"""The Orders view: 100,000 orders page in lazily; sorting and filtering run in SQL; proof dropped on a row."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from pytestqt.qtbot import QtBot

from shopexit.core import evidence
from shopexit.core.vault import Vault
from shopexit.gui.records.model import PAGE_SIZE
from shopexit.gui.records.orders import OrdersPage
from tests.gui.records.conftest import MakeCtx, ask, drag, settle, shown_orders
from tests.helpers.records import add_order, fill_orders, minimal_pdf


def test_100000_orders_open_one_page_at_a_time(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ = make_ctx(lambda vault: fill_orders(vault, 100_000, searchable=False))
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    model = page.model
    start = time.perf_counter()
    with qtbot.waitSignal(model.page_loaded, timeout=20_000):
        page.show()
    first_page_s = time.perf_counter() - start
    settle(qtbot, ctx)
    assert model.rowCount() == PAGE_SIZE  # one page, not 100,000
    assert model.canFetchMore()
    assert model.total == 100_000 and page.count_label.text() == "100,000 orders"
    assert first_page_s < 10, f"first page took {first_page_s:.2f}s"
    created = [model.row_data(r).values[1] for r in range(3)]  # type: ignore[union-attr]
    assert created == sorted(created, reverse=True)  # newest first, sorted by SQL

    with qtbot.waitSignal(model.page_loaded, timeout=20_000):
        model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE and model.canFetchMore()
    ids = [model.record_id(r) for r in range(model.rowCount())]
    assert len(set(ids)) == len(ids)  # pages follow each other without overlap

    # scrolling to the end of what is loaded asks for the next page; arriving while the view is still at the end,
    # that page asks for one more ahead, and no further (its rows are below the screen)
    with qtbot.waitSignal(model.page_loaded, timeout=20_000):
        page.table.scrollToBottom()
    settle(qtbot, ctx)
    assert model.rowCount() == 4 * PAGE_SIZE

    # sorting restarts paging with SQL's order: the most expensive order first
    amount_col = [c.key for c in model.view.columns].index("amount")
    with qtbot.waitSignal(model.page_loaded, timeout=20_000):
        page.table.sortByColumn(amount_col, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == PAGE_SIZE
    assert model.data(model.index(0, amount_col)) == "99.99 USD"

    # the status filter is a WHERE clause: counted in SQL
    combo = page.filters.combos["status"]
    settle(qtbot, ctx)
    with qtbot.waitSignal(model.counted, timeout=20_000):
        combo.setCurrentIndex(combo.findData("Cancelled"))
    assert model.total == 100_000 // 6 + (1 if 100_000 % 6 > 4 else 0)
    settle(qtbot, ctx)
    status_col = [c.key for c in model.view.columns].index("status")
    assert {model.data(model.index(r, status_col)) for r in range(model.rowCount())} == {"Cancelled"}


def test_a_file_dropped_on_an_order_is_kept_and_linked_as_what_it_really_is(
    qtbot: QtBot, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    def seed(vault: Vault) -> list[int]:
        return [add_order(vault, f"57645764607523000{n}", recipient=f"Buyer {n}",
                          created_at=f"2026-05-0{n + 1}T10:00:00Z") for n in range(3)]

    ctx, order_ids = make_ctx(seed)
    page = shown_orders(qtbot, ctx)

    liar = tmp_path / "receipt.png"  # named like a picture, really a PDF
    liar.write_bytes(minimal_pdf("USPS receipt"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(liar))])
    target = order_ids[1]
    row = page.model.row_of(target)
    assert row is not None
    pos = page.table.visualRect(page.model.index(row, 0)).center()
    moved, dropped = drag(page.table.viewport(), pos, mime)
    assert moved and dropped
    settle(qtbot, ctx)

    items = ask(qtbot, ctx, lambda vault: evidence.items_for(vault.conn, "order", target))
    assert [(i.original_name, i.media_type, i.origin) for i in items] == [("receipt.png", "application/pdf", "drop")]
    assert ask(qtbot, ctx, lambda vault: evidence.items_for(vault.conn, "order", order_ids[0])) == []
    proof_col = [c.key for c in page.model.view.columns].index("proof")
    qtbot.waitUntil(lambda: page.model.row_of(target) is not None and page.model.data(
        page.model.index(page.model.row_of(target) or 0, proof_col)) == "1", timeout=10_000)

    # below the last row there is no order: the drag is refused there
    empty = QPoint(pos.x(), page.table.viewport().height() - 3)
    assert page.table.indexAt(empty).row() == -1
    assert drag(page.table.viewport(), empty, mime) == (False, False)


def test_the_detail_pane_shows_lines_notes_and_evidence(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    def seed(vault: Vault) -> int:
        from shopexit.core.records import manual

        ref = add_order(vault, "576457646075230009", status="Cancelled", recipient="Marisol Vega", amount=3600,
                        refund_amount=3600, lines=[("Lavender soy candle", 2, 1800)], buyer_purged=0)
        manual.add_note(vault, "order", ref, "Buyer cancelled by phone")
        evidence.attach_bytes(vault, minimal_pdf(), "label.pdf", links=[("order", ref)])
        return ref

    ctx, ref = make_ctx(seed)
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.detail_data is not None and page.detail_data.id == ref, timeout=20_000)
    settle(qtbot, ctx)
    assert page.title_label.text() == "Order 576457646075230009"
    assert page.status_badge.text() == "Cancelled"
    assert "refunded 36.00 USD" in page.money_label.text()
    assert page.lines.rowCount() == 1 and page.lines.item(0, 0).text() == "Lavender soy candle"  # type: ignore[union-attr]
    assert page.lines.item(0, 3).text() == "36.00 USD"  # type: ignore[union-attr]
    assert page.facts.values()["Recipient"] == "Marisol Vega"
    assert [n.body for n in page.notes.notes] == ["Buyer cancelled by phone"]
    assert [i.original_name for i in page.evidence.items] == ["label.pdf"]
    assert page.cases_box.label.text() == "Not part of any case."


def test_a_case_opened_from_an_order_links_it_and_opens_on_the_cases_page(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    from shopexit.core.records import cases
    from shopexit.gui.records.dialogs import CaseDialog, submit_open_case

    ctx, ref = make_ctx(lambda vault: add_order(vault, "576457646075230001", status="Delivered"))
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.detail_data is not None, timeout=20_000)
    dialog = CaseDialog(page, about=page.detail_data.title if page.detail_data else "")
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("not_received"))
    dialog.has_deadline.setChecked(True)
    values = dialog.values()
    assert values["kind"] == "not_received" and values["deadline"] is not None and values["title"] == ""
    with qtbot.waitSignal(page.open_record, timeout=20_000) as opened:
        submit_open_case(ctx, page, values, order_id=ref, on_done=lambda case_id: page.open_record.emit("case",
                                                                                                       case_id))
    case_id = opened.args[1]
    detail = ask(qtbot, ctx, lambda vault: cases.get_case(vault.conn, case_id))
    assert detail.summary.title == "Not received claim: order 576457646075230001"
    assert cases.deadline_day(detail.summary.deadline, "US") == values["deadline"]  # the day picked, shop time
    assert [(link.kind, link.id) for link in detail.links] == [("order", ref)]
    page.refresh()
    qtbot.waitUntil(lambda: "Not received claim" in page.cases_box.label.text(), timeout=20_000)
