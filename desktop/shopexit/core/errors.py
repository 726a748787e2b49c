"""Typed errors whose message is a single line a user can act on.

Every failure the user can cause or meet (a wrong passphrase, a refused file) is one of these; the CLI and GUI
print `str(error)` and never a traceback.
"""

from __future__ import annotations


class ShopexitError(Exception):
    """Base class: `str(err)` is one clear line for the user."""


class VaultError(ShopexitError):
    """Something about the vault file itself."""


class WrongPassphrase(VaultError):
    pass


class NotAVault(VaultError):
    pass


class VaultTooNew(VaultError):
    pass


class VaultInUse(VaultError):
    pass


class VaultMissing(VaultError):
    pass


class VaultExists(VaultError):
    pass


class VaultDamaged(VaultError):
    pass


class VaultClosed(VaultError):
    """An operation was asked of a vault that has been locked."""


class StorageError(VaultError):
    """The disk refused a write (full, read-only, failing); whatever was under way was undone."""


class KeyFileError(ShopexitError):
    """The key file given as a second factor is missing, empty or unreadable."""


class WeakPassphrase(ShopexitError):
    pass


class EvidenceRefused(ShopexitError):
    """A file could not be stored as evidence (too large, unreadable, not a regular file)."""


class NotFound(ShopexitError):
    """A record named by the user does not exist."""


class Cancelled(ShopexitError):
    """A long job was cancelled by the user; whatever it started has been rolled back."""

    def __init__(self, what: str = "The job") -> None:
        super().__init__(f"{what} was cancelled; nothing was changed.")
