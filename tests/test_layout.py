"""The package keeps the layout docs/architecture.md draws: a root of entry points, one folder a layer,
short modules with short docstrings, and imports that point one way (pyproject.toml's contracts)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pulumi_voiceos

from .docs import one_block

if sys.version_info >= (3, 11):
    import tomllib
else:  # the package supports 3.10, whose standard library has no TOML reader
    import tomli as tomllib  # type: ignore[import-not-found]

PACKAGE = Path(pulumi_voiceos.__file__).parent
REPO = PACKAGE.parent
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "templates" not in p.parts)
ROOT_MODULES = {
    "__init__.py": "the public names",
    "__main__.py": "python -m pulumi_voiceos",
    "_lazy.py": "imports on first use",
    "_lifetime.py": "our processes end with the engine that started them",
    "_requirements.py": "the pulumi SDK versions each entry point needs",
    "_version.py": "the version",
    "errors.py": "every exception, imported by every layer",
    "provider.py": "pickled by stacks deployed with 0.1.0",
    "resource.py": "an import path of 0.1.0",
}
LAYERS = [
    "core",
    "api",
    "engine",
    "wording",
    "dynamic",
    "native",
    "tools",
    "policies",
    "emulator",
    "testing",
    "templates",
]


def test_the_package_root_holds_only_entry_points_and_the_paths_stacks_pickle() -> None:
    found = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert set(found) <= set(ROOT_MODULES), f"a new root module: {set(found) - set(ROOT_MODULES)}; put it in a layer"
    assert len(found) <= 12


def test_every_folder_of_the_package_is_a_named_layer() -> None:
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert set(folders) <= set(LAYERS), f"{set(folders) - set(LAYERS)} is not a layer docs/architecture.md names"


def _docstring_lines(path: Path) -> int:
    docstring = ast.get_docstring(ast.parse(path.read_text()), clean=False) or ""
    return len(docstring.splitlines())


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_docstring_is_one_to_three_lines(path: Path) -> None:
    # A summary a newcomer understands, and at most two lines more: a longer explanation belongs in the
    # docstring of the class or function it is about, a comment at the code, or docs/internals.md.
    assert 1 <= _docstring_lines(path) <= 3


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_is_at_most_four_hundred_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 400


def test_the_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False, timeout=120
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_the_architecture_docs_picture_names_every_layer_in_the_order_of_the_import_contract() -> None:
    picture = one_block("docs-output", "layers", language="text")
    drawn = re.findall(r"(?:^|\s)([a-z]+)/(?=\s)", picture)
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name not in ("__pycache__", "templates")}
    assert set(drawn) == folders
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    declared = [name.removeprefix("pulumi_voiceos.") for layer in layers for name in layer.split(" | ")]
    assert [name for name in drawn if name in declared] == declared
