"""The creator's own exit records: checklists, step state, the goodbye, links, platforms, advisers, and the purge
of buyer data — each change audited, with no contents in the audit log."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from shopexit.core import step_texts
from shopexit.core.audit import verify_chain
from shopexit.core.evidence import attach_bytes
from shopexit.core.importers import import_file
from shopexit.core.records import exit_steps
from shopexit.core.records.steps import get_step
from shopexit.core.sample_exports import Chat, make_shop, write_shop
from shopexit.core.vault import Vault
from tests.helpers.records import add_order

SECRET = "Marigold-Quokka-7731"  # text a user typed: must never reach the audit log


def _audit_text(vault: Vault) -> str:
    return "\n".join(f"{a} {e} {i} {d}" for a, e, i, d in vault.conn.execute(
        "SELECT action, entity, entity_id, detail FROM audit_log"))


# -- step texts ------------------------------------------------------------------------------------------------------
def test_every_step_has_a_text_with_a_checklist() -> None:
    texts = step_texts.load_all()
    assert [t.number for t in texts] == list(range(1, 11))
    for t in texts:
        assert t.title and t.lead and "What to do" in t.body_markdown and "Why it matters" in t.body_markdown
        assert len(t.checklist) >= 3
        assert "## Checklist" not in t.body_markdown


def test_a_malformed_step_text_is_refused_with_its_line() -> None:
    with pytest.raises(step_texts.StepTextError, match=r"x.md:4"):
        step_texts.parse(1, "# T\nlead\n## Checklist\nnot an item\n", "x.md")
    with pytest.raises(step_texts.StepTextError, match="twice"):
        step_texts.parse(1, "# T\n## Checklist\n- [a] one\n- [a] two\n", "x.md")
    with pytest.raises(step_texts.StepTextError, match="Title"):
        step_texts.parse(1, "no title\n", "x.md")


# -- checklists ------------------------------------------------------------------------------------------------------
def test_defaults_are_seeded_once_and_keep_their_ticks(vault: Vault) -> None:
    with vault.transaction() as tx:
        added = exit_steps.ensure_defaults(tx)
    assert added == sum(len(t.checklist) for t in step_texts.load_all())
    items = exit_steps.checklist(vault.conn, 2)
    assert [i.key for i in items] == [d.key for d in step_texts.load(2).checklist]
    with vault.transaction() as tx:
        exit_steps.set_item_done(tx, items[0].id, True)
        assert exit_steps.ensure_defaults(tx) == 0
    again = exit_steps.checklist(vault.conn, 2)
    assert again[0].done and again[0].done_at
    assert len(again) == len(items)


def test_custom_items_can_be_added_ticked_and_removed_but_defaults_stay(vault: Vault) -> None:
    with vault.transaction() as tx:
        exit_steps.ensure_defaults(tx, 6)
        item_id = exit_steps.add_item(tx, 6, f"  Update the {SECRET} page  ")
    assert get_step(vault.conn, 6).status == "todo"
    with vault.transaction() as tx:
        exit_steps.set_item_done(tx, item_id, True)
    assert get_step(vault.conn, 6).status == "doing"  # working on a step starts it
    custom = [i for i in exit_steps.checklist(vault.conn, 6) if i.custom]
    assert [(i.text, i.done) for i in custom] == [(f"Update the {SECRET} page", True)]
    default = next(i for i in exit_steps.checklist(vault.conn, 6) if not i.custom)
    with vault.transaction() as tx, pytest.raises(exit_steps.InvalidEntry, match="stay on the list"):
        exit_steps.remove_item(tx, default.id)
    with vault.transaction() as tx:
        exit_steps.remove_item(tx, item_id)
    assert not [i for i in exit_steps.checklist(vault.conn, 6) if i.custom]
    with vault.transaction() as tx, pytest.raises(exit_steps.InvalidEntry):
        exit_steps.add_item(tx, 6, "   ")
    assert SECRET not in _audit_text(vault)


def test_mark_done_is_timestamped_and_undoable(vault: Vault) -> None:
    with vault.transaction() as tx:
        exit_steps.mark_done(tx, 3)
    state = get_step(vault.conn, 3)
    assert state.status == "done" and state.done_at and state.started_at
    with vault.transaction() as tx:
        exit_steps.undo_done(tx, 3)
    state = get_step(vault.conn, 3)
    assert state.status == "doing" and state.done_at is None
    with vault.transaction() as tx, pytest.raises(Exception, match="numbered 1 to 10"):
        exit_steps.mark_done(tx, 11)


def test_notice_date_is_kept_and_a_future_date_refused(vault: Vault) -> None:
    posted = date.today() - timedelta(days=3)
    with vault.transaction() as tx:
        exit_steps.set_notice_date(tx, posted)
    assert get_step(vault.conn, 4).data["notice_posted_on"] == posted.isoformat()
    with vault.transaction() as tx, pytest.raises(exit_steps.InvalidEntry, match="future"):
        exit_steps.set_notice_date(tx, date.today() + timedelta(days=1))
    with vault.transaction() as tx:
        exit_steps.set_notice_date(tx, None)
    assert "notice_posted_on" not in get_step(vault.conn, 4).data


# -- steps 5, 6, 8, 9 ------------------------------------------------------------------------------------------------
def test_announcement_draft_and_places(vault: Vault) -> None:
    with vault.transaction() as tx:
        exit_steps.save_draft(tx, f"Goodbye from {SECRET}")
        first = exit_steps.add_announcement(tx, "TikTok video", "2026-11-02", "https://tiktok.example/v/1")
        exit_steps.add_announcement(tx, "Newsletter", None, note=SECRET)
    assert exit_steps.draft(vault.conn) == f"Goodbye from {SECRET}"
    places = exit_steps.announcements(vault.conn)
    assert [(a.place, a.posted_on) for a in places] == [("TikTok video", "2026-11-02"), ("Newsletter", None)]
    with vault.transaction() as tx:
        exit_steps.update_announcement(tx, first, posted_on=date(2026, 11, 3))
        with pytest.raises(exit_steps.InvalidEntry, match="not a date"):
            exit_steps.add_announcement(tx, "Bio", "next tuesday")
    assert exit_steps.announcements(vault.conn)[0].posted_on == "2026-11-03"
    with vault.transaction() as tx:
        exit_steps.remove_announcement(tx, first)
    assert [a.place for a in exit_steps.announcements(vault.conn)] == ["Newsletter"]
    assert get_step(vault.conn, 5).status == "doing"
    assert SECRET not in _audit_text(vault)


def test_link_places_with_done_flag_and_proof(vault: Vault) -> None:
    with vault.transaction() as tx:
        bio = exit_steps.add_link_place(tx, "TikTok bio", "https://shop.example/old", "https://new.example")
        exit_steps.add_link_place(tx, "Email signature")
    item = attach_bytes(vault, b"%PDF-1.4 screenshot", "bio.pdf", links=[("link_place", bio)])
    with vault.transaction() as tx:
        exit_steps.update_link_place(tx, bio, done=True)
    places = exit_steps.link_places(vault.conn)
    assert places[0].done and places[0].done_at and places[0].evidence == 1
    assert not places[1].done
    with vault.transaction() as tx:
        exit_steps.update_link_place(tx, bio, done=False)
        with pytest.raises(exit_steps.InvalidEntry, match="cannot change"):
            exit_steps.update_link_place(tx, bio, id=5)
        exit_steps.remove_link_place(tx, bio)
    assert [p.place for p in exit_steps.link_places(vault.conn)] == ["Email signature"]
    # the evidence stays; only its link to the removed place goes
    assert vault.conn.execute("SELECT count(*) FROM attachments WHERE id = ?", (item.id,)).fetchone()[0] == 1
    assert vault.conn.execute("SELECT count(*) FROM attachment_links WHERE target_kind = 'link_place'"
                              ).fetchone()[0] == 0


def test_platform_worksheet_weights_scores_and_one_choice(vault: Vault) -> None:
    assert [c.name for c in exit_steps.criteria(vault.conn)] == [n for n, _ in exit_steps.DEFAULT_CRITERIA]
    with vault.transaction() as tx:
        exit_steps.set_criteria(tx, [exit_steps.Criterion("Fees", 3), exit_steps.Criterion("Audience", 1)])
        web = exit_steps.add_platform(tx, "Own website")
        etsy = exit_steps.add_platform(tx, "Etsy")
        exit_steps.set_score(tx, web, "Fees", 5)
        exit_steps.set_score(tx, web, "Audience", 1)
        exit_steps.set_score(tx, etsy, "Fees", 2)
        exit_steps.set_score(tx, etsy, "Audience", 5)
        exit_steps.choose_platform(tx, etsy)
        exit_steps.choose_platform(tx, web)
        with pytest.raises(exit_steps.InvalidEntry, match="0 to 5"):
            exit_steps.set_score(tx, web, "Fees", 6)
        with pytest.raises(exit_steps.InvalidEntry, match="already"):
            exit_steps.add_platform(tx, "Etsy")
        with pytest.raises(exit_steps.InvalidEntry, match="same name"):
            exit_steps.set_criteria(tx, [exit_steps.Criterion("Fees"), exit_steps.Criterion("fees")])
    by_name = {p.name: p for p in exit_steps.platforms(vault.conn)}
    assert by_name["Own website"].total == Decimal("4.0")  # (5*3 + 1*1) / 4
    assert by_name["Etsy"].total == Decimal("2.8")  # (2*3 + 5*1) / 4 = 2.75
    assert [p.name for p in by_name.values() if p.chosen] == ["Own website"]
    with vault.transaction() as tx:
        exit_steps.choose_platform(tx, None)
        exit_steps.set_score(tx, web, "Audience", None)
    assert not any(p.chosen for p in exit_steps.platforms(vault.conn))
    assert exit_steps.platforms(vault.conn)[0].total == Decimal("5.0")


def test_advisers_log(vault: Vault) -> None:
    with vault.transaction() as tx:
        row = exit_steps.add_adviser(tx, "J. Okafor, accountant", "2026-10-12", f"Keep {SECRET}", 15000, "usd")
        with pytest.raises(exit_steps.InvalidEntry, match="negative"):
            exit_steps.add_adviser(tx, "x", cost=-1)
        exit_steps.update_adviser(tx, row, cost=12000)
    [adviser] = exit_steps.advisers(vault.conn)
    assert (adviser.who, adviser.consulted_on, adviser.cost, adviser.currency) == (
        "J. Okafor, accountant", "2026-10-12", 12000, "USD")
    assert SECRET not in _audit_text(vault)
    assert verify_chain(vault.conn).ok


# -- the purge -------------------------------------------------------------------------------------------------------
BUYER = "Quentin Canaryfield"


def _order_with_buyer(vault: Vault, order_id: str, status: str = "Completed") -> int:
    ref = add_order(vault, order_id, status=status, buyer="q.canary", recipient=BUYER,
                    lines=[("Linen throw", 1, 5100)], phone="(+1)555-0101", address="12 Elm St, Springfield",
                    buyer_message="please knock")
    raw = {"Order ID": order_id, "Buyer Username": "q.canary", "Recipient": BUYER, "Phone #": "(+1)555-0101",
           "Detail Address": "12 Elm St", "Zipcode": "02134", "Warehouse Name": "Home studio",
           "Order Status": status, "Product Name": "Linen throw"}
    with vault.transaction() as tx:
        tx.execute("UPDATE orders SET raw_json = ? WHERE id = ?", (json.dumps(raw), ref))
        tx.execute("UPDATE order_lines SET raw_json = ? WHERE order_ref = ?", (json.dumps(raw), ref))
    return ref


def _import_source(vault: Vault, order_ref: int) -> int:
    item = attach_bytes(vault, f"Order ID,Recipient\n1,{BUYER}\n".encode(), "orders_us.csv", origin="import")
    with vault.transaction() as tx:
        import_id = int(tx.execute("INSERT INTO imports(attachment_id, kind, imported_at) VALUES (?, 'orders', ?)",
                                   (item.id, "2026-11-01T10:00:00Z")).lastrowid)
        tx.execute("INSERT INTO attachment_links(attachment_id, target_kind, target_id, linked_at)"
                   " VALUES (?, 'import', ?, '2026-11-01T10:00:00Z')", (item.id, import_id))
        tx.execute("UPDATE orders SET import_id = ? WHERE id = ?", (import_id, order_ref))
    return import_id


def _everything(vault: Vault) -> str:
    """Every text and blob in the vault's tables, as one string to search."""
    parts = []
    tables = [t for (t,) in vault.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_index_%'")]
    for table in tables:
        for row in vault.conn.execute(f"SELECT * FROM {table}"):
            for value in row:
                if isinstance(value, bytes):
                    parts.append(value.decode("utf-8", "replace"))
                elif isinstance(value, str):
                    parts.append(value)
    return "\n".join(parts)


def test_purge_is_refused_while_a_case_is_open(vault: Vault) -> None:
    ref = _order_with_buyer(vault, "1001")
    with vault.transaction() as tx:
        tx.execute("INSERT INTO cases(kind, title, opened_at) VALUES ('dispute', 'Crushed box', '2026-11-01')")
    preview = exit_steps.purge_preview(vault.conn)
    assert not preview.allowed and preview.open_cases == ["Crushed box"] and preview.orders_with_buyer_data == 1
    with vault.transaction() as tx, pytest.raises(exit_steps.DisputeOpen, match="Crushed box"):
        exit_steps.purge_buyer_data(tx)
    assert BUYER in _everything(vault)
    assert vault.conn.execute("SELECT buyer_purged FROM orders WHERE id = ?", (ref,)).fetchone()[0] == 0


def test_purge_removes_buyer_data_everywhere_and_keeps_the_figures(vault: Vault) -> None:
    ref = _order_with_buyer(vault, "1001")
    _order_with_buyer(vault, "1002", status="Cancelled")
    import_id = _import_source(vault, ref)
    with vault.transaction() as tx:
        tx.execute("INSERT INTO cases(kind, title, status, opened_at) VALUES ('dispute', 'Old', 'won', '2026-1-1')")
    assert BUYER in _everything(vault)
    assert vault.conn.execute("SELECT count(*) FROM search_index WHERE search_index MATCH 'Canaryfield'"
                              ).fetchone()[0] > 0
    preview = exit_steps.purge_preview(vault.conn)
    assert preview.allowed and preview.needed and preview.orders_with_buyer_data == 2 and preview.source_files == 1

    with vault.transaction() as tx:
        result = exit_steps.purge_buyer_data(tx, today=date(2026, 11, 27))
    assert (result.orders, result.lines, result.source_files) == (2, 2, 1)

    text = _everything(vault)
    for secret in (BUYER, "q.canary", "555-0101", "Elm St", "02134", "please knock"):
        assert secret not in text, secret
    assert vault.conn.execute("SELECT count(*) FROM search_index WHERE search_index MATCH 'Canaryfield'"
                              ).fetchone()[0] == 0
    # what a dispute or the accounts still need stays
    row = vault.conn.execute("SELECT order_id, status, order_amount, buyer_purged, raw_json FROM orders WHERE id = ?",
                             (ref,)).fetchone()
    assert row[:4] == ("1001", "Completed", 3241, 1)
    raw = json.loads(row[4])
    assert raw["Warehouse Name"] == "Home studio" and raw["Order Status"] == "Completed" and raw["Recipient"] == ""
    # the import still says where its records came from, now through a note with the original's fingerprint
    name, media_type, data = vault.conn.execute(
        "SELECT a.original_name, a.media_type, a.data FROM imports i JOIN attachments a ON a.id = i.attachment_id"
        " WHERE i.id = ?", (import_id,)).fetchone()
    assert name == "orders_us.csv (removed).txt" and media_type == "text/plain"
    assert b"Original SHA-256:" in bytes(data) and b"2026-11-27" in bytes(data)
    assert exit_steps.purge_preview(vault.conn).needed is False
    assert verify_chain(vault.conn).ok
    assert "purge_buyer_data" in _audit_text(vault)


def test_buyer_keys_are_told_from_other_keys() -> None:
    raw = {"Buyer Nickname": "a", "Phone #": "b", "Zipcode": "c", "Detail Address": "d", "House Name or Number": "e",
           "recipient_address": {"city": "f"}, "Warehouse Name": "keep", "Order Status": "keep",
           "Estimated settlement": "keep", "Delivery Instruction": "g", "items": [{"buyerEmail": "h"}]}
    stripped, removed = exit_steps.strip_buyer_fields(raw)
    assert removed == 8
    assert stripped["Warehouse Name"] == stripped["Order Status"] == stripped["Estimated settlement"] == "keep"
    assert stripped["items"] == [{"buyerEmail": ""}]


def test_purge_deletes_conversations_with_buyers_and_the_export_that_held_them(vault: Vault, tmp_path) -> None:
    shop = make_shop(orders=12)
    buyer = sorted({o.buyer.username for o in shop.orders})[0]
    t0 = datetime(2026, 10, 2, 9, 30)
    # The app shows usernames with an "@" and any case; the conversation is still this buyer's.
    shop.chats.append(Chat("direct", "@" + buyer.upper(), [
        (t0, "@" + buyer.upper(), "Parcel never came, my flat is 4B at 9 Quay Lane"),
        (t0 + timedelta(minutes=5), shop.username, "Sorry! Re-sending today."),
    ]))
    paths = write_shop(shop, tmp_path / "exports")
    import_file(vault, paths["orders"])
    import_file(vault, paths["data_export"])
    chat_id = vault.conn.execute("SELECT id FROM threads WHERE counterpart = ?", ("@" + buyer.upper(),)).fetchone()[0]
    message_id = vault.conn.execute("SELECT min(id) FROM messages WHERE thread_id = ?", (chat_id,)).fetchone()[0]
    with vault.transaction() as tx:
        case_id = int(tx.execute("INSERT INTO cases(kind, title, status, opened_at) VALUES"
                                 " ('not_received', 'Lost parcel', 'won', '2026-10-02')").lastrowid)
        tx.execute("INSERT INTO case_links(case_id, target_kind, target_id) VALUES (?, 'thread', ?)",
                   (case_id, chat_id))
        tx.execute("INSERT INTO notes(target_kind, target_id, body, created_at, updated_at)"
                   " VALUES ('message', ?, 'Called about 9 Quay Lane', '2026-10-02', '2026-10-02')", (message_id,))
    others = vault.conn.execute("SELECT count(*) FROM messages WHERE thread_id != ?", (chat_id,)).fetchone()[0]

    preview = exit_steps.purge_preview(vault.conn)
    assert (preview.buyer_threads, preview.buyer_messages) == (1, 2)
    assert preview.source_files == 2  # the orders export and the data export that carried the conversation
    with vault.transaction() as tx:
        result = exit_steps.purge_buyer_data(tx, today=date(2026, 11, 27))
    assert (result.threads, result.messages, result.source_files) == (1, 2, 2)

    assert "Quay Lane" not in _everything(vault)
    assert vault.conn.execute("SELECT count(*) FROM search_index WHERE search_index MATCH 'Quay'").fetchone()[0] == 0
    # the creator's other conversations and the case itself stay
    assert vault.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == others > 0
    assert vault.conn.execute("SELECT title FROM cases").fetchone()[0] == "Lost parcel"
    assert vault.conn.execute("SELECT count(*) FROM case_links").fetchone()[0] == 0
    names = {n for (n,) in vault.conn.execute(
        "SELECT a.original_name FROM imports i JOIN attachments a ON a.id = i.attachment_id")}
    assert {"orders_us.csv (removed).txt", "tiktok_data_export.zip (removed).txt"} <= names
    assert exit_steps.purge_preview(vault.conn).needed is False
    assert verify_chain(vault.conn).ok


def test_conversations_with_people_who_bought_nothing_stay(vault: Vault, tmp_path) -> None:
    shop = make_shop(orders=12)
    paths = write_shop(shop, tmp_path / "exports")
    import_file(vault, paths["orders"])
    import_file(vault, paths["data_export"])
    before = vault.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    preview = exit_steps.purge_preview(vault.conn)
    assert preview.buyer_threads == 0 and preview.source_files == 1
    with vault.transaction() as tx:
        result = exit_steps.purge_buyer_data(tx)
    assert result.threads == 0 and result.source_files == 1
    assert vault.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == before > 0
