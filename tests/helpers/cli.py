"""Run the real `shopexit` command in a child process, as a user's script does."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import PASSPHRASE


def run(*args: str, env: dict[str, str] | None = None, check: int | None = 0) -> subprocess.CompletedProcess[str]:
    """`check` is the exit status the call must end with (None: any)."""
    full_env = {**os.environ, "SHOPEXIT_PASSPHRASE": PASSPHRASE, **(env or {})}
    result = subprocess.run([sys.executable, "-m", "shopexit", *args], capture_output=True, text=True,
                            env=full_env, timeout=300, stdin=subprocess.DEVNULL)
    if check is not None:
        assert result.returncode == check, result.stdout + result.stderr
    return result
