"""`shopexit demo [--vault PATH]`: a vault holding an invented shop part-way through its exit.

The passphrase comes from the usual places ($SHOPEXIT_PASSPHRASE, --passphrase-file, or a prompt asked twice)
and is printed nowhere. Without --vault (or $SHOPEXIT_VAULT) the demo goes to `demo.shopexit` in the app-data
folder, never over the user's own vault.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shopexit import cli
from shopexit.core.errors import VaultExists

DEMO_FILE_NAME = "demo.shopexit"


def demo_path(args: argparse.Namespace) -> Path:
    if getattr(args, "vault", None):
        return Path(args.vault).expanduser()
    if os.environ.get("SHOPEXIT_VAULT"):
        return Path(os.environ["SHOPEXIT_VAULT"]).expanduser()
    from shopexit.core.paths import data_dir

    return data_dir() / DEMO_FILE_NAME


def cmd_demo(args: argparse.Namespace) -> int:
    from shopexit.core.demo import create_demo
    from shopexit.core.passphrase import require_strong

    path = demo_path(args)
    if path.exists():
        raise VaultExists(f"{path} already exists; choose another file with --vault, or open it: "
                          f"shopexit --vault {path}")
    passphrase = cli.read_passphrase(args, confirm=True, prompt="Passphrase for the demo vault: ")
    if not args.allow_weak:
        require_strong(passphrase)
    summary = create_demo(path, passphrase, orders=args.orders,
                          report=None if args.quiet else lambda text: print(f"… {text}"))
    print(f"Created the demo vault {summary.path}")
    print(f"  {summary.orders} orders ({summary.open_orders} still open), {summary.messages} messages, "
          f"{summary.evidence} evidence items, {summary.imports} files imported")
    print(f"Open it with: shopexit --vault {summary.path}")
    return 0


def register(add: Callable[[str, Any, str], argparse.ArgumentParser]) -> None:
    p = add("demo", cmd_demo, "create a vault holding an invented shop, to try shopexit")
    p.add_argument("--orders", type=int, default=240, metavar="N", help="orders in the invented shop (default 240)")
    p.add_argument("--quiet", action="store_true", help="print only the result")
    p.add_argument("--allow-weak", action="store_true", help=argparse.SUPPRESS)
