"""Cases: opened from an order or a conversation, with the kind's checklist, deadline and days left, timeline."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from shopexit.core.audit import verify_chain
from shopexit.core.errors import NotFound
from shopexit.core.evidence import attach_bytes
from shopexit.core.records import cases, manual
from shopexit.core.timeutil import utc_now, zone_for_region
from shopexit.core.vault import Vault
from tests.helpers.records import add_order, add_thread


def test_a_case_shows_days_left_for_a_constructed_deadline(vault: Vault) -> None:
    order = add_order(vault, "576457646075230001", status="Delivered", recipient="Marisol Vega")
    case_id = cases.open_case(vault, "not_received", order_id=order, deadline="2026-06-12")
    detail = cases.get_case(vault.conn, case_id, today=date(2026, 6, 2))
    assert detail.summary.days_left == 10
    assert detail.summary.deadline_text == "10 days left"
    # the deadline is the end of that day in the shop's region (US → Los Angeles), stored as UTC
    assert detail.summary.deadline == "2026-06-13T06:59:59Z"
    assert cases.get_case(vault.conn, case_id, today=date(2026, 6, 12)).summary.deadline_text == "Due today"
    assert cases.get_case(vault.conn, case_id, today=date(2026, 6, 11)).summary.deadline_text == "1 day left"
    passed = cases.get_case(vault.conn, case_id, today=date(2026, 6, 15)).summary
    assert passed.days_left == -3 and passed.deadline_text == "Deadline passed 3 days ago"
    # today by the clock: a deadline three days out in shop time
    zone = zone_for_region("US")
    soon = utc_now().astimezone(zone).date() + timedelta(days=3)
    cases.update_case(vault, case_id, deadline=soon)
    assert cases.get_case(vault.conn, case_id).summary.days_left == 3


def test_opening_from_an_order_links_it_and_adds_the_kinds_checklist(vault: Vault) -> None:
    order = add_order(vault, "576457646075230001", recipient="Marisol Vega")
    case_id = cases.open_case(vault, "not_received", order_id=order)
    detail = cases.get_case(vault.conn, case_id)
    assert detail.summary.title == "Not received claim: order 576457646075230001"
    assert [(link.kind, link.id) for link in detail.links] == [("order", order)]
    assert detail.links[0].label == "Order 576457646075230001 (Completed)"
    assert [i.text for i in detail.checklist] == list(cases.CHECKLISTS["not_received"])
    assert any("Tracking" in i.text for i in detail.checklist)
    assert [e.text for e in detail.events] == ["Not received claim opened"]
    assert detail.summary.days_left is None and detail.summary.deadline_text == "No deadline"
    assert cases.cases_for(vault.conn, "order", order)[0].id == case_id


def test_opening_from_a_thread_and_every_kind(vault: Vault) -> None:
    thread, _ = add_thread(vault, "Kenji T", messages=[("in", "Kenji T", "2026-05-01T00:00:00Z", "refund?")])
    for kind in cases.KINDS:
        case_id = cases.open_case(vault, kind, thread_id=thread)
        detail = cases.get_case(vault.conn, case_id)
        assert detail.summary.kind == kind
        assert detail.links[0].label == "Conversation with Kenji T (shop)"
        assert len(detail.checklist) >= 5
    with pytest.raises(cases.CaseError, match="unknown case kind"):
        cases.open_case(vault, "lawsuit")
    with pytest.raises(NotFound):
        cases.open_case(vault, "dispute", thread_id=999)


def test_editing_a_case_goes_on_the_timeline_and_the_audit_log(vault: Vault) -> None:
    order = add_order(vault, "111")
    _, msgs = add_thread(vault, "Marisol", messages=[("in", "Marisol", "2026-05-01T00:00:00Z", "crushed")])
    case_id = cases.open_case(vault, "dispute", order_id=order, title="Crushed candle", deadline=date(2026, 7, 1))
    cases.update_case(vault, case_id, status="submitted", description="Sent photos and tracking")
    cases.update_case(vault, case_id, deadline=None)
    assert cases.link_record(vault, case_id, "message", msgs[0])
    assert not cases.link_record(vault, case_id, "message", msgs[0])
    item_id = cases.get_case(vault.conn, case_id).checklist[0].id
    cases.set_checklist_done(vault, item_id, True)
    extra = cases.add_checklist_item(vault, case_id, "Carrier claim number")
    cases.add_event(vault, case_id, "Called support, ticket 4411", at=datetime(2026, 5, 3, 12, 0))
    evidence = attach_bytes(vault, b"%PDF-1.4 tracking", "tracking.pdf", links=[("case", case_id)])
    cases.update_case(vault, case_id, status="won")

    detail = cases.get_case(vault.conn, case_id)
    assert detail.summary.status == "won" and detail.summary.closed_at
    assert not detail.summary.is_open and detail.summary.days_left is None
    assert detail.summary.deadline_text == "Won"
    assert detail.description == "Sent photos and tracking"
    assert detail.checklist_done == 1 and detail.checklist[-1].id == extra
    assert [(link.kind, link.id) for link in detail.links] == [("order", order), ("message", msgs[0])]
    assert detail.evidence == [(evidence.id, "tracking.pdf", "application/pdf")]
    texts = [e.text for e in detail.events]
    assert texts[:2] == ["Called support, ticket 4411", "Dispute opened"]  # backdated: sorted by when
    assert "Status: Submitted" in texts and "Deadline removed" in texts and texts[-1] == "Status: Won"
    assert cases.unlink_record(vault, case_id, "message", msgs[0])

    log = vault.conn.execute("SELECT action, detail FROM audit_log WHERE entity = 'case'").fetchall()
    actions = [a for a, _ in log]
    assert actions.count("edit") == 3 and "open" in actions and "check" in actions and "unlink" in actions
    assert not any("Crushed" in d or "photos" in d or "4411" in d for _, d in log)  # never the case's words
    assert verify_chain(vault.conn).ok


def test_lists_open_cases_by_deadline_then_closed(vault: Vault) -> None:
    later = cases.open_case(vault, "appeal", deadline="2026-09-01")
    sooner = cases.open_case(vault, "chargeback", deadline="2026-08-01")
    none = cases.open_case(vault, "return")
    done = cases.open_case(vault, "dispute", deadline="2026-07-01")
    cases.update_case(vault, done, status="lost")
    assert [c.id for c in cases.list_cases(vault.conn)] == [sooner, later, none, done]
    assert [c.id for c in cases.upcoming_deadlines(vault.conn)] == [sooner, later]


def test_bad_input_is_refused_with_one_line(vault: Vault) -> None:
    case_id = cases.open_case(vault, "dispute")
    before = vault.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(cases.CaseError, match="YYYY-MM-DD"):
        cases.update_case(vault, case_id, deadline="next friday")
    with pytest.raises(cases.CaseError, match="title"):
        cases.update_case(vault, case_id, title="  ")
    with pytest.raises(cases.CaseError, match="status"):
        cases.update_case(vault, case_id, status="pending")
    with pytest.raises(cases.CaseError):
        cases.link_record(vault, case_id, "note", 1)
    assert vault.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


def test_manual_messages_and_notes(vault: Vault) -> None:
    thread = manual.new_thread(vault, "email", "Marisol Vega", "Order 111 damaged")
    msg = manual.add_message(vault, thread, body="The jar was cracked, photos attached.",
                             sent_at="2026-05-02T09:30:00+02:00")
    row = vault.conn.execute("SELECT sender, sent_at, entered_by_hand, direction FROM messages WHERE id = ?",
                             (msg,)).fetchone()
    assert row == ("Marisol Vega", "2026-05-02T07:30:00Z", 1, "in")
    manual.edit_message(vault, msg, body="The jar was cracked; photos attached.")
    imported = add_thread(vault, "X", messages=[("in", "X", "2026-05-01T00:00:00Z", "hello")])[1][0]
    with pytest.raises(manual.ManualEntryError, match="kept as it was"):
        manual.edit_message(vault, imported, body="changed")
    with pytest.raises(manual.ManualEntryError, match="empty"):
        manual.add_message(vault, thread, body="   ")

    note = manual.add_note(vault, "message", imported, "Buyer later apologised by phone")
    manual.edit_note(vault, note, "Buyer apologised by phone on 3 May")
    assert [n.body for n in manual.notes_for(vault.conn, "message", imported)] == ["Buyer apologised by phone on 3 May"]
    with pytest.raises(NotFound):
        manual.add_note(vault, "order", 12345, "nope")
    manual.delete_note(vault, note)
    assert manual.notes_for(vault.conn, "message", imported) == []
    details = [json.loads(d) for (d,) in vault.conn.execute(
        "SELECT detail FROM audit_log WHERE entity IN ('note', 'message', 'thread')")]
    assert all("apologised" not in json.dumps(d) and "cracked" not in json.dumps(d) for d in details)
    assert verify_chain(vault.conn).ok
