"""Search index keyed by rowid, so keeping it current costs a lookup, not a scan.

m0001's triggers removed an entry with `DELETE FROM search_index WHERE kind = ? AND ref = ?`. `kind` and `ref`
are UNINDEXED FTS5 columns, so each such delete read the whole index: measured here, updating one order in a
vault of 100,000 took 67 ms, and re-importing 100,000 orders would have taken hours. Here every entry's rowid is
derived from its record (`id * 8 + kind code`), and triggers delete by rowid. Also:

- order lines get their own entry each (m0001's delete removed the entries of every line of the order), and an
  update trigger; threads get an update trigger (a renamed conversation stayed findable by its old name);
- FTS5 `secure-delete` is on, so a purged buyer's name does not linger in the index's old segments.

The kind codes are mirrored in `shopexit.core.search.KIND_CODES`.
"""

_ORDER_BODY = (
    "new.status || ' ' || new.buyer_username || ' ' || new.recipient || ' ' || new.tracking_id || ' ' ||"
    " new.buyer_message || ' ' || new.cancel_reason"
)
_LINE_BODY = "new.variation || ' ' || new.seller_sku || ' ' || new.sku_id"


def _entity(table: str, code: int, kind: str, ref: str, title: str, body: str,
            update_of: str = "") -> str:
    """Insert, update and delete triggers for one indexed table."""
    rowid_new = f"new.id * 8 + {code}"
    rowid_old = f"old.id * 8 + {code}"
    values = f"({rowid_new}, '{kind}', {ref}, {title}, {body})"
    of = f" OF {update_of}" if update_of else ""
    return f"""
CREATE TRIGGER {table}_fts_ai AFTER INSERT ON {table} BEGIN
  INSERT INTO search_index(rowid, kind, ref, title, body) VALUES {values};
END;
CREATE TRIGGER {table}_fts_au AFTER UPDATE{of} ON {table} BEGIN
  DELETE FROM search_index WHERE rowid = {rowid_old};
  INSERT INTO search_index(rowid, kind, ref, title, body) VALUES {values};
END;
CREATE TRIGGER {table}_fts_ad AFTER DELETE ON {table} BEGIN
  DELETE FROM search_index WHERE rowid = {rowid_old};
END;
"""


def _fill(table: str, code: int, kind: str, ref: str, title: str, body: str) -> str:
    def old(expr: str) -> str:
        return expr.replace("new.", "")

    return (f"INSERT INTO search_index(rowid, kind, ref, title, body) SELECT id * 8 + {code}, '{kind}',"
            f" {old(ref)}, {old(title)}, {old(body)} FROM {table};\n")


_ENTITIES: tuple[tuple[str, int, str, str, str, str, str], ...] = (
    # table, code, kind, ref, title, body, update columns (all when empty)
    ("orders", 1, "order", "new.id", "new.order_id", _ORDER_BODY,
     "order_id, status, buyer_username, recipient, tracking_id, buyer_message, cancel_reason"),
    ("order_lines", 2, "order_line", "new.order_ref", "new.product_name", _LINE_BODY,
     "order_ref, product_name, variation, seller_sku, sku_id"),
    ("messages", 3, "message", "new.id", "new.sender", "new.body", "body, sender"),
    ("threads", 4, "thread", "new.id", "new.counterpart", "new.subject", "counterpart, subject"),
    ("notes", 5, "note", "new.id", "new.target_kind", "new.body", "body, target_kind"),
    ("cases", 6, "case", "new.id", "new.title", "new.description", "title, description"),
    ("attachments", 7, "evidence", "new.id", "new.original_name", "new.caption", "caption, original_name"),
)

_OLD_TRIGGERS = [f"{table}_fts_{suffix}" for table, *_ in _ENTITIES for suffix in ("ai", "au", "ad")]

SQL = (
    "".join(f"DROP TRIGGER IF EXISTS {name};\n" for name in _OLD_TRIGGERS)
    + "DROP TABLE search_index;\n"
    + "CREATE VIRTUAL TABLE search_index USING fts5(\n"
      "    kind UNINDEXED, ref UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2'\n);\n"
    + "INSERT INTO search_index(search_index, rank) VALUES ('secure-delete', 1);\n"
    + "".join(_entity(t, c, k, r, ti, b, of) for t, c, k, r, ti, b, of in _ENTITIES)
    + "".join(_fill(t, c, k, r, ti, b) for t, c, k, r, ti, b, _ in _ENTITIES)
)
