"""Each module of the core imports on its own, first, in a fresh interpreter: no import cycle hides behind the
order in which a test run happened to import them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import pulumi_voiceos

CORE = sorted(p.stem for p in Path(pulumi_voiceos.__file__).parent.glob("*.py") if p.stem != "__main__")


@pytest.mark.parametrize("module", CORE)
def test_the_core_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    run = subprocess.run(
        [sys.executable, "-c", f"import pulumi_voiceos.{module}"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
