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
    """One record that matched. `kind`/`id` name the record to open (a note opens what it is attached to).

    `rank` is the entry's bm25 score (lower is better) where its kind is listed best first, 0.0 where it is
    listed newest first (`RANK_AT_MOST`)."""

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
    counts: dict[str, int] = field(default_factory=dict)
    """How many records of each kind match: exact, or a lower bound for the kinds in `capped`."""
    capped: set[str] = field(default_factory=set)
    """Kinds with at least `counts[kind]` matching records (counting stopped there): shown as "2,000+"."""

    @property
    def total(self) -> int:
        return sum(len(hits) for hits in self.groups.values())

    def hits(self) -> list[Hit]:
        return [hit for kind in KIND_ORDER for hit in self.groups.get(kind, [])]

    def count_text(self, kind: str) -> str:
        """The number of `kind` records that match, as a person reads it: "855", or "2,000+" when capped."""
        count = self.counts.get(kind, len(self.groups.get(kind, ())))
        return f"{count:,}+" if kind in self.capped else f"{count:,}"

    def as_json(self) -> dict[str, object]:
        return {"query": self.query,
                "groups": [{"kind": kind, "label": KIND_LABELS[kind], "more": self.more.get(kind, False),
                            "count": self.counts.get(kind, len(hits)), "count_capped": kind in self.capped,
                            "hits": [hit.as_json() for hit in hits]}
                           for kind in KIND_ORDER if (hits := self.groups.get(kind))]}


RANK_AT_MOST = 2_000
"""Above this many matches of one kind, the newest come first instead of the best scored: ranking every match
of a word thousands of records share is what made such searches slow, and among that many near-equal matches
the newest are what a creator is after."""

COUNT_AT_MOST = RANK_AT_MOST
"""Orders are counted up to this many ("2,000+"). Every other kind is counted exactly, for free (see `search`);
an order is found by its own entry and by each of its SKU lines, so telling how many *orders* match means reading
each line's order, which for a word 40,000 lines share would cost more than the rest of the search."""

SNIPPETS_INLINE = 200
"""Best-scored kinds with at most this many matches in all get their snippets in the scoring query itself:
cheaper than a second query. Above it, only the rows shown get snippets (a snippet costs ~10 µs; a query a few
ms on a word thousands of records share)."""

_CODE_KINDS: dict[int, str] = {code: kind for kind, code in KIND_CODES.items()}
_SCORE = "bm25(search_index, 4.0, 1.0)"
_SHOW = "highlight(search_index, 2, ?, ?), snippet(search_index, 3, ?, ?, '…', 12)"
_MARKS = (MARK_START, MARK_END, MARK_START, MARK_END)
_REF = "CASE WHEN rowid & 7 = 2 THEN CAST(ref AS INTEGER) ELSE rowid >> 3 END"
"""The record an entry stands for: its own id (`rowid >> 3`), or for a SKU line its order (read from the entry
only there: reading a column FTS5 keeps UNINDEXED costs a lookup in its content table)."""


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


@dataclass
class _Entry:
    """One index entry on its way to becoming a `Hit`."""

    rowid: int
    ref: int
    rank: float = 0.0
    shown: tuple[str | None, str | None] | None = None  # highlighted title and body snippet, once read


def search(conn: Conn, text: str, *, per_kind: int = 20, kinds: tuple[str, ...] = KIND_ORDER) -> Results:
    """Within each kind, at most `per_kind` records: the best scored first, or the newest first for a kind with
    `RANK_AT_MOST` matches or more; each kind has its own share, so plentiful orders never crowd out the one
    message that matters. `Results.counts` says how many of each kind match.

    How, and why so (bench/README.md, *Search*): every query FTS5 runs pays again for expanding the prefix terms
    and walking their entries (a few ms for a word 60,000 entries share), and bm25, highlight() and snippet()
    cost microseconds per row they are computed for. So:
    1. one pass over every match counts them and returns the rowids of all but orders (the rowid tells the kind:
       `id * 8 + code`); orders are the only kind that runs to tens of thousands;
    2. one query scores the entries of every kind with fewer than `RANK_AT_MOST` matches;
    3. a plentiful kind's newest entries are the highest rowids: orders are read newest first until enough
       (FTS5 stops there), then counted up to `COUNT_AT_MOST`; the others are already known from step 1;
    4. one query makes the snippets for the rows shown, and only those.
    """
    results = Results(text)
    match = build_match(text)
    if match is None:
        return results
    wanted = [k for k in KIND_ORDER if k in kinds]
    if not wanted:
        return results
    codes = [KIND_CODES[ik] for k in wanted for ik in _index_kinds(k)]
    only = "" if len(codes) == len(KIND_CODES) else " AND " + _kind_filter(tuple(_CODE_KINDS[c] for c in codes))
    where = " FROM search_index WHERE search_index MATCH ?"

    # 1. How many entries match, and the rowids of those that are not orders or their SKU lines.
    # (FILTER rather than a CASE inside group_concat: the aggregate is not stepped for every order, 1.5× faster.)
    total, others = conn.execute(
        f"SELECT count(*), group_concat(rowid) FILTER (WHERE rowid & 7 > 2){where}{only}", (match,)
    ).fetchone()
    rowids: dict[str, list[int]] = {}
    for rowid in map(int, others.split(",")) if others else ():
        rowids.setdefault(_CODE_KINDS[rowid & 7], []).append(rowid)
    entries = {k: len(rowids.get(k, ())) for k in wanted}
    if "order" in entries:
        entries["order"] = total - sum(entries.values())
    ranked = [k for k in wanted if 0 < entries[k] < RANK_AT_MOST]
    newest = [k for k in wanted if entries[k] >= RANK_AT_MOST]
    chosen: dict[str, list[_Entry]] = {}

    # 2. Score every entry of the kinds with few matches; keep each record's best entry.
    if ranked:
        inline = sum(entries[k] for k in ranked) <= SNIPPETS_INLINE
        span = ""
        if "order" not in ranked:  # their rowids are known: FTS5 can skip to the first and stop after the last
            known = [r for k in ranked for r in rowids[k]]
            span = f" AND rowid BETWEEN {min(known)} AND {max(known)}"
        scored: dict[int, list[tuple[float, int, int, str | None, str | None]]] = {}  # by kind code
        rows = conn.execute(
            f"SELECT {_SCORE}, -rowid, {_REF}" + (f", {_SHOW}" if inline else ", NULL, NULL") + where
            + " AND " + _kind_filter(tuple(ik for k in ranked for ik in _index_kinds(k))) + span,
            ((*_MARKS, match) if inline else (match,)),
        )
        for row in rows:
            scored.setdefault((-row[1]) & 7, []).append(row)
        for kind in ranked:
            # Best first; among equals the newest (ties are common: a buyer's name in a thousand orders).
            best = sorted(r for ik in _index_kinds(kind) for r in scored.get(KIND_CODES[ik], ()))
            if kind == "order":  # an order found by itself and by its SKU lines is listed once, by its best
                firsts: dict[int, tuple[float, int, int, str | None, str | None]] = {}
                for r in best:
                    firsts.setdefault(r[2], r)
                best = list(firsts.values())
            results.counts[kind] = len(best)
            chosen[kind] = [_Entry(-neg, ref, rank, (title, snippet) if inline else None)
                            for rank, neg, ref, title, snippet in best[:per_kind + 1]]

    # 3. The newest of each plentiful kind.
    for kind in newest:
        if kind != "order":
            top = sorted(rowids[kind], reverse=True)[:per_kind + 1]
            chosen[kind] = [_Entry(r, r >> 3) for r in top]
            results.counts[kind] = entries[kind]
            continue
        group: dict[int, _Entry] = {}
        cursor = conn.execute(f"SELECT rowid, {_REF}, {_SHOW}{where} AND (rowid & 7) IN (1, 2)"
                              " ORDER BY rowid DESC", (*_MARKS, match))  # FTS5 reads newest first: no sort
        for rowid, ref, title, snippet in cursor:
            if ref not in group:
                group[ref] = _Entry(rowid, ref, 0.0, (title, snippet))
                if len(group) > per_kind:
                    break
        cursor.close()
        chosen[kind] = list(group.values())
        counted = conn.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {_REF}{where} AND (rowid & 7) IN (1, 2) LIMIT ?)",
            (match, COUNT_AT_MOST),
        ).fetchone()[0]
        results.counts[kind] = counted
        if counted >= COUNT_AT_MOST:
            results.capped.add(kind)

    # 4. Snippets for the rows shown that have none yet, in one query over the span they lie in.
    missing = {e.rowid: e for group_ in chosen.values() for e in group_[:per_kind] if e.shown is None}
    if missing:
        listed = ",".join(map(str, sorted(missing)))
        rows = conn.execute(
            f"SELECT rowid, {_SHOW}{where} AND rowid BETWEEN {min(missing)} AND {max(missing)}"
            f" AND +rowid IN ({listed})",  # `+`: a filter on what FTS5 returns, not one lookup per rowid
            (*_MARKS, match),
        )
        for rowid, title, snippet in rows:
            missing[rowid].shown = (title, snippet)

    for kind in wanted:
        picked = chosen.get(kind)
        if not picked:
            continue
        results.more[kind] = len(picked) > per_kind or results.counts.get(kind, 0) > per_kind
        results.groups[kind] = [_hit(kind, e) for e in picked[:per_kind]]
    _describe(conn, results)
    return results


def _hit(kind: str, entry: _Entry) -> Hit:
    title, snippet = entry.shown or ("", "")
    title, snippet = _tidy(str(title or "")), _tidy(str(snippet or ""))
    if entry.rowid & 7 == KIND_CODES["order_line"]:
        snippet = f"{title} · {snippet}".strip(" ·")  # the product, then its variation and SKU
    elif MARK_START in title and MARK_START not in snippet:
        snippet = f"{title}: {snippet}".strip(": ")  # matched on the name: show it
    return Hit(kind, entry.ref, _plain(title), snippet, float(entry.rank))


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
