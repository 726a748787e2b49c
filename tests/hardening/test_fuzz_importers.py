"""Every importer on generated input (hypothesis): files in the real layouts with drawn cells, bare and zipped
JSON trees, detected or forced to the importer's kind. Whatever comes in, the import either completes (and the
vault stays whole) or is refused with one line, leaving the vault exactly as it was (a full content dump).

15 examples per importer by default; 500 with --slow (the figure quoted in SECURITY.md).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopexit.core.doctor import examine
from shopexit.core.errors import ShopexitError
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE
from tests.hardening.layouts import export_file
from tests.hardening.vaultdump import dump

KINDS = ["orders", "settlements", "on_hold", "commissions", "withdrawals", "data_export"]
QUICK, FULL = 15, 500


@pytest.mark.parametrize("kind", KINDS)
def test_importer_on_generated_input(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from shopexit.core.importers import import_file

    examples = FULL if request.config.getoption("--slow") else QUICK
    vault = Vault.create(tmp_path / "fuzz.shopexit", PASSPHRASE, ShopProfile("A", "B"))
    seen: Counter[str] = Counter()
    folder = tmp_path / "inputs"
    folder.mkdir()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(export=export_file(kind), forced=st.booleans(), skip_bad_rows=st.booleans())
    def check(export: tuple[str, bytes], forced: bool, skip_bad_rows: bool) -> None:
        name, data = export
        path = folder / name
        path.write_bytes(data)
        before = dump(vault.conn)
        seen["tried"] += 1
        try:
            summary = import_file(vault, path, kind=kind if forced else None, skip_bad_rows=skip_bad_rows)
        except ShopexitError as exc:
            message = str(exc)
            assert message and "\n" not in message, message
            assert dump(vault.conn) == before, f"a refused import changed the vault: {message}"
            seen["refused"] += 1
            return
        assert summary.rows_read >= 0
        seen["imported"] += 1

    try:
        check()
        assert examine(vault.conn).ok
    finally:
        vault.lock()
    print(f"{kind}: {dict(seen)}")
    assert seen["tried"] >= examples
