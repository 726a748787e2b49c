"""Errors of the archive: each `str()` is one line a user can act on."""

from __future__ import annotations

from shopexit.core.errors import ShopexitError


class ArchiveError(ShopexitError):
    """An archive could not be made (a place that cannot be written, a signing certificate that will not do)."""


class ArchiveUnreadable(ShopexitError):
    """A file given to `verify` is not a PDF, or not one that can be read at all."""
