"""Every kind of bad file is refused with a one-line message naming file, row and column, and the vault keeps
exactly the content it had."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.importers import KINDS, ImportRefused, detect, import_file
from shopexit.core.vault import Vault
from tests.core.importers.conftest import write_csv
from tests.helpers.vault_dump import dump


@pytest.fixture
def seeded(vault: Vault, exports: dict[str, Path]) -> Vault:
    """A vault already holding records, so 'unchanged' means something."""
    import_file(vault, exports["withdrawals"])
    return vault


def refused(vault: Vault, path: Path, **kwargs: object) -> ImportRefused:
    before = dump(vault.conn)
    with pytest.raises(ImportRefused) as caught:
        import_file(vault, path, **kwargs)  # type: ignore[arg-type]
    assert dump(vault.conn) == before
    message = str(caught.value)
    assert "\n" not in message and message.startswith(path.name)
    return caught.value


def test_empty_file(seeded: Vault, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in str(refused(seeded, path))


def test_header_only(seeded: Vault, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", [list(se.ORDER_COLUMNS)])
    assert "no rows" in str(refused(seeded, path))


def test_header_and_description_only(seeded: Vault, tmp_path: Path, shop: se.Shop) -> None:
    rows = list(se.order_rows([], shop.region, se.Quirks()))
    assert len(rows) == 2
    path = write_csv(tmp_path / "orders.csv", rows)
    assert "no rows" in str(refused(seeded, path))


def test_random_bytes(seeded: Vault, tmp_path: Path) -> None:
    path = tmp_path / "noise.csv"
    path.write_bytes(os.urandom(5000))
    refused(seeded, path)
    for kind in KINDS:
        refused(seeded, path, kind=kind)


def test_truncated_xlsx(seeded: Vault, tmp_path: Path, exports: dict[str, Path]) -> None:
    data = exports["settlements"].read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 100):
        path = tmp_path / f"income_cut{cut}.xlsx"
        path.write_bytes(data[:cut])
        err = refused(seeded, path)
        assert "damaged or truncated" in str(err)


def test_xlsx_with_a_corrupt_sheet(seeded: Vault, tmp_path: Path, exports: dict[str, Path]) -> None:
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(exports["settlements"]) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    assert "not valid XML" in str(refused(seeded, path, kind="settlements"))


def test_truncated_zip(seeded: Vault, tmp_path: Path, exports: dict[str, Path]) -> None:
    data = exports["data_export"].read_bytes()
    path = tmp_path / "export.zip"
    path.write_bytes(data[: len(data) - 40])
    refused(seeded, path)


def test_cp1252_text(seeded: Vault, tmp_path: Path, shop: se.Shop) -> None:
    rows = list(se.order_rows(shop.orders[:3], shop.region, se.Quirks(description_row=False)))
    text = "\r\n".join(",".join(f'"{c}"' for c in row) for row in rows).replace("山田 花子", "Zoë")
    path = tmp_path / "orders_cp1252.csv"
    path.write_bytes(text.encode("cp1252", errors="replace"))
    err = refused(seeded, path)
    assert "UTF-8" in str(err) and err.row is not None


def test_bad_money_cell_names_row_and_column(seeded: Vault, tmp_path: Path, shop: se.Shop) -> None:
    rows = list(se.order_rows(shop.orders[:5], shop.region, se.Quirks()))
    col = rows[0].index("Order Amount")
    rows[4][col] = "abc"
    path = write_csv(tmp_path / "orders_us.csv", rows)
    err = refused(seeded, path)
    assert (err.row, err.column) == (5, "Order Amount")
    assert str(err) == "orders_us.csv, row 5, column 'Order Amount': not an amount: 'abc'"


def test_bad_cell_late_in_a_big_file_undoes_everything(seeded: Vault, tmp_path: Path) -> None:
    shop = se.make_shop(seed=9, orders=2500, today=se.date(2026, 11, 1))
    rows = list(se.order_rows(shop.orders, shop.region, se.Quirks()))
    rows[-1][rows[0].index("Quantity")] = "two"
    path = write_csv(tmp_path / "orders.csv", rows)
    err = refused(seeded, path)
    assert err.row == len(rows) and err.column == "Quantity"


def test_unknown_kind_names_the_kinds_and_their_headers(seeded: Vault, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "contacts.csv", [["name", "email"], ["a", "b"]])
    err = refused(seeded, path)
    for words in ("Orders export", "Order ID, Order Status, Order Amount", "Income / settlement export",
                  "Order/adjustment ID", "Total estimated settlement amount", "Est. Commission Payment",
                  "id, status, create_time, amount", "user_data_tiktok.json"):
        assert words in str(err)
    with pytest.raises(ImportRefused):
        detect(path)


def test_forced_kind_that_does_not_fit(seeded: Vault, exports: dict[str, Path]) -> None:
    err = refused(seeded, exports["withdrawals"], kind="orders")
    assert "Order ID, Order Status, Order Amount" in str(err)


def test_json_that_is_not_a_data_export(seeded: Vault, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": [1, 2, 3]}', encoding="utf-8")
    refused(seeded, path)
    path.write_text('{"Direct Message": ', encoding="utf-8")
    assert "not valid JSON" in str(refused(seeded, path))
    path.write_text("[" * 100_000, encoding="utf-8")
    refused(seeded, path)


def test_missing_file_and_folder(seeded: Vault, tmp_path: Path) -> None:
    refused(seeded, tmp_path / "nothing.csv")
    (tmp_path / "folder.csv").mkdir()
    refused(seeded, tmp_path / "folder.csv")


def test_unknown_kind_option(seeded: Vault, exports: dict[str, Path]) -> None:
    assert "kinds:" in str(refused(seeded, exports["orders"], kind="receipts"))
