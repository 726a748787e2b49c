"""The header names of the export layouts, once each, for the compact `raw_json` of orders and order lines.

An order or line imported from now on keeps its original cells as `[layout_id, "cell", ...]`, and its layout
row here holds the JSON list of the header names those cells belong to (see `core.records.raw`). Written once
per distinct column set, instead of ~50 header names on every row encrypted, journalled and checkpointed.
Rows written before keep their `{header: cell}` objects; readers accept both, so no row is rewritten here.
"""

SQL = """
CREATE TABLE raw_layouts (
    id      INTEGER PRIMARY KEY,
    columns TEXT NOT NULL UNIQUE
);
"""
