"""Find any record by what the user remembers of it: a word of a message, a buyer's name, part of an order id.

SQLite FTS5 inside the vault (`search_index`, kept current by triggers — see schema m0005), so nothing leaves
the encrypted file and no second index exists to fall out of date. What the user types is never handed to FTS5
as syntax: each word becomes a quoted prefix term, so `"`, `*`, `AND`, `NEAR(` or a lone `-` are just text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from shopexit.core.vault import Conn

KIND_CODES: dict[str, int] = {
    "order": 1, "order_line": 2, "message": 3, "thread": 4, "note": 5, "case": 6, "evidence": 7,
}
"""Each index entry's rowid is `record id * 8 + code` (schema m0005)."""

KIND_ORDER: tuple[str, ...] = ("order", "message", "thread", "case", "note", "evidence")
"""How result groups are listed. SKU lines are found as their order."""

KIND_LABELS: dict[str, str] = {
    "order": "Orders", "message": "Messages", "thread": "Conversations", "case": "Cases", "note": "Notes",
    "evidence": "Evidence",
}

MARK_START = "\ue000"
MARK_END = "\ue001"
"""Private-use characters around matched words in snippets: no record text can be mistaken for them."""

MAX_TERMS = 16
_WORD = re.compile(r"\S+")
_ASCII_TAIL = re.compile(r"(?:^|[^0-9A-Za-z])[0-9A-Za-z][^0-9A-Za-z\u0080-\U0010ffff]*$")


def build_match(text: str) -> str | None:
    """An FTS5 MATCH expression for what the user typed, or None when there is nothing to look for.

    Every whitespace-separated word must appear (AND), each as a prefix: `marisol crush` finds "Marisol
    Vega … box arrived crushed". A word is quoted whole (inner quotes doubled), so punctuation inside it is
    matched the way the tokenizer splits stored text: `5764-576` becomes the phrase "5764 576*".
    """
    terms: list[str] = []
    # Control characters (NUL ends an FTS5 string early) and lone surrogates (not UTF-8) are never text.
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs") or ch.isspace())
    for word in _WORD.findall(text):
        if not any(unicodedata.category(ch)[0] in "LN" for ch in word):
            continue  # only punctuation: the tokenizer would drop it, and `""*` is not a valid term
        # A last piece of one Latin letter or digit ("kenji_t") would be a prefix of half the index: match it
        # as a whole token instead. CJK runs are single tokens, so one character there stays a prefix.
        short_tail = bool(_ASCII_TAIL.search(word))
        terms.append('"' + word.replace('"', '""') + '"' + ("" if short_tail else "*"))
        if len(terms) == MAX_TERMS:
            break
    return " ".join(terms) if terms else None


@dataclass(frozen=True)
class Hit:
    """One record that matched. `kind`/`id` name the record to open (a note opens what it is attached to)."""

    kind: str
    id: int
    title: str
    snippet: str
    rank: float
    target_kind: str = ""
    target_id: int = 0

    def plain_snippet(self, start: str = "[", end: str = "]") -> str:
        return self.snippet.replace(MARK_START, start).replace(MARK_END, end)

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind, "id": self.id, "title": self.title,
                                   "snippet": self.plain_snippet()}
        if self.target_kind:
            data["target"] = {"kind": self.target_kind, "id": self.target_id}
        return data


@dataclass
class Results:
    query: str
    groups: dict[str, list[Hit]] = field(default_factory=dict)
    more: dict[str, bool] = field(default_factory=dict)
    """Kinds with more matches than were returned."""

    @property
    def total(self) -> int:
        return sum(len(hits) for hits in self.groups.values())

    def hits(self) -> list[Hit]:
        return [hit for kind in KIND_ORDER for hit in self.groups.get(kind, [])]

    def as_json(self) -> dict[str, object]:
        return {"query": self.query,
                "groups": [{"kind": kind, "label": KIND_LABELS[kind], "more": self.more.get(kind, False),
                            "hits": [hit.as_json() for hit in hits]}
                           for kind in KIND_ORDER if (hits := self.groups.get(kind))]}


RANK_AT_MOST = 2_000
"""Above this many matches of one kind, the newest come first instead of the best scored: ranking every match
of a word thousands of records share is what made such searches slow, and among that many near-equal matches
the newest are what a creator is after."""


def _index_kinds(kind: str) -> tuple[str, ...]:
    return ("order", "order_line") if kind == "order" else (kind,)


def _kind_filter(index_kinds: tuple[str, ...]) -> str:
    """Entries of these kinds, told by their rowid (`id * 8 + code`) rather than by the `kind` column.

    Why: `kind` is an UNINDEXED column, so testing it reads every matching entry's row from the index's
    content table (a B-tree lookup and page decryption each), while the rowid comes with the match for free.
    On a vault of 100,000 orders, a word every order shares took 0.9 s per kind that way, 0.38 s this way
    (bench/README.md); the results are the same.
    """
    return "(rowid & 7) IN (" + ",".join(str(KIND_CODES[k]) for k in index_kinds) + ")"


def search(conn: Conn, text: str, *, per_kind: int = 20, kinds: tuple[str, ...] = KIND_ORDER) -> Results:
    """Best matches first within each kind, at most `per_kind` of each (one query per kind, so plentiful
    orders never crowd out the one message that matters)."""
    results = Results(text)
    match = build_match(text)
    if match is None:
        return results
    for shown in (k for k in KIND_ORDER if k in kinds):
        index_kinds = _index_kinds(shown)
        where = " FROM search_index WHERE search_index MATCH ? AND " + _kind_filter(index_kinds)
        plentiful = conn.execute(
            f"SELECT count(*) FROM (SELECT rowid{where} LIMIT {RANK_AT_MOST})", (match,)
        ).fetchone()[0] >= RANK_AT_MOST
        rows = conn.execute(
            "SELECT kind, ref, highlight(search_index, 2, ?, ?), snippet(search_index, 3, ?, ?, '…', 12),"
            " bm25(search_index, 4.0, 1.0)" + where
            + (" ORDER BY rowid DESC" if plentiful else " ORDER BY bm25(search_index, 4.0, 1.0)") + " LIMIT ?",
            (MARK_START, MARK_END, MARK_START, MARK_END, match, (per_kind + 1) * len(index_kinds) * 2),
        ).fetchall()
        seen: set[int] = set()
        group: list[Hit] = []
        for kind, ref, title, snippet, rank in rows:
            if int(ref) in seen:
                continue
            seen.add(int(ref))
            if len(group) >= per_kind:
                results.more[shown] = True
                break
            title, snippet = _tidy(str(title or "")), _tidy(str(snippet or ""))
            if kind == "order_line":
                snippet = f"{title} · {snippet}".strip(" ·")  # the product, then its variation and SKU
            elif MARK_START in title and MARK_START not in snippet:
                snippet = f"{title}: {snippet}".strip(": ")  # matched on the name: show it
            group.append(Hit(shown, int(ref), _plain(title), snippet, float(rank)))
        if group:
            results.groups[shown] = group
    _describe(conn, results)
    return results


def _plain(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def _tidy(snippet: str) -> str:
    return re.sub(r"\s+", " ", snippet).strip()


def _describe(conn: Conn, results: Results) -> None:
    """Give hits the titles a person recognises (an order's id and buyer, a message's conversation)."""
    for kind, hits in results.groups.items():
        ids = [h.id for h in hits]
        if not ids:
            continue
        marks = ",".join("?" * len(ids))
        if kind == "order":
            labels = {i: f"Order {oid}" + (f" · {buyer}" if buyer else "")
                      for i, oid, buyer in conn.execute(
                          f"SELECT id, order_id, coalesce(nullif(recipient, ''), buyer_username) FROM orders"
                          f" WHERE id IN ({marks})", ids)}
            results.groups[kind] = [_retitle(h, labels.get(h.id, h.title)) for h in hits]
        elif kind == "message":
            labels = {i: f"{who or counterpart} · {(sent or '')[:10]}".strip(" ·")
                      for i, who, counterpart, sent in conn.execute(
                          f"SELECT m.id, m.sender, t.counterpart, m.sent_at FROM messages m"
                          f" JOIN threads t ON t.id = m.thread_id WHERE m.id IN ({marks})", ids)}
            results.groups[kind] = [_retitle(h, labels.get(h.id, h.title)) for h in hits]
        elif kind == "thread":
            labels = {i: f"Conversation with {who}" for i, who in conn.execute(
                f"SELECT id, counterpart FROM threads WHERE id IN ({marks})", ids)}
            results.groups[kind] = [_retitle(h, labels.get(h.id, h.title)) for h in hits]
        elif kind == "note":
            targets = {i: (tk, int(tid)) for i, tk, tid in conn.execute(
                f"SELECT id, target_kind, target_id FROM notes WHERE id IN ({marks})", ids)}
            results.groups[kind] = [
                Hit(h.kind, h.id, f"Note on {targets[h.id][0].replace('_', ' ')} {targets[h.id][1]}",
                    h.snippet, h.rank, *targets[h.id]) if h.id in targets else h
                for h in hits]


def _retitle(hit: Hit, title: str) -> Hit:
    return Hit(hit.kind, hit.id, title, hit.snippet, hit.rank, hit.target_kind, hit.target_id)


def filter_ids_sql(kind: str) -> str:
    """`id IN (…)` for a record view's text filter, bound to one parameter: `build_match(text)`.

    Orders also match on their SKU lines (product name, SKU).
    """
    if kind not in KIND_CODES:
        raise ValueError(f"no search index for {kind!r}")
    return f"id IN (SELECT ref FROM search_index WHERE search_index MATCH ? AND {_kind_filter(_index_kinds(kind))})"
