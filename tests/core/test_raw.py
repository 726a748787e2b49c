"""`records.raw`: the compact row form encodes any cell text losslessly and decodes like the object form."""

from __future__ import annotations

import json

from shopexit.core.records import raw
from shopexit.core.vault import Vault

AWKWARD = ["", 'say "hi"', "back\\slash", "50% off", "tab\tnew\nline", "山田 花子", "Zoë\u2028", "\x00", "{}", "[1]"]


def test_the_fast_encoder_writes_what_json_reads_back(vault: Vault) -> None:
    header = [f"H{i}" for i in range(len(AWKWARD))]
    with vault.transaction() as tx:
        lid = raw.layout_id(tx, header)
        assert raw.layout_id(tx, header) == lid and raw.layout_id(tx, header[:3]) != lid
    cells = [*AWKWARD, ""]  # rows from the reader end in an empty sentinel cell
    text = raw.encoder(lid, range(len(AWKWARD)))(cells)
    assert json.loads(text) == [lid, *AWKWARD] and text == raw.encode(lid, AWKWARD)
    assert raw.decode(text, raw.layouts(vault.conn)) == dict(zip(header, AWKWARD, strict=True))
    assert raw.decode_row(vault.conn, text) == dict(zip(header, AWKWARD, strict=True))
    one = raw.encoder(lid, [4])(cells)
    assert json.loads(one) == [lid, "tab\tnew\nline"]
    assert raw.encoder(lid, [])(cells) == raw.EMPTY


def test_decode_accepts_objects_and_survives_what_it_cannot_pair() -> None:
    assert raw.decode('{"Order ID": "7"}', {}) == {"Order ID": "7"}
    assert raw.decode("{}", {}) == raw.decode("", {}) == raw.decode(None, {}) == {}
    assert raw.decode("not json", {}) == {} and raw.decode('"text"', {}) == {}
    assert raw.decode('[3, "a", "b"]', {}) == {"column 1": "a", "column 2": "b"}  # unknown layout: cells kept
    assert raw.decode('[3, "a", "b", "c"]', {3: ("A", "B")}) == {"A": "a", "B": "b", "column 3": "c"}
    assert raw.decode('["a", "b"]', {}) == {}  # a list that names no layout is not a row
    assert raw.same('{"A": "a"}', '[3, "a"]', {3: ("A",)}) and not raw.same('{"A": "b"}', '[3, "a"]', {3: ("A",)})
