"""The original export cells every order and order line keeps in `raw_json`, and how they are written compactly.

Why a compact form: an orders export repeats ~50 header names on every one of its rows. Stored as a JSON object
{header: cell}, those names were most of each row's `raw_json` bytes, and every byte is encrypted by SQLCipher,
written to the journal and checkpointed: a 100,000-line import spent seconds on header names alone. So a row
now stores only its cells, after the id of its *layout* (the list of header names, kept once in `raw_layouts`):

    [layout_id, "cell", "cell", ...]          raw_layouts(id, columns = '["Order ID","Order Status",...]')

Each row names its own layout, so rows from files with different columns (another region's export, an order
imported again from a later file, a line whose order was updated) each pair their cells with the right headers.

Vaults written before keep their rows as JSON objects (`{}` included), and rows with cells beyond the header
are written as objects too, so every reader goes through `decode`, which accepts both forms and gives back the
same {header: cell} mapping either way.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any

from shopexit.core.vault import Conn

Layouts = Mapping[int, Sequence[str]]
EMPTY = "{}"
"""What a row with no columns to keep stores (the schema's default): no layout is needed for it."""


def _columns_text(columns: Sequence[str]) -> str:
    """The one canonical text of a column list, so the same columns always find the same layout row."""
    return json.dumps(list(columns), ensure_ascii=False, separators=(",", ":"))


def layout_id(conn: Conn, columns: Sequence[str]) -> int:
    """The id of the layout with exactly these header names in this order, added when the vault has none yet.

    Runs inside the caller's transaction (an import's), so a rolled-back import leaves no layout behind."""
    text = _columns_text(columns)
    row = conn.execute("SELECT id FROM raw_layouts WHERE columns = ?", (text,)).fetchone()
    if row is not None:
        return int(row[0])
    return int(conn.execute("INSERT INTO raw_layouts(columns) VALUES (?)", (text,)).lastrowid)


def layouts(conn: Conn) -> dict[int, tuple[str, ...]]:
    """Every layout in the vault (a handful: one per distinct export layout ever imported, times row kind)."""
    return {int(i): tuple(json.loads(c)) for i, c in conn.execute("SELECT id, columns FROM raw_layouts")}


def layout(conn: Conn, layout: int) -> tuple[str, ...] | None:
    row = conn.execute("SELECT columns FROM raw_layouts WHERE id = ?", (layout,)).fetchone()
    return tuple(json.loads(row[0])) if row is not None else None


def encoder(layout: int, indexes: Sequence[int]) -> Callable[[Sequence[str]], str]:
    """A function turning a row's cells into `[layout, "cell", ...]`, picking the cells at `indexes`.

    On the import's hot path (twice per line of a 100,000-line export): the layout id is put in a fixed prefix
    and the cells are encoded by the json module's C string encoder, with no dict or list built per row."""
    if not indexes:
        return lambda cells: EMPTY
    prefix = f"[{int(layout)},"
    if len(indexes) == 1:
        i = indexes[0]
        return lambda cells: prefix + encode_basestring(cells[i]) + "]"
    pick = operator.itemgetter(*indexes)
    join = ",".join
    return lambda cells: prefix + join(map(encode_basestring, pick(cells))) + "]"


def encode(layout: int, cells: Sequence[str]) -> str:
    """One row's cells, in the layout's column order (for writers off the hot path)."""
    if not cells:
        return EMPTY
    return json.dumps([int(layout), *cells], ensure_ascii=False, separators=(",", ":"))


def encode_object(raw: Mapping[str, Any]) -> str:
    """The object form {header: cell}: for rows that do not fit one layout (cells beyond the header)."""
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))


def parse(text: str | None) -> tuple[int | None, Any]:
    """(layout id, the cells) for the array form, (None, the value) for anything else; (None, None) if the text
    is not JSON. Cheap enough for a per-row SQL function (one `json.loads`)."""
    try:
        value = json.loads(text or EMPTY)
    except ValueError:
        return None, None
    if isinstance(value, list) and value and type(value[0]) is int:
        return value[0], value[1:]
    return None, value


def decode(text: str | None, known: Layouts) -> dict[str, Any]:
    """The row as {header: cell}, whichever form it is stored in.

    A layout missing from `known` (it cannot be, short of a damaged vault) still shows every cell, under its
    position ("column 3"), rather than hiding the row's data."""
    lid, value = parse(text)
    if lid is None:
        return dict(value) if isinstance(value, dict) else {}
    names = known.get(lid)
    if names is None:
        return {f"column {i + 1}": cell for i, cell in enumerate(value)}
    out = dict(zip(names, value, strict=False))
    for i in range(len(names), len(value)):
        out[f"column {i + 1}"] = value[i]
    return out


def decode_row(conn: Conn, text: str | None) -> dict[str, Any]:
    """`decode` for one row, looking up only the layout it names (record details)."""
    lid, _value = parse(text)
    if lid is None:
        return decode(text, {})
    names = layout(conn, lid)
    return decode(text, {lid: names} if names is not None else {})


def same(a: str | None, b: str | None, known: Layouts) -> bool:
    """Whether two stored rows hold the same cells under the same headers, whatever form each is in: a file
    imported again into a vault that stored it in object form is unchanged, not updated."""
    if a == b:
        return True
    return decode(a, known) == decode(b, known)
