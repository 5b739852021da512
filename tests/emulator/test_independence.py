"""The emulator is not the client's mirror: it takes no rule from the package's models or checks.

A rule shared by both would let a client bug pass against the emulator that a real account
would show; the emulator's rules are its own (``emulator/rules.py``).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pulumi_voiceos.emulator

FORBIDDEN = ("pulumi_voiceos.core.models", "pulumi_voiceos.core.checks")
PACKAGE = Path(pulumi_voiceos.emulator.__file__).parent


def _imported(module: Path) -> set[str]:
    """Every module ``module`` imports (relative imports resolved), at any depth of its code."""
    package = "pulumi_voiceos.emulator"
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def _forbidden(names: set[str]) -> set[str]:
    return {n for n in names if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)}


def test_the_import_walk_sees_relative_and_absolute_imports_of_the_models(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from ..models import Webhook\nimport pulumi_voiceos.core.checks\n"
        "def f():\n    from ..models.inputs import HttpMethod\nfrom . import store\n",
        encoding="utf-8",
    )
    assert _forbidden(_imported(sample)) == {
        "pulumi_voiceos.core.models",
        "pulumi_voiceos.core.models.Webhook",
        "pulumi_voiceos.core.checks",
        "pulumi_voiceos.core.models.inputs",
        "pulumi_voiceos.core.models.inputs.HttpMethod",
    }


def test_no_emulator_module_imports_the_clients_models_or_checks() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert {m.stem for m in modules} >= {"api", "admin", "backend", "controls", "process", "rules", "store"}
    offenders = {m.name: sorted(_forbidden(_imported(m))) for m in modules if _forbidden(_imported(m))}
    assert offenders == {}


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
