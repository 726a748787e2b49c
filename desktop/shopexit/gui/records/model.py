"""A table model that pages its rows in from the vault thread as the view scrolls.

`canFetchMore`/`fetchMore` is Qt's own lazy-loading protocol: the view asks for more only when the user nears
the end of what is loaded. Each page is one `browse.fetch_page` job on the vault thread; results come back by
signal, so the GUI never waits on SQLite. Sorting and filtering restart the paging with a new SQL query (never
by loading every row). A generation counter drops pages that arrive for a query the user has already left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from shopexit.core.money import format_display
from shopexit.core.records import browse
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.worker import Progress

PAGE_SIZE = 200
ID_ROLE = Qt.ItemDataRole.UserRole + 1
RAW_ROLE = Qt.ItemDataRole.UserRole + 2

Formatter = Callable[[Any, browse.Row], str]
Stored = tuple[int, tuple[Any, ...], tuple[str | None, ...], tuple[str | None, ...]]
"""A row as the model keeps it: (id, values, currencies, texts), `texts` being what each cell shows, formatted on
the vault thread as the page is read (None where the page has its own formatter). Plain tuples of strings and
numbers, which Python's cycle collector stops tracking: 100,000 `browse.Row` objects made every full collection
walk them all (30-70 ms with the GIL held, a stall of the GUI whichever thread ran it)."""
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter  # computed once: enum `|` is slow in Python
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_SERVED = frozenset(int(r) for r in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole, ID_ROLE,
                                     RAW_ROLE))
_Index = QModelIndex | QPersistentModelIndex


def local_time(text: str | None, with_time: bool = True) -> str:
    """UTC ISO text shown in the computer's local time, the way the user lived it."""
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    # Not `strftime`: it imports the `time` module at every call, and PySide's import hook makes that ~50 µs —
    # most of the cost of a page of 200 dated rows on the vault thread, which holds the GIL the GUI needs.
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    return f"{day} {moment.hour:02d}:{moment.minute:02d}" if with_time else day


def format_cell(column: browse.Column, value: Any, currency: str | None) -> str:
    if value is None:
        return ""
    if column.type == browse.MONEY:
        return format_display(int(value), currency or "") if currency else str(value)
    if column.type == browse.DATETIME:
        return local_time(str(value))
    if column.type == browse.DATE:
        return local_time(str(value), with_time=False)
    if column.type == browse.FLAG:
        return "yes" if value else ""
    if column.type == browse.BYTES:
        return browse.human_size(int(value))
    if column.type == browse.INT:
        return f"{int(value):,}"
    return " ".join(str(value).split())


def stored_page(view: browse.View, rows: list[browse.Row], own: frozenset[int] = frozenset()) -> list[Stored]:
    """A page of rows as the model keeps them, every cell's text formatted here (dates parsed and put in local
    time, money formatted) on the vault thread, so a page arrives ready to paint: the GUI thread only draws.
    Columns in `own` (by position) have the page's own formatter and are formatted when painted. Repeated texts
    (a status, a day, a count) share one string."""
    shared: dict[str, str] = {}
    columns = view.columns
    # One memo per column: a status, a day, a count, an amount that repeats is formatted once per page.
    # The value's type is part of the key: 1, 1.0 and True are equal in a dict but read "1", "1.0" and "True". By
    # its id: a key holding the type itself would stay tracked by the cycle collector (types are), and a
    # collection while the page is built would move ~1,000 of them to the oldest generation, bringing the next
    # full collection (tens of ms with the interpreter held) nearer.
    memos: list[dict[tuple[int, Any, str | None], str] | None] = [None if n in own else {}
                                                                  for n in range(len(columns))]
    out: list[Stored] = []
    for row in rows:
        texts: list[str | None] = []
        values, currencies = row.values, row.currencies
        for n, memo in enumerate(memos):
            if memo is None:
                texts.append(None)
                continue
            value = values[n]
            key = (id(type(value)), value, currencies[n])
            text = memo.get(key)
            if text is None:
                text = format_cell(columns[n], value, currencies[n])
                memo[key] = text = shared.setdefault(text, text)
            texts.append(text)
        out.append((row.id, values, currencies, tuple(texts)))
    return out


_CHUNK_BITS = 8
_CHUNK = 1 << _CHUNK_BITS
_IN_CHUNK = _CHUNK - 1


class RowStore:
    """The rows a model holds, in tuples of 256 rows rather than one list.

    Why: a list is always tracked by Python's cycle collector, and every full collection visits each of its items
    — 100,000 rows made each full collection ~5 ms longer, with the interpreter lock held, whichever thread ran
    it (the vault thread, building the next page, mostly): a stall of the GUI. A tuple of rows the collector has
    seen to hold nothing it tracks is untracked in turn, so a full collection skips the rows altogether. Only the
    last, unfilled chunk is a list."""

    __slots__ = ("_chunks", "_count", "_tail")

    def __init__(self) -> None:
        self._chunks: list[tuple[Stored, ...]] = []
        self._tail: list[Stored] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, n: int) -> Stored:
        if n < 0:
            n += self._count
        if not 0 <= n < self._count:
            raise IndexError(n)
        chunk = n >> _CHUNK_BITS
        return self._chunks[chunk][n & _IN_CHUNK] if chunk < len(self._chunks) else self._tail[n & _IN_CHUNK]

    def __iter__(self) -> Iterator[Stored]:
        for chunk in self._chunks:
            yield from chunk
        yield from self._tail

    def extend(self, rows: list[Stored]) -> None:
        tail, at = self._tail, 0
        while at < len(rows):
            room = _CHUNK - len(tail)
            tail.extend(rows[at:at + room])
            at += room
            if len(tail) == _CHUNK:
                self._chunks.append(tuple(tail))
                tail.clear()
        self._count += len(rows)


class PagedTableModel(QAbstractTableModel):
    """Rows of one `browse.View`, loaded a page at a time on the vault thread."""

    page_loaded = Signal(int)
    """Rows now loaded (emitted after each page arrives)."""
    counted = Signal(int)
    """How many rows the current query matches in all."""
    failed = Signal(str)

    def __init__(self, ctx: GuiContext, view: browse.View, parent: QObject | None = None,
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = view
        self.page_size = page_size
        self.query = browse.default_query(view)
        self.formatters: dict[str, Formatter] = {}
        self.titles: dict[str, str] = {}
        """Column titles the page words its own way, by column key."""
        self._rows = RowStore()
        self._generation = 0
        self._loading = False
        self._exhausted = True
        self._active = False
        self.total: int | None = None

    # -- life cycle ------------------------------------------------------------------------------------------
    def set_query(self, query: browse.Query) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        """Forget the rows and page in from the top (after a change, a new sort or filter)."""
        self.beginResetModel()
        self._generation += 1
        self._rows = RowStore()
        self._loading = False
        self._exhausted = False
        self._active = True
        self.total = None
        self.endResetModel()
        self._fetch(0)
        generation, view, query = self._generation, self.view, self.query
        self.ctx.vaults.submit(lambda vault, _p: browse.count(vault.conn, view, query),
                               on_done=lambda n: self._on_count(generation, n), on_error=self._on_error)

    def clear(self) -> None:
        """Drop every decrypted row (locking): the model is empty until `reload()`."""
        self.beginResetModel()
        self._generation += 1
        self._rows = RowStore()
        self._loading = False
        self._exhausted = True
        self._active = False
        self.total = None
        self.endResetModel()

    @property
    def loading(self) -> bool:
        return self._loading

    # -- lazy loading ------------------------------------------------------------------------------------------
    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self._active and not self._exhausted and not self._loading

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetch(len(self._rows))

    def _fetch(self, offset: int) -> None:
        self._loading = True
        generation, view, query, limit = self._generation, self.view, self.query, self.page_size
        own = frozenset(n for n, c in enumerate(view.columns) if c.key in self.formatters)
        # The view only ever asks for the page after the rows it has: it starts after the last one's sort key and
        # id (keyset paging), so the 500th page costs what the first does.
        after = self._cursor() if offset else None

        def job(vault: Vault, _progress: Progress) -> list[Stored]:
            return stored_page(view, browse.fetch_page(vault.conn, view, query, offset, limit, after), own)

        self.ctx.vaults.submit(job, on_done=lambda rows: self._on_page(generation, offset, rows),
                               on_error=lambda msg: self._on_page_error(generation, msg))

    def _cursor(self) -> browse.Cursor | None:
        if not self._rows:
            return None
        record_id, values, _currencies, _texts = self._rows[-1]
        return values[self.view.columns.index(browse.sort_column(self.view, self.query))], record_id

    def _on_page(self, generation: int, offset: int, rows: list[Stored]) -> None:
        if generation != self._generation or offset != len(self._rows):
            return
        self._loading = False
        if len(rows) < self.page_size:
            self._exhausted = True
        if rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.page_loaded.emit(len(self._rows))

    def _on_page_error(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = True
        self.failed.emit(message)

    def _on_count(self, generation: int, n: int) -> None:
        if generation == self._generation:
            self.total = n
            self.counted.emit(n)

    def _on_error(self, message: str) -> None:
        self.failed.emit(message)

    # -- the table ---------------------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.view.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.view.columns):
            return None
        column = self.view.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.titles.get(column.key, column.title)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self._alignment(column))
        return None

    @staticmethod
    def _alignment(column: browse.Column) -> Qt.AlignmentFlag:
        return _RIGHT if column.type in (browse.MONEY, browse.INT, browse.BYTES) else _LEFT

    def text(self, row: int, column: int) -> str:
        """The text a cell shows (the painting delegate asks this directly, without a QModelIndex or a QVariant:
        it is called for every visible cell at every paint)."""
        if not (0 <= row < len(self._rows) and 0 <= column < len(self.view.columns)):
            return ""
        record_id, values, currencies, texts = self._rows[row]
        text = texts[column]
        if text is not None:
            return text
        formatter = self.formatters.get(self.view.columns[column].key)
        if formatter:  # a page's own formatter may read the clock (days left): asked at every paint
            return formatter(values[column], browse.Row(record_id, values, currencies))
        return format_cell(self.view.columns[column], values[column], currencies[column])

    def row_texts(self, row: int) -> tuple[str, ...]:
        """Every cell's text of one row, as `text()` gives them one by one (the table paints the rows on screen
        from these, a row at a time)."""
        texts = self._rows[row][3]
        if None in texts:
            return tuple(self.text(row, column) for column in range(len(texts)))
        return texts  # type: ignore[return-value]  # no None in it: every text formatted on the vault thread

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        """Money and counts right, the rest left (as `TextAlignmentRole` answers)."""
        return self._alignment(self.view.columns[column])

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The table's delegate paints from `text()` without asking here; this serves everything else (tooltips,
        # accessibility, tests, the focus cell's full style pass, which asks ~7 roles) and stays quick: the shown
        # text is formatted once per cell and kept until the rows are reloaded, and roles the model does not serve
        # return at once.
        if role != _DISPLAY and role not in _SERVED:
            return None
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self.text(index.row(), index.column())
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if len(text) > 24 else None
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self.alignment(index.column()))
        if role == ID_ROLE:
            return self._rows[index.row()][0]
        if role == RAW_ROLE:
            return self._rows[index.row()][1][index.column()]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.view.columns) or not self.view.columns[column].sortable:
            return
        key = self.view.columns[column].key
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self.query.sort and descending == self.query.descending and self._rows:
            return
        self.query = browse.with_sort(self.query, key, descending)
        if self._active:
            self.reload()

    def sort_section(self) -> tuple[int, Qt.SortOrder]:
        keys = [c.key for c in self.view.columns]
        section = keys.index(self.query.sort) if self.query.sort in keys else -1
        return section, Qt.SortOrder.DescendingOrder if self.query.descending else Qt.SortOrder.AscendingOrder

    # -- rows by id ----------------------------------------------------------------------------------------------
    def record_id(self, row: int) -> int | None:
        return self._rows[row][0] if 0 <= row < len(self._rows) else None

    def row_of(self, record_id: int) -> int | None:
        for n, row in enumerate(self._rows):
            if row[0] == record_id:
                return n
        return None

    def row_data(self, row: int) -> browse.Row | None:
        if not 0 <= row < len(self._rows):
            return None
        record_id, values, currencies, _texts = self._rows[row]
        return browse.Row(record_id, values, currencies)
