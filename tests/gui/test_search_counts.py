"""The search dialog's groups say how many records of each kind match: exactly, or "2,000+" past the cap."""

from __future__ import annotations

import re
from collections.abc import Callable

from shopexit.core.search import COUNT_AT_MOST
from shopexit.core.vault import Vault
from shopexit.gui.records.search import PER_KIND, SearchDialog
from tests.gui.conftest import TIMEOUT, App
from tests.helpers.records import add_thread, fill_orders


def _seed(vault: Vault) -> None:
    fill_orders(vault, COUNT_AT_MOST + 20)  # every order holds "buyer<n>"
    add_thread(vault, "buyer7", messages=[
        ("in", "buyer7", "2026-01-01T00:00:00Z", "where is my order, says the buyer"),
        ("in", "buyer7", "2026-01-02T00:00:00Z", "the buyer again: any news?"),
    ])


def _headers(dialog: SearchDialog) -> list[str]:
    return [re.sub(r"<[^>]+>", "", item.text(0))
            for g in range(dialog.tree.topLevelItemCount()) if (item := dialog.tree.topLevelItem(g)) is not None]


def test_group_headers_show_shown_of_counted(app_on: Callable[..., App]) -> None:
    app = app_on(_seed)
    main = app.unlock()
    dialog = SearchDialog(app.ctx, main)
    dialog.show()
    app.qtbot.keyClicks(dialog.box, "buyer")
    app.qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 3, timeout=TIMEOUT)
    assert _headers(dialog) == [f"Orders ({PER_KIND} of {COUNT_AT_MOST:,}+)", "Messages (2)", "Conversations (1)"]
    assert dialog.status.text().startswith(f"Showing {PER_KIND + 3} of {COUNT_AT_MOST + 3:,}+ — Enter opens")
    group = dialog.tree.topLevelItem(0)
    assert group is not None and group.childCount() == PER_KIND

    dialog.box.clear()
    app.qtbot.keyClicks(dialog.box, f"buyer{COUNT_AT_MOST + 15}")  # one order, no message
    app.qtbot.waitUntil(lambda: _headers(dialog) == ["Orders (1)"], timeout=TIMEOUT)
    assert dialog.status.text() == "1 result — Enter opens the highlighted one"
