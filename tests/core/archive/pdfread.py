"""Reading an archive back the way a curious recipient would: pages' text, attachments, and every object and
string inside the file (decompressed), so a test can say a name appears nowhere."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject, TextStringObject


def page_text(path: Path) -> str:
    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def poppler_text(path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def attachments(path: Path) -> dict[str, bytes]:
    """Name-tree name → bytes (pypdf also lists each file under its Unicode name; keep the tree's names)."""
    reader = PdfReader(str(path))
    out: dict[str, bytes] = {}
    names: Any = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]  # type: ignore[index]
    for i in range(0, len(names), 2):
        spec = names[i + 1].get_object()
        out[str(names[i])] = spec["/EF"]["/F"].get_object().get_data()
    return out


def _walk(obj: Any, strings: list[str], blobs: list[bytes], seen: set[int], depth: int = 0) -> None:
    if depth > 60:
        return
    if isinstance(obj, IndirectObject):
        key = obj.idnum
        if key in seen:
            return
        seen.add(key)
        obj = obj.get_object()
    if isinstance(obj, StreamObject):
        try:
            blobs.append(obj.get_data())
        except Exception:  # an undecodable stream (e.g. an image filter pypdf lacks): keep the raw bytes
            blobs.append(obj._data)
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            strings.append(str(key))
            _walk(value, strings, blobs, seen, depth + 1)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _walk(value, strings, blobs, seen, depth + 1)
    elif isinstance(obj, (TextStringObject, str)):
        strings.append(str(obj))
    elif isinstance(obj, bytes):
        blobs.append(bytes(obj))


def everything(path: Path) -> tuple[list[str], list[bytes]]:
    """Every string and every decoded stream reachable from any object in the file (all revisions)."""
    reader = PdfReader(str(path))
    strings: list[str] = []
    blobs: list[bytes] = [path.read_bytes()]
    seen: set[int] = set()
    for generation, ids in reader.xref.items():
        for idnum in ids:
            _walk(IndirectObject(idnum, generation, reader), strings, blobs, seen)
    for idnum in reader.xref_objStm:
        _walk(IndirectObject(idnum, 0, reader), strings, blobs, seen)
    _walk(reader.trailer, strings, blobs, seen)
    return strings, blobs


def occurrences(path: Path, needles: list[str]) -> list[str]:
    """Which needles occur anywhere: page text, strings, decoded streams (UTF-8 and UTF-16), attachments."""
    strings, blobs = everything(path)
    texts = [page_text(path).casefold(), *[s.casefold() for s in strings]]
    poppler = poppler_text(path)
    if poppler is not None:
        texts.append(poppler.casefold())
    for data in list(attachments(path).values()) + blobs:
        texts.append(data.decode("utf-8", errors="ignore").casefold())
        for start in (0, 1):  # UTF-16 text may begin at an odd offset inside a larger blob
            texts.append(data[start:].decode("utf-16-be", errors="ignore").casefold())
    found = []
    for needle in needles:
        n = needle.casefold()
        if any(n in t for t in texts):
            found.append(needle)
    return found
