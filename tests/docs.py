"""The marked blocks of README.md and docs/*.md, which tests run or hold to the files they copy.

A block is a fenced code block right after an HTML comment: ``<!-- MARKER -->`` or
``<!-- MARKER: ARGUMENT -->``. Tests look a block up by marker wherever it lives, so moving prose
between README.md and the guides in docs/ keeps it tested.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def doc_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def marked_blocks(marker: str, language: str = r"\w+") -> list[tuple[str, str]]:
    """(argument, body) of every block under ``<!-- marker[: argument] -->`` in the docs, in order."""
    pattern = re.compile(rf"<!-- {re.escape(marker)}(?:: (\S+))? -->\n```{language}\n(.*?)```", re.DOTALL)
    return [(m[1] or "", m[2]) for path in doc_files() for m in pattern.finditer(path.read_text())]


def one_block(marker: str, argument: str, language: str = r"\w+") -> str:
    found = [body for arg, body in marked_blocks(marker, language) if arg == argument]
    assert len(found) == 1, f"README.md and docs/ have {len(found)} `<!-- {marker}: {argument} -->` blocks"
    return found[0]
