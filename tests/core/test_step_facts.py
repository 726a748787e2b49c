"""The live facts of each step, from constructed records whose right answers are known, and from the shared
samples when they are beside the checkout."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from shopexit.core import plan, step_facts
from shopexit.core.records import exit_steps
from shopexit.core.records.steps import set_data
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE
from tests.helpers.records import add_order

TODAY = date(2027, 1, 20)


def _order(vault: Vault, order_id: str, status: str, created: str, *, delivered: str | None = None,
           cancelled: str | None = None, amount: int = 1000, currency: str = "USD", refund: int = 0,
           lines: list[tuple[str, int, int]] | None = None, substatus: str = "") -> int:
    return add_order(vault, order_id, status=status, amount=amount, currency=currency, created_at=created,
                     delivered_at=delivered, cancelled_at=cancelled, refund_amount=refund, substatus=substatus,
                     lines=lines or [("Mug", 1, amount)])


def _notice(vault: Vault, posted: date | None) -> None:
    with vault.transaction() as tx:
        set_data(tx, plan.CLOSURE_STEP, notice_posted_on=posted.isoformat() if posted else None)


# -- step 4: the closure rules, case by case -------------------------------------------------------------------------
def test_closure_with_nothing_recorded_waits_for_the_notice(vault: Vault) -> None:
    c = plan.closure(vault.conn, TODAY)
    assert c.earliest == TODAY + timedelta(days=30)
    assert any("not posted yet" in b for b in c.blockers)


def test_closure_waits_ninety_days_after_the_last_order(vault: Vault) -> None:
    _order(vault, "1", "Completed", "2026-11-20T10:00:00Z", delivered="2026-12-01T18:00:00Z")
    _order(vault, "2", "Completed", "2026-10-01T10:00:00Z", delivered="2026-10-05T18:00:00Z")
    _notice(vault, date(2027, 1, 10))
    c = plan.closure(vault.conn, TODAY)
    assert c.earliest == date(2027, 3, 1)  # 1 Dec 2026 + 90 days; the notice is up by 9 Feb
    quiet = next(x for x in c.conditions if x.key == "quiet_period")
    notice = next(x for x in c.conditions if x.key == "notice")
    assert (quiet.date, quiet.met) == (date(2027, 3, 1), False)
    assert (notice.date, notice.met) == (date(2027, 2, 9), False)


def test_closure_waits_for_a_late_notice(vault: Vault) -> None:
    _order(vault, "1", "Completed", "2026-08-20T10:00:00Z", delivered="2026-09-01T18:00:00Z")
    _notice(vault, date(2027, 1, 10))
    assert plan.closure(vault.conn, TODAY).earliest == date(2027, 2, 9)


def test_a_cancellation_is_order_activity_too(vault: Vault) -> None:
    _order(vault, "1", "Completed", "2026-08-20T10:00:00Z", delivered="2026-09-01T18:00:00Z")
    _order(vault, "2", "Cancelled", "2026-12-10T10:00:00Z", cancelled="2026-12-15T08:00:00Z")
    _notice(vault, date(2026, 12, 1))
    assert plan.closure(vault.conn, TODAY).earliest == date(2027, 3, 15)


def test_closure_is_today_when_every_rule_has_passed(vault: Vault) -> None:
    _order(vault, "1", "Completed", "2026-08-20T10:00:00Z", delivered="2026-09-01T18:00:00Z")
    _notice(vault, date(2026, 12, 1))
    c = plan.closure(vault.conn, TODAY)
    assert c.earliest == TODAY and not [x for x in c.conditions if x.key in ("notice", "quiet_period")
                                        and not x.met]


def test_an_open_order_leaves_the_date_unknown(vault: Vault) -> None:
    _order(vault, "1", "Completed", "2026-08-20T10:00:00Z", delivered="2026-09-01T18:00:00Z")
    _order(vault, "2", "Awaiting shipment", "2027-01-15T10:00:00Z")
    _notice(vault, date(2026, 12, 1))
    c = plan.closure(vault.conn, TODAY)
    assert c.earliest is None
    assert c.not_before == TODAY + timedelta(days=90)  # the 90 days cannot start before today
    assert c.as_json()["not_before"] == (TODAY + timedelta(days=90)).isoformat()
    assert "1 order(s) still open" in c.blockers
    facts = step_facts.close_facts(vault.conn, TODAY)
    assert facts.notice_posted_on == date(2026, 12, 1) and facts.days_left is None


# -- step 2 ----------------------------------------------------------------------------------------------------------
def test_open_orders_awaiting_shipment_first_then_oldest_first(vault: Vault) -> None:
    _order(vault, "done", "Completed", "2026-12-01T10:00:00Z")
    _order(vault, "gone", "Cancelled", "2026-12-01T10:00:00Z")
    _order(vault, "transit-old", "In transit", "2026-12-20T10:00:00Z")
    _order(vault, "ship-new", "Awaiting shipment", "2027-01-18T10:00:00Z")
    _order(vault, "ship-old", "Awaiting shipment", "2027-01-02T10:00:00Z")
    _order(vault, "collect", "Awaiting collection", "2027-01-10T10:00:00Z")
    _order(vault, "delivered", "Delivered", "2026-12-28T10:00:00Z")
    f = step_facts.fulfil_facts(vault.conn, TODAY)
    assert [o.order_id for o in f.orders] == ["ship-old", "ship-new", "collect", "transit-old", "delivered"]
    assert f.open_count == 5 and f.total_orders == 7 and not f.truncated
    assert [o.age_days for o in f.orders[:2]] == [18, 2]
    assert f.oldest_days == 31
    assert list(f.by_status)[:2] == ["Awaiting shipment", "Awaiting collection"]


# -- steps 1, 3, 7 ---------------------------------------------------------------------------------------------------
def test_analytics_by_month_with_cancellations_refunds_and_products(vault: Vault) -> None:
    _order(vault, "a", "Completed", "2026-09-03T10:00:00Z", amount=2000, lines=[("Mug", 2, 1000)])
    _order(vault, "b", "Cancelled", "2026-09-20T10:00:00Z", amount=5100, lines=[("Throw", 1, 5100)])
    _order(vault, "c", "Completed", "2026-11-02T10:00:00Z", amount=5100, refund=5100, lines=[("Throw", 1, 5100)])
    _order(vault, "d", "Completed", "2026-11-05T10:00:00Z", amount=900, substatus="Return/Refund",
           lines=[("Candle", 1, 900)])
    _order(vault, "e", "Completed", "2026-11-06T10:00:00Z", amount=70000, currency="JPY", lines=[("Mug", 1, 70000)])
    with vault.transaction() as tx:
        for n, (when, revenue, fees, commission) in enumerate([("2026-09-10T00:00:00Z", 2000, -150, -100),
                                                                ("2026-11-10T00:00:00Z", 6000, -450, 0)]):
            tx.execute("INSERT INTO settlements(natural_key, reference_id, currency, settlement_amount, revenue, fees,"
                       " affiliate_commission, settled_at) VALUES (?,?,?,?,?,?,?,?)",
                       (f"s{n}", f"s{n}", "USD", revenue + fees + commission, revenue, fees, commission, when))
    f = step_facts.analytics_facts(vault.conn, TODAY)
    assert f.currency == "USD" and f.other_currencies == ["JPY"]
    assert [m.month for m in f.months] == ["2026-09", "2026-10", "2026-11"]  # the quiet month is shown too
    sep, oct_, nov = f.months
    assert (sep.orders, sep.revenue, sep.cancelled, sep.refunded) == (2, 2000, 1, 0)
    assert (oct_.orders, oct_.revenue) == (0, 0)
    assert (nov.orders, nov.revenue, nov.refunded) == (3, 6000, 2)  # the JPY order counts, its yen don't add
    assert (f.total_fees, f.total_commission, f.settled_revenue) == (600, 100, 8000)
    assert str(f.fee_share) == "7.5" and str(f.costs[0].fee_share) == "7.5"
    products = {p.name: p for p in f.top_products}
    assert (products["Throw"].units, products["Throw"].revenue, products["Throw"].orders_cancelled) == (1, 5100, 1)
    assert (products["Mug"].units, products["Mug"].revenue) == (3, 2000)  # yen lines count units, not money

    review = step_facts.review_facts(vault.conn, TODAY)
    assert review.orders.total == 5 and review.products == 3
    assert [(m.month, m.orders, m.amount) for m in review.sales_by_month] == [("2026-09", 2, 2000),
                                                                              ("2026-11", 3, 6000)]
    assert review.product_names[0] == "Mug"


def test_funds_and_the_sidebar_overview(vault: Vault) -> None:
    _order(vault, "1", "Awaiting shipment", "2027-01-15T10:00:00Z")
    with vault.transaction() as tx:
        tx.execute("INSERT INTO settlements(natural_key, reference_id, currency, settlement_amount, settled_at)"
                   " VALUES ('s', 's', 'USD', 126613, '2026-12-01T00:00:00Z')")
        tx.execute("INSERT INTO on_hold(natural_key, currency, amount) VALUES ('h', 'USD', 25808)")
        tx.execute("INSERT INTO withdrawals(withdrawal_id, status, currency, amount, created_at) VALUES"
                   " ('W1', 'SUCCESS', 'USD', 60000, '2026-12-02T00:00:00Z'),"
                   " ('W2', 'PROCESSING', 'USD', 41237, '2026-12-20T00:00:00Z')")
        exit_steps.mark_done(tx, 1)
    funds = step_facts.funds_facts(vault.conn, TODAY)
    usd = funds.funds["USD"]
    assert (usd.settled, usd.on_hold, usd.withdrawn, usd.withdrawals_pending) == (126613, 25808, 60000, 41237)
    assert [w.withdrawal_id for w in funds.withdrawals] == ["W2", "W1"] and funds.withdrawals[1].succeeded
    o = step_facts.overview(vault.conn, TODAY)
    assert o.done == 1 and o.shop_name == "Harbor Goods Co" and o.earliest_close is None
    assert o.close_not_before == TODAY + timedelta(days=90)
    by = {s.number: s for s in o.steps}
    assert by[1].status == "done"
    assert by[2].warning and by[2].hint == "1 open · 1 to ship"
    assert by[3].warning and "258.08 USD on hold" in by[3].hint
    assert by[4].hint == "Not before 20 Apr 2027"  # 90 days from today, since an order is still open
    assert by[5].warning is None and by[10].hint == "No archive yet"


def test_records_facts_and_a_near_case_deadline(vault: Vault) -> None:
    _order(vault, "1", "Completed", "2026-12-01T10:00:00Z")
    with vault.transaction() as tx:
        tx.execute("INSERT INTO cases(kind, title, opened_at, deadline) VALUES ('dispute', 'Box', '2027-01-01',"
                   " '2027-01-23T07:59:59Z')")
        tx.execute("INSERT INTO exports(made_at, file_name, sha256, scope, verified_at, verdict) VALUES"
                   " ('2027-01-05T10:00:00Z', 'a.pdf', 'ab', 'all', '2027-01-05T10:01:00Z', 'valid')")
    f = step_facts.records_facts(vault.conn, TODAY)
    assert f.holds["Orders"] == 1 and f.holds["Cases"] == 1
    assert f.last_export is not None and f.last_export.verdict == "valid" and f.exports == 1
    assert not f.purge.allowed and f.cases_open == 1
    assert f.next_deadline == date(2027, 1, 22)  # the day in shop time (US), as the Cases page shows it
    hint = {s.number: s for s in step_facts.overview(vault.conn, TODAY).steps}[10]
    assert hint.warning == "case deadline in 2 days"


def test_a_page_carries_text_checklist_evidence_and_facts(vault: Vault) -> None:
    with vault.transaction() as tx:
        exit_steps.ensure_defaults(tx)
    page = step_facts.step_page(vault.conn, 6, TODAY)
    assert page.text.title == "Update links" and page.state.status == "todo"
    assert len(page.checklist) == len(page.text.checklist) and page.evidence == []
    assert isinstance(page.facts, step_facts.LinksFacts) and page.currency == "USD"


# -- the shared samples: figures a correct import gives --------------------------------------------------------------
def test_step_facts_of_the_shared_samples(shared_samples: Path, tmp_path: Path) -> None:
    from shopexit.core.importers import import_file

    expected = json.loads((shared_samples / "EXPECTED.json").read_text())
    with Vault.create(tmp_path / "s.shopexit", PASSPHRASE, ShopProfile("Zoë", "Harbor Goods Co")) as vault:
        for path in sorted(shared_samples.iterdir()):
            if path.suffix in (".csv", ".xlsx", ".zip"):
                import_file(vault, path)
        f = step_facts.fulfil_facts(vault.conn, TODAY)
        assert f.open_count == expected["orders"]["orders_open"] == len(f.orders)
        open_ids = {r[0] for r in vault.conn.execute(
            "SELECT order_id FROM orders WHERE status NOT IN ('Completed', 'Cancelled')")}
        assert {o.order_id for o in f.orders} == open_ids
        ranks = [o.awaiting_shipment for o in f.orders]
        assert ranks == sorted(ranks, reverse=True)
        review = step_facts.review_facts(vault.conn, TODAY)
        assert review.orders.total == expected["orders"]["orders_total"]
        assert review.orders.lines == expected["orders"]["order_lines"]


# -- speed on a large vault (run with --slow) ------------------------------------------------------------------------
@pytest.mark.slow
def test_each_steps_facts_stay_fast_on_100k_orders(tmp_path: Path) -> None:
    """Orders, lines and settlements inserted straight in SQL (no importer), then each page timed."""
    import random

    rng = random.Random(4)
    statuses = ["Completed"] * 88 + ["Cancelled"] * 5 + ["Delivered", "In transit", "Awaiting shipment",
                                                        "Awaiting collection"] + ["Completed"] * 3
    with Vault.create(tmp_path / "big.shopexit", PASSPHRASE, ShopProfile("A", "B")) as vault:
        with vault.transaction() as tx:
            exit_steps.ensure_defaults(tx)
            for i in range(100_000):
                status = rng.choice(statuses)
                day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z"
                raw = json.dumps({"Order ID": str(i), "Recipient": f"Name {i}", "Detail Address": "x" * 120})
                ref = tx.execute(
                    "INSERT INTO orders(order_id, status, currency, order_amount, created_at, delivered_at,"
                    " recipient, raw_json, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    (str(i), status, "USD", rng.randint(500, 9000), day, day if status == "Completed" else None,
                     f"Name {i}", raw, day)).lastrowid
                tx.execute("INSERT INTO order_lines(order_ref, line_key, product_name, quantity, subtotal, raw_json)"
                           " VALUES (?,?,?,?,?,?)", (ref, "1", f"Product {i % 300}", 1, 1000, raw))
                tx.execute("INSERT INTO settlements(natural_key, reference_id, currency, settlement_amount, revenue,"
                           " fees, settled_at) VALUES (?,?,?,?,?,?,?)", (f"s{i}", str(i), "USD", 900, 1000, -100, day))
        vault.conn.execute("PRAGMA cache_size = -65536")
        timings: dict[str, float] = {}
        for round_ in range(3):
            for number in range(0, 11):
                start = time.perf_counter()
                if number == 0:
                    step_facts.overview(vault.conn, TODAY)
                else:
                    step_facts.step_page(vault.conn, number, TODAY)
                elapsed = (time.perf_counter() - start) * 1000
                key = "overview" if number == 0 else f"step {number}"
                timings[key] = elapsed if round_ == 0 else min(timings[key], elapsed)
        print("\n" + "\n".join(f"{k:>9}: {v:6.0f} ms" for k, v in timings.items()))
        # The goal is 100 ms each; the bound leaves room for a loaded shared machine.
        assert max(timings.values()) < 400, timings
