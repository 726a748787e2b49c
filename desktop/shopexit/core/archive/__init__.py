"""The signed PDF archive: what a creator hands over when asked to prove it, and how anyone checks it.

`export_archive` writes it, `verify_archive` checks it (no vault needed), `export_root_certificate` hands out
the root a recipient trusts. Heavy libraries (reportlab, pyHanko) load only when these are first used, so
importing this package — as `Vault.create` does for the signing keys — stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopexit.core.archive.export import (
        ExportOptions,
        ExportResult,
        export_archive,
        export_root_certificate,
        last_export,
        record_verification,
    )
    from shopexit.core.archive.verify import VerifyReport, verify_archive

__all__ = [
    "ExportOptions",
    "ExportResult",
    "VerifyReport",
    "export_archive",
    "export_root_certificate",
    "last_export",
    "record_verification",
    "verify_archive",
]

_HOMES = {
    "ExportOptions": "export", "ExportResult": "export", "export_archive": "export",
    "export_root_certificate": "export", "last_export": "export", "record_verification": "export",
    "VerifyReport": "verify", "verify_archive": "verify",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module = importlib.import_module(f"{__name__}.{home}")
    value = getattr(module, name)
    globals()[name] = value
    return value
