"""Why a vault will not open: a wrong passphrase, or the right one and damaged pages.

SQLCipher answers both with the same "file is not a database". Every page carries an HMAC over its ciphertext,
so with the derived key in hand we check the first pages ourselves: when none authenticates the key is wrong;
when they do, the pages that fail are the damage, and the message names them and the way back (a backup).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from shopexit.core.cipher import PAGE_SIZE, SALT_BYTES
from shopexit.core.errors import VaultDamaged, VaultError, WrongPassphrase
from shopexit.core.vaultpaths import restore_hint

_IV_BYTES = 16
_HMAC_BYTES = 64
_RESERVE = _IV_BYTES + _HMAC_BYTES


def _hmac_key(key: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", key, bytes(b ^ 0x3A for b in salt), 2, 32)


def _page_authentic(page: bytes, number: int, hmac_key: bytes) -> bool:
    """Checks one page's HMAC as SQLCipher 4 does (ciphertext, IV, little-endian page number)."""
    if len(page) != PAGE_SIZE:
        return False
    body = page[SALT_BYTES if number == 1 else 0: PAGE_SIZE - _RESERVE]
    iv = page[PAGE_SIZE - _RESERVE: PAGE_SIZE - _HMAC_BYTES]
    mac = page[PAGE_SIZE - _HMAC_BYTES:]
    expected = hmac.new(hmac_key, body + iv + number.to_bytes(4, "little"), hashlib.sha512).digest()
    return hmac.compare_digest(mac, expected)


def damaged_pages(path: Path, key: bytes, salt: bytes) -> list[int]:
    """Page numbers in the main file whose authentication fails under this key (all of them: wrong key)."""
    mac_key = _hmac_key(key, salt)
    bad = []
    with path.open("rb") as handle:
        number = 0
        while page := handle.read(PAGE_SIZE):
            number += 1
            if not _page_authentic(page, number, mac_key):
                bad.append(number)
    return bad


def _describe_pages(pages: list[int]) -> str:
    shown = ", ".join(str(p) for p in pages[:8])
    more = f" and {len(pages) - 8} more" if len(pages) > 8 else ""
    return f"page{'s' if len(pages) > 1 else ''} {shown}{more}"


def diagnose(path: Path, key: bytes, salt: bytes) -> VaultError:
    """Why the first read failed: a wrong passphrase, or a right one and a damaged file."""
    mac_key = _hmac_key(key, salt)
    with path.open("rb") as handle:
        first, second = handle.read(PAGE_SIZE), handle.read(PAGE_SIZE)
    if not (_page_authentic(first, 1, mac_key) or _page_authentic(second, 2, mac_key)):
        return WrongPassphrase(
            f"Wrong passphrase or key file for {path.name}. If you are sure they are right, the file is "
            f"damaged: {restore_hint(path)}."
        )
    bad = damaged_pages(path, key, salt)
    if bad:
        return VaultDamaged(
            f"{path.name} is damaged: {_describe_pages(bad)} {'fail' if len(bad) > 1 else 'fails'} the "
            f"authentication check; {restore_hint(path)}."
        )
    return VaultDamaged(
        f"{path.name} cannot be read although the passphrase is right (its {path.name}-wal file may be "
        f"damaged); {restore_hint(path)}."
    )
