"""The small parts: font runs, CSV neutralising, attachment names, the lazy package."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopexit.core.archive import fonts
from shopexit.core.archive.build import money
from shopexit.core.archive.data_files import evidence_file_name, minor_text, neutralise
from shopexit.core.money import format_display, format_minor


def test_runs_split_by_glyph_coverage() -> None:
    assert fonts.runs("Zoë Ångström") == [(fonts.REGULAR, "Zoë Ångström")]
    assert fonts.runs("山田 花子") == [(fonts.REGULAR, ""), (fonts.FALLBACK, "山田 花子")][1:]
    assert fonts.runs("Order for 山田 花子 (JP)") == [
        (fonts.REGULAR, "Order for "), (fonts.FALLBACK, "山田 花子 "), (fonts.REGULAR, "(JP)")]
    assert fonts.runs("Привет, мир", bold=True) == [(fonts.BOLD, "Привет, мир")]
    assert fonts.runs("Buyer: สมชาย ใจดี") == [(fonts.REGULAR, "Buyer: "), (fonts.THAI, "สมชาย ใจดี")]
    assert fonts.break_units("ใจดี") == ["ใ", "จ", "ดี"]  # the vowel mark stays with its consonant
    assert fonts.primary_covers("Zoë") and not fonts.primary_covers("李伟")


def test_markup_escapes_and_tags_runs() -> None:
    assert fonts.markup("a < b & c") == "a &lt; b &amp; c"
    assert fonts.markup("李伟 <x>") == f'<font name="{fonts.FALLBACK}">李伟 </font>&lt;x&gt;'
    assert fonts.needs_wrap_anywhere("こんにちは") and not fonts.needs_wrap_anywhere("hello there")


@pytest.mark.parametrize(("cell", "expected"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
    ("+1-555-0100", "'+1-555-0100"),
    ("-2+3", "'-2+3"),
    ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("  =1+1", "'  =1+1"),
    ("-3.30", "-3.30"),
    ("+12", "+12"),
    ("plain text", "plain text"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_attachment_names_are_plain_ascii_and_unique() -> None:
    assert evidence_file_name({"id": 7, "original_name": "Zoë's receipt.pdf"}) == "evidence/00007-Zoe_s_receipt.pdf"
    assert evidence_file_name({"id": 8, "original_name": "山田.png"}) == "evidence/00008-item.png"
    assert evidence_file_name({"id": 9, "original_name": "../../etc/passwd"}) == "evidence/00009-etc_passwd"


def test_importing_the_package_loads_neither_reportlab_nor_pyhanko() -> None:
    code = ("import sys, shopexit.core.archive.keys, shopexit.core.archive as a; "
            "assert 'reportlab' not in sys.modules and 'pyhanko' not in sys.modules; "
            "a.ExportOptions; assert 'reportlab' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@given(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from(["USD", "JPY", "KWD", "EUR", "VND"]))
def test_fast_money_text_is_the_money_modules(minor: int, currency: str) -> None:
    """The archive formats money with integer arithmetic for speed; it must say exactly what `money` says."""
    assert minor_text(minor, currency) == format_minor(minor, currency)
    assert money(minor, currency) == format_display(minor, currency)
