"""`shopexit --version` and `--help` start light: building the parser registers every subcommand without loading
SQLCipher, cryptography, zxcvbn, Qt or the importers — those load when a command that needs them runs."""

from __future__ import annotations

import os
import subprocess
import sys

HEAVY = ("sqlcipher3", "cryptography", "zxcvbn", "PySide6", "openpyxl", "reportlab", "pyhanko", "PIL",
         "platformdirs", "shopexit.core.vault", "shopexit.core.importers", "shopexit.core.search")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ), stdin=subprocess.DEVNULL)


def test_building_the_parser_loads_nothing_heavy() -> None:
    result = _python(
        "import sys\n"
        "from shopexit.cli import build_parser\n"
        "parser = build_parser()\n"
        "try:\n"
        "    parser.parse_args(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("shopexit ")
    assert lines[-1] == "[]", f"loaded at start-up: {lines[-1]}"


def test_the_choices_still_check_and_list_themselves() -> None:
    """The kinds come from core.importers and core.search only when an option is checked or help is printed."""
    result = _python(
        "from shopexit.cli import build_parser\n"
        "parser = build_parser()\n"
        "args = parser.parse_args(['import', '--kind', 'withdrawals', 'w.csv'])\n"
        "print(args.kind)\n"
        "args = parser.parse_args(['search', '--kind', 'message', '--kind', 'case', 'crushed'])\n"
        "print(args.kind)\n"
        "parser.parse_args(['import', '--help'])\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["withdrawals", "['message', 'case']"]
    assert "data_export" in result.stdout and "on_hold" in result.stdout  # the kinds, in --help
    wrong = _python("from shopexit.cli import main\nraise SystemExit(main(['search', '--kind', 'nope', 'x']))")
    assert wrong.returncode == 2 and "invalid choice: 'nope'" in wrong.stderr and "'evidence'" in wrong.stderr
