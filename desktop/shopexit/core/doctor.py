"""`shopexit doctor`: is the vault whole? Page authentication (SQLCipher's HMAC on every page), SQLite's own
integrity and foreign-key checks, and the audit chain.

Once a page has failed its authentication, SQLCipher refuses further reads on that connection, so the later
checks would report faults that are not there. The doctor therefore names the damaged pages and stops there:
the answer in that case is a backup, whatever else the file holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core import audit
from shopexit.core.vault import Conn

_PAGE = re.compile(r"\bpage (\d+)\b")


@dataclass
class DoctorReport:
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    damaged_pages: list[int] = field(default_factory=list)
    audit_entries: int = 0
    audit_head: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(conn: Conn, sql: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in conn.execute(sql)]


def examine(conn: Conn) -> DoctorReport:
    report = DoctorReport()
    try:
        lines = [str(row[0]) for row in _rows(conn, "PRAGMA cipher_integrity_check")]
    except sqlcipher.DatabaseError as exc:
        lines = [f"the file could not be read to the end ({exc})"]
    for line in lines:
        match = _PAGE.search(line)
        if match:
            report.damaged_pages.append(int(match.group(1)))
            report.problems.append(f"encryption: page {match.group(1)} fails its authentication check "
                                   "(damaged or altered)")
        else:
            report.problems.append(f"encryption: {line}")
    if lines:
        pages = ", ".join(str(p) for p in report.damaged_pages[:20]) or "unknown"
        report.checks.append(f"page authentication: {len(lines)} damaged (pages {pages})")
        report.checks.append("database integrity, references, audit chain: not checked (the damaged pages "
                             "cannot be read)")
        return report
    report.checks.append("page authentication: ok")

    try:
        integrity = [str(row[0]) for row in _rows(conn, "PRAGMA integrity_check")]
    except sqlcipher.DatabaseError as exc:
        integrity = [f"the database could not be read ({exc})"]
    if integrity != ["ok"]:
        report.problems.extend(f"integrity: {line}" for part in integrity for line in part.splitlines())
    report.checks.append(f"database integrity: {'ok' if integrity == ['ok'] else 'faults found'}")

    try:
        orphans = _rows(conn, "PRAGMA foreign_key_check")
    except sqlcipher.DatabaseError as exc:
        report.problems.append(f"reference: the check could not run ({exc})")
        orphans = []
    report.problems.extend(f"reference: {table} row {rowid} points to a missing {parent}"
                           for table, rowid, parent, *_ in orphans)
    report.checks.append(f"references: {'ok' if not orphans else f'{len(orphans)} broken'}")

    try:
        chain = audit.verify_chain(conn)
    except sqlcipher.DatabaseError as exc:
        report.problems.append(f"audit log: could not be read ({exc})")
        report.checks.append("audit chain: unreadable")
        return report
    report.audit_entries, report.audit_head = chain.entries, chain.head
    if not chain.ok:
        report.problems.append(f"audit log: entry {chain.broken_at} {chain.reason}")
    report.checks.append(f"audit chain: {'ok' if chain.ok else 'broken'} ({chain.entries} entries)")
    return report
