"""SQLCipher 4's key derivation, run by shopexit itself.

shopexit runs the standard SQLCipher 4 key derivation (PBKDF2-HMAC-SHA512, 256,000 iterations, over the
passphrase and the 16-byte salt at the start of the file) and hands SQLCipher the raw key with that salt. The
file is byte-for-byte what `PRAGMA key = 'passphrase'` would make; holding the key here means that when a page
fails to authenticate we can tell a wrong passphrase from a damaged file (`pagecheck`) without paying for the
derivation twice.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

# SQLCipher 4 defaults (https://www.zetetic.net/sqlcipher/sqlcipher-api/#cipher_compatibility)
KDF_ITERATIONS = 256_000
SALT_BYTES = 16
PAGE_SIZE = 4096


def derive_key(secret: str, salt: bytes) -> bytes:
    """SQLCipher 4's key derivation: PBKDF2-HMAC-SHA512, 256,000 iterations, 32 bytes."""
    return PBKDF2HMAC(hashes.SHA512(), 32, salt, KDF_ITERATIONS).derive(secret.encode("utf-8"))


def raw_key(key: bytes, salt: bytes) -> str:
    """SQLCipher's raw-key form: 32 key bytes then the 16 salt bytes, as a hex blob literal."""
    return f"x'{key.hex()}{salt.hex()}'"
