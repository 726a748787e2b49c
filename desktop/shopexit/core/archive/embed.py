"""The machine-checkable half of the archive: embedded files (PDF attachments) with the manifest.

Evidence and source files are written into the PDF straight from the vault by SQLite's blob I/O, chunk by
chunk, at the moment pyHanko's writer reaches them: a 200 MB video is never held in memory, and its SHA-256 is
recomputed on the way and must equal the vault's, so the archive can only ever carry the bytes the manifest
promises. These streams are stored as they are (no Flate): media is already compressed, and a recipient's
tool can copy the bytes out without decoding. Data files and the manifest are text and are compressed (the data
files already while they are written, so they are held compressed until they are embedded).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shopexit.core.archive.errors import ArchiveError

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "shopexit-archive/1"


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    size: int
    sha256: str
    media_type: str
    role: str  # "data", "evidence", "source" (and the manifest itself, which is not listed in itself)
    description: str = ""
    vault_id: int | None = None
    original_name: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "size": self.size, "sha256": self.sha256,
                               "media_type": self.media_type, "role": self.role}
        if self.description:
            out["description"] = self.description
        if self.vault_id is not None:
            out["vault_id"] = self.vault_id
        if self.original_name:
            out["original_name"] = self.original_name
        return out


@dataclass
class PendingFile:
    """A file to embed: bytes in hand (data files) or a producer that streams them (evidence, sources)."""

    entry: ManifestEntry
    data: bytes | None = None
    produce: Callable[[], Iterable[bytes]] | None = None
    modified: datetime | None = None
    packed: bytes | None = None  # already Flate-compressed (the data files): written as it is


def manifest_bytes(header: dict[str, Any], entries: list[ManifestEntry]) -> bytes:
    body = {**header, "format": MANIFEST_FORMAT, "files": [e.as_json() for e in entries]}
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _streamed_class() -> type:
    """Built on first use so importing this module does not import pyHanko."""
    from pyhanko.pdf_utils import generic

    class StreamedEmbeddedFile(generic.StreamObject):
        """An /EmbeddedFile stream whose bytes are pulled from a producer when the writer writes it."""

        def __init__(self, writer: Any, pending: PendingFile, tick: Callable[[int], None]) -> None:
            super().__init__(encoded_data=b"")
            self._pending = pending
            self._tick = tick
            self["/Type"] = generic.pdf_name("/EmbeddedFile")
            self["/Subtype"] = generic.pdf_name("/" + pending.entry.media_type)
            params = generic.DictionaryObject({generic.pdf_name("/Size"): generic.NumberObject(pending.entry.size)})
            if pending.modified is not None:
                params["/ModDate"] = generic.pdf_date(pending.modified)
            self["/Params"] = params
            self.ef_stream_ref = writer.add_object(self)

        def write_to_stream(self, stream: Any, handler: Any = None, container_ref: Any = None) -> None:
            entry = self._pending.entry
            assert self._pending.produce is not None
            self[generic.NameObject("/Length")] = generic.NumberObject(entry.size)
            generic.DictionaryObject.write_to_stream(self, stream, handler, container_ref)
            del self["/Length"]
            stream.write(b"\nstream\n")
            digest = hashlib.sha256()
            written = 0
            for chunk in self._pending.produce():
                stream.write(chunk)
                digest.update(chunk)
                written += len(chunk)
            if written != entry.size or digest.hexdigest() != entry.sha256:
                raise ArchiveError(
                    f"evidence item {entry.vault_id} ({entry.name}) no longer matches the SHA-256 recorded when"
                    " it was added (was the vault changed outside shopexit?); no archive was written."
                )
            stream.write(b"\nendstream")
            self._tick(1)

    return StreamedEmbeddedFile


def embed_all(writer: Any, files: list[PendingFile], tick: Callable[[int], None]) -> None:
    """Register every file in the document's EmbeddedFiles name tree, sorted by name as the PDF spec wants
    (names are plain ASCII, so their byte order is their order in the tree)."""
    from pyhanko.pdf_utils import embed, generic

    streamed = _streamed_class()
    for pending in sorted(files, key=lambda p: p.entry.name.encode("ascii")):
        entry = pending.entry
        stream: Any
        if pending.packed is not None:
            stream = embed.EmbeddedFileObject(
                writer, dict_data={generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode")},
                encoded_data=pending.packed, mime_type=entry.media_type,
            )
            params = generic.DictionaryObject({generic.pdf_name("/Size"): generic.NumberObject(entry.size)})
            if pending.modified is not None:
                params[generic.pdf_name("/ModDate")] = generic.pdf_date(pending.modified)
            stream[generic.pdf_name("/Params")] = params
        elif pending.data is not None:
            stream = embed.EmbeddedFileObject.from_file_data(
                writer, pending.data, compress=True, mime_type=entry.media_type,
                params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=False,
                                                modification_date=pending.modified),
            )
        else:
            stream = streamed(writer, pending, tick)
        spec = embed.FileSpec(
            file_spec_string=entry.name,
            file_name=entry.original_name or entry.name,
            embedded_data=stream,
            description=entry.description or None,
        )
        embed.embed_file(writer, spec)
    root = writer.root
    root["/PageMode"] = generic.pdf_name("/UseOutlines")
    writer.update_root()
