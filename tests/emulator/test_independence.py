"""The emulator is not the client's mirror: it takes no rule from the package's models or checks.

A rule shared by both would let a client bug pass against the emulator that a real account
would show; the emulator's rules are its own (``emulator/rules.py``). pyproject.toml's import contract
("The emulator stands alone") forbids the imports; this test checks what loading the modules loads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pulumi_voiceos.emulator

FORBIDDEN = ("pulumi_voiceos.core.models", "pulumi_voiceos.core.checks")
PACKAGE = Path(pulumi_voiceos.emulator.__file__).parent


def _forbidden(names: set[str]) -> set[str]:
    return {n for n in names if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)}


def test_loading_every_emulator_module_loads_no_model_or_check() -> None:
    # Indirect imports count too: what a module imports may import the models in turn.
    names = [f"pulumi_voiceos.emulator.{m.stem}" for m in sorted(PACKAGE.glob("*.py")) if m.stem != "__init__"]
    script = (
        "import importlib, json, sys\n"
        f"for name in {names!r}:\n    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('pulumi_voiceos'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(json.loads(result.stdout))
    assert "pulumi_voiceos.emulator.backend" in loaded
    assert _forbidden(loaded) == set()
