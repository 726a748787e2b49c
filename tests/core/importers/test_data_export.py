"""TikTok's "Download your data": the zip or the JSON, old and new file names, zip bombs refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.importers import ImportRefused, detect, import_file, tabular
from shopexit.core.vault import Vault
from tests.helpers.vault_dump import dump


def _messages(vault: Vault) -> list[tuple[str, str, str, str, str]]:
    return vault.conn.execute(
        "SELECT t.channel, t.counterpart, m.direction, m.body, m.sent_at FROM messages m"
        " JOIN threads t ON t.id = m.thread_id ORDER BY t.channel, m.sent_at").fetchall()


@pytest.mark.parametrize("member", ["user_data_tiktok.json", "user_data.json"])
def test_zip_with_either_name(vault: Vault, tmp_path: Path, shop: se.Shop, member: str) -> None:
    path = se.write_data_export_zip(tmp_path / "export.zip", shop, se.Quirks(data_export_member=member))
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist()[0].endswith("/" + member)  # inside a folder, as TikTok writes it
    assert detect(path).label == "Download your data (ZIP)"
    summary = import_file(vault, path)
    figures = se.expected_figures(shop)["messages"]
    assert summary.new == figures["direct"] + figures["shop"]
    rows = _messages(vault)
    names = {r[1] for r in rows}
    assert {"山田花子_hanako", "somchai.ใจดี", "Lumen & Loom Support"} <= names
    assert any("😢" in r[3] for r in rows)
    hanako = [r for r in rows if r[1] == "山田花子_hanako"]
    assert [r[2] for r in hanako] == ["in", "out"]
    assert all(r[4].endswith("Z") for r in rows)


def test_the_json_alone(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_data_export_json(tmp_path / "user_data_tiktok.json", shop)
    assert detect(path).kind == "data_export"
    first = import_file(vault, path)
    again = import_file(vault, path)
    assert again.unchanged == first.new and again.new == 0
    assert vault.conn.execute("SELECT count(*) FROM threads").fetchone()[0] == len(shop.chats)


def test_identical_messages_in_the_same_second_both_stay(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    data = se.data_export_json(shop)
    chats = data["Direct Message"]["Direct Messages"]["ChatHistory"]
    first = next(iter(chats.values()))
    first.append(dict(first[-1]))
    path = tmp_path / "user_data.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    summary = import_file(vault, path)
    assert summary.new == sum(len(c.messages) for c in shop.chats) + 1


def test_zip_bomb_is_refused_by_its_directory(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("TikTok_Data/user_data_tiktok.json", b'{"Profile": {}, "x": "' + b"0" * (30 << 20) + b'"}')
    assert path.stat().st_size < 100_000
    before = dump(vault.conn)
    with pytest.raises(ImportRefused, match="zip bomb"):
        import_file(vault, path)
    assert dump(vault.conn) == before


def test_xlsx_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (40 << 20) + b"</worksheet>")
    with pytest.raises(ImportRefused, match="zip bomb"):
        detect(path)


def test_limits_are_sane() -> None:
    assert tabular.MAX_RATIO * 1 < 1000 and tabular.MAX_MEMBER_BYTES <= 1 << 30


def test_zip_of_something_else(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(ImportRefused, match="not an export shopexit knows"):
        import_file(vault, path)
    with pytest.raises(ImportRefused, match=r"no user_data_tiktok\.json"):
        import_file(vault, path, kind="data_export")


def test_doctype_in_a_sheet_is_refused(tmp_path: Path, shop: se.Shop) -> None:
    """Entity tricks (billion laughs) never reach the parser's expansion."""
    plain = se.write_settlements_xlsx(tmp_path / "plain.xlsx", shop)
    path = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + data.split(b"?>", 1)[-1]
            dst.writestr(info, data)
    with pytest.raises(ImportRefused):
        detect(path)
