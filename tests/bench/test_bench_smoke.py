"""Keeps bench/ from rotting: the generator at a tiny size and one pass of every measurement function.

Nothing here asserts a speed (speed is measured by `bench/run.py`, not asserted); each test asserts that the
measurement measured something real: the vault holds what the generator says, the search found the buyer, the
import read every line, the view loaded every row, the archive verified.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

import bench_scale
import bigvault
import run as bench_run
from shopexit.core.vault import Vault

LINES = 60


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, bigvault.BigVault]]:
    folder = tmp_path_factory.mktemp("bench")
    path = folder / "tiny.shopexit"
    info = bigvault.ensure_vault(path, lines=LINES, messages=30, images=2, log=False)
    yield path, info
    shutil.rmtree(folder, ignore_errors=True)


def test_generator_fills_every_table_it_claims(tiny: tuple[Path, bigvault.BigVault]) -> None:
    path, info = tiny
    assert (info.orders, info.lines, info.messages, info.images) == (LINES, LINES, 30, 2)
    assert info.settlements > 0 and info.on_hold > 0 and info.withdrawals > 0 and info.commissions > 0
    with Vault.open(path, bigvault.PASSPHRASE) as vault:
        conn = vault.conn
        assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == LINES
        assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 2
        indexed = conn.execute("SELECT count(*) FROM search_index WHERE kind IN ('order', 'message')").fetchone()[0]
        assert indexed == LINES + 30  # the deferred search index was filled
    # a second call reuses the vault it made
    again = bigvault.ensure_vault(path, lines=LINES, messages=30, images=2, log=False)
    assert again == info


def test_in_process_measurements(tiny: tuple[Path, bigvault.BigVault]) -> None:
    path, _ = tiny
    unlock = bench_scale.measure_unlock(path, runs=1)
    assert all(len(v) == 1 and v[0] > 0 for v in unlock.values())
    found = bench_scale.measure_search(path, repeats=1, queries=("marisol", "candle", "zzzyx"))
    assert len(found["samples"]) == 3
    assert found["hits"]["marisol"] > 0 and found["hits"]["zzzyx"] == 0
    facts = bench_scale.measure_step_facts(path, repeats=1)
    names = {"overview", *(f"step {n}" for n in range(1, 11)), "revisit"}
    assert set(facts) == names | {f"{name} cpu" for name in names}
    assert bench_scale.p95([0.01] * 19 + [1.0]) == 0.01
    assert bench_scale.p95([0.01] * 18 + [1.0, 1.0]) == 1.0


def test_import_and_attach_children(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bench_import

    monkeypatch.setattr(bigvault, "OUT", tmp_path)
    monkeypatch.setattr(bench_import, "OUT", tmp_path / "import")
    csv = bench_scale.import_file_for(40, "csv")
    result = bench_scale.measure_import(csv)
    assert result["rows"] == 40 and result["peak_mb"] > 0
    if shutil.which("sqlite3"):
        assert bench_scale.sqlite_import(csv)["wall"] > 0
    files, total = bigvault.make_images(tmp_path / "images", 3)
    assert len(files) == 3 and total > 3 * 100_000
    attached = bench_scale.measure_attach(tmp_path / "images")
    assert attached["held"] == 3 and attached["bytes"] == total and attached["copy_seconds"] > 0


def test_orders_view_child(tiny: tuple[Path, bigvault.BigVault]) -> None:
    path, _ = tiny
    view = bench_scale.measure_orders_view(path, timeout=120)
    assert view["rows"] == view["total"] == LINES
    assert view["first_paint"] > 0 and view["beats"] > 1


def test_export_and_verify_through_bench_export(tiny: tuple[Path, bigvault.BigVault], tmp_path: Path) -> None:
    path, _ = tiny
    pdf = tmp_path / "tiny.pdf"
    exported = bench_scale.measure_export(path, pdf)
    assert pdf.exists() and exported["pages"] > 0
    verified = bench_scale.measure_verify(pdf)
    assert verified["ok"] is True


@pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xdotool")), reason="needs Xvfb and xdotool")
def test_cold_start_probe() -> None:
    started = bench_scale.measure_cold_start(runs=1, warmup=False)
    assert len(started["wall"]) == 1 and started["wall"][0] > 0


def test_table_and_readme_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rep = bench_run.Report({"lines": 10, "messages": 1, "vault_images": 0, "attach_images": 1}, 1,
                           machine=bench_run.machine())
    rep.rows.append(bench_run.Row("search", "p95 12 ms", "p95 ≤ 50 ms", "—", 0.24, True))
    rep.rows.append(bench_run.Row("attach", "10 MB/s", "≥ 100 MB/s", "copy 70 MB/s", 10.0, False))
    text = bench_run.header(rep) + "\n\n" + bench_run.table(rep)
    assert "| search | p95 12 ms |" in text and "**no**" in text
    readme = tmp_path / "README.md"
    readme.write_text("## Export\n\ntheir section\n")
    monkeypatch.setattr(bench_run, "README", readme)
    bench_run.write_readme(text)
    bench_run.write_readme(text.replace("12 ms", "11 ms"))  # replaced in place, others' sections kept
    body = readme.read_text()
    assert body.count(bench_run.BEGIN) == 1 and "p95 11 ms" in body and "their section" in body
