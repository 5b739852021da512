"""Each module of the package imports on its own, first, in a fresh interpreter: no import cycle hides behind the
order in which a test run happened to import them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import pulumi_voiceos

PACKAGE = Path(pulumi_voiceos.__file__).parent
MODULES = sorted(
    ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py")
    if p.stem != "__main__" and "templates" not in p.parts and p.name != "__init__.py"
)


@pytest.mark.parametrize("module", MODULES)
def test_every_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    run = subprocess.run(
        [sys.executable, "-c", f"import pulumi_voiceos.{module}"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
