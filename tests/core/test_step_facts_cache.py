"""The step pages' facts are remembered per vault until its records change: every kind of change the app makes
(import, attach, edit, tick, mark done) shows new facts on the next visit, a visit with nothing changed is served
from the cache, and nothing of it outlives the vault."""

from __future__ import annotations

import gc
import weakref
from datetime import date, timedelta
from pathlib import Path

import pytest

from shopexit.core import facts, step_facts
from shopexit.core.evidence import attach_bytes
from shopexit.core.importers import import_file
from shopexit.core.records import browse, exit_steps
from shopexit.core.records.cases import KINDS, open_case
from shopexit.core.records.finance import add_withdrawal
from shopexit.core.records.manual import add_message, edit_message, new_thread
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE
from tests.hardening.importing import write_orders_csv
from tests.helpers.records import add_order, png_bytes

TODAY = date(2027, 1, 20)
KIND = next(iter(KINDS))


@pytest.fixture
def shop(vault: Vault) -> Vault:
    with vault.transaction() as tx:
        exit_steps.ensure_defaults(tx)
    add_order(vault, "1", status="Completed", amount=2000, created_at="2026-11-02T10:00:00Z",
              lines=[("Mug", 2, 1000)])
    add_order(vault, "2", status="Awaiting shipment", amount=500, created_at="2026-12-05T10:00:00Z",
              lines=[("Candle", 1, 500)])
    return vault


def _cache(vault: Vault) -> step_facts.FactsCache:
    cache = step_facts.cache_of(vault)
    assert cache is not None
    return cache


def test_a_second_visit_is_served_from_the_cache(shop: Vault) -> None:
    first = step_facts.page_for(shop, 7, TODAY)
    misses = _cache(shop).misses
    again = step_facts.page_for(shop, 7, TODAY)
    assert again is first
    assert _cache(shop).misses == misses and _cache(shop).hits >= 1
    assert step_facts.overview_for(shop, TODAY) is step_facts.overview_for(shop, TODAY)


def test_the_cached_figures_are_the_computed_ones(shop: Vault) -> None:
    for number in range(1, 11):
        assert step_facts.page_for(shop, number, TODAY) == step_facts.step_page(shop.conn, number, TODAY)
    assert step_facts.overview_for(shop, TODAY) == step_facts.overview(shop.conn, TODAY)


def test_pages_share_one_read_of_the_orders(shop: Vault) -> None:
    """Step 1, step 7 and the sidebar all need orders by month: read once per state of the records."""
    step_facts.page_for(shop, 1, TODAY)
    rows, products = _cache(shop).values["month_rows"], _cache(shop).values["products"]
    step_facts.page_for(shop, 7, TODAY)
    overview = step_facts.overview_for(shop, TODAY)
    assert _cache(shop).values["month_rows"] is rows and _cache(shop).values["products"] is products
    assert overview == step_facts.overview(shop.conn, TODAY)  # the same figures as read on their own


def test_a_tick_keeps_the_order_figures_but_redraws_the_page(shop: Vault) -> None:
    """Ticking a checklist item touches no order: the month rows stay, the page itself is computed afresh."""
    page = step_facts.page_for(shop, 7, TODAY)
    rows = _cache(shop).values["month_rows"]
    with shop.transaction() as tx:
        exit_steps.set_item_done(tx, page.checklist[0].id, True)
    again = step_facts.page_for(shop, 7, TODAY)
    assert again.checklist[0].done and not page.checklist[0].done
    assert _cache(shop).values["month_rows"] is rows
    assert again.facts is page.facts  # step 7's figures read only orders, lines and settlements


def test_a_tick_and_an_order_change_together_drop_the_order_figures(shop: Vault) -> None:
    step_facts.page_for(shop, 7, TODAY)
    rows = _cache(shop).values["month_rows"]
    with shop.transaction() as tx:
        exit_steps.mark_done(tx, 6)
        add_withdrawal(tx, amount="3.00", currency="USD", created=TODAY)
    step_facts.page_for(shop, 7, TODAY)
    assert _cache(shop).values["month_rows"] is not rows
    assert step_facts.page_for(shop, 3, TODAY).facts.funds["USD"].withdrawn == 300


def test_step_10s_purge_preview_is_kept_across_ticks_not_across_cases(shop: Vault) -> None:
    page = step_facts.page_for(shop, 10, TODAY)
    preview = page.facts.purge
    with shop.transaction() as tx:
        exit_steps.set_item_done(tx, page.checklist[0].id, True)
    assert step_facts.page_for(shop, 10, TODAY).facts.purge is preview
    open_case(shop, KIND, title="Refund dispute")
    after = step_facts.page_for(shop, 10, TODAY).facts
    assert after.purge.open_cases == ["Refund dispute"] and not after.purge.allowed
    assert after.cases_open == 1


def test_counts_by_status_match_the_shared_figures(shop: Vault) -> None:
    add_order(shop, "3", status="Cancelled", amount=700)
    with shop.transaction() as tx:  # no date: no month, still counted
        tx.execute("UPDATE orders SET created_at = NULL WHERE order_id = '3'")
    ours = step_facts.page_for(shop, 1, TODAY).facts.orders
    assert ours == facts.order_facts(shop.conn)
    assert list(ours.by_status.values()) == sorted(ours.by_status.values(), reverse=True)


def test_an_import_shows_on_the_next_visit(shop: Vault, tmp_path: Path) -> None:
    before = step_facts.page_for(shop, 1, TODAY).facts
    import_file(shop, write_orders_csv(tmp_path / "orders.csv", 5))
    after = step_facts.page_for(shop, 1, TODAY).facts
    assert after.orders.total == before.orders.total + 5
    assert len(after.imports) == len(before.imports) + 1
    assert step_facts.overview_for(shop, TODAY).steps[0].hint.startswith("7 orders")


def test_evidence_attached_to_a_step_shows_on_the_next_visit(shop: Vault) -> None:
    assert step_facts.page_for(shop, 3, TODAY).evidence == []
    attach_bytes(shop, png_bytes(4, 4), "payout.png", links=[("step", 3)], caption="Payout")
    assert [e.caption for e in step_facts.page_for(shop, 3, TODAY).evidence] == ["Payout"]
    assert step_facts.page_for(shop, 1, TODAY).facts.evidence == 1


def test_an_edit_shows_on_the_next_visit(shop: Vault) -> None:
    assert step_facts.page_for(shop, 3, TODAY).facts.withdrawals == []
    with shop.transaction() as tx:
        add_withdrawal(tx, amount="12.50", currency="USD", created=TODAY)
    page = step_facts.page_for(shop, 3, TODAY)
    assert [w.amount for w in page.facts.withdrawals] == [1250]
    assert page.facts.funds["USD"].withdrawn == 1250


def test_messages_added_and_edited_move_the_mark(shop: Vault) -> None:
    assert step_facts.page_for(shop, 1, TODAY).facts.messages == 0
    thread = new_thread(shop, "email", "someone")
    message = add_message(shop, thread, body="hello")
    assert step_facts.page_for(shop, 1, TODAY).facts.messages == 1
    head = browse.change_mark(shop.conn)
    edit_message(shop, message, body="hello again")
    assert browse.change_mark(shop.conn) > head  # an edit appends to the audit log, so the cache lets go


def test_mark_done_and_ticks_show_on_the_next_visit(shop: Vault) -> None:
    page = step_facts.page_for(shop, 2, TODAY)
    assert page.state.status != "done"
    with shop.transaction() as tx:
        exit_steps.mark_done(tx, 2)
    assert step_facts.page_for(shop, 2, TODAY).state.status == "done"
    assert step_facts.overview_for(shop, TODAY).steps[1].status == "done"
    item = step_facts.page_for(shop, 2, TODAY).checklist[0]
    with shop.transaction() as tx:
        exit_steps.set_item_done(tx, item.id, not item.done)
    assert step_facts.page_for(shop, 2, TODAY).checklist[0].done is not item.done


def test_a_write_that_keeps_no_audit_entry_still_shows(shop: Vault) -> None:
    """The audit log's head is not the only guard: a plain write on the connection moves the mark too."""
    assert step_facts.page_for(shop, 2, TODAY).facts.open_count == 1
    shop.conn.execute("UPDATE orders SET status = 'Completed' WHERE order_id = '2'")
    assert step_facts.page_for(shop, 2, TODAY).facts.open_count == 0


def test_a_rolled_back_change_leaves_no_stale_facts(shop: Vault) -> None:
    """A change rolled back lets the audit log's next entry take the same number again; the facts of the
    rolled-back state must not come back for the later, different change."""
    step_facts.page_for(shop, 2, TODAY)
    with pytest.raises(RuntimeError), shop.transaction() as tx:
        add_order(shop, "9", status="Awaiting shipment", created_at="2027-01-01T10:00:00Z")
        tx.execute("INSERT INTO audit_log(at, action, entity, entity_id, detail, prev_hash, hash)"
                   " VALUES ('x', 'add', 'order', '9', '{}', 'x', 'y')")
        assert step_facts.page_for(shop, 2, TODAY).facts.open_count == 2  # inside: fresh, not remembered
        raise RuntimeError("roll back")
    with shop.transaction() as tx:
        exit_steps.mark_done(tx, 5)  # appends one audit entry: the number the rolled-back one had
    assert step_facts.page_for(shop, 2, TODAY).facts.open_count == 1


def test_a_new_day_recomputes(shop: Vault) -> None:
    today = step_facts.page_for(shop, 2, TODAY)
    tomorrow = step_facts.page_for(shop, 2, TODAY + timedelta(days=1))
    assert tomorrow is not today
    assert tomorrow.facts.oldest_days == today.facts.oldest_days + 1


def test_nothing_is_remembered_after_the_vault_is_locked(tmp_path: Path) -> None:
    """The cache is decrypted data: it goes with the vault object (the GUI drops the vault when it locks)."""
    own = Vault.create(tmp_path / "own.shopexit", PASSPHRASE, ShopProfile("A", "B"))
    add_order(own, "1", status="Awaiting shipment", created_at="2026-12-05T10:00:00Z")
    step_facts.page_for(own, 2, TODAY)
    step_facts.overview_for(own, TODAY)
    cache = weakref.ref(_cache(own))
    own.lock()  # the locked object may still be referenced somewhere: the facts must be gone all the same
    gc.collect()
    assert cache() is None and own.session == {}


def test_forget_empties_the_cache(shop: Vault) -> None:
    step_facts.page_for(shop, 1, TODAY)
    cache = _cache(shop)
    step_facts.forget(shop)
    assert step_facts.cache_of(shop) is None and cache.values == {}
