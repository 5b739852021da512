"""The package's layout stays as docs/architecture.md describes it: short module docstrings (the long
explanations live in docs/), and core modules of at most 400 lines, each owning one concept."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pulumi_voiceos

PACKAGE = Path(pulumi_voiceos.__file__).parent
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "templates" not in p.parts)
TOOLS = {"adopt.py", "doctor.py"}
"""Commands around the core, not part of it."""


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_docstring_is_at_most_ten_lines(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text()), clean=False) or ""
    assert len(docstring.splitlines()) <= 10


@pytest.mark.parametrize("path", [p for p in PACKAGE.glob("*.py") if p.name not in TOOLS], ids=lambda p: p.name)
def test_a_core_module_is_at_most_four_hundred_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 400
