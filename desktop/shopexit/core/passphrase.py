"""Passphrases and key files.

How strong a new passphrase must be: zxcvbn score 3 or more, or at least 16 characters (a long passphrase of
plain words is strong even when zxcvbn, which scores the first 100 characters, undervalues it).

A **key file** is an optional second factor: any file the user keeps apart from the vault (on a USB stick, in a
password manager). Its bytes are hashed with SHA-256 and the hash, as 64 lowercase hex digits, is appended to
the passphrase after a colon. That string is the vault's SQLCipher passphrase, so another SQLCipher 4 tool
opens such a vault with

    PRAGMA key = 'my passphrase:<sha256sum of the key file>';

The derivation is deliberately that simple: a user with `sha256sum` and a text editor can rebuild it, and the
key file never needs to be kept anywhere else.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from shopexit.core.errors import KeyFileError, WeakPassphrase

MIN_SCORE = 3
LONG_ENOUGH = 16
KEY_FILE_SEPARATOR = ":"
NEW_KEY_FILE_BYTES = 64


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    acceptable: bool
    reason: str


def assess(passphrase: str, user_inputs: tuple[str, ...] = ()) -> Strength:
    if not passphrase:
        return Strength(0, False, "Enter a passphrase.")
    from zxcvbn import zxcvbn  # here, not at the top: its word lists cost ~0.1-0.3 s of every start-up

    result = zxcvbn(passphrase[:100], user_inputs=[u for u in user_inputs if u])
    score = int(result["score"])
    if score >= MIN_SCORE or len(passphrase) >= LONG_ENOUGH:
        return Strength(score, True, "Strong enough." if score >= MIN_SCORE else "Long enough.")
    feedback = result.get("feedback", {})
    reason = feedback.get("warning") or " ".join(feedback.get("suggestions", [])) or "Too easy to guess."
    return Strength(score, False, f"{reason.rstrip('.')}. Use {LONG_ENOUGH}+ characters or a few unrelated words.")


def require_strong(passphrase: str, user_inputs: tuple[str, ...] = ()) -> None:
    strength = assess(passphrase, user_inputs)
    if not strength.acceptable:
        raise WeakPassphrase(f"Passphrase too weak: {strength.reason}")


# -- key files -----------------------------------------------------------------------------------------------
def key_file_digest(path: Path) -> str:
    """SHA-256 of the key file's bytes, hex. Refuses what cannot be a deliberate key file (missing, a folder,
    empty), because a typo in a path must never silently produce a different key."""
    path = Path(path).expanduser()
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise KeyFileError(f"key file {path}: no such file.") from exc
    except OSError as exc:
        raise KeyFileError(f"key file {path}: cannot be read ({exc.strerror}).") from exc
    if stat.S_ISDIR(info.st_mode):
        raise KeyFileError(f"key file {path}: is a folder, not a file.")
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise KeyFileError(f"key file {path}: cannot be read ({exc.strerror or exc}).") from exc
    if size == 0:
        raise KeyFileError(f"key file {path}: is empty; a key file must hold some bytes.")
    return digest.hexdigest()


def effective_passphrase(passphrase: str, key_file: Path | None = None) -> str:
    """The string SQLCipher is keyed with: the passphrase alone, or `passphrase:sha256hex(key file)`."""
    if key_file is None:
        return passphrase
    return f"{passphrase}{KEY_FILE_SEPARATOR}{key_file_digest(key_file)}"


def write_new_key_file(path: Path) -> Path:
    """A fresh key file of random bytes, readable by its owner only. Never overwrites: losing the old key file
    would lock its vault for good."""
    path = Path(path).expanduser()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KeyFileError(f"{path} already exists; choose a new name (an old key file must never be lost).") \
            from exc
    except OSError as exc:
        raise KeyFileError(f"cannot write key file {path} ({exc.strerror}).") from exc
    with os.fdopen(fd, "wb") as out:
        out.write(os.urandom(NEW_KEY_FILE_BYTES))
        out.flush()
        os.fsync(out.fileno())
    return path
