"""How strong a new passphrase must be: zxcvbn score 3 or more, or at least 16 characters."""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn

from shopexit.core.errors import WeakPassphrase

MIN_SCORE = 3
LONG_ENOUGH = 16


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    acceptable: bool
    reason: str


def assess(passphrase: str, user_inputs: tuple[str, ...] = ()) -> Strength:
    if not passphrase:
        return Strength(0, False, "Enter a passphrase.")
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
