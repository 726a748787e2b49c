"""`shopexit export`, `shopexit verify` and `shopexit cert`: the signed archive from the command line.

`verify` is for whoever receives an archive: it needs no vault and no passphrase.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopexit import cli

if TYPE_CHECKING:
    from datetime import date


def _date(text: str) -> date:
    from datetime import date  # here: every start-up registers this command, few use --from/--to

    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text}: write the date as YYYY-MM-DD") from exc


def _p12_password(args: argparse.Namespace) -> bytes | None:
    if args.p12_password_file:
        try:
            return Path(args.p12_password_file).read_text(encoding="utf-8").rstrip("\r\n").encode("utf-8")
        except OSError as exc:
            raise cli.UsageError(f"cannot read {args.p12_password_file}: {exc.strerror}") from exc
    env = os.environ.get("SHOPEXIT_P12_PASSWORD")
    if env is not None:
        return env.encode("utf-8")
    return None


def _p12_needs_password(path: Path) -> bool:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        pkcs12.load_key_and_certificates(path.read_bytes(), None)
    except ValueError:
        return True
    except OSError:
        return False  # the export reports the unreadable file in its own words
    return False


class _TerminalProgress:
    """One updating line on stderr, only when a person is watching."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._last = ""

    def __call__(self, done: int, total: int, text: str) -> None:
        if not self.enabled:
            return
        line = f"\r{text}… {done * 100 // max(total, 1):3d}%"
        if line != self._last:
            self._last = line
            sys.stderr.write(line.ljust(60))
            sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled and self._last:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def cmd_export(args: argparse.Namespace) -> int:
    from shopexit.core.archive import ExportOptions, export_archive

    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise cli.UsageError("--from is after --to.")
    p12 = Path(args.p12).expanduser() if args.p12 else None
    password = _p12_password(args) if p12 else None
    if p12 is not None and password is None and _p12_needs_password(p12):
        if not sys.stdin.isatty():
            raise cli.UsageError(f"{p12.name} needs a password: use --p12-password-file or $SHOPEXIT_P12_PASSWORD.")
        import getpass

        password = getpass.getpass(f"Password for {p12.name}: ").encode("utf-8")
    options = ExportOptions(
        case_id=args.case, date_from=args.date_from, date_to=args.date_to, redact_buyers=args.redact_buyers,
        include_images=True if args.include_images else None, p12=p12, p12_password=password,
    )
    progress = _TerminalProgress()
    with cli.open_vault(args) as vault:
        try:
            result = export_archive(vault, Path(args.out), options, progress=progress)
        finally:
            progress.finish()
    print(f"Archive written: {result.path}")
    print(f"  {result.pages} pages, {result.embedded_files} attached files, SHA-256 {result.sha256}")
    print(f"  root certificate SHA-256: {result.root_fingerprint}")
    print(f"  check it with: shopexit verify {result.path.name}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from shopexit.core.archive import verify_archive

    report = verify_archive(Path(args.file), Path(args.trust) if args.trust else None)
    if args.json:
        cli.print_json({"file": str(args.file), **report.as_json()})
        return 0 if report.ok else 1
    yes_no = {True: "yes", False: "NO", None: "not checked (give --trust root.pem)"}
    print(f"{args.file}")
    print(f"  signer:                 {report.signer or '—'}")
    print(f"  signed at:              {report.signing_time or '—'}")
    print(f"  signer SHA-256:         {report.signer_fingerprint or '—'}")
    print(f"  root SHA-256:           {report.root_fingerprint or '—'}")
    print(f"  whole document signed:  {yes_no[report.whole_document]}")
    print(f"  under the trusted root: {yes_no[report.trusted]}")
    print(f"  attached files checked: {report.files_checked}")
    for problem in report.problems:
        print(f"  PROBLEM: {problem}")
    print("VALID: the archive is intact and whole." if report.ok else "NOT VALID: do not rely on this file.")
    return 0 if report.ok else 1


def cmd_cert(args: argparse.Namespace) -> int:
    from shopexit.core.archive import export_root_certificate

    out = Path(args.out)
    with cli.open_vault(args) as vault:
        fingerprint = export_root_certificate(vault.conn, out)
    print(f"Root certificate written: {out}")
    print(f"  SHA-256 fingerprint: {fingerprint}")
    print("  Give it to whoever checks your archives; they confirm this fingerprint with you another way.")
    return 0


def register(add: Callable[..., Any]) -> None:
    p = add("export", cmd_export, "write the signed PDF archive (all records, one case, or a date range)")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the archive")
    p.add_argument("--case", type=int, metavar="ID", help="only this case, its records and its evidence")
    p.add_argument("--from", dest="date_from", type=_date, metavar="DATE",
                   help="only records from this day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE",
                   help="only records up to this day (YYYY-MM-DD)")
    p.add_argument("--redact-buyers", action="store_true",
                   help="replace buyers' names, usernames, phones and addresses with Buyer 1, Buyer 2 …")
    p.add_argument("--include-images", action="store_true",
                   help="with --redact-buyers: attach and show evidence anyway (it may show personal data)")
    p.add_argument("--p12", metavar="FILE", help="sign with your own certificate (PKCS#12) instead of the vault's")
    p.add_argument("--p12-password-file", metavar="F", help="read the PKCS#12 password from this file")

    p = add("verify", cmd_verify, "check a signed archive (no vault or passphrase needed)")
    p.add_argument("file", metavar="FILE.pdf")
    p.add_argument("--trust", metavar="root.pem", help="the sender's root certificate (from `shopexit cert`)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add("cert", cmd_cert, "write this vault's root certificate, for recipients to trust")
    p.add_argument("--out", required=True, metavar="root.pem", help="where to write it")
