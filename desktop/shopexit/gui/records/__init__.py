"""The record views: Orders, Money, Messages, Cases, Evidence.

The main window calls `build_pages(ctx, parent)` and shows each page where it likes. Every page has:
- `show_record(kind, id) -> bool` — show one record; False when the page does not show that kind (`kinds`);
- `open_record` — a signal `(kind, id)` emitted when the user follows a link to a record another page shows;
- `refresh()` — reload (e.g. after an import); pages also reload by themselves when shown after any change;
and drops every decrypted row on `ctx.vaults.locked` by itself.

`route(pages, kind, id)` finds the page for a record kind, asks it to show the record and returns it, so the
main window only has to bring that page to the front. Search (Ctrl+F) is `records.search.SearchDialog`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from shopexit.gui.context import GuiContext

KIND_PAGES: dict[str, str] = {
    "order": "Orders", "settlement": "Money", "on_hold": "Money", "withdrawal": "Money", "commission": "Money",
    "thread": "Messages", "message": "Messages", "case": "Cases", "evidence": "Evidence", "attachment": "Evidence",
}
"""Which page shows each record kind ('step' and 'note' targets are the main window's own)."""


def build_pages(ctx: GuiContext, parent: QWidget | None = None) -> list[tuple[str, QWidget]]:
    """One (title, page) per record view, in the order a sidebar lists them."""
    from shopexit.gui.records.cases import CasesPage
    from shopexit.gui.records.evidence import EvidencePage
    from shopexit.gui.records.messages import MessagesPage
    from shopexit.gui.records.money import MoneyPage
    from shopexit.gui.records.orders import OrdersPage

    pages: list[QWidget] = [OrdersPage(ctx, parent), MoneyPage(ctx, parent), MessagesPage(ctx, parent),
                            CasesPage(ctx, parent), EvidencePage(ctx, parent)]
    return [(str(getattr(page, "title", "")), page) for page in pages]


def route(pages: list[tuple[str, QWidget]], kind: str, record_id: int) -> QWidget | None:
    """Show a record on the page that holds its kind; returns that page (None for kinds no page shows)."""
    if kind == "attachment":
        kind = "evidence"
    for _title, page in pages:
        if page.show_record(kind, record_id):  # type: ignore[attr-defined]
            return page
    return None
