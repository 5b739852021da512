"""The marked blocks of README.md and docs/*.md, which tests run or hold to the files they copy.

A block is a fenced code block right after an HTML comment: ``<!-- MARKER -->`` or
``<!-- MARKER: ARGUMENT -->``. Tests look a block up by marker wherever it lives, so moving prose
between README.md and the guides in docs/ keeps it tested. ``fenced_blocks`` lists every fenced block,
marked or not, so that tests/test_docs_blocks.py can hold each one to the test that runs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Block:
    """One fenced code block of a doc, and the marker on the line right above its opening fence."""

    path: Path
    line: int
    """The opening fence's line, from 1."""
    language: str
    marker: str
    """"" when the line above is no ``<!-- MARKER[: ARGUMENT] -->``."""
    argument: str
    body: str

    @property
    def where(self) -> str:
        path = self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path
        return f"{path}:{self.line} (```{self.language})"


_OPENING = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
_MARKER = re.compile(r"^\s*<!-- (?P<marker>[\w-]+)(?:: (?P<argument>\S+))? -->\s*$")


def fenced_blocks(paths: list[Path] | None = None) -> list[Block]:
    """Every fenced code block (``` or ~~~, any language or none) of ``paths`` (the docs by default),
    in order, marked or not."""
    found = []
    for path in doc_files() if paths is None else paths:
        lines = path.read_text().splitlines()
        index = 0
        while index < len(lines):
            opening = _OPENING.match(lines[index])
            if opening is None:
                index += 1
                continue
            fence = opening["fence"]
            closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
            end = next((i for i in range(index + 1, len(lines)) if closing.match(lines[i])), len(lines))
            marked = _MARKER.match(lines[index - 1]) if index > 0 else None
            found.append(
                Block(
                    path=path,
                    line=index + 1,
                    language=opening["info"],
                    marker=marked["marker"] if marked else "",
                    argument=(marked["argument"] or "") if marked else "",
                    body="".join(f"{line}\n" for line in lines[index + 1 : end]),
                )
            )
            index = end + 1
    return found
