"""Modules talk through public names: what one module lends another is part of its API, named without `_`.

The vault was split into modules with one job each (cipher, pagecheck, connection, vaultpaths, storage, durable,
backups); backups and restore use the connection API the Vault itself uses, not its private helpers. These
tests keep it that way, and keep every name other code always imported from `core.vault` importable there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import shopexit
from shopexit.core import backups, cipher, connection, pagecheck, storage, vault, vaultpaths

PACKAGE = Path(shopexit.__file__).parent


def test_no_module_imports_another_modules_private_names() -> None:
    reaching = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("shopexit"):
                reaching += [f"{path.relative_to(PACKAGE)}: {node.module}.{a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
    assert reaching == []


def test_the_vaults_parts_stay_importable_from_core_vault() -> None:
    parts = {
        backups: ("DEFAULT_KEEP_BACKUPS", "ROLLING_BACKUP_EVERY", "Restored", "list_backups", "prune_backups",
                  "restore"),
        cipher: ("KDF_ITERATIONS", "PAGE_SIZE", "SALT_BYTES", "derive_key"),
        connection: ("APPLICATION_ID", "PAGE_CACHE_KIB", "PLAIN_SQLITE_MAGIC", "Conn"),
        pagecheck: ("damaged_pages",),
        storage: ("storage_problem",),
        vaultpaths: ("REKEY_SUFFIX", "RESTORE_SUFFIX", "backups_dir", "is_private", "lock_path", "restore_hint"),
    }
    for module, names in parts.items():
        for name in names:
            assert getattr(vault, name) is getattr(module, name), f"core.vault.{name}"
            assert name in vault.__all__
    assert {"Vault", "ShopProfile", "SAME_KEY_FILE"} <= set(vault.__all__)
