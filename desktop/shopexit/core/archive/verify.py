"""Checking an archive, for whoever receives one: no vault, no passphrase, only the file (and, to decide trust,
the sender's root certificate).

One verdict, true only when all of these hold:
- the file has exactly one signature, and it is intact (the digest matches) and cryptographically valid;
- it covers the *whole* file: pdfsig still calls a signature "valid" when something was appended after
  signing (it then says "Not total document signed"), so coverage is checked here and anything less fails;
- every embedded file matches its size and SHA-256 in `manifest.json`, none is missing and none is extra
  (the manifest is itself embedded, hence covered by the signature);
- with `--trust root.pem`: the signer's chain leads to that root.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopexit.core.archive.embed import MANIFEST_FORMAT, MANIFEST_NAME
from shopexit.core.archive.errors import ArchiveUnreadable
from shopexit.core.archive.keys import fingerprint_der

_MAX_TREE_DEPTH = 32


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    signer: str
    signing_time: str | None
    root_fingerprint: str | None
    signer_fingerprint: str | None
    whole_document: bool
    trusted: bool | None
    files_checked: int
    problems: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.ok:
            return "valid" + (", signed under the trusted root" if self.trusted else "")
        return "NOT valid: " + "; ".join(self.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "verdict": self.verdict, "signer": self.signer, "signing_time": self.signing_time,
            "root_fingerprint": self.root_fingerprint, "signer_fingerprint": self.signer_fingerprint,
            "whole_document": self.whole_document, "trusted": self.trusted, "files_checked": self.files_checked,
            "problems": list(self.problems),
        }


def _load_trust(trust: Path) -> Any:
    from pyhanko.keys import load_certs_from_pemder_data

    try:
        data = Path(trust).read_bytes()
    except OSError as exc:
        raise ArchiveUnreadable(f"{trust}: cannot be read ({exc.strerror}).") from exc
    try:
        certs = list(load_certs_from_pemder_data(data))
    except (ValueError, TypeError) as exc:
        raise ArchiveUnreadable(f"{trust}: not a PEM or DER certificate.") from exc
    if not certs:
        raise ArchiveUnreadable(f"{trust}: holds no certificate.")
    return certs[0]


def _issued_by(child: Any, parent: Any) -> bool:
    """True when `parent`'s key really signed `child` (names alone prove nothing)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature

    try:
        x509.load_der_x509_certificate(child.dump()).verify_directly_issued_by(
            x509.load_der_x509_certificate(parent.dump()))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _chain_top(signer_cert: Any, certs: list[Any]) -> tuple[Any, bool]:
    """Follow issuers up from the signer through the certificates in the signature; the top is the root whose
    fingerprint is reported. False when a link in that chain does not verify (a swapped certificate)."""
    current = signer_cert
    seen = {current.sha256}
    while current.issuer != current.subject:
        parent = next((c for c in certs if c.subject == current.issuer and c.sha256 not in seen), None)
        if parent is None:
            break
        if not _issued_by(current, parent):
            return parent, False
        seen.add(parent.sha256)
        current = parent
    if current.issuer == current.subject and not _issued_by(current, current):
        return current, False
    return current, True


def _name_tree(node: Any, depth: int = 0) -> list[tuple[str, Any]]:
    """(name, file spec) pairs of a PDF name tree, flat or with kids."""
    if depth > _MAX_TREE_DEPTH:
        raise ValueError("the attachment list nests too deeply")
    node = node.get_object() if hasattr(node, "get_object") else node
    out: list[tuple[str, Any]] = []
    if "/Names" in node:
        items = list(node["/Names"])
        for i in range(0, len(items) - 1, 2):
            out.append((str(items[i]), items[i + 1].get_object() if hasattr(items[i + 1], "get_object")
                        else items[i + 1]))
    if "/Kids" in node:
        for kid in node["/Kids"]:
            out.extend(_name_tree(kid, depth + 1))
    return out


def _embedded_files(reader: Any) -> dict[str, bytes]:
    root = reader.root
    if "/Names" not in root:
        return {}
    names = root["/Names"]
    if "/EmbeddedFiles" not in names:
        return {}
    out: dict[str, bytes] = {}
    for name, spec in _name_tree(names["/EmbeddedFiles"]):
        if name in out:
            raise ValueError(f"two attachments are both named {name}")
        out[name] = spec["/EF"]["/F"].get_object().data
    return out


def _check_files(files: dict[str, bytes], problems: list[str]) -> int:
    manifest_raw = files.get(MANIFEST_NAME)
    if manifest_raw is None:
        problems.append(f"{MANIFEST_NAME} is missing")
        return 0
    try:
        manifest = json.loads(manifest_raw.decode("utf-8"))
        entries = manifest["files"]
        if manifest.get("format") != MANIFEST_FORMAT:
            problems.append(f"{MANIFEST_NAME} is of an unknown format ({manifest.get('format')!r})")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        problems.append(f"{MANIFEST_NAME} cannot be read")
        return 0
    checked = 0
    listed = {MANIFEST_NAME}
    for entry in entries:
        try:
            name, size, sha = str(entry["name"]), int(entry["size"]), str(entry["sha256"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"{MANIFEST_NAME} has an entry without name, size or sha256")
            continue
        listed.add(name)
        data = files.get(name)
        if data is None:
            problems.append(f"{name} is listed in the manifest but not attached")
            continue
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha:
            problems.append(f"{name} does not match its SHA-256 in the manifest")
            continue
        checked += 1
    for extra in sorted(set(files) - listed):
        problems.append(f"{extra} is attached but not in the manifest")
    return checked


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a full traceback when it cannot build a path to a trusted root — which is the expected
    outcome when no root is given. The report says it in one line; keep the terminal clean."""
    logger = logging.getLogger("pyhanko")
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(before)


def verify_archive(path: Path, trust: Path | None = None) -> VerifyReport:
    """Check `path`; see the module docstring for what must hold. Raises only when a file cannot be read."""
    with _quiet_pyhanko():
        return _verify(Path(path), trust)


def _verify(path: Path, trust: Path | None) -> VerifyReport:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    trust_root = _load_trust(trust) if trust is not None else None
    problems: list[str] = []
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ArchiveUnreadable(f"{path}: cannot be read ({exc.strerror}).") from exc
    with handle:
        try:
            reader = PdfFileReader(handle, strict=False)
            sigs = list(reader.embedded_signatures)
        except Exception as exc:  # any parse failure of a damaged or hostile file is a verdict, not a crash
            return VerifyReport(False, "", None, None, None, False, None, 0,
                                [f"not a readable PDF ({type(exc).__name__})"])
        if not sigs:
            return VerifyReport(False, "", None, None, None, False, None, 0, ["the file is not signed"])
        if len(sigs) > 1:
            problems.append(f"the file carries {len(sigs)} signatures; an archive has exactly one")
        sig = sigs[0]
        signer_name, signer_fp, root_fp, signing_time = "", None, None, None
        whole = False
        trusted: bool | None = None
        try:
            cert = sig.signer_cert
            signer_name = str(cert.subject.native.get("common_name") or cert.subject.human_friendly)
            signer_fp = fingerprint_der(cert.dump())
            certs = [*sig.other_embedded_certs, cert]
            top, chain_ok = _chain_top(cert, certs)
            root_fp = fingerprint_der(top.dump())
            if not chain_ok:
                problems.append("the certificate chain inside the signature does not verify")
            context = ValidationContext(
                trust_roots=[trust_root] if trust_root is not None else [], allow_fetching=False,
            )
            status = validate_pdf_signature(sig, context, skip_diff=True)
            if status.signer_reported_dt is not None:
                signing_time = status.signer_reported_dt.isoformat()
            whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            if not status.intact:
                problems.append("the signed bytes were changed after signing")
            elif not status.valid:
                problems.append("the signature does not match the signer's certificate")
            if not whole:
                problems.append("the signature does not cover the whole file: something was added after signing")
            if trust_root is not None:
                trusted = bool(status.trusted) and root_fp == fingerprint_der(trust_root.dump())
                if not trusted:
                    problems.append("not signed under the trusted root certificate given")
        except Exception as exc:  # a hostile or broken structure must give a verdict, never a traceback
            problems.append(f"the signature cannot be checked ({type(exc).__name__})")
        try:
            files = _embedded_files(reader)
            checked = _check_files(files, problems)
        except Exception as exc:  # damaged attachment structures are a failed check, not a crash
            problems.append(f"the attached files cannot be read ({type(exc).__name__})")
            checked = 0
    return VerifyReport(not problems, signer_name, signing_time, root_fp, signer_fp, whole, trusted, checked,
                        problems)
