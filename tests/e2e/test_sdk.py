"""The SDKs in sdk/ are what the schema generates, and they build: tsc for TypeScript, go build for Go.

The Python SDK is exercised by tests/e2e/test_native.py, whose program imports it.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .test_flows import REPO

SDK = REPO / "sdk"
LANGUAGES = ("python", "nodejs", "go")


def _differences(committed: Path, generated: Path) -> list[str]:
    found: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        # What installing the SDKs leaves beside them (pip's egg-info and build) is no part of them.
        found.extend(f"only in sdk/: {prefix}{name}" for name in comparison.left_only if not name.endswith(".egg-info"))
        found.extend(f"not committed: {prefix}{name}" for name in comparison.right_only)
        found.extend(f"differs: {prefix}{name}" for name in comparison.diff_files)
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(committed, generated, ignore=["__pycache__", "node_modules", "bin", "build"]), "")
    return found


def test_the_committed_sdks_are_what_the_schema_generates(tmp_path: Path) -> None:
    out = tmp_path / "sdk"
    subprocess.run([str(REPO / "scripts" / "gen-sdk"), str(out)], check=True, capture_output=True, text=True)
    stale = []
    for language in LANGUAGES:
        stale += [f"{language}: {line}" for line in _differences(SDK / language, out / language)]
        # dircmp compares by size and time first; compare the bytes of every file as well.
        for generated in (out / language).rglob("*"):
            if generated.is_file():
                committed = SDK / language / generated.relative_to(out / language)
                if committed.exists() and committed.read_bytes() != generated.read_bytes():
                    stale.append(f"{language}: differs: {generated.relative_to(out / language)}")
    assert not stale, "sdk/ is stale; run `make sdk` and commit the result:\n" + "\n".join(sorted(set(stale)))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not on PATH; this machine needs it to build the {name} SDK")
    return found


def test_the_typescript_sdk_compiles_with_tsc(tmp_path: Path) -> None:
    npm = _tool("npm")
    work = tmp_path / "nodejs"
    shutil.copytree(SDK / "nodejs", work)
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false", "npm_config_audit": "false"}
    subprocess.run([npm, "install", "--no-package-lock", "--loglevel=error"], cwd=work, env=env, check=True)
    compiled = subprocess.run([npm, "run", "build"], cwd=work, env=env, capture_output=True, text=True, check=False)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    for module in ("index", "phoneNumberBinding", "getPhoneNumber", "listPhoneNumbers", "provider"):
        assert (work / "bin" / f"{module}.js").exists() and (work / "bin" / f"{module}.d.ts").exists()


def test_the_go_sdk_builds_and_vets() -> None:
    go = _tool("go")
    env = {**os.environ, "GOFLAGS": "-mod=readonly"}
    for command in (["build", "./..."], ["vet", "./..."]):
        built = subprocess.run([go, *command], cwd=SDK, env=env, capture_output=True, text=True, check=False)
        assert built.returncode == 0, built.stdout + built.stderr
