"""The `shopexit` command: argparse in front of the core, one small handler per job, no logic of its own.

With no subcommand it opens the app. Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.
The passphrase comes from $SHOPEXIT_PASSPHRASE, --passphrase-file, or a hidden prompt, as restic and borg do.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from shopexit import __version__
from shopexit.core.errors import ShopexitError

if TYPE_CHECKING:
    from shopexit.core.vault import Vault

Handler = Callable[[argparse.Namespace], int]


class UsageError(ShopexitError):
    """Wrong words on the command line: exit status 2."""


class LazyChoices(Sequence[str]):
    """argparse `choices` that stay in their own module until needed.

    Building the parser registers every subcommand, and `shopexit --version` builds the parser: a registrar that
    imported `core.importers` for its list of kinds would load SQLCipher, cryptography and every importer into
    each start-up. argparse reads `choices` only to check a value given for that option, or to print help; give
    the option a `metavar` so that adding it does not read them either.
    """

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name
        self._values: tuple[str, ...] | None = None

    def _load(self) -> tuple[str, ...]:
        if self._values is None:
            self._values = tuple(getattr(importlib.import_module(self._module), self._name))
        return self._values

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __contains__(self, value: object) -> bool:
        return value in self._load()


# -- passphrases and the vault ---------------------------------------------------------------------------------
def _read_secret_file(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ShopexitError(f"cannot read passphrase file {path}: {exc.strerror}") from exc
    return text.rstrip("\r\n")


def read_passphrase(args: argparse.Namespace, *, confirm: bool = False, prompt: str = "Passphrase: ") -> str:
    if getattr(args, "passphrase_file", None):
        return _read_secret_file(args.passphrase_file)
    env = os.environ.get("SHOPEXIT_PASSPHRASE")
    if env is not None:
        return env
    return _prompt(prompt, confirm)


def read_new_passphrase(args: argparse.Namespace) -> str:
    if getattr(args, "new_passphrase_file", None):
        return _read_secret_file(args.new_passphrase_file)
    env = os.environ.get("SHOPEXIT_NEW_PASSPHRASE")
    if env is not None:
        return env
    return _prompt("New passphrase: ", confirm=True)


def _prompt(prompt: str, confirm: bool) -> str:
    if not sys.stdin.isatty():
        raise ShopexitError("no passphrase: set SHOPEXIT_PASSPHRASE or use --passphrase-file.")
    import getpass

    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != first:
        raise ShopexitError("the two passphrases differ; nothing was changed.")
    return first


def vault_path(args: argparse.Namespace) -> Path:
    if getattr(args, "vault", None):
        return Path(args.vault).expanduser()
    from shopexit.core.paths import default_vault_path  # platformdirs: only when no --vault was given

    return default_vault_path()


def key_file(args: argparse.Namespace) -> Path | None:
    """The key file (second factor): --key-file, else $SHOPEXIT_KEY_FILE, else none."""
    name = getattr(args, "key_file", None) or os.environ.get("SHOPEXIT_KEY_FILE")
    return Path(name).expanduser() if name else None


def open_vault(args: argparse.Namespace) -> Vault:
    from shopexit.commands.hardening import rolling_backup
    from shopexit.core.vault import Vault

    vault = Vault.open(vault_path(args), read_passphrase(args), key_file=key_file(args))
    rolling_backup(vault)
    return vault


def print_json(data: object) -> None:
    import json

    print(json.dumps(data, indent=2, ensure_ascii=False))


# -- commands ---------------------------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from shopexit.core.passphrase import require_strong
    from shopexit.core.vault import ShopProfile, Vault

    path = vault_path(args)
    creator = args.creator or _ask("Creator name: ")
    shop = args.shop or _ask("Shop name: ")
    passphrase = read_passphrase(args, confirm=True)
    if not args.allow_weak:
        require_strong(passphrase, (creator, shop))
    with Vault.create(path, passphrase, ShopProfile(creator, shop, args.region, args.currency),
                      key_file=key_file(args)):
        pass
    print(f"Created vault {path}")
    return 0


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise UsageError(f"missing {prompt.strip(': ').lower()}: give it as an option.")
    answer = input(prompt).strip()
    if not answer:
        raise UsageError(f"{prompt.strip(': ')} cannot be empty.")
    return answer


def cmd_status(args: argparse.Namespace) -> int:
    from shopexit.core.status import status

    with open_vault(args) as vault:
        data = status(vault.conn)
        profile = vault.profile()
    if args.json:
        print_json(data)
        return 0
    from shopexit.core.text_report import status_text

    print(status_text(profile, data))
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    from shopexit.core.errors import EvidenceRefused
    from shopexit.core.evidence import attach_files
    from shopexit.core.records.lookup import resolve_target

    targets = [_split_target(t) for t in args.to or []]
    with open_vault(args) as vault:
        links = [resolve_target(vault.conn, kind, ident) for kind, ident in targets]
        # In batches (one durable commit per ~64 MB, not per file); stops at the first file refused, keeping
        # the ones before it, as attaching one by one did.
        outcome = attach_files(vault, [Path(name) for name in args.files], links=links, caption=args.note or "",
                               keep_going=False)
        for name, item in zip(args.files, outcome.added, strict=False):
            state = "added" if item.new else "already kept, linked"
            print(f"{name}: {state} as #{item.id} ({item.media_type}, {item.size} bytes, sha256 {item.sha256})")
    if outcome.refused:
        raise EvidenceRefused(outcome.refused[0])
    return 0


def _split_target(text: str) -> tuple[str, str]:
    kind, _, ident = text.partition(":")
    if not kind or not ident:
        raise UsageError(f"--to {text}: write KIND:ID, e.g. order:576457… or step:3")
    return kind, ident


def cmd_gui(args: argparse.Namespace) -> int:
    from shopexit.app import run_gui

    return run_gui(vault=Path(args.vault).expanduser() if args.vault else None)


# -- the parser -------------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--vault", metavar="PATH", help="vault file (default: $SHOPEXIT_VAULT, else app data)")
    common.add_argument("--passphrase-file", metavar="F", help="read the passphrase from this file")
    common.add_argument("--key-file", metavar="F",
                        help="a key file as second factor (default: $SHOPEXIT_KEY_FILE; see SECURITY.md)")

    parser = argparse.ArgumentParser(
        prog="shopexit", description="Leave TikTok Shop cleanly. With no command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"shopexit {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation end to end on throwaway data, headless, and exit")
    parser.set_defaults(handler=cmd_gui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = add("init", cmd_init, "create a new vault")
    p.add_argument("--creator", help="your name as a creator")
    p.add_argument("--shop", help="the shop's name")
    p.add_argument("--region", default="US", help="shop region, e.g. US, GB, ID (default US)")
    p.add_argument("--currency", default="USD", help="default currency (default USD)")
    p.add_argument("--allow-weak", action="store_true", help=argparse.SUPPRESS)

    p = add("status", cmd_status, "what the vault holds and where the exit stands")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add("attach", cmd_attach, "keep files as evidence")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--to", action="append", metavar="KIND:ID",
                   help="link to a record or step: order:ORDER_ID, case:N, step:N, thread:N … (repeatable)")
    p.add_argument("--note", metavar="TEXT", help="a caption for the files")

    for register in _extensions():
        register(add)
    return parser


def _extensions() -> list[Callable[[Callable[[str, Handler, str], argparse.ArgumentParser]], None]]:
    """Commands that live beside their feature (import, export, verify, demo, search …)."""
    from shopexit import commands

    return commands.REGISTRARS


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if getattr(args, "self_test", False):
        from shopexit.selftest import run as run_self_test

        return run_self_test()
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"shopexit: {exc}", file=sys.stderr)
        return 2
    except ShopexitError as exc:
        print(f"shopexit: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("shopexit: interrupted; nothing half-done was kept.", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: one line for the user, the details only when asked for
        if os.environ.get("SHOPEXIT_DEBUG"):
            raise
        if type(exc).__module__.startswith("sqlcipher3") and "malformed" in str(exc):  # a damaged page
            print("shopexit: part of the vault cannot be read (damaged); run `shopexit doctor`, then restore a "
                  "backup with `shopexit restore BACKUP`.", file=sys.stderr)
            return 1
        print(f"shopexit: unexpected error ({type(exc).__name__}); run again with SHOPEXIT_DEBUG=1 for details.",
              file=sys.stderr)
        return 1
