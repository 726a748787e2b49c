"""Inputs for the import door, written in the real export layouts (see ../shared/samples/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shopexit.core import sample_exports

ORDER_COLUMNS = list(sample_exports.ORDER_COLUMNS)


def import_into(vault: Any, path: Path) -> Any:
    """Import one file through the importers' public entry point (what `shopexit import` and the GUI call)."""
    from shopexit.core import importers

    return importers.import_file(vault, path)


def order_row(n: int, text: str = "", status: str = "Completed") -> list[str]:
    """One SKU line of an orders export, in the US layout (ID and time cells end in a TAB, as real ones do)."""
    row = dict.fromkeys(ORDER_COLUMNS, "")
    row.update({
        "Order ID": f"57645764607523{n:08d}\t", "Order Status": status, "Order Substatus": status,
        "Normal or Pre-order": "Normal", "SKU ID": f"17293847{n:05d}\t", "Seller SKU": f"SKU-{n % 97}",
        "Product Name": text or f"Product {n % 53}", "Variation": "Default", "Quantity": "1",
        "Sku Quantity of return": "0", "SKU Unit Original Price": "26.50", "SKU Subtotal Before Discount": "26.50",
        "SKU Platform Discount": "0.00", "SKU Seller Discount": "0.00", "SKU Subtotal After Discount": "26.50",
        "Shipping Fee After Discount": "5.99", "Original Shipping Fee": "5.99",
        "Shipping Fee Seller Discount": "0.00", "Shipping Fee Platform Discount": "0.00",
        "Payment platform discount": "0.00", "Retail Delivery Fee": "0.00", "Taxes": "1.92",
        "Order Amount": "32.41", "Order Refund Amount": "0.00",
        "Created Time": f"05/{13 + n % 15:02d}/2026 04:37:00 PM\t", "Paid Time": "05/28/2026 04:40:00 PM\t",
        "Fulfillment Type": "Fulfillment by seller", "Tracking ID": f"9400{n:010d}",
        "Buyer Username": f"buyer{n}", "Recipient": text or f"Recipient {n}", "Country": "United States",
        "Buyer Message": text, "Payment Method": "Card",
    })
    return [row[c] for c in ORDER_COLUMNS]


def _cell(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def orders_csv_text(rows: list[list[str]]) -> str:
    """UTF-8 with BOM, CRLF, a row of field descriptions under the header: as Seller Center writes it."""
    lines = [",".join(ORDER_COLUMNS), ",".join(["Platform unique order ID."] + [""] * (len(ORDER_COLUMNS) - 1))]
    lines += [",".join(_cell(v) for v in row) for row in rows]
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


def write_orders_csv(path: Path, orders: int, text: str = "") -> Path:
    path.write_text(orders_csv_text([order_row(n, text) for n in range(orders)]), encoding="utf-8", newline="")
    return path
