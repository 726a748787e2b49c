"""`shopexit doctor`: is the vault whole? Page authentication (SQLCipher's HMAC on every page), SQLite's own
integrity and foreign-key checks, and the audit chain."""

from __future__ import annotations

from dataclasses import dataclass, field

from shopexit.core import audit
from shopexit.core.vault import Conn


@dataclass
class DoctorReport:
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    audit_entries: int = 0
    audit_head: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def examine(conn: Conn) -> DoctorReport:
    report = DoctorReport()
    damaged = [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
    if damaged:
        report.problems.extend(f"encryption: {line}" for line in damaged)
    report.checks.append(f"page authentication: {'ok' if not damaged else f'{len(damaged)} damaged'}")
    integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        report.problems.extend(f"integrity: {line}" for line in integrity)
    report.checks.append(f"database integrity: {'ok' if integrity == ['ok'] else 'faults found'}")
    orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        report.problems.extend(f"reference: {table} row {rowid} points to a missing {parent}"
                               for table, rowid, parent, _ in orphans)
    report.checks.append(f"references: {'ok' if not orphans else f'{len(orphans)} broken'}")
    chain = audit.verify_chain(conn)
    report.audit_entries, report.audit_head = chain.entries, chain.head
    if not chain.ok:
        report.problems.append(f"audit log: entry {chain.broken_at} {chain.reason}")
    report.checks.append(f"audit chain: {'ok' if chain.ok else 'broken'} ({chain.entries} entries)")
    return report
