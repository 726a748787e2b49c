"""What goes into an archive: the one place that decides, for a scope, which records, files and texts are in.

A scope is the whole vault, one case, a date range (or a case within a range), redacted or not. Pages, data
files and the manifest all read from a `Collection`, so they can never disagree about what the archive holds,
and redaction happens here once, before anything is written.

Rows are streamed from the vault (cursors, not lists) so a vault of 100,000 order lines never sits whole in
memory; each pass (data files, pages) asks again.

Scope rules, in one place:
- whole vault: everything, with the imported source files and the vault-wide exit status.
- case: that case, the records linked to it (orders and their settlements, on-hold and commissions; threads
  and messages; withdrawals; settlements), and the evidence linked to any of these. No source files (they
  hold every other buyer's orders too), no exit status, no charts.
- date range: records whose own date falls in the range (orders by creation, settlements by settlement,
  messages by sending, …); evidence linked to them or captured (else added) in the range; the source files
  that contributed a record in range.
- redacted: buyers' names, usernames, phones and addresses are replaced by "Buyer N" everywhere they occur,
  including inside free text (messages, notes, captions, file names); no source files; evidence is listed but
  its bytes are embedded only when the user opts in (it may show personal data).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shopexit.core import facts
from shopexit.core.errors import NotFound
from shopexit.core.vault import Conn

_FAR_PAST = "0000-01-01"
_FAR_FUTURE = "9999-12-31"
SUCCEEDED = facts.SUCCEEDED_WITHDRAWAL
FAILED_WITHDRAWAL = ("FAILED", "FAIL", "REJECTED", "CANCELLED", "CANCELED")


@dataclass(frozen=True)
class Scope:
    case_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    redact_buyers: bool = False
    embed_evidence: bool = True

    @property
    def whole(self) -> bool:
        return self.case_id is None and self.date_from is None and self.date_to is None

    @property
    def ranged(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def label(self) -> str:
        """Short text for the `exports` table and the audit entry (no record contents)."""
        parts = []
        if self.case_id is not None:
            parts.append(f"case:{self.case_id}")
        if self.ranged:
            parts.append(f"{self.date_from or ''}..{self.date_to or ''}")
        if not parts:
            parts.append("all")
        if self.redact_buyers:
            parts.append("redacted")
        return " ".join(parts)


# -- redaction -------------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MAX_TOKENS = 12


def _is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Word tokens (case-folded, with their spans); each CJK character is a token of its own, because those
    scripts write names without spaces ("山田花子さん")."""
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(unicodedata.normalize("NFC", text)):
        word = m.group()
        if word.isascii() or not any(_is_cjk(ch) for ch in word):
            out.append((word.casefold(), m.start(), m.end()))
            continue
        start = m.start()
        buf = ""
        for i, ch in enumerate(word):
            if _is_cjk(ch):
                if buf:
                    out.append((buf.casefold(), start + i - len(buf), start + i))
                    buf = ""
                out.append((ch, start + i, start + i + 1))
            else:
                buf += ch
        if buf:
            out.append((buf.casefold(), m.end() - len(buf), m.end()))
    return out


class Redactor:
    """Replaces every buyer identifier (name, username, phone, address) with that buyer's pseudonym.

    Matching is by token sequences, not by substring, so it is linear in the text and independent of how many
    buyers the vault holds, finds names whatever their case, spacing or position ("hi, it's ZOË ÅNGSTRÖM
    here", "山田花子です"), and never cuts a longer word in half.
    """

    def __init__(self) -> None:
        self._pseudonym: dict[tuple[str, ...], str] = {}
        self._lengths: set[int] = set()
        self._buyer_number: dict[str, int] = {}

    def add_buyer(self, key: str, identifiers: list[str]) -> str:
        number = self._buyer_number.setdefault(key, len(self._buyer_number) + 1)
        name = f"Buyer {number}"
        for ident in identifiers:
            toks = tuple(t for t, _, _ in _tokens(ident))
            if not toks or len(toks) > _MAX_TOKENS:
                continue
            if len(toks) == 1 and len(toks[0]) < 2:
                continue  # a lone letter would blank out every "a"
            self._pseudonym.setdefault(toks, name)
            self._lengths.add(len(toks))
        return name

    def buyer(self, key: str) -> str | None:
        number = self._buyer_number.get(key)
        return f"Buyer {number}" if number else None

    def match_whole(self, text: str) -> str | None:
        """The pseudonym when `text` as a whole names a buyer (a thread's counterpart, a sender)."""
        toks = tuple(t for t, _, _ in _tokens(text))
        return self._pseudonym.get(toks) if toks else None

    def text(self, text: str) -> str:
        if not text or not self._pseudonym:
            return text
        text = unicodedata.normalize("NFC", text)
        toks = _tokens(text)
        if not toks:
            return text
        lengths = sorted(self._lengths, reverse=True)
        pieces: list[str] = []
        last = 0
        i = 0
        while i < len(toks):
            hit = None
            for n in lengths:
                if i + n <= len(toks):
                    name = self._pseudonym.get(tuple(t for t, _, _ in toks[i: i + n]))
                    if name:
                        hit = (n, name)
                        break
            if hit:
                n, name = hit
                pieces.append(text[last: toks[i][1]])
                pieces.append(name)
                last = toks[i + n - 1][2]
                i += n
            else:
                i += 1
        pieces.append(text[last:])
        return "".join(pieces)


class _NoRedaction(Redactor):
    def text(self, text: str) -> str:
        return text

    def match_whole(self, text: str) -> str | None:
        return None


def _buyer_key(username: str, recipient: str, phone: str) -> str:
    return (username or recipient or phone).strip().casefold()


def build_redactor(conn: Conn) -> Redactor:
    """Pseudonyms numbered in order of each buyer's first order, over the whole vault (a name may turn up in
    any message, whatever the scope)."""
    red = Redactor()
    for username, recipient, phone, address in conn.execute(
        "SELECT buyer_username, recipient, phone, address FROM orders ORDER BY created_at, id"
    ):
        key = _buyer_key(username, recipient, phone)
        if not key:
            continue
        idents = [x for x in (username, recipient, phone, address) if x and x.strip()]
        if username and username.startswith("@"):
            idents.append(username[1:])
        red.add_buyer(key, idents)
    return red


# -- the collection --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MoneyTotals:
    """Per-currency minor units for the ledger's totals rows (same definitions as `facts`)."""

    orders: dict[str, int] = field(default_factory=dict)
    order_count: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    settled: dict[str, int] = field(default_factory=dict)
    on_hold: dict[str, int] = field(default_factory=dict)
    withdrawn: dict[str, int] = field(default_factory=dict)
    withdrawals_pending: dict[str, int] = field(default_factory=dict)
    commission_estimated: dict[str, int] = field(default_factory=dict)
    commission_earned: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Counts:
    orders: int
    lines: int
    settlements: int
    on_hold: int
    withdrawals: int
    commissions: int
    threads: int
    messages: int
    cases: int
    evidence: int
    sources: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _rows(cur: Any) -> Iterator[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    for row in cur:
        yield dict(zip(cols, row, strict=True))


class Collection:
    """The records of one scope, streamed on demand, with redaction applied."""

    def __init__(self, conn: Conn, scope: Scope) -> None:
        self.conn = conn
        self.scope = scope
        if scope.case_id is not None:
            row = conn.execute("SELECT id FROM cases WHERE id = ?", (scope.case_id,)).fetchone()
            if row is None:
                raise NotFound(f"case:{scope.case_id}: no such case in this vault.")
        self.redactor: Redactor = build_redactor(conn) if scope.redact_buyers else _NoRedaction()
        self._p: dict[str, Any] = {
            "case": scope.case_id,
            "from": scope.date_from.isoformat() if scope.date_from else _FAR_PAST,
            "to": scope.date_to.isoformat() if scope.date_to else _FAR_FUTURE,
        }
        self.counts = self._count()

    # -- scope conditions (SQL snippets with named parameters) ----------------------------------------------
    def _range(self, expr: str) -> str:
        return f"(substr({expr}, 1, 10) BETWEEN :from AND :to)" if self.scope.ranged else "1"

    def _links(self, kind: str) -> str:
        return f"(SELECT target_id FROM case_links WHERE case_id = :case AND target_kind = '{kind}')"

    def order_where(self, alias: str = "orders") -> str:
        conds = [self._range(f"coalesce({alias}.created_at, {alias}.paid_at, {alias}.updated_at)")]
        if self.scope.case_id is not None:
            conds.append(f"{alias}.id IN {self._links('order')}")
        return " AND ".join(conds)

    def _case_order_ids(self) -> str:
        return f"(SELECT order_id FROM orders WHERE id IN {self._links('order')})"

    def settlement_where(self, alias: str = "settlements") -> str:
        conds = [self._range(f"coalesce({alias}.settled_at, {alias}.order_created_at)")]
        if self.scope.case_id is not None:
            conds.append(f"({alias}.id IN {self._links('settlement')} OR ({alias}.order_id != '' AND"
                         f" {alias}.order_id IN {self._case_order_ids()}))")
        return " AND ".join(conds)

    def on_hold_where(self, alias: str = "on_hold") -> str:
        conds = [self._range(
            f"coalesce({alias}.expected_at, (SELECT o.created_at FROM orders o WHERE o.order_id = {alias}.order_id))"
        )]
        if self.scope.case_id is not None:
            conds.append(f"({alias}.order_id != '' AND {alias}.order_id IN {self._case_order_ids()})")
        return " AND ".join(conds)

    def withdrawal_where(self, alias: str = "withdrawals") -> str:
        conds = [self._range(f"{alias}.created_at")]
        if self.scope.case_id is not None:
            conds.append(f"{alias}.id IN {self._links('withdrawal')}")
        return " AND ".join(conds)

    def commission_where(self, alias: str = "commissions") -> str:
        conds = [self._range(f"coalesce({alias}.order_at, {alias}.settled_at)")]
        if self.scope.case_id is not None:
            conds.append(f"{alias}.order_id IN {self._case_order_ids()}")
        return " AND ".join(conds)

    def message_where(self, alias: str = "messages") -> str:
        conds = [self._range(f"{alias}.sent_at")]
        if self.scope.case_id is not None:
            conds.append(f"({alias}.thread_id IN {self._links('thread')} OR {alias}.id IN {self._links('message')})")
        return " AND ".join(conds)

    def thread_where(self, alias: str = "threads") -> str:
        if self.scope.whole:
            return "1"
        return f"{alias}.id IN (SELECT messages.thread_id FROM messages WHERE {self.message_where()})" + (
            f" OR {alias}.id IN {self._links('thread')}" if self.scope.case_id is not None and not self.scope.ranged
            else ""
        )

    def case_where(self, alias: str = "cases") -> str:
        conds = []
        if self.scope.ranged:
            conds.append(f"(substr({alias}.opened_at, 1, 10) <= :to AND ({alias}.closed_at IS NULL OR"
                         f" substr({alias}.closed_at, 1, 10) >= :from))")
        if self.scope.case_id is not None:
            conds.append(f"{alias}.id = :case")
        return " AND ".join(conds) or "1"

    def evidence_where(self, alias: str = "a") -> str:
        base = f"{alias}.origin != 'import'"
        if self.scope.whole:
            return base
        linked = " OR ".join(
            f"(l.target_kind = '{kind}' AND l.target_id IN (SELECT id FROM {table} WHERE {where}))"
            for kind, table, where in (
                ("order", "orders", self.order_where()),
                ("settlement", "settlements", self.settlement_where()),
                ("on_hold", "on_hold", self.on_hold_where()),
                ("withdrawal", "withdrawals", self.withdrawal_where()),
                ("commission", "commissions", self.commission_where()),
                ("thread", "threads", self.thread_where()),
                ("message", "messages", self.message_where()),
                ("case", "cases", self.case_where()),
            )
        )
        in_links = f"{alias}.id IN (SELECT l.attachment_id FROM attachment_links l WHERE {linked})"
        if self.scope.case_id is not None:
            return f"{base} AND {in_links}"
        return f"{base} AND ({in_links} OR {self._range(f'coalesce({alias}.captured_at, {alias}.added_at)')})"

    def source_where(self) -> str:
        if self.scope.redact_buyers or self.scope.case_id is not None:
            return "0"
        if self.scope.whole:
            return "1"
        contributing = " UNION ".join(
            f"SELECT import_id FROM {table} WHERE import_id IS NOT NULL AND {where}"
            for table, where in (
                ("orders", self.order_where()), ("settlements", self.settlement_where()),
                ("on_hold", self.on_hold_where()), ("withdrawals", self.withdrawal_where()),
                ("commissions", self.commission_where()), ("messages", self.message_where()),
            )
        )
        return f"i.id IN ({contributing})"

    @property
    def include_exit_status(self) -> bool:
        """The ten steps, closure and funds at a glance describe the whole shop: not part of a case file."""
        return self.scope.case_id is None

    def _scalar(self, sql: str) -> int:
        return int(self.conn.execute(sql, self._p).fetchone()[0] or 0)

    def _count(self) -> Counts:
        return Counts(
            orders=self._scalar(f"SELECT count(*) FROM orders WHERE {self.order_where()}"),
            lines=self._scalar(
                f"SELECT count(*) FROM order_lines JOIN orders ON orders.id = order_lines.order_ref"
                f" WHERE {self.order_where()}"
            ),
            settlements=self._scalar(f"SELECT count(*) FROM settlements WHERE {self.settlement_where()}"),
            on_hold=self._scalar(f"SELECT count(*) FROM on_hold WHERE {self.on_hold_where()}"),
            withdrawals=self._scalar(f"SELECT count(*) FROM withdrawals WHERE {self.withdrawal_where()}"),
            commissions=self._scalar(f"SELECT count(*) FROM commissions WHERE {self.commission_where()}"),
            threads=self._scalar(f"SELECT count(*) FROM threads WHERE {self.thread_where()}"),
            messages=self._scalar(
                f"SELECT count(*) FROM messages JOIN threads ON threads.id = messages.thread_id"
                f" WHERE ({self.message_where()}) AND ({self.thread_where()})"
            ),
            cases=self._scalar(f"SELECT count(*) FROM cases WHERE {self.case_where()}"),
            evidence=self._scalar(f"SELECT count(*) FROM attachments a WHERE {self.evidence_where()}"),
            sources=self._scalar(
                f"SELECT count(*) FROM imports i JOIN attachments a ON a.id = i.attachment_id"
                f" WHERE {self.source_where()}"
            ),
        )

    # -- totals ----------------------------------------------------------------------------------------------
    def _sum_by_currency(self, sql: str) -> dict[str, int]:
        return {c: int(v or 0) for c, v in self.conn.execute(sql, self._p)}

    def totals(self) -> MoneyTotals:
        ok = ",".join(f"'{s}'" for s in SUCCEEDED)
        failed = ",".join(f"'{s}'" for s in FAILED_WITHDRAWAL)
        return MoneyTotals(
            orders=self._sum_by_currency(
                f"SELECT currency, sum(order_amount) FROM orders WHERE {self.order_where()} GROUP BY 1 ORDER BY 1"),
            order_count=self._sum_by_currency(
                f"SELECT currency, count(*) FROM orders WHERE {self.order_where()} GROUP BY 1 ORDER BY 1"),
            lines=self.counts.lines,
            settled=self._sum_by_currency(
                f"SELECT currency, sum(settlement_amount) FROM settlements WHERE {self.settlement_where()}"
                " GROUP BY 1 ORDER BY 1"),
            on_hold=self._sum_by_currency(
                f"SELECT currency, sum(amount) FROM on_hold WHERE {self.on_hold_where()} GROUP BY 1 ORDER BY 1"),
            withdrawn=self._sum_by_currency(
                f"SELECT currency, sum(amount) FROM withdrawals WHERE {self.withdrawal_where()}"
                f" AND upper(status) IN ({ok}) GROUP BY 1 ORDER BY 1"),
            withdrawals_pending=self._sum_by_currency(
                f"SELECT currency, sum(amount) FROM withdrawals WHERE {self.withdrawal_where()}"
                f" AND upper(status) NOT IN ({ok}, {failed}) GROUP BY 1 ORDER BY 1"),
            commission_estimated=self._sum_by_currency(
                f"SELECT currency, sum(estimated) FROM commissions WHERE {self.commission_where()}"
                " GROUP BY 1 ORDER BY 1"),
            commission_earned=self._sum_by_currency(
                f"SELECT currency, sum(earned) FROM commissions WHERE {self.commission_where()}"
                " GROUP BY 1 ORDER BY 1"),
        )

    def monthly(self) -> dict[str, dict[str, dict[str, int]]]:
        """{currency: {series: {"YYYY-MM": minor}}} for the charts: sales, settled, withdrawn."""
        ok = ",".join(f"'{s}'" for s in SUCCEEDED)
        out: dict[str, dict[str, dict[str, int]]] = {}
        queries = {
            "sales": f"SELECT currency, substr(created_at, 1, 7), sum(order_amount) FROM orders"
                     f" WHERE created_at IS NOT NULL AND status != 'Cancelled' AND {self.order_where()}"
                     " GROUP BY 1, 2",
            "settled": f"SELECT currency, substr(settled_at, 1, 7), sum(settlement_amount) FROM settlements"
                       f" WHERE settled_at IS NOT NULL AND {self.settlement_where()} GROUP BY 1, 2",
            "withdrawn": f"SELECT currency, substr(created_at, 1, 7), sum(amount) FROM withdrawals"
                         f" WHERE created_at IS NOT NULL AND upper(status) IN ({ok}) AND {self.withdrawal_where()}"
                         " GROUP BY 1, 2",
        }
        for series, sql in queries.items():
            for currency, month, total in self.conn.execute(sql, self._p):
                out.setdefault(currency, {}).setdefault(series, {})[month] = int(total or 0)
        return out

    def period(self) -> tuple[str | None, str | None]:
        """First and last day any record in scope carries."""
        if self.scope.date_from and self.scope.date_to:
            return self.scope.date_from.isoformat(), self.scope.date_to.isoformat()
        sql = " UNION ALL ".join((
            f"SELECT min(created_at), max(created_at) FROM orders WHERE {self.order_where()}",
            f"SELECT min(settled_at), max(settled_at) FROM settlements WHERE {self.settlement_where()}",
            f"SELECT min(created_at), max(created_at) FROM withdrawals WHERE {self.withdrawal_where()}",
            f"SELECT min(sent_at), max(sent_at) FROM messages WHERE {self.message_where()}",
            f"SELECT min(order_at), max(order_at) FROM commissions WHERE {self.commission_where()}",
        ))
        lows, highs = [], []
        for low, high in self.conn.execute(sql, self._p):
            if low:
                lows.append(low[:10])
            if high:
                highs.append(high[:10])
        first = self.scope.date_from.isoformat() if self.scope.date_from else (min(lows) if lows else None)
        last = self.scope.date_to.isoformat() if self.scope.date_to else (max(highs) if highs else None)
        return first, last

    # -- records ---------------------------------------------------------------------------------------------
    def orders(self) -> Iterator[dict[str, Any]]:
        """Orders (oldest first) with their lines under "lines", buyer fields redacted when asked.

        Lines come from one cursor sorted like the orders and are merged in step: one query for all lines
        rather than one per order."""
        red = self.redactor
        redact = self.scope.redact_buyers
        where = self.order_where()
        cur = self.conn.execute(
            "SELECT id, order_id, status, substatus, currency, order_amount, taxes, shipping_fee, refund_amount,"
            " created_at, created_text, paid_at, shipped_at, delivered_at, cancelled_at, buyer_username,"
            " recipient, phone, address, country, tracking_id, shipping_provider, buyer_message, cancel_reason,"
            f" buyer_purged FROM orders WHERE {where} ORDER BY created_at, id",
            self._p,
        )
        line_rows = _rows(self.conn.cursor().execute(
            "SELECT l.order_ref, l.line_key, l.sku_id, l.seller_sku, l.product_name, l.variation, l.quantity,"
            " l.returned_quantity, l.unit_price, l.subtotal FROM order_lines l JOIN orders ON orders.id = l.order_ref"
            f" WHERE {where} ORDER BY orders.created_at, orders.id, l.id",
            self._p,
        ))
        pending = next(line_rows, None)
        for order in _rows(cur):
            if redact:
                key = _buyer_key(order["buyer_username"], order["recipient"], order["phone"])
                pseudonym = red.buyer(key) or ""
                order["buyer_username"] = pseudonym
                order["recipient"] = pseudonym
                order["phone"] = ""
                order["address"] = ""
                order["buyer_message"] = red.text(order["buyer_message"])
                order["cancel_reason"] = red.text(order["cancel_reason"])
            lines = []
            while pending is not None and pending["order_ref"] == order["id"]:
                if redact:
                    pending["product_name"] = red.text(pending["product_name"])
                    pending["variation"] = red.text(pending["variation"])
                lines.append(pending)
                pending = next(line_rows, None)
            order["lines"] = lines
            yield order

    def order_column_samples(self) -> dict[str, Any]:
        """What the orders ledger's narrow columns must hold, so the page can size them from the data rather
        than guess: the longest order ids and the largest amounts and quantities (all orders: these must never
        wrap), and each SKU, status, buyer and product with how often it occurs, from about 5,000 orders picked
        evenly by row id (enough to tell what most need, and read by rowid rather than by scanning the table).
        Run once before the ledger is laid out: ~0.3 s at 100,000 orders."""
        where = self.order_where()
        p = dict(self._p)
        low, high = self.conn.execute(f"SELECT min(id), max(id) FROM orders WHERE {where}", p).fetchone()
        p.update(_lo=low or 0, _hi=high or 0, _step=max(1, ((high or 0) - (low or 0)) // 5000),
                 _every=max(1, self.counts.orders // 5000))
        picked = f"(SELECT id FROM orders WHERE {where})"
        if self.counts.orders > 5000:
            by_rowid = ("(WITH RECURSIVE pick(i) AS (SELECT :_lo UNION ALL SELECT i + :_step FROM pick"
                        f" WHERE i + :_step <= :_hi) SELECT orders.id FROM pick JOIN orders ON orders.id = pick.i"
                        f" WHERE {where})")
            hits = self.conn.execute(f"SELECT count(*) FROM {by_rowid}", p).fetchone()[0]
            # a scope whose orders are scattered over the ids (a case, a date range) may be missed by the even
            # picks: then every n-th of its orders instead (a scan, but only of a scope that large)
            picked = by_rowid if hits >= 1000 else f"(SELECT id FROM orders WHERE {where} AND id % :_every = 0)"
        longest = self.conn.execute(f"SELECT max(length(order_id)) FROM orders WHERE {where}", p).fetchone()[0] or 0
        ids = [r[0] for r in self.conn.execute(
            f"SELECT order_id FROM orders WHERE {where} AND length(order_id) >= :_len ORDER BY length(order_id) DESC"
            " LIMIT 5000", {**p, "_len": max(0, longest - 4)})]
        skus = self.conn.execute(
            "SELECT coalesce(nullif(seller_sku, ''), sku_id), count(*) FROM order_lines"
            f" WHERE order_ref IN {picked} GROUP BY 1", p).fetchall()
        products = self.conn.execute(
            f"SELECT product_name, variation, count(*) FROM order_lines WHERE order_ref IN {picked} GROUP BY 1, 2"
            " ORDER BY 3 DESC LIMIT 500", p).fetchall()
        statuses = self.conn.execute(
            f"SELECT status, substatus, count(*) FROM orders WHERE id IN {picked} GROUP BY 1, 2", p).fetchall()
        if self.scope.redact_buyers:
            buyers: list[tuple[str, str, int]] = []
        else:
            buyers = self.conn.execute(
                f"SELECT recipient, buyer_username, count(*) FROM orders WHERE id IN {picked} GROUP BY 1, 2"
                " ORDER BY 3 DESC LIMIT 500", p).fetchall()
        amounts = self.conn.execute(
            f"SELECT currency, max(abs(order_amount)), min(order_amount) < 0 FROM orders WHERE {where} GROUP BY 1",
            p).fetchall()
        line_max = ("max(abs(l.unit_price)), min(l.unit_price) < 0, max(abs(l.subtotal)), min(l.subtotal) < 0,"
                    " max(l.quantity), max(l.returned_quantity)")
        if where == "1":  # the whole vault: no join (a third of the time); each currency gets the overall largest
            row = self.conn.execute(f"SELECT {line_max} FROM order_lines l").fetchone()
            lines = [(cur, *row) for cur, _, _ in amounts]
        else:
            lines = self.conn.execute(
                f"SELECT orders.currency, {line_max} FROM order_lines l JOIN orders ON orders.id = l.order_ref"
                f" WHERE {where} GROUP BY 1", p).fetchall()
        return {"ids": ids, "skus": skus, "statuses": statuses, "buyers": buyers, "products": products,
                "amounts": amounts, "lines": lines}

    def money_column_samples(self) -> dict[str, Any]:
        """What the settlements and money-on-hold listings' narrow columns hold (see `order_column_samples`)."""
        p = self._p
        sw, hw = self.settlement_where(), self.on_hold_where()

        def longest(sql: str) -> list[str]:
            top = self.conn.execute(f"SELECT max(length(v)) FROM ({sql})", p).fetchone()[0] or 0
            return [r[0] for r in self.conn.execute(
                f"SELECT v FROM ({sql}) WHERE length(v) >= :_len LIMIT 5000", {**p, "_len": max(0, top - 4)})]

        return {
            "refs": longest(f"SELECT reference_id AS v FROM settlements WHERE {sw}"
                            f" UNION SELECT 'order ' || order_id FROM settlements WHERE {sw} AND order_id != ''"
                            " AND order_id != reference_id"),
            "types": self.conn.execute(f"SELECT type, count(*) FROM settlements WHERE {sw} GROUP BY 1", p).fetchall(),
            "settled": self.conn.execute(
                "SELECT currency, max(abs(revenue)), min(revenue) < 0, max(abs(fees)), min(fees) < 0,"
                f" max(abs(settlement_amount)), min(settlement_amount) < 0 FROM settlements WHERE {sw} GROUP BY 1",
                p).fetchall(),
            "hold_ids": longest(f"SELECT order_id AS v FROM on_hold WHERE {hw}"),
            "expected": self.conn.execute(
                "SELECT CASE WHEN expected_at IS NOT NULL THEN '0000-00-00' ELSE coalesce(expected_text, '') END,"
                f" count(*) FROM on_hold WHERE {hw} GROUP BY 1", p).fetchall(),
            "held": self.conn.execute(
                f"SELECT currency, max(abs(amount)), min(amount) < 0 FROM on_hold WHERE {hw} GROUP BY 1", p).fetchall(),
        }

    def settlements(self) -> Iterator[dict[str, Any]]:
        yield from _rows(self.conn.execute(
            "SELECT id, reference_id, order_id, type, currency, settlement_amount, revenue, fees,"
            " affiliate_commission, settled_at, settled_text, order_created_at FROM settlements"
            f" WHERE {self.settlement_where()} ORDER BY settled_at, id", self._p))

    def on_hold(self) -> Iterator[dict[str, Any]]:
        yield from _rows(self.conn.execute(
            "SELECT id, order_id, currency, amount, status, expected_at, expected_text FROM on_hold"
            f" WHERE {self.on_hold_where()} ORDER BY expected_at, id", self._p))

    def withdrawals(self) -> Iterator[dict[str, Any]]:
        for row in _rows(self.conn.execute(
            "SELECT id, withdrawal_id, type, status, currency, amount, created_at, created_text, entered_by_hand,"
            f" note FROM withdrawals WHERE {self.withdrawal_where()} ORDER BY created_at, id", self._p)):
            row["note"] = self.redactor.text(row["note"])
            yield row

    def commissions(self) -> Iterator[dict[str, Any]]:
        for row in _rows(self.conn.execute(
            "SELECT id, layout, order_id, sku_id, product_name, counterpart, currency, settlement_status,"
            " estimated, earned, order_at, order_text, settled_at, settled_text FROM commissions"
            f" WHERE {self.commission_where()} ORDER BY order_at, id", self._p)):
            row["product_name"] = self.redactor.text(row["product_name"])
            row["counterpart"] = self.redactor.match_whole(row["counterpart"]) or self.redactor.text(
                row["counterpart"])
            yield row

    def threads(self) -> Iterator[dict[str, Any]]:
        """Threads with their messages under "messages", oldest first."""
        red = self.redactor
        cur = self.conn.execute(
            f"SELECT id, thread_key, channel, counterpart, subject FROM threads WHERE {self.thread_where()}"
            " ORDER BY id", self._p)
        msg_cur = self.conn.cursor()
        for thread in _rows(cur):
            original = thread["counterpart"]
            thread["counterpart"] = red.match_whole(original) or red.text(original)
            thread["subject"] = red.text(thread["subject"])
            if self.scope.redact_buyers and thread["thread_key"]:
                thread["thread_key"] = f"thread-{thread['id']}"  # keys are built from counterpart names
            msg_cur.execute(
                "SELECT id, direction, sender, sent_at, sent_text, body, entered_by_hand FROM messages"
                f" WHERE thread_id = :thread AND ({self.message_where()}) ORDER BY sent_at, id",
                {**self._p, "thread": thread["id"]},
            )
            messages = list(_rows(msg_cur))
            for msg in messages:
                if msg["sender"] == original:
                    msg["sender"] = thread["counterpart"]
                else:
                    msg["sender"] = red.match_whole(msg["sender"]) or red.text(msg["sender"])
                msg["body"] = red.text(msg["body"])
                msg["thread_id"] = thread["id"]
            thread["messages"] = messages
            yield thread

    def cases(self) -> Iterator[dict[str, Any]]:
        red = self.redactor
        for case in list(_rows(self.conn.execute(
            "SELECT id, kind, title, status, opened_at, deadline, closed_at, description FROM cases"
            f" WHERE {self.case_where()} ORDER BY opened_at, id", self._p))):
            case["title"] = red.text(case["title"])
            case["description"] = red.text(case["description"])
            case["events"] = [
                {"at": at, "text": red.text(text)} for at, text in self.conn.execute(
                    "SELECT at, text FROM case_events WHERE case_id = ? ORDER BY at, id", (case["id"],))
            ]
            case["checklist"] = [
                {"text": red.text(text), "done": bool(done)} for text, done in self.conn.execute(
                    "SELECT text, done FROM case_checklist WHERE case_id = ? ORDER BY position, id", (case["id"],))
            ]
            case["links"] = [
                {"kind": kind, "id": target, "label": self._label(kind, target)} for kind, target in
                self.conn.execute(
                    "SELECT target_kind, target_id FROM case_links WHERE case_id = ? ORDER BY target_kind, target_id",
                    (case["id"],))
            ]
            case["notes"] = self._notes("case", case["id"])
            case["evidence"] = [
                {"id": aid, "name": red.text(caption or name)} for aid, name, caption in self.conn.execute(
                    "SELECT a.id, a.original_name, a.caption FROM attachment_links l JOIN attachments a"
                    " ON a.id = l.attachment_id WHERE l.target_kind = 'case' AND l.target_id = ? ORDER BY a.id",
                    (case["id"],))
            ]
            yield case

    def _notes(self, kind: str, target: int) -> list[dict[str, str]]:
        return [{"at": at, "text": self.redactor.text(body)} for at, body in self.conn.execute(
            "SELECT created_at, body FROM notes WHERE target_kind = ? AND target_id = ? ORDER BY created_at, id",
            (kind, target))]

    def _label(self, kind: str, target: int) -> str:
        """How a person names a linked record: the platform's id where it has one."""
        lookups = {
            "order": "SELECT 'order ' || order_id FROM orders WHERE id = ?",
            "withdrawal": "SELECT 'withdrawal ' || withdrawal_id FROM withdrawals WHERE id = ?",
            "settlement": "SELECT 'settlement ' || reference_id FROM settlements WHERE id = ?",
            "on_hold": "SELECT 'on hold ' || order_id FROM on_hold WHERE id = ?",
            "commission": "SELECT 'commission ' || order_id FROM commissions WHERE id = ?",
            "thread": "SELECT 'thread with ' || counterpart FROM threads WHERE id = ?",
            "message": "SELECT 'message from ' || sender FROM messages WHERE id = ?",
            "case": "SELECT 'case #' || id || ' ' || title FROM cases WHERE id = ?",
        }
        if kind == "step":
            from shopexit.core.plan import STEP_TITLES

            return f"step {target}: {STEP_TITLES[target - 1]}" if 1 <= target <= 10 else f"step {target}"
        sql = lookups.get(kind)
        row = self.conn.execute(sql, (target,)).fetchone() if sql else None
        label = row[0] if row else f"{kind} #{target}"
        if kind in ("thread", "message") and self.scope.redact_buyers:
            prefix, _, name = label.partition(" with " if kind == "thread" else " from ")
            sep = " with " if kind == "thread" else " from "
            return prefix + sep + (self.redactor.match_whole(name) or self.redactor.text(name))
        return self.redactor.text(label)

    def evidence(self) -> Iterator[dict[str, Any]]:
        """Evidence items (not imported source files), with their links named."""
        for item in list(_rows(self.conn.execute(
            "SELECT a.id, a.sha256, a.size, a.media_type, a.original_name, a.captured_at, a.captured_text,"
            " a.added_at, a.caption, a.width, a.height, a.previewable, a.origin FROM attachments a"
            f" WHERE {self.evidence_where()} ORDER BY coalesce(a.captured_at, a.added_at), a.id", self._p))):
            item["original_name"] = self.redactor.text(item["original_name"])
            item["caption"] = self.redactor.text(item["caption"])
            item["links"] = [
                {"kind": kind, "id": target, "label": self._label(kind, target)} for kind, target in
                self.conn.execute(
                    "SELECT target_kind, target_id FROM attachment_links WHERE attachment_id = ?"
                    " ORDER BY target_kind, target_id", (item["id"],))
                if self._link_in_scope(kind, target)
            ]
            item["embedded"] = self.scope.embed_evidence
            yield item

    def _link_in_scope(self, kind: str, target: int) -> bool:
        """A case file names only the records it holds (a link to another buyer's order is left out)."""
        if self.scope.whole:
            return True
        where = {
            "order": ("orders", self.order_where()), "settlement": ("settlements", self.settlement_where()),
            "on_hold": ("on_hold", self.on_hold_where()), "withdrawal": ("withdrawals", self.withdrawal_where()),
            "commission": ("commissions", self.commission_where()), "thread": ("threads", self.thread_where()),
            "message": ("messages", self.message_where()), "case": ("cases", self.case_where()),
        }.get(kind)
        if where is None:
            return self.scope.case_id is None
        table, cond = where
        row = self.conn.execute(f"SELECT 1 FROM {table} WHERE id = :id AND {cond}", {**self._p, "id": target})
        return row.fetchone() is not None

    def sources(self) -> Iterator[dict[str, Any]]:
        """Imported source files, embedded byte for byte as provenance (never in a case file or redacted)."""
        yield from _rows(self.conn.execute(
            "SELECT a.id, a.sha256, a.size, a.media_type, a.original_name, i.kind, i.imported_at, i.rows_read,"
            " i.records_new FROM imports i JOIN attachments a ON a.id = i.attachment_id"
            f" WHERE {self.source_where()} ORDER BY i.id", self._p))

    def left_out_sources(self) -> int:
        """Imported files left out of this archive (for the cover's 'what it holds')."""
        total = self._scalar("SELECT count(*) FROM imports")
        return total - self.counts.sources

    def steps(self) -> list[dict[str, Any]]:
        from shopexit.core.plan import STEP_TITLES
        from shopexit.core.records.steps import all_steps

        return [
            {"number": s.number, "title": STEP_TITLES[s.number - 1], "status": s.status,
             "started_at": s.started_at, "done_at": s.done_at, "notes": self.redactor.text(s.notes)}
            for s in all_steps(self.conn)
        ] if self.include_exit_status else []

