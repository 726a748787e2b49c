"""The words of each step — what to do, why, and the default checklist — read from `resources/steps/`.

The texts are data, not code, so they can be reworded (or translated) without touching a line of Python. One
Markdown file per step, named `NN-slug.md`:

    # Title
    One-line lead.
    ## What to do … ## Why it matters …     (any Markdown: shown as written)
    ## Checklist
    - [stable-key] Item text

The checklist keys are stable so a later version can reword an item without the user's tick being lost.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from shopexit.core.paths import resource_path

STEP_COUNT = 10
_ITEM = re.compile(r"^\s*-\s*\[(?P<key>[a-z0-9][a-z0-9-]*)\]\s+(?P<text>.+?)\s*$")


@dataclass(frozen=True)
class ChecklistDefault:
    key: str
    text: str


@dataclass(frozen=True)
class StepText:
    number: int
    title: str
    lead: str
    body_markdown: str  # "What to do" and "Why it matters", without the title, lead or checklist
    checklist: tuple[ChecklistDefault, ...]


class StepTextError(ValueError):
    """A step text file is missing or malformed: a packaging mistake, named precisely."""


def parse(number: int, text: str, source: str = "") -> StepText:
    lines = text.splitlines()
    title = ""
    lead_lines: list[str] = []
    body: list[str] = []
    items: list[ChecklistDefault] = []
    section = "head"
    for lineno, line in enumerate(lines, 1):
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            continue
        if line.startswith("## "):
            section = "checklist" if line[3:].strip().lower() == "checklist" else "body"
            if section == "body":
                body.append(line)
            continue
        if section == "head":
            if line.strip():
                lead_lines.append(line.strip())
        elif section == "body":
            body.append(line)
        elif line.strip():
            match = _ITEM.match(line)
            if not match:
                raise StepTextError(f"{source}:{lineno}: checklist lines read '- [key] text'")
            items.append(ChecklistDefault(match["key"], match["text"]))
    if not title:
        raise StepTextError(f"{source}: no '# Title' line")
    keys = [i.key for i in items]
    if len(keys) != len(set(keys)):
        raise StepTextError(f"{source}: a checklist key is used twice")
    return StepText(number, title, " ".join(lead_lines), "\n".join(body).strip(), tuple(items))


def steps_folder() -> Path:
    return resource_path("steps")


@functools.cache
def load(number: int) -> StepText:
    if not 1 <= number <= STEP_COUNT:
        raise StepTextError(f"steps are numbered 1 to {STEP_COUNT}, not {number}")
    matches = sorted(steps_folder().glob(f"{number:02d}-*.md"))
    if len(matches) != 1:
        raise StepTextError(f"{steps_folder()}: expected one file {number:02d}-*.md, found {len(matches)}")
    path = matches[0]
    return parse(number, path.read_text(encoding="utf-8"), path.name)


def load_all() -> list[StepText]:
    return [load(n) for n in range(1, STEP_COUNT + 1)]
