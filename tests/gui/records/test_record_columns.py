"""Record tables: the sort arrow points the way the rows run, and the columns the user arranges are remembered
per view across sessions (names and widths only), with a way back to the defaults."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QHeaderView
from pytestqt.qtbot import QtBot

from shopexit.core import settings
from shopexit.core.records import browse
from shopexit.gui.records.model import PagedTableModel
from shopexit.gui.records.orders import OrdersPage
from shopexit.gui.records.page import RecordTable
from tests.gui.records.conftest import MakeCtx, settle, shown_orders
from tests.helpers.records import fill_orders


def _arrow_points_down(header: QHeaderView, section: int) -> bool:
    """Read the arrow off the pixels the header painted (Fusion draws it at the section's right end, past the
    left-aligned title): a downward arrow is widest at its top."""
    image = header.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    right = header.sectionViewportPosition(section) + header.sectionSize(section) - 2
    background = image.pixelColor(right, 1).lightness()
    rows = [sum(1 for col in range(right - 22, right)
                if abs(image.pixelColor(col, row).lightness() - background) > 60)
            for row in range(header.height())]
    inked = [n for n in rows if 0 < n < 22]  # not the header's bottom border, which spans the section
    assert len(inked) >= 2, "no arrow drawn"
    assert inked[0] != inked[-1]
    return inked[0] > inked[-1]


def test_the_sort_arrow_points_the_way_every_view_runs(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ = make_ctx()
    QApplication.instance().setStyle("Fusion")  # type: ignore[union-attr]  # the app's style (gui.style.apply)
    for view in browse.VIEWS.values():
        table = RecordTable(PagedTableModel(ctx, view))
        qtbot.addWidget(table)
        table.resize(1400, 300)
        table.show()
        header = table.horizontalHeader()
        section = [c.key for c in view.columns].index(view.default_sort)
        assert header.sortIndicatorSection() == section
        assert _arrow_points_down(header, section) == view.default_descending, view.name
        # the user sorts the other way: the arrow turns with it
        table.sortByColumn(section, Qt.SortOrder.AscendingOrder if view.default_descending
                           else Qt.SortOrder.DescendingOrder)
        assert _arrow_points_down(header, section) != view.default_descending, view.name
        table.close()
    settle(qtbot, ctx)


def test_column_choices_are_remembered_per_view_and_can_be_reset(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ = make_ctx(lambda vault: fill_orders(vault, 30))
    page = shown_orders(qtbot, ctx)
    table, header = page.table, page.table.horizontalHeader()
    keys = [c.key for c in browse.ORDERS.columns]
    defaults = table.column_state()
    assert "tracking" in defaults["hidden"] and "items" in defaults["hidden"]

    # the user shows the tracking column from the menu, widens the buyer column and drags status to the front
    menu = table.column_menu()
    next(a for a in menu.actions() if a.text() == "Tracking").setChecked(True)
    table.setColumnWidth(keys.index("buyer"), 333)
    header.moveSection(header.visualIndex(keys.index("status")), 0)
    chosen = table.column_state()
    assert chosen["order"][0] == "status" and "tracking" not in chosen["hidden"]
    assert chosen["widths"]["buyer"] == 333
    settings_file = ctx.settings_file
    qtbot.waitUntil(lambda: settings_file.exists()
                    and json.loads(settings_file.read_text())["record_columns"].get("orders") == chosen,
                    timeout=5_000)
    stored = json.loads(settings_file.read_text())["record_columns"]
    assert set(stored) == {"orders"}  # only the view the user changed
    assert set(stored["orders"]) == {"order", "hidden", "widths"}
    words = json.dumps(stored)
    assert "5764" not in words and "Buyer" not in words and "USD" not in words  # never a record's contents
    page.close()
    settle(qtbot, ctx)

    # the next session (a new context reading the same settings file) opens the view as the user left it
    ctx2, _ = make_ctx(lambda vault: fill_orders(vault, 30))
    assert ctx2.settings_file == settings_file
    page2 = shown_orders(qtbot, ctx2)
    table2, header2 = page2.table, page2.table.horizontalHeader()
    assert table2.column_state() == chosen
    assert header2.logicalIndex(0) == keys.index("status")
    assert not table2.isColumnHidden(keys.index("tracking")) and table2.columnWidth(keys.index("buyer")) == 333

    # "Reset columns" puts them back and forgets the choice
    reset = next(a for a in table2.column_menu().actions() if a.text() == "Reset columns")
    assert reset.isEnabled()
    reset.trigger()
    assert table2.column_state() == defaults
    assert table2.isColumnHidden(keys.index("tracking")) and header2.logicalIndex(0) != keys.index("status")
    qtbot.waitUntil(lambda: "orders" not in json.loads(settings_file.read_text())["record_columns"], timeout=5_000)
    assert not next(a for a in table2.column_menu().actions() if a.text() == "Reset columns").isEnabled()
    settle(qtbot, ctx2)


def test_a_bad_or_stale_column_layout_never_breaks_the_table(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ = make_ctx()
    ctx.settings.record_columns["orders"] = {"order": ["gone", 7, "amount"], "hidden": list(
        c.key for c in browse.ORDERS.columns), "widths": {"amount": "wide", "status": True, "buyer": 10**9}}
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    table = page.table
    keys = [c.key for c in browse.ORDERS.columns]
    assert table.horizontalHeader().logicalIndex(0) == keys.index("amount")
    assert any(not table.isColumnHidden(n) for n in range(len(keys)))  # never every column hidden
    assert table.columnWidth(keys.index("buyer")) == 2000
    settle(qtbot, ctx)
    # a settings file whose layouts are not a mapping of views loads with none, and the other settings kept
    ctx.settings_file.write_text(json.dumps({"keep_backups": 3, "record_columns": [["orders", 1]]}))
    loaded = settings.load(ctx.settings_file)
    assert loaded.record_columns == {} and loaded.keep_backups == 3
