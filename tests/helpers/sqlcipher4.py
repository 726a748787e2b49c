"""An independent reader of the SQLCipher 4 format, written from its published specification with nothing
but `cryptography`: PBKDF2-HMAC-SHA512 (256,000 iterations) over the passphrase and the file's 16-byte salt,
AES-256-CBC pages of 4096 bytes, each with a 16-byte IV and an HMAC-SHA512 over ciphertext, IV and page number.

It proves the promise that a vault opens with the passphrase alone, in code that shares nothing with the
SQLCipher library shopexit uses.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
SALT = 16
IV = 16
HMAC_LEN = 64
RESERVE = IV + HMAC_LEN  # 80, already a multiple of the AES block
KDF_ITER = 256_000


class HmacMismatch(ValueError):
    pass


def decrypt(data: bytes, passphrase: str) -> bytes:
    """The plaintext SQLite database inside a SQLCipher 4 file (standard settings)."""
    salt = data[:SALT]
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ITER, 32)
    hmac_salt = bytes(b ^ 0x3A for b in salt)
    hmac_key = hashlib.pbkdf2_hmac("sha512", key, hmac_salt, 2, 32)
    out = bytearray()
    for index in range(len(data) // PAGE):
        page = data[index * PAGE:(index + 1) * PAGE]
        number = index + 1
        start = SALT if number == 1 else 0
        body = page[start:PAGE - RESERVE]
        iv = page[PAGE - RESERVE:PAGE - RESERVE + IV]
        mac = page[PAGE - HMAC_LEN:]
        expected = hmac.new(hmac_key, body + iv + number.to_bytes(4, "little"), hashlib.sha512).digest()
        if not hmac.compare_digest(mac, expected):
            raise HmacMismatch(f"page {number}: HMAC does not match (wrong passphrase or damaged page)")
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        plain = decryptor.update(body) + decryptor.finalize()
        if number == 1:
            plain = b"SQLite format 3\x00" + plain
        out += plain + bytes(RESERVE)
    return bytes(out)
